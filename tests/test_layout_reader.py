"""The layout rules measured two ways agree: from WeasyPrint's layout as a document is rendered
(what a build and a personal document use) and from the finished PDF (what ``verify`` uses on
a PDF from elsewhere), on a corpus of defects and on the shipped leaflets."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from leafletgen.checks.plan import plan
from leafletgen.render.renderer import Renderer
from leafletgen.verification.layout_reader import measure_layout
from leafletgen.verification.measures import Measures
from leafletgen.verification.pdf_reader import measure_pdf, pages_held_to_fill, text_roles
from leafletgen.verification.report import VerifyOptions
from leafletgen.verification.verify import verify_pdf

from . import test_verify as corpus
from .conftest import LEAFLETS, STYLES


def _key(measures: Measures) -> tuple:
    """What the rules decide on: the smallest size and its page, each cut (page, edge, off
    the page), each short page, each finding (page, kind, and a frame's open edge). The words
    quoted are not compared: the layout reader quotes none (verify_pdf reads them from the
    PDF when a page fails)."""
    small = measures.smallest
    return ((small.size, small.page) if small else None,
            sorted((c.page, c.edge, c.off_page) for c in measures.cuts),
            sorted(page for page, _ in measures.short),
            sorted((f.page, f.kind, f.detail if f.kind == "frame" else "")
                   for f in measures.measured))


def _pdf_lines(data: bytes) -> list[list[str]]:
    """Each page's lines of text as PDFium reads them (spaces and word joiners aside)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return [[_plain(line) for line in page.get_textpage().get_text_range()
                 .replace("\r\n", "\n").split("\n") if line.strip()] for page in document]
    finally:
        document.close()


def _plain(line: str) -> str:
    return " ".join(line.replace("\u2060", "").split())


def _printed_as_read(data: bytes, measures: Measures) -> None:
    """The lines of text the layout says each page prints are the PDF's, in PDFium's order:
    one of its readings, line for line."""
    assert measures.printed is not None
    read = _pdf_lines(data)
    assert [p.page for p in measures.printed] == list(range(1, len(read) + 1))
    for page in measures.printed:
        readings = [[_plain(line) for line in lines] for lines in page.readings]
        assert read[page.page - 1] in readings, (page.page, read[page.page - 1], readings)


def _both(html: str, monographs=(), paper: str | None = None) -> tuple[tuple, tuple, bytes]:
    rendered = Renderer(STYLES, paper).document(html, monographs, measure=True)
    assert rendered.layout is not None
    with pikepdf.open(io.BytesIO(rendered.data)) as document:
        fill = pages_held_to_fill(document, None)
        from_pdf = measure_pdf(rendered.data, None, fill, text_roles(document, None))
    from_layout = measure_layout(rendered.layout, 0, None, fill)
    if from_layout.printed is not None:
        _printed_as_read(rendered.data, from_layout)
    # the report a build makes (from the layout) is the one verify makes of its PDF
    options = VerifyOptions(styles=STYLES, rendered=True)
    assert (verify_pdf(rendered.data, options, rendered.layout).problems
            == verify_pdf(rendered.data, options).problems)
    return _key(from_layout), _key(from_pdf), rendered.data


def _leaflet_html(body: str, variant: str = "patient-large") -> str:
    """The HTML ``test_verify.leaflet_pdf`` renders: a fixture laid out as a leaflet is."""
    captured: list[str] = []
    original = Renderer.pdf
    Renderer.pdf = lambda self, html, job=None: captured.append(html) or b""  # type: ignore
    try:
        corpus.leaflet_pdf(body, variant)
    finally:
        Renderer.pdf = original  # type: ignore[method-assign]
    return captured[0]


HEADING_OK = [
    corpus.SLEEPY + '</section><section class="section" style="break-before: page">'
    "<h2>Storage</h2><p>Keep it cool.</p>",
    corpus.SLEEPY + '</section><aside class="read-me" style="break-before: page"><p>Read all '
    "of this leaflet.</p>",
    corpus.SLEEPY + corpus.SLEEPY + '<p style="break-before: page">Ask your pharmacist.</p>',
    '<figure class="figure"><svg width="40mm" height="30mm" viewBox="0 0 40 30"><circle '
    'cx="20" cy="15" r="12"/></svg><figcaption>A tablet</figcaption></figure>'
    '<p style="break-before: page">Ask your pharmacist.</p>',
]

