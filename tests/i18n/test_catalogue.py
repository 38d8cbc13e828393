"""Message catalogues: what is translatable, fallbacks, and what `check` says."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po, write_po

import leafletgen
from leafletgen.errors import Severity
from leafletgen.i18n.catalogue import expected_messages, po_path, translate
from leafletgen.i18n.checks import catalogue_problems
from leafletgen.i18n.templates import local_date, page_of_content

from ..conftest import LEAFLETS, ROOT, STYLES

VOCABULARY = Path(str(resources.files("leafletgen").joinpath("sections.yaml")))


def test_the_shipped_catalogues_translate_every_string():
    assert catalogue_problems(["es", "ar", "zh"], STYLES) == []


def test_extraction_finds_templates_variants_and_section_titles():
    found = {m.text: m for m in expected_messages(STYLES, VOCABULARY)}
    assert found["DRAFT — not for patient use"].path.name == "base.html.j2"
    assert found["What if I forget a dose?"].path.name == "patient.yaml"
    assert found["{medicine}: information for patients"].path.name == "patient.yaml"
    assert found["Most important information"].path.name == "sections.yaml"
    assert "Your medicines" in found and "Page %(page)s of %(pages)s" in found


def test_the_committed_template_lists_every_string():
    with (STYLES / "locale" / "leafletgen.pot").open("rb") as handle:
        pot = {m.id for m in read_po(handle) if m.id}
    expected = {m.text for m in expected_messages(STYLES, VOCABULARY)}
    # run `make translations` (leafletgen messages extract/update) when this fails
    assert expected <= pot


def test_babel_config_names_the_leafletgen_extractors():
    config = (ROOT / "babel.cfg").read_text()
    assert "[leafletgen_variant: styles/variants/**.yaml]" in config
    assert "[jinja2: styles/templates/**.j2]" in config


def test_english_and_unknown_languages_fall_back_to_english():
    assert translate(STYLES, "en", "Sources") == "Sources"
    assert translate(STYLES, "fr", "Sources") == "Sources"  # no French catalogue
    assert translate(STYLES, "es", "Sources") == "Fuentes"
    assert translate(STYLES, "es-MX", "Sources") == "Fuentes"  # the primary language's


def test_page_numbers_and_dates_follow_the_language():
    assert page_of_content(STYLES, "es") == '"Página " counter(page) " de " counter(pages)'
    assert page_of_content(STYLES, "zh") == '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    assert local_date(dt.date(2026, 11, 30), "es") == "30 de noviembre de 2026"
    assert local_date(dt.date(2026, 11, 30), "ar") == "30 نوفمبر 2026"  # digits as 0-9


def test_a_string_missing_from_a_catalogue_is_a_warning_and_prints_in_english(styles):
    path = po_path(styles, "es")
    with path.open("rb") as handle:
        catalog = read_po(handle)
    catalog["Sources"].string = ""
    catalog["Your medicines"].flags.add("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog)
    problems = catalogue_problems(["es"], styles)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.path == path and problem.severity is Severity.WARNING
    assert "2 string(s) have no Español translation" in problem.message
    assert "'Sources'" in problem.message and "'Your medicines'" in problem.message
    assert translate(styles, "es", "Sources") == "Sources"


def test_check_warns_about_a_language_without_a_catalogue(tmp_path, styles):
    folder = tmp_path / "leaflets"
    folder.mkdir()
    (folder / "baclofen.md").write_bytes((LEAFLETS / "baclofen.md").read_bytes())
    text = (LEAFLETS / "baclofen.es.md").read_text(encoding="utf-8")
    (folder / "baclofen.pt.md").write_text(text.replace("language: es", "language: pt"),
                                           encoding="utf-8")
    report = leafletgen.check_report([folder], styles)
    problems = [p for p in report.problems if "no message catalogue for 'pt'" in p.message]
    assert len(problems) == 1
    assert "leafletgen messages update pt" in problems[0].message


def test_messages_commands_extract_update_and_compile(styles, tmp_path, capsys):
    import gettext

    from ..test_gates import run

    pot = styles / "locale" / "leafletgen.pot"
    pot.unlink()
    code, stdout, _ = run(capsys, "messages", "extract", "--root", str(ROOT), "--styles",
                          str(styles))
    assert code == 0 and pot.is_file()
    code, stdout, _ = run(capsys, "messages", "update", "es", "pt", "--styles", str(styles))
    assert code == 0 and (styles / "locale" / "pt" / "LC_MESSAGES" / "leafletgen.po").is_file()
    assert translate(styles, "es", "Sources") == "Fuentes"  # kept by the update
    out = tmp_path / "mo"
    code, stdout, _ = run(capsys, "messages", "compile", "--styles", str(styles), "-o", str(out))
    assert code == 0
    compiled = gettext.translation("leafletgen", out, ["es"])
    assert compiled.gettext("DRAFT — not for patient use") == "BORRADOR — no para pacientes"
