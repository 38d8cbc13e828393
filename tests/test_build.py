"""End to end: monographs in, PDFs out, checked structurally with pypdf."""

import re
import shutil

import pytest
from pypdf import PdfReader

import leafletgen
from leafletgen.errors import UsageError
from leafletgen.source.monograph import load
from leafletgen.source.variants import load_variants, select

from .conftest import BACLOFEN, LEAFLETS, STYLES, monograph_text


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_patient_leaflet_leads_with_the_most_important_message(built):
    reader = PdfReader(built / "baclofen-patient.pdf")
    first = flat(reader.pages[0].extract_text())
    assert "What is the most important information I should know about Baclofen?" in first
    assert "Do not stop taking baclofen suddenly." in first
    assert first.index("Do not stop taking baclofen suddenly.") < first.index("1. What is Baclofen")
    assert "Page 1 of" in first
    assert "Last revised 24 November 2026" in first


def test_patient_leaflet_has_no_clinician_text(built):
    patient = flat(text_of(PdfReader(built / "baclofen-patient.pdf")))
    clinician = flat(text_of(PdfReader(built / "baclofen-clinician.pdf")))
    assert "Counselling points" in clinician
    assert "Counselling points" not in patient
    assert "rhabdomyolysis" in clinician
    assert "rhabdomyolysis" not in patient


def test_clinician_summary_is_one_or_two_pages(built):
    reader = PdfReader(built / "baclofen-clinician.pdf")
    assert 1 <= len(reader.pages) <= 2
    assert "Key safety information" in flat(reader.pages[0].extract_text())


def test_page_footer_counts_pages(built):
    reader = PdfReader(built / "baclofen-patient.pdf")
    n = len(reader.pages)
    for i, page in enumerate(reader.pages, 1):
        assert f"Page {i} of {n}" in flat(page.extract_text())
        assert "Version 1.0" in flat(page.extract_text())


@pytest.mark.parametrize("variant,title", [
    ("patient", "Baclofen: information for patients"),
    ("clinician", "Baclofen: clinician summary"),
])
def test_metadata(built, variant, title):
    reader = PdfReader(built / f"baclofen-{variant}.pdf")
    meta = reader.metadata
    assert meta.title == title
    assert meta.author
    assert "Baclofen" in meta.subject
    assert meta["/CreationDate"].startswith("D:20261124")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root  # tagged