# (name, body, variant, what both must find: the cut edges, short pages and finding kinds)
DEFECTS = [
    ("table off the page", corpus.FILLER + corpus.WIDE_TABLE, "patient-large", {"right"}),
    ("text in the printer's border",
     '<p style="margin-left: -15mm">Keep out of the reach of children.</p>', "patient-large",
     {"left"}),
    ("text hidden by a box", '<div style="overflow: hidden; height: 12mm"><p>Take 1 tablet.'
     "</p><p>Never take more than 80 mg a day.</p></div>", "patient-large", {"clip"}),
    ("box pushed off page 1", corpus.TALL_BOX, "patient-large", {"short"}),
    ("a box with room for it", corpus.boxed(3), "patient-large", set()),
    ("line height 0.5", '<p style="line-height: 0.5">' + "Take 1 tablet in the morning. " * 12
     + "</p>", "patient-large", {"overlap"}),
    ("line height 1", '<p style="line-height: 1">' + "Take 1 tablet in the morning. " * 12
     + "</p>", "patient-large", set()),
    ("a box over the text", corpus.section(
        '<p style="margin-top: -10mm">Never take more than 80 mg a day.</p>',
        heading='<span style="margin-left: 20mm">Dose</span>'), "patient-large", {"overlap"}),
    ("heading, no line after", corpus.SOME_LINES + corpus.section(
        '<p style="break-before: page">' + corpus.SLEEPY[3:]), "patient-large", {"heading"}),
    ("heading, one line after", corpus.SOME_LINES + corpus.section(corpus.SLEEPY.replace(
        "<p>", "<p>Drowsy.</p><p style='break-before: page'>")), "patient-large", {"heading"}),
    *[(f"heading kept {i}", corpus.SOME_LINES + corpus.section(after), "patient-large", set())
      for i, after in enumerate(HEADING_OK)],
    ("frame sliced", corpus.LONG_BOX.format(style=' style="box-decoration-break: slice"'),
     "patient-large", {"frame"}),
    ("frame cloned", corpus.LONG_BOX.format(style=""), "patient-large", set()),
    ("table past the column", corpus.DOSES.replace("<table>", '<table style="width: 185mm">'),
     "patient", {"table"}),
    ("table as wide as the column",
     corpus.DOSES.replace("<table>", '<table style="width: 100%">'), "patient", set()),
    ("small print", '<p style="font-size: 9pt">Keep out of the reach of children.</p>',
     "patient", {"9.0"}),
]


def _found(key: tuple) -> set[str]:
    small, cuts, short, findings = key
    return ({edge for _, edge, _ in cuts} | ({"short"} if short else set())
            | {kind for _, kind, _ in findings} | ({f"{small[0]:.1f}"} if small else set()))


@pytest.mark.parametrize("name, body, variant, expected", DEFECTS,
                         ids=[d[0] for d in DEFECTS])
def test_the_layout_and_the_pdf_find_the_same_defects(name, body, variant, expected):
    from_layout, from_pdf, _ = _both(_leaflet_html(body, variant))
    assert from_layout == from_pdf
    # the corpus holds what it says: each defect is found (and only it; 18 pt is the size
    # of large print's running footer, 12 pt the patient variant's)
    assert _found(from_layout) - {"18.0", "12.0"} == expected


# Right to left, Chinese, large print with a dose table that starts a page, figures: one of
# each kind. Every shipped leaflet, on A4 and US Letter, is also held to both readers by
# test_verify's test_every_shipped_leaflet_passes_the_measured_layout_checks: its build
# verifies each PDF from the layout, then verify reads each PDF; both must find nothing.
SHIPPED = [job for job in plan([LEAFLETS], STYLES).jobs if job.stem in {
    "baclofen.ar-patient", "baclofen.zh-patient-large", "methotrexate-patient-large",
    "salbutamol-inhaler-clinician", "amoxicillin-patient"}]


@pytest.mark.parametrize("job", SHIPPED, ids=[job.stem for job in SHIPPED])
def test_the_layout_and_the_pdf_agree_on_shipped_leaflets(job):
    from_layout, from_pdf, _ = _both(Renderer(STYLES).html(job), (job.monograph,))
    assert from_layout == from_pdf
    assert from_layout[0] is not None and from_layout[0][0] >= job.variant.min_body_pt
    assert from_layout[1:] == ([], [], [])  # and they pass


