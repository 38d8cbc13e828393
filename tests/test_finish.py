"""Finished PDFs: tag tree, running headers and footers as artifacts, outline, archival claims."""

from __future__ import annotations

import re
from pathlib import Path

import page as pagevalidation
import pdfplumber
import pikepdf
import pypdf
import pytest

import leafletgen
from leafletgen.render.finish import PDFUA_ID, structure_elements
from leafletgen.source.monograph import load
from leafletgen.source.variants import load_variants, select

from .conftest import BACLOFEN, STYLES

VARIANTS, _ = load_variants(STYLES)


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("archive")
    result = leafletgen.build([BACLOFEN], out, STYLES, variants=["patient"], archive=True)
    assert [str(p) for p in result.problems] == []
    return out / "baclofen-patient.pdf"


def structure_types(path: Path) -> list[str]:
    """Structure element types in reading (depth-first) order."""
    types: list[str] = []
    with pikepdf.open(path) as pdf:
        def walk(node):
            if not isinstance(node, pikepdf.Dictionary):
                return
            if "/S" in node:
                types.append(str(node.S)[1:])
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                walk(kid)
        walk(pdf.Root.StructTreeRoot)
    return types


def outline_titles(outline) -> list[str]:
    titles: list[str] = []
    for item in outline:
        titles += outline_titles(item) if isinstance(item, list) else [item.title]
    return titles


def expected_headings(variant_name: str) -> list[str]:
    monograph, _ = load(BACLOFEN)
    sections, _ = select(monograph, VARIANTS[variant_name])
    return [f"{s.number}. {s.heading}" if s.number else s.heading for s in sections]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_tag_tree_has_headings_lists_and_the_box_in_reading_order(built, name):
    types = structure_types(built / f"baclofen-{name}.pdf")
    assert types[0] == "Document"
    assert types.index("H1") < types.index("H2")
    assert types.count("H2") >= len(expected_headings(name))
    for needed in ("Sect", "P", "L", "LI", "Lbl", "LBody"):
        assert needed in types, needed
    # the boxed section is the first Sect, and its heading comes before any other H2
    first_sect = types.index("Sect")
    assert types.index("H2", first_sect) == types.index("H2")


