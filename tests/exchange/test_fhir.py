"""FHIR R5 ePI Bundles: export of every shipped monograph, import, and their round trip."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from fhir.resources.bundle import Bundle

from leafletgen.errors import ContentError
from leafletgen.exchange.fhir import (
    MARKDOWN_EXTENSION,
    SECTION_SYSTEM,
    export_monograph,
    import_bundles,
)
from leafletgen.exchange.spl import read_label
from leafletgen.exchange.to_monograph import draft
from leafletgen.i18n.translation import is_translation_file
from tests.conftest import LEAFLETS

from .conftest import SPL

# the monographs (translations are patient text of a monograph, not exported on their own)
SHIPPED = sorted(p for p in LEAFLETS.glob("*.md") if not is_translation_file(p))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_monograph_exports_valid_epi(path):
    exported = export_monograph(path)
    assert {e.audience for e in exported} == {"patient", "clinician"}
    for bundle in exported:
        model = Bundle.model_validate_json(bundle.json())  # the FHIR R5 models accept it
        assert model.type == "document"
        composition = model.entry[0].resource
        assert composition.get_resource_type() == "Composition"
        assert [e.resource.get_resource_type() for e in model.entry[1:3]] == \
            ["MedicinalProductDefinition", "Organization"]
        # any more entries are the figures the text shows: each a DocumentReference naming
        # it and the Binary that holds it, which the narrative's <img> refers to
        references = [e.resource for e in model.entry[3:]
                      if e.resource.get_resource_type() == "DocumentReference"]
        figures = {r.content[0].attachment.title for r in references}
        assert figures == set(re.findall(r"\]\((figures/[^) ]+)", bundle.json()))
        binaries = {e.fullUrl for e in model.entry[3:]
                    if e.resource.get_resource_type() == "Binary"}
        assert {r.content[0].attachment.url for r in references} == binaries
        assert len(model.entry) == 3 + 2 * len(figures)
        narrative = "".join(s.text.div for s in composition.section)
        assert set(re.findall(r'<img src="(urn:uuid:[^"]+)"', narrative)) == binaries
        assert composition.subject[0].reference == model.entry[1].fullUrl
        for section in composition.section:
            systems = {c.system for c in section.code.coding}
            assert SECTION_SYSTEM in systems
            assert section.text.div.startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
            assert "<dd" not in section.text.div and "file:" not in section.text.div


def test_sections_carry_loinc_codes_and_narrative():
    (patient, clinician) = export_monograph(LEAFLETS / "baclofen.md")
    composition = patient.bundle["entry"][0]["resource"]
    first = composition["section"][0]
    assert first["code"]["coding"][0] == {"system": "http://loinc.org", "code": "34066-1",
                                         "display": "Most important information"}
    assert "Do not stop taking baclofen suddenly" in first["text"]["div"]
    assert composition["type"]["coding"][0]["code"] == "42230-3"
    assert clinician.bundle["entry"][0]["resource"]["type"]["coding"][0]["code"] == "34391-3"
    assert patient.filename == "baclofen-patient.epi.json"


def _write(folder: Path, exported) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for bundle in exported:
        path = folder / bundle.filename
        path.write_text(bundle.json(), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_export_import_export_is_stable(tmp_path, path):
    first = export_monograph(path)
    imported = import_bundles(_write(tmp_path / "a", first))
    monograph = tmp_path / f"{imported.slug}.md"
    monograph.write_text(imported.text, encoding="utf-8")
    for name, data in imported.figures:  # figures travel inside the Bundle
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    second = export_monograph(monograph)
    assert [b.json() for b in second] == [b.json() for b in first]


def test_imported_label_exports_and_round_trips(tmp_path):
    result = draft(read_label(SPL / "testamab.xml"))
    path = tmp_path / "testamab.md"
    path.write_text(result.text, encoding="utf-8")
    first = export_monograph(path)
    product = first[0].bundle["entry"][1]["resource"]
    assert {"system": "http://hl7.org/fhir/sid/ndc", "value": "12345-678-01"} in \
        product["identifier"]
    imported = import_bundles(_write(tmp_path / "epi", first))
    (tmp_path / "again").mkdir()
    again = tmp_path / "again" / f"{imported.slug}.md"
    again.write_text(imported.text, encoding="utf-8")
    assert [b.json() for b in export_monograph(again)] == [b.json() for b in first]


def test_a_bundle_from_elsewhere_imports_from_its_narrative(tmp_path):
    (patient, _) = export_monograph(LEAFLETS / "baclofen.md")
    bundle = patient.bundle
    composition = bundle["entry"][0]["resource"]
    del composition["extension"]
    for section in composition["section"]:
        del section["extension"]
        section["code"]["coding"] = [c for c in section["code"]["coding"]
                                     if c["system"] != SECTION_SYSTEM]
    path = tmp_path / "other.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    imported = import_bundles([path])
    text = imported.text
    assert imported.slug == "baclofen"
    assert "## most-important\n\n::: patient\n**Do not stop taking baclofen suddenly.**" in text
    assert "- have fits (seizures)" in text
    assert "status: draft" in text


def test_not_a_bundle_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection"}))
    with pytest.raises(ContentError) as caught:
        import_bundles([path])
    assert "type 'document'" in str(caught.value)
    path.write_text("{")
    with pytest.raises(ContentError) as caught:
        import_bundles([path])
    assert caught.value.problems[0].line == 1 and "not JSON" in str(caught.value)


def test_markdown_extension_is_the_source_of_each_section():
    (patient, _) = export_monograph(LEAFLETS / "baclofen.md")
    section = patient.bundle["entry"][0]["resource"]["section"][0]
    assert section["extension"][0]["url"] == MARKDOWN_EXTENSION
    assert section["extension"][0]["valueMarkdown"].startswith(
        "**Do not stop taking baclofen suddenly.**")


def test_narrative_has_no_dangling_links():
    for bundle in export_monograph(LEAFLETS / "baclofen.md"):
        for section in bundle.bundle["entry"][0]["resource"]["section"]:
            assert 'href="#' not in section["text"]["div"]
    (patient, _) = export_monograph(LEAFLETS / "baclofen.md")
    first = patient.bundle["entry"][0]["resource"]["section"][0]["text"]["div"]
    # a cross-reference prints the heading of the section it points to
    assert '<span class="ref">see “Stopping treatment and withdrawal”</span>' in first


def test_figures_keep_their_captions_and_boxes_their_labels(tmp_path):
    source = LEAFLETS / "adrenaline-auto-injector.md"
    patient = next(b for b in export_monograph(source) if b.audience == "patient")
    divs = "".join(s["text"]["div"] for s in patient.bundle["entry"][0]["resource"]["section"])
    assert re.search(r'<div class="figure"><img src="urn:uuid:[^"]+" alt="An adrenaline '
                     r'auto-injector lying flat[^"]*"/><p class="caption">The parts of the pen'
                     r'</p></div>', divs)
    assert '<div class="warning"><p><strong>Warning</strong></p>' in divs
    line = source.read_text(encoding="utf-8").split("\n").index("::: patient emergency") + 2
    assert any(f":{line}: the emergency box" in note for note in patient.notes)


def test_a_figure_drawn_for_large_print_is_reported_as_not_carried(tmp_path):
    folder = tmp_path / "leaflets"
    shutil.copytree(LEAFLETS / "figures", folder / "figures")
    source = folder / "adrenaline-auto-injector.md"
    source.write_text((LEAFLETS / "adrenaline-auto-injector.md").read_text(encoding="utf-8"),
                      encoding="utf-8")
    (folder / "figures" / "adrenaline-pen-parts.large.svg").write_bytes(
        (folder / "figures" / "adrenaline-pen-parts.svg").read_bytes())
    patient = next(b for b in export_monograph(source) if b.audience == "patient")
    assert any("adrenaline-pen-parts.large.svg (drawn for one variant) is not carried" in note
               for note in patient.notes)
