"""Translation files: loading, the leaflets planned from them, and what `check` flags."""

from __future__ import annotations

import leafletgen
from leafletgen.checks.plan import plan
from leafletgen.errors import Severity
from leafletgen.i18n.translation import (
    TranslatedMonograph,
    load_leaflet,
    section_hash,
    source_hashes,
)
from leafletgen.source.monograph import load

from ..conftest import LEAFLETS, STYLES
from ..test_gates import run
from .conftest import edit, line_of


def messages(report) -> list[str]:
    return [str(p) for p in report.problems]


def test_shipped_translations_load_as_translations_of_baclofen():
    for lang, name in (("es", "Baclofeno"), ("ar", "باكلوفين"), ("zh", "巴氯芬")):
        monograph, problems = load_leaflet(LEAFLETS / f"baclofen.{lang}.md")
        assert isinstance(monograph, TranslatedMonograph), problems
        assert (monograph.slug, monograph.language, monograph.name) == (
            f"baclofen.{lang}", lang, name)
        assert monograph.source.path == LEAFLETS / "baclofen.md"
        assert monograph.status == "draft" and monograph.reviewer is None
        assert [p for p in problems if p.severity is Severity.ERROR] == []
        # every section of the source with patient text is translated, and current
        assert {s.id for s in monograph.sections} == set(source_hashes(monograph.source))
        assert dict(monograph.translation_of.sections) == source_hashes(monograph.source)


def test_translations_are_built_in_the_patient_variants_only_with_their_own_names():
    stems = {job.stem for job in plan([LEAFLETS], STYLES).jobs}
    for lang in ("es", "ar", "zh"):
        assert {f"baclofen.{lang}-patient", f"baclofen.{lang}-patient-large"} <= stems
        assert f"baclofen.{lang}-clinician" not in stems
    assert {"baclofen-patient", "baclofen-clinician"} <= stems  # the source as before


def test_headings_come_from_the_catalogue_in_the_translation_language():
    jobs = {job.stem: job for job in plan([LEAFLETS / "baclofen.es.md"], STYLES).jobs}
    headings = {s.id: s.heading for s in jobs["baclofen.es-patient"].sections}
    assert headings["uses"] == "¿Qué es Baclofeno y para qué se usa?"
    assert headings["driving"] == "¿Puedo conducir o usar máquinas?"


def test_a_changed_source_section_makes_the_translation_stale(catalogue):
    source = catalogue / "baclofen.md"
    edit(source, "Baclofen works on your brain and nerves.",
         "Baclofen works on your brain and spinal cord.")
    report = leafletgen.check_report([catalogue], STYLES)
    stale = [p for p in report.problems if "stale" in p.message]
    # each translation names the one changed section, at its hash's line
    assert {p.path.name for p in stale} == {"baclofen.es.md", "baclofen.ar.md"}
    for problem in stale:
        assert "section 'how-it-works'" in problem.message
        assert problem.line == line_of(problem.path, "how-it-works: ")
        assert problem.severity is Severity.WARNING
        new_hash = section_hash(load(source)[0].section("how-it-works"))
        assert new_hash in problem.message
    assert report.ok  # a warning: the leaflets are still built ...
    strict = leafletgen.check_report([catalogue], STYLES, strict=True)
    assert not strict.ok  # ... but check --strict fails


def test_check_strict_command_fails_on_a_stale_translation(catalogue, capsys):
    edit(catalogue / "baclofen.md", "Keep it in the original pack.",
         "Keep it in the original pack, closed.")
    code, _, stderr = run(capsys, "check", "--strict", str(catalogue), "--styles", str(STYLES))
    assert code == 1
    assert "baclofen.es.md" in stderr and "stale: section 'storage'" in stderr
    code, _, _ = run(capsys, "check", str(catalogue), "--styles", str(STYLES))
    assert code == 0


def test_a_new_source_version_with_unchanged_sections_asks_for_the_version(catalogue):
    edit(catalogue / "baclofen.md", 'version: "1.1"', 'version: "1.2"')
    problems = messages(leafletgen.check_report([catalogue], STYLES))
    assert any("baclofen.es.md" in p and "translation_of.version is 1.1" in p
               and 'set version: "1.2"' in p for p in problems)
    assert not any("stale" in p for p in problems)