def test_clinician_table_is_tagged_as_a_table(built):
    types = structure_types(built / "baclofen-clinician.pdf")
    for needed in ("Table", "TR", "TH", "TD"):
        assert needed in types, needed


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_outline_entries_are_the_section_headings(built, name):
    reader = pypdf.PdfReader(built / f"baclofen-{name}.pdf")
    titles = outline_titles(reader.outline)
    extra = ["Sources"] if VARIANTS[name].audience == "clinician" else []
    assert titles == ["Baclofen", *expected_headings(name), *extra]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_language_title_and_variant_are_recorded(built, name):
    reader = pypdf.PdfReader(built / f"baclofen-{name}.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    assert reader.metadata.title == VARIANTS[name].title.replace("{medicine}", "Baclofen")
    assert reader.metadata["/leafletgenvariant"] == name


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_running_headers_and_footers_are_artifacts(built, name):
    path = built / f"baclofen-{name}.pdf"
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            artifacts = "".join(c["text"] for c in page.chars if c.get("tag") == "Artifact")
            content = "".join(c["text"] for c in page.chars if c.get("tag") != "Artifact")
            assert f"Page {number} of {len(pdf.pages)}" in artifacts
            # the date is kept on one line: its spaces are no-break spaces
            assert "Last revised 24\u00a0November\u00a02026" in artifacts
            assert "Page " not in content
    with pikepdf.open(path) as pdf:
        inside = structure_elements(pdf)
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for i in range(1, len(nums), 2):
            kids = nums[i] if isinstance(nums[i], pikepdf.Array) else [nums[i]]
            assert all(k.objgen in inside for k in kids if isinstance(k, pikepdf.Dictionary))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_boxed_section_is_never_split_across_pages(built, name):
    monograph, _ = load(BACLOFEN)
    sections, _ = select(monograph, VARIANTS[name])
    box = next(s for s in sections if s.box)
    last_line = box.blocks[-1].text.strip().splitlines()[-1]
    words = re.sub(r"[*_`]", "", last_line).split()
    first, last = " ".join(box.heading.split()[:4]), " ".join(words[-4:])
    with pdfplumber.open(built / f"baclofen-{name}.pdf") as pdf:
        texts = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
    pages_first = [i for i, t in enumerate(texts) if first in t]
    pages_last = [i for i, t in enumerate(texts) if last in t]
    assert pages_first and pages_last
    assert pages_first[0] == pages_last[0]


def test_archival_copy_is_pdfa_3a_and_pdfua_1(archived):
    data = archived.read_bytes()
    for profile in ("3a", "ua1"):
        report = pagevalidation.validate_pdf_bytes(data, profile=profile)
        assert [(f.rule_id, f.message) for f in report.failures] == [], profile
        assert report.is_compliant
    with pikepdf.open(archived) as pdf:
        assert pdf.open_metadata().pdfa_status == "3A"
        xmp = pdf.Root.Metadata.read_bytes()
        assert PDFUA_ID.encode() in xmp and b"<pdfuaid:part>1</pdfuaid:part>" in xmp
        assert "/Filter" not in pdf.Root.Metadata


def test_archival_copy_embeds_the_monograph_with_its_revision_date(archived):
    with pikepdf.open(archived) as pdf:
        [spec] = list(pdf.Root.AF)
        assert spec.AFRelationship == "/Source"
        assert str(spec.UF) == "baclofen.md"
        stream = spec.EF.F
        assert stream.read_bytes() == BACLOFEN.read_bytes()
        # the monograph's last_revised date, never the clock or the file's mtime
        assert str(stream.Params.CreationDate) == "D:20261124000000Z"
        assert str(stream.Params.ModDate) == "D:20261124000000Z"
        assert str(pdf.docinfo.CreationDate).startswith("D:20261124")


def test_default_output_is_pdfua_1_without_attachments(built):
    data = (built / "baclofen-patient.pdf").read_bytes()
    assert pagevalidation.validate_pdf_bytes(data, profile="ua1").is_compliant
    with pikepdf.open(built / "baclofen-patient.pdf") as pdf:
        assert pdf.open_metadata().pdfa_status == ""
        assert "/AF" not in pdf.Root


def test_large_print_has_the_patient_leaflets_content_in_the_same_order(built):
    def content(name: str) -> str:
        with pdfplumber.open(built / f"baclofen-{name}.pdf") as pdf:
            text = "".join(c["text"] for p in pdf.pages for c in p.chars
                           if c.get("tag") != "Artifact")
        # list bullets are drawn out of text order, so compare the words only
        return "".join(text.replace("•", "").split())

    large, regular = content("patient-large"), content("patient")
    # large print leaves out the kicker line ("Patient information leaflet") to keep page 1
    # for the boxed message; the running header already names the medicine
    assert large == regular.replace("Patientinformationleaflet", "", 1)
    assert outline_titles(pypdf.PdfReader(built / "baclofen-patient-large.pdf").outline) == \
        outline_titles(pypdf.PdfReader(built / "baclofen-patient.pdf").outline)


@pytest.mark.parametrize("name", ["patient", "patient-large", "clinician"])
def test_page_one_has_no_running_header_repeating_the_title(built, name):
    with pdfplumber.open(built / f"baclofen-{name}.pdf") as pdf:
        def header(page) -> str:
            top = [c for c in page.chars if c.get("tag") == "Artifact" and c["top"] < 60]
            return "".join(c["text"] for c in top)

        assert header(pdf.pages[0]) == ""
        assert "Baclofen" in header(pdf.pages[1])
