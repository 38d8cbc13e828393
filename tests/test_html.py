"""The HTML stage, checked against golden files.

Refresh the golden files after an intended template change with:
    LEAFLETGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_html.py
and review the diff before committing.
"""

import dataclasses
import os
import re
from pathlib import Path

import pytest

from leafletgen.model import Block, LeafletSection
from leafletgen.render.html import render_html
from leafletgen.render.styles import load_styles
from leafletgen.source.monograph import load
from leafletgen.source.variants import load_variants, select

from .conftest import STYLES, monograph_text

GOLDEN = Path(__file__).parent / "golden"
BODY = """\
## most-important

::: patient
**Do not stop taking testamol suddenly.** It can make you ill.
:::

::: clinician
Taper over 1–2 weeks; doses ≥ 20 mg need care; store at 25 °C; 5 µg.
:::

## uses

::: both
Testamol treats test pain.

| Dose | When |
| --- | --- |
| 1 tablet | morning |
:::

## how-to-take

- Take 1 tablet in the morning.
- Take 1 tablet at night.

## stopping

::: both
Your doctor lowers the dose slowly.
:::

## side-effects

::: both
You may feel sleepy.
:::

## counselling

::: clinician
Clinician-only counselling text.
:::
"""


def normalise(html: str) -> str:
    """Replace this machine's absolute paths with stable placeholders."""
    html = html.replace(STYLES.resolve().as_uri(), "STYLES")
    return re.sub(r'url\("file://[^"]*/([^/"]+)"\)', r'url("FONTS/\1")', html)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("golden") / "testamol.md"
    path.write_text(monograph_text(body=BODY), encoding="utf-8")
    monograph, problems = load(path)
    assert problems == ()
    variants, _ = load_variants(STYLES)
    pages = {}
    for name in ("patient", "clinician"):
        sections, missing = select(monograph, variants[name])
        assert missing == []
        pages[name] = render_html(monograph, variants[name], sections, load_styles(STYLES)).html
    return pages


@pytest.mark.parametrize("variant", ["patient", "clinician"])
def test_html_matches_golden_file(rendered, variant):
    golden = GOLDEN / f"testamol-{variant}.html"
    actual = normalise(rendered[variant])
    if os.environ.get("LEAFLETGEN_UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), "no golden file; run with LEAFLETGEN_UPDATE_GOLDEN=1 to create it"
    assert actual == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs; if the template change is intended, refresh with "
        "LEAFLETGEN_UPDATE_GOLDEN=1 (see this module's docstring)")


def test_audiences_are_kept_apart(rendered):
    assert "Clinician-only counselling text" in rendered["clinician"]
    assert "Clinician-only counselling text" not in rendered["patient"]
    assert "Taper over 1–2 weeks" not in rendered["patient"]
    assert "It can make you ill." in rendered["patient"]


def test_document_carries_language_title_and_revision_date(rendered):
    page = rendered["patient"]
    assert '<html lang="en">' in page
    assert "<title>Testamol: information for patients</title>" in page
    assert '<meta name="dcterms.created" content="2026-01-15">' in page
    assert "Last revised 15\xa0January\xa02026" in page


def test_monograph_text_cannot_inject_html(tmp_path):
    variants, _ = load_variants(STYLES)
    monograph = hostile_monograph(tmp_path)
    hostile = LeafletSection(
        "uses", "Uses", 1, False,
        (Block("patient", '<script>alert(1)</script> <img src="file:///etc/passwd">', 1),))
    page = render_html(monograph, variants["patient"], (hostile,), load_styles(STYLES)).html
    assert "<script>alert" not in page
    assert '<img src="file:///etc/passwd">' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def hostile_monograph(tmp_path):
    """A monograph whose name carries markup; validation rejects it, the template must escape it
    anyway (defence in depth)."""
    path = tmp_path / "testamol.md"
    path.write_text(monograph_text(body=BODY), encoding="utf-8")
    monograph, _ = load(path)
    return dataclasses.replace(monograph, name="<b>Evil</b> tablets")


def test_front_matter_values_are_escaped(tmp_path):
    monograph = hostile_monograph(tmp_path)
    variants, _ = load_variants(STYLES)
    sections, _ = select(monograph, variants["patient"])
    page = render_html(monograph, variants["patient"], sections, load_styles(STYLES)).html
    assert "<b>Evil</b>" not in page
    assert "&lt;b&gt;Evil&lt;/b&gt;" in page


def _copy_templates(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "templates"
    shutil.copytree(STYLES / "templates", folder)
    return folder


def test_templates_are_compiled_once_per_process_and_again_when_edited(tmp_path, monkeypatch):
    import jinja2

    from leafletgen.render.environment import CompiledTemplates, environment

    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    cache = CompiledTemplates()
    monkeypatch.setattr("leafletgen.render.environment.COMPILED", cache)
    folder = _copy_templates(tmp_path)
    first = environment(folder).get_template("_section.html.j2")
    assert compiled == ["_section.html.j2"]
    # a second environment of the same folder (a new library call) does not compile it again
    again = environment(folder).get_template("_section.html.j2")
    assert compiled == ["_section.html.j2"]
    assert again is not first  # a template of its own environment, from the same code
    # an edited template is compiled again, and renders as edited
    path = folder / "_section.html.j2"
    path.write_text("edited {{ 1 + 1 }}", encoding="utf-8")
    edited = environment(folder).get_template("_section.html.j2")
    assert compiled == ["_section.html.j2", "_section.html.j2"]
    assert edited.render() == "edited 2"


def test_compiled_templates_are_not_shared_across_different_filters(tmp_path, monkeypatch):
    import jinja2

    from leafletgen.render.environment import (
        CompiledTemplates,
        TemplateFeatures,
        environment,
    )

    monkeypatch.setattr("leafletgen.render.environment.COMPILED", CompiledTemplates())
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "qr.html.j2").write_text("{{ 'x' | qr_svg }}", encoding="utf-8")
    with_qr = environment(folder, TemplateFeatures(filters={"qr_svg": lambda v: v + "!"}))
    assert with_qr.get_template("qr.html.j2").render() == "x!"
    # without the filter the template does not compile, as it would with no cache at all
    with pytest.raises(jinja2.TemplateAssertionError):
        environment(folder).get_template("qr.html.j2")


def test_compiled_templates_keep_at_most_their_size():
    import jinja2

    from leafletgen.render.environment import CompiledTemplates

    cache = CompiledTemplates(size=2)
    env = jinja2.Environment(loader=jinja2.DictLoader({n: n for n in "abc"}),
                             bytecode_cache=cache)
    for name in "abc":
        env.get_template(name)
    assert len(cache._code) == 2