def test_an_untranslated_section_is_flagged_and_an_error_once_approved(catalogue):
    translation = catalogue / "baclofen.es.md"
    text = translation.read_text(encoding="utf-8")
    start = text.index("## driving")
    end = text.index("## how-to-take")
    translation.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = [p for p in leafletgen.check_report([translation], STYLES).problems
                if "not translated" in p.message]
    assert len(problems) == 1 and "section 'driving'" in problems[0].message
    assert problems[0].severity is Severity.WARNING
    edit(translation, "status: draft", "status: approved\nreviewer: A. Translator\n"
         "review_date: 2026-11-30")
    problems = [p for p in leafletgen.check_report([translation], STYLES).problems
                if "not translated" in p.message]
    assert problems and problems[0].severity is Severity.ERROR


def test_a_key_fact_of_the_source_must_be_carried(catalogue):
    translation = catalogue / "baclofen.es.md"
    edit(translation, '  - fact: "Avoid alcohol"\n    carried_by: "No beba alcohol"\n', "")
    report = leafletgen.check_report([translation], STYLES)
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    assert any("key fact 'Avoid alcohol'" in p.message and "not carried" in p.message
               for p in errors)
    assert not [job for job in plan([translation], STYLES).jobs]  # nothing is built


def test_a_key_fact_phrase_missing_from_the_translated_text_stops_the_build(catalogue):
    translation = catalogue / "baclofen.es.md"
    text = translation.read_text(encoding="utf-8")
    body_start = text.index("\n---\n", 4)
    body = text[body_start:].replace("**No beba alcohol**", "Evite el alcohol")
    body = body.replace("No beba alcohol", "Evite el alcohol")
    translation.write_text(text[:body_start] + body, encoding="utf-8")
    problems = messages(leafletgen.check_report([translation], STYLES))
    assert any("missing from the 'patient' leaflet" in p and "No beba alcohol" in p
               for p in problems)


def test_a_translation_without_a_reviewer_is_a_draft_and_says_so(catalogue, capsys):
    code, stdout, _ = run(capsys, "check", str(catalogue / "baclofen.ar.md"),
                          "--styles", str(STYLES))
    assert code == 0
    assert "العربية (ar) translation of" in stdout and "baclofen.md version 1.1" in stdout
    assert "draft: no reviewer yet" in stdout


def test_a_missing_source_is_reported_at_its_line(catalogue):
    translation = catalogue / "baclofen.es.md"
    edit(translation, "  file: baclofen.md", "  file: baclofeen.md")
    monograph, problems = load_leaflet(translation)
    assert monograph is None
    assert [(p.line, "no " in p.message and "baclofeen.md" in p.message) for p in problems
            if p.severity is Severity.ERROR] == [(line_of(translation, "file: baclofeen"), True)]


def test_clinician_text_in_a_translation_is_refused(catalogue):
    translation = catalogue / "baclofen.es.md"
    edit(translation, "## maker\n", "## maker\n\n::: clinician\nTexto clínico.\n:::\n")
    monograph, problems = load_leaflet(translation)
    assert monograph is None
    assert any("patient text only" in p.message for p in problems)


def test_a_section_the_source_does_not_have_is_an_error(catalogue):
    translation = catalogue / "baclofen.es.md"
    edit(translation, "## maker\n", "## counselling\n\nConsejos.\n\n## maker\n")
    monograph, problems = load_leaflet(translation)
    assert monograph is None
    assert any("section 'counselling'" in p.message and "no patient text" in p.message
               for p in problems)


def test_translation_status_command(catalogue, capsys):
    edit(catalogue / "baclofen.md", "Baclofen works on your brain and nerves.",
         "Baclofen works on your brain.")
    code, stdout, _ = run(capsys, "translation", "status", str(catalogue / "baclofen.es.md"))
    assert code == 1
    assert "  how-it-works             stale" in stdout
    assert "  uses                     current" in stdout
    source = load(catalogue / "baclofen.md")[0]
    assert f"how-it-works: {section_hash(source.section('how-it-works'))}" in stdout


def test_fhir_export_leaves_translations_out(catalogue, tmp_path, capsys):
    code, stdout, stderr = run(capsys, "export", "fhir", str(catalogue), "-o",
                               str(tmp_path / "epi"))
    assert code == 0
    assert "baclofen.es.md: a translation, not exported" in stderr
    assert sorted(p.name for p in (tmp_path / "epi").iterdir()) == [
        "baclofen-clinician.epi.json", "baclofen-patient.epi.json"]
