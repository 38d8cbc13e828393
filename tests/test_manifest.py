"""Input fingerprints and the manifest file."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from pathlib import Path

import pytest

from leafletgen.catalogue import manifest
from leafletgen.catalogue.manifest import (
    Entry,
    Fingerprints,
    Manifest,
    stylesheet_closure,
    template_closure,
)
from leafletgen.source.variants import load_variants

from .conftest import STYLES


def entry(source: str = "leaflets/a.md", sha: str = "1" * 64) -> Entry:
    return Entry(source, "patient", {"monograph": "m", "leafletgen": "0.1.0"}, sha)


def test_saved_entries_round_trip(tmp_path: Path):
    manifest = Manifest(tmp_path)
    manifest.record("a-patient.pdf", entry())
    manifest.save()
    document = json.loads((tmp_path / "manifest.json").read_text())
    assert document["format"] == 1
    saved = document["pdfs"]["a-patient.pdf"]
    assert saved["sha256"] == "1" * 64
    assert saved["inputs"] == {"leafletgen": "0.1.0", "monograph": "m"}
    assert saved["inputs_sha256"] == entry().inputs_sha256
    assert Manifest(tmp_path).get("a-patient.pdf") == entry()
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"], "no lock or temp files"


def test_saves_merge_with_what_another_build_saved(tmp_path: Path):
    first, second = Manifest(tmp_path), Manifest(tmp_path)
    first.record("a-patient.pdf", entry("leaflets/a.md"))
    second.record("b-patient.pdf", entry("leaflets/b.md"))
    first.save()
    second.save()
    assert set(Manifest(tmp_path).entries) == {"a-patient.pdf", "b-patient.pdf"}


@pytest.mark.parametrize("text", ["{not json", '{"format": 99, "pdfs": {}}', '["a"]',
                                  '{"format": 1, "pdfs": {"a.pdf": {"source": "x"}}}'])
def test_an_unreadable_manifest_means_rebuild_everything(tmp_path: Path, text: str, caplog):
    (tmp_path / "manifest.json").write_text(text)
    with caplog.at_level(logging.WARNING, logger="leafletgen.catalogue.manifest"):
        assert Manifest(tmp_path).entries == {}
    assert "every leaflet will be rebuilt" in caplog.text


def test_template_closure_follows_extends_and_includes():
    templates = STYLES / "templates"
    assert template_closure(templates, "patient.html.j2") == [
        "_personal.html.j2", "_schedule.html.j2", "_section.html.j2", "base.html.j2",
        "patient.html.j2"]


def test_a_computed_template_name_makes_every_template_an_input(tmp_path: Path):
    (tmp_path / "dynamic.html.j2").write_text("{% include variant.name + '.html.j2' %}")
    (tmp_path / "patient.html.j2").write_text("patient")
    (tmp_path / "unrelated.html.j2").write_text("other")
    assert template_closure(tmp_path, "dynamic.html.j2") == [
        "dynamic.html.j2", "patient.html.j2", "unrelated.html.j2"]


def test_stylesheet_closure_follows_imports_and_urls(tmp_path: Path):
    (tmp_path / "img").mkdir()
    (tmp_path / "main.css").write_text('@import "print.css";\n'
                                       'h1 { background: url(img/logo.svg); }\n'
                                       'a { background: url("https://example.org/x.png"); }\n')
    (tmp_path / "print.css").write_text("@import url('main.css');\n"
                                        "p { background: url('img/dot.png#x'); }\n")
    (tmp_path / "img" / "logo.svg").write_text("<svg/>")
    (tmp_path / "img" / "dot.png").write_bytes(b"png")
    (tmp_path / "unused.css").write_text("")
    found = stylesheet_closure(tmp_path, [tmp_path / "main.css"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "img/dot.png", "img/logo.svg", "main.css", "print.css"]


def test_a_stylesheet_shared_by_variants_is_parsed_once(tmp_path: Path, monkeypatch):
    (tmp_path / "leaflet.css").write_text('@import "base.css";\n')
    (tmp_path / "base.css").write_text("p { margin: 0; }\n")
    (tmp_path / "patient.css").write_text("p { font-size: 12pt; }\n")
    (tmp_path / "clinician.css").write_text("p { font-size: 10pt; }\n")
    parsed_sheets: list[str] = []
    parse = manifest.tinycss2.parse_stylesheet_bytes

    def counting(data, *args, **kwargs):
        parsed_sheets.append(data.decode())
        return parse(data, *args, **kwargs)

    monkeypatch.setattr(manifest.tinycss2, "parse_stylesheet_bytes", counting)
    parsed: dict[Path, list[Path]] = {}
    names = [[p.name for p in stylesheet_closure(tmp_path, [tmp_path / "leaflet.css",
                                                             tmp_path / variant], parsed)]
             for variant in ("patient.css", "clinician.css")]
    assert names == [["base.css", "leaflet.css", "patient.css"],
                     ["base.css", "clinician.css", "leaflet.css"]]
    assert len(parsed_sheets) == 4  # leaflet.css and base.css once, not once per variant


def test_fingerprints_name_inputs_by_relative_names(tmp_path: Path):
    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    (styles / "logo.svg").write_text("<svg/>")  # reached by no stylesheet: every PDF's input
    variants, problems = load_variants(styles)
    assert problems == []
    fingerprints = Fingerprints(styles, variants, {"paper": ""})
    clinician = fingerprints.inputs(variants["clinician"], b"monograph text")
    assert "asset:logo.svg" in clinician
    assert "template:clinician.html.j2" in clinician
    assert "template:patient.html.j2" not in clinician
    assert "stylesheet:patient.css" not in clinician
    other = Fingerprints(styles, variants, {"paper": ""}).inputs(variants["clinician"], b"other")
    assert {k for k in clinician if clinician[k] != other[k]} == {"monograph"}


def test_an_entry_without_its_html_is_saved_without_it(tmp_path: Path):
    manifest = Manifest(tmp_path)
    with_html = dataclasses.replace(entry(), html_sha256="2" * 64)
    manifest.record("a-patient.pdf", with_html)
    manifest.save()
    assert Manifest(tmp_path).get("a-patient.pdf").html_sha256 == "2" * 64
    manifest.record("a-patient.pdf", dataclasses.replace(with_html, html_sha256=None))
    manifest.save()
    document = json.loads((tmp_path / "manifest.json").read_text())
    assert "html_sha256" not in document["pdfs"]["a-patient.pdf"]
    assert Manifest(tmp_path).get("a-patient.pdf") == entry()