def fonts_of(reader: PdfReader) -> dict[str, bool]:
    """Font name -> embedded, for every font used on every page."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
                else font
            descriptor = descendant["/FontDescriptor"]
            fonts[str(font["/BaseFont"]).split("+")[-1]] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


@pytest.mark.parametrize("variant", ["patient", "clinician"])
def test_fonts_are_the_shipped_ones_and_embedded(built, variant):
    fonts = fonts_of(PdfReader(built / f"baclofen-{variant}.pdf"))
    assert fonts and all(fonts.values())
    assert all(name.startswith(("Leaflet-Figures", "Atkinson-Hyperlegible", "Noto-Sans"))
               for name in fonts), fonts


@pytest.mark.parametrize("variant", ["patient", "clinician"])
def test_outline_entries_are_the_section_headings(built, variant):
    variants, _ = load_variants(STYLES)
    monograph, _ = load(BACLOFEN)
    sections, _ = select(monograph, variants[variant])
    expected = [f"{s.number}. {s.heading}" if s.number else s.heading for s in sections]
    reader = PdfReader(built / f"baclofen-{variant}.pdf")
    [top, children] = reader.outline[:2]
    assert top.title == "Baclofen"
    titles = [flat(item.title) for item in children if not isinstance(item, list)]
    assert titles[: len(expected)] == expected


def test_bad_file_is_skipped_and_the_others_are_built(tmp_path):
    leaflets = tmp_path / "leaflets"
    leaflets.mkdir()
    shutil.copy(LEAFLETS / "baclofen.md", leaflets)
    (leaflets / "broken.md").write_text(monograph_text(status="final"), encoding="utf-8")
    (leaflets / "empty.md").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    result = leafletgen.build([leaflets], out, STYLES, variants=["patient"])
    assert not result.ok
    assert sorted(p.name for p in out.iterdir()) == ["baclofen-patient.pdf"]
    messages = [str(p) for p in result.problems]
    assert any("broken.md:" in m and "status: 'final' is not allowed" in m for m in messages)
    assert any("empty.md:1: the file is empty" in m for m in messages)


def test_hostile_monograph_is_rejected_and_nothing_is_fetched(tmp_path):
    body = ("## uses\n\n::: patient\n<img src=\"file:///etc/passwd\">\n"
            "<link rel=attachment href=\"file:///etc/passwd\">\n:::\n")
    path = tmp_path / "hostile.md"
    path.write_text(monograph_text(body=body), encoding="utf-8")
    result = leafletgen.build([path], tmp_path / "out", STYLES)
    assert not result.ok
    assert not (tmp_path / "out").exists()
    assert any("raw HTML is not allowed" in str(p) for p in result.problems)


def test_slug_clash_is_an_error(tmp_path, write_monograph):
    write_monograph("a", slug="same")
    write_monograph("b", slug="same")
    result = leafletgen.build([tmp_path / "leaflets"], tmp_path / "out", STYLES,
                              variants=["clinician"])
    assert [p.name for p in result.written] == ["same-clinician.pdf"]
    assert any("would be written to same-clinician.pdf" in str(p) for p in result.problems)


def test_unknown_variant_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="unknown variant leaflet; available: "):
        leafletgen.build([BACLOFEN], tmp_path, STYLES, variants=["leaflet"])


def test_a_new_variant_needs_no_code(styles, tmp_path):
    text = (styles / "variants" / "clinician.yaml").read_text()
    (styles / "variants" / "pharmacist.yaml").write_text(
        text.replace("name: clinician", "name: pharmacist")
        .replace("clinician summary", "pharmacist sheet"))
    result = leafletgen.build([BACLOFEN], tmp_path / "out", styles, variants=["pharmacist"])
    assert result.ok
    reader = PdfReader(tmp_path / "out" / "baclofen-pharmacist.pdf")
    assert reader.metadata.title == "Baclofen: pharmacist sheet"


def test_letter_paper(tmp_path):
    result = leafletgen.build([BACLOFEN], tmp_path, STYLES, variants=["clinician"],
                              paper="letter")
    assert result.ok
    box = PdfReader(tmp_path / "baclofen-clinician.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_html_output_renders_standalone_to_the_same_leaflet(tmp_path):
    import weasyprint

    result = leafletgen.build([BACLOFEN], tmp_path, STYLES, variants=["patient"], html=True)
    assert result.ok
    html = tmp_path / "baclofen-patient.html"
    pdf = weasyprint.HTML(filename=str(html)).write_pdf(pdf_tags=True)
    ours = PdfReader(tmp_path / "baclofen-patient.pdf")
    theirs = PdfReader(__import__("io").BytesIO(pdf))
    assert len(theirs.pages) == len(ours.pages)
    assert flat(text_of(theirs)) == flat(text_of(ours))


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_most_important_box_is_whole_on_page_one_of_every_patient_variant(tmp_path, paper):
    variants, _ = load_variants(STYLES)
    patient_variants = [v for v in variants.values() if v.audience == "patient"]
    result = leafletgen.build([BACLOFEN], tmp_path, STYLES,
                              variants=[v.name for v in patient_variants], paper=paper)
    assert result.ok, [str(p) for p in result.problems]
    monograph, _ = load(BACLOFEN)
    for variant in patient_variants:
        sections, _ = select(monograph, variant)
        box = next(s for s in sections if s.box)
        last_words = " ".join(re.sub(r"[*_`]", "", box.blocks[-1].text).split()[-5:])
        first_page = flat(PdfReader(tmp_path / f"baclofen-{variant.name}.pdf")
                          .pages[0].extract_text())
        assert flat(box.heading) in first_page, (variant.name, paper)
        if variant.name == "patient-large" and paper == "letter":
            # Letter is 18 mm shorter: the box may split there, framed on both pages, with
            # every key fact on page 1 (verify's frame and page-1 rules, in result.ok)
            continue
        assert last_words in first_page, (variant.name, paper)


def test_unwritable_output_is_a_problem_not_a_crash(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    result = leafletgen.build([BACLOFEN], blocker / "sub", STYLES, variants=["clinician"])
    assert result.written == ()
    assert [p.message.split(";")[0] for p in result.problems] == [
        "cannot create the output folder: Not a directory"]


def test_options_are_given_one_way_only(tmp_path):
    with pytest.raises(UsageError, match="not both"):
        leafletgen.build([BACLOFEN], tmp_path, STYLES, html=True,
                         options=leafletgen.BuildOptions(workers=2))
    assert not any(tmp_path.iterdir())  # refused before anything was read or written