@pytest.mark.parametrize("paper", [None, "letter"])
def test_every_shipped_leaflet_prints_the_text_the_pdf_reads(paper):
    """The units and page 1 rules read the lines of text from the layout: on every shipped
    leaflet they are the PDF's, line for line, or (right to left, text in a drawing) not
    read from the layout at all, so the PDF is."""
    renderer = Renderer(STYLES, paper)
    unread = []
    for job in plan([LEAFLETS], STYLES).jobs:
        rendered = renderer.rendered(renderer.html(job), job, measure=True)
        assert rendered.layout is not None
        measures = measure_layout(rendered.layout)
        if measures.printed is None:
            unread.append(job.stem)
        else:
            _printed_as_read(rendered.data, measures)
    assert "baclofen.ar-patient" in unread  # right to left
    assert "baclofen-patient" not in unread and len(unread) < 8


# (name, body, the key fact the page-one metadata records, what both must find)
TEXT_DEFECTS = [
    ("number split from its unit", '<p style="width: 42mm">Give 120 mg in 5<br>mL to the '
     "child.</p>", "Give 120 mg", {"units"}),
    ("number kept with its unit", '<p style="width: 42mm">Give 120 mg in 5\u00a0mL to the '
     "child.</p>", "Give 120 mg", set()),
    ("range split at its dash", '<p style="width: 30mm">Take 12.5–<br>25 mg a day.</p>',
     "Take", {"units"}),
    ("word hyphenated at a line end", '<p style="width: 35mm">Stop the self-administration '
     "of 10 mg doses.</p>", "of 10 mg doses", set()),
    ("a table's cells", corpus.DOSES, "Morning 20 mg", set()),
    ("key fact on page 2", corpus.FILLER + '<p style="break-before: page">Never stop '
     "suddenly.</p>", "Never stop suddenly", {"page 1"}),
    ("key fact on page 1, in bold", "<p>Never <strong>stop</strong> suddenly.</p>",
     "Never stop suddenly", set()),
]


@pytest.mark.parametrize("name, body, fact, expected", TEXT_DEFECTS,
                         ids=[d[0] for d in TEXT_DEFECTS])
def test_the_layout_and_the_pdf_find_the_same_units_and_page_one_problems(
        name, body, fact, expected, monkeypatch):
    import pypdfium2

    html = _leaflet_html(body, "patient").replace(
        "<title>", f'<meta name="leafletgen-page-one" content="{fact}"><title>', 1)
    rendered = Renderer(STYLES).document(html, measure=True)
    assert rendered.layout is not None
    options = VerifyOptions(styles=STYLES, rendered=True)
    opened: list[int] = []
    real = pypdfium2.PdfDocument

    def counting(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pypdfium2, "PdfDocument", counting)
    from_layout = verify_pdf(rendered.data, options, rendered.layout)
    read_from_pdf = bool(opened)
    from_pdf = verify_pdf(rendered.data, options)
    assert from_layout.problems == from_pdf.problems
    found = {p.rule for p in from_pdf.problems if p.rule in ("units", "page 1")}
    assert found == expected
    # the PDF is read for them only when the layout finds something to report
    assert read_from_pdf is bool(expected)
    _printed_as_read(rendered.data, measure_layout(rendered.layout))


def test_a_build_measures_the_layout_not_the_pdf(monkeypatch, tmp_path):
    """A build verifies each leaflet from WeasyPrint's layout: PDFium does not read a PDF
    that passes; one that fails is read, to quote what it prints."""
    import leafletgen
    from leafletgen.verification import pdf_reader

    read: list[int] = []
    original = pdf_reader.measure_pdf
    monkeypatch.setattr(pdf_reader, "measure_pdf",
                        lambda *args, **kwargs: read.append(1) or original(*args, **kwargs))
    result = leafletgen.build([corpus.BACLOFEN], tmp_path / "out", STYLES,
                              variants=["clinician"])
    assert result.ok and read == []
    rendered = Renderer(STYLES).document(_leaflet_html(corpus.TALL_BOX), measure=True)
    report = verify_pdf(rendered.data, VerifyOptions(styles=STYLES, rendered=True),
                        rendered.layout)
    assert read == [1] and not report.ok
    assert any(p.message.startswith("layout: page 1 is mostly empty") for p in report.problems)


def test_a_pdf_from_elsewhere_is_measured_from_the_pdf(built: Path):
    """verify on a written file has no layout: it reads the PDF, and finds what a build
    found."""
    report = verify_pdf(built / "baclofen-patient.pdf")
    assert report.ok and report.smallest_pt is not None
