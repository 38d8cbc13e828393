"""leafletgen verify: fonts, tags, type-size floors, PDF/UA and PDF/A, alone and after a build."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from click.testing import CliRunner

import leafletgen
from leafletgen.cli import cli
from leafletgen.errors import Severity
from leafletgen.render.renderer import Renderer
from leafletgen.source.variants import load_variants
from leafletgen.verification.report import VerifyOptions
from leafletgen.verification.verify import VARIANT_KEY, verify_pdf

from .conftest import BACLOFEN, LEAFLETS, ROOT, STYLES

# the variants a build makes by default (counselling summaries are made for packets, which
# verify them as they are made: tests/test_discharge.py)
VARIANTS = {name: variant for name, variant in load_variants(STYLES)[0].items()
            if not variant.summary}
PDFUA_PART = "{http://www.aiim.org/pdfua/ns/id/}part"


@pytest.fixture
def small_print(styles: Path) -> Path:
    """A copy of styles/ whose patient variant prints 9 pt body text (its floor is 12 pt)."""
    (styles / "small.css").write_text("html { font-size: 9pt; }\n", encoding="utf-8")
    variant = styles / "variants" / "patient.yaml"
    text = variant.read_text(encoding="utf-8")
    variant.write_text(text.replace("stylesheets: [leaflet.css, patient.css]",
                                    "stylesheets: [leaflet.css, patient.css, small.css]"),
                       encoding="utf-8")
    return styles


def test_large_print_floor_is_declared():
    assert VARIANTS["patient-large"].min_body_pt == 18
    assert VARIANTS["patient"].min_body_pt == 12
    assert VARIANTS["clinician"].min_body_pt == 8


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_meets_its_floor(built, name):
    report = verify_pdf(built / f"baclofen-{name}.pdf")  # the variant is read from the PDF
    assert [str(p) for p in report.problems] == []
    assert report.variant == name
    assert report.floor_pt == VARIANTS[name].min_body_pt
    assert report.smallest_pt >= VARIANTS[name].min_body_pt
    assert report.standards == ("PDF/UA-1",)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_smallest_size_agrees_with_an_independent_reader(built, name):
    """verify reads sizes with PDFium; pdfplumber, parsing the content streams itself, agrees.

    Every glyph counts, the running headers and footers (artifacts) included."""
    with pdfplumber.open(built / f"baclofen-{name}.pdf") as pdf:
        sizes = [round(c["size"], 2) for p in pdf.pages for c in p.chars if c["text"].strip()]
    assert verify_pdf(built / f"baclofen-{name}.pdf").smallest_pt == min(sizes)


def test_large_print_sizes_are_18pt_body_headings_a_quarter_larger_and_a_larger_title(built):
    with pdfplumber.open(built / "baclofen-patient-large.pdf") as pdf:
        chars = [c for p in pdf.pages for c in p.chars
                 if c.get("tag") != "Artifact" and c["text"].strip()]
    sizes = {round(c["size"], 2) for c in chars}
    assert min(sizes) == 18
    title = max(sizes)
    heading_sizes = sizes - {18, title}
    # headings at least 1.25 times the body
    assert heading_sizes and all(s >= 1.25 * 18 for s in heading_sizes)
    assert title >= max(heading_sizes) + 4  # the title stands out from the headings
    # headings are bold; nothing is italic
    assert all("Bold" in c["fontname"] for c in chars if c["size"] >= 20)
    assert not any("Italic" in c["fontname"] or "Oblique" in c["fontname"] for c in chars)


def test_build_refuses_to_write_a_leaflet_below_its_floor(small_print, tmp_path):
    out = tmp_path / "out"
    result = leafletgen.build([BACLOFEN], out, small_print, variants=["patient"])
    assert not result.ok
    assert result.written == ()
    assert not (out / "baclofen-patient.pdf").exists()
    [problem] = result.problems
    assert problem.path == out / "baclofen-patient.pdf"
    assert problem.message.startswith("type size: the smallest text is 9 pt")
    assert "floor of 12 pt (min_body_pt in patient.yaml)" in problem.message
    assert "leaflet.css, patient.css, small.css" in problem.message


def test_verify_command_catches_a_leaflet_below_its_floor(small_print, tmp_path):
    out = tmp_path / "out"
    result = leafletgen.build([BACLOFEN], out, small_print, variants=["patient"], verify=False)
    assert result.ok and result.written == (out / "baclofen-patient.pdf",)
    run = CliRunner().invoke(cli, ["verify", str(out), "--styles", str(small_print)])
    assert run.exit_code == 1
    assert f"{out / 'baclofen-patient.pdf'}: type size: the smallest text is 9 pt" in run.output
    assert "1 of 1 PDF(s) failed verification" in run.output


def test_verify_command_passes_built_leaflets(built):
    run = CliRunner().invoke(cli, ["verify", str(built), "--styles", str(STYLES)])
    assert run.exit_code == 0, run.output
    lines = run.output.splitlines()
    # every variant the shared build made, the counselling summaries too
    assert len(lines) == len(list(built.glob("*.pdf"))) == len(load_variants(STYLES)[0])
    assert all(line.startswith("ok ") and "PDF/UA-1" in line for line in lines)


def test_verify_with_a_variant_that_does_not_match_the_pdf(built):
    report = verify_pdf(built / "baclofen-clinician.pdf", VerifyOptions(VARIANTS["patient-large"]))
    messages = [p.message for p in report.problems]
    assert any("says it is the 'clinician' variant" in m for m in messages)
    assert any(m.startswith("type size: the smallest text is 8.5 pt") for m in messages)


def foreign_pdf(claim_ua: bool = False) -> bytes:
    """A PDF made without leafletgen: untagged, no language or title, Helvetica not embedded.

    With ``claim_ua`` its XMP claims PDF/UA-1 all the same.
    """
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pdf.add_blank_page(page_size=(595, 842))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream(b"BT /F1 7 Tf 72 720 Td (Tiny print) Tj ET")
    if claim_ua:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta[PDFUA_PART] = "1"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_foreign_pdf_fails_with_advice_per_rule(tmp_path):
    path = tmp_path / "foreign.pdf"
    path.write_bytes(foreign_pdf())
    report = verify_pdf(path)
    messages = [p.message for p in report.problems]
    assert "fonts: font 'Helvetica' is not embedded; list its family in styles/fonts.yaml " \
           "so it is embedded from its fontpkg package" in messages
    assert any(m.startswith("tags: the PDF is not tagged") for m in messages)
    # no variant named, none given: the type size is a warning, everything else is checked
    assert [str(p) for p in report.problems if p.severity is Severity.WARNING] == [
        f"{path}: warning: type size: not checked (the PDF does not name its variant; pass "
        "--variant)"]
    # it does not claim PDF/UA, so it is not held to PDF/UA's rules, and says so
    assert not any(m.startswith("pdf/ua") for m in messages)
    assert report.notes == ("not PDF/UA (no claim)",)
    assert all(p.path == path for p in report.problems)
    # each problem names its rule as data, and its message starts with that name
    assert all(p.rule and p.message.startswith(p.rule) for p in report.problems)
    assert {"fonts", "tags"} <= {p.rule for p in report.problems}
    assert report.smallest_pt == 7
    # with a variant named, the floor is checked too
    report = verify_pdf(path, VerifyOptions(VARIANTS["clinician"]))
    assert any(p.message.startswith("type size: the smallest text is 7 pt (\"Tiny print\", "
                                    "page 1), below the 'clinician' variant's floor of 8 pt")
               for p in report.problems)


def test_a_pdf_that_claims_pdf_ua_is_held_to_it():
    report = verify_pdf(foreign_pdf(claim_ua=True))
    assert any(p.message.startswith("pdf/ua: PDF/UA-1 rule") for p in report.problems)
    assert report.notes == () and report.standards == ()


def test_a_leaflet_must_claim_pdf_ua(built, tmp_path):
    """A file that names its leafletgen variant is a leaflet: losing the claim is a failure."""
    with pikepdf.open(built / "baclofen-patient.pdf") as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            del meta[PDFUA_PART]
        pdf.save(tmp_path / "unclaimed.pdf")
    messages = [p.message for p in verify_pdf(tmp_path / "unclaimed.pdf").problems]
    assert ("pdf/ua: the file does not claim PDF/UA-1, which every leafletgen leaflet does; "
            "rebuild it with leafletgen build") in messages
    # the build's own check requires it even when the file names no variant
    unnamed = verify_pdf(foreign_pdf(), VerifyOptions(VARIANTS["clinician"], require_ua=True))
    assert any(p.message.startswith("pdf/ua: the file does not claim") for p in unnamed.problems)


def test_verify_passes_a_pdf_without_a_variant_whose_other_rules_pass(built, tmp_path):
    """A packet names no variant; verify checks all the rest and warns about the type size."""
    with pikepdf.open(built / "baclofen-patient.pdf") as pdf:
        del pdf.docinfo[VARIANT_KEY]
        pdf.save(tmp_path / "unnamed.pdf")
    run = CliRunner().invoke(cli, ["verify", str(tmp_path / "unnamed.pdf"),
                                   "--styles", str(STYLES)])
    assert run.exit_code == 0, run.output
    assert (f"{tmp_path / 'unnamed.pdf'}: warning: type size: not checked (the PDF does not "
            "name its variant; pass --variant)") in run.output
    assert (f"ok {tmp_path / 'unnamed.pdf'} (unknown variant: fonts embedded, tagged with "
            "language and title, type size not checked, PDF/UA-1)") in run.output
    run = CliRunner().invoke(cli, ["verify", str(tmp_path / "unnamed.pdf"), "--variant",
                                   "patient-large", "--styles", str(STYLES)])
    assert run.exit_code == 1
    assert "below the 'patient-large' variant's floor of 18 pt" in run.output


def test_private_messages_do_not_quote_the_text(built):
    report = verify_pdf(built / "baclofen-patient.pdf",
                        VerifyOptions(VARIANTS["patient-large"], private=True))
    [problem] = [p for p in report.problems if p.message.startswith("type size: the smallest")]
    assert re.fullmatch(r"type size: the smallest text is [\d.]+ pt \(page \d+\), below .*",
                        problem.message)


def test_verify_an_unreadable_file(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nnot really\n")
    [problem] = verify_pdf(path).problems
    assert problem.message.startswith("syntax: not a readable PDF")


def test_damaged_file_syntax_is_checked_unless_the_renderer_just_wrote_it(built):
    data = (built / "baclofen-patient.pdf").read_bytes()
    damaged = re.sub(rb"startxref\s+\d+", b"startxref\n999", data)
    syntax = [p for p in verify_pdf(damaged, VerifyOptions(VARIANTS["patient"])).problems
              if p.message.startswith("syntax:")]
    assert syntax and "xref not found" in " ".join(p.message for p in syntax)
    trusted = verify_pdf(damaged, VerifyOptions(VARIANTS["patient"], rendered=True)).problems
    assert not [p for p in trusted if p.message.startswith("syntax:")]


def test_verify_usage_errors(tmp_path):
    runner = CliRunner()
    run = runner.invoke(cli, ["verify", str(tmp_path / "missing.pdf")])
    assert run.exit_code == 2 and "no such file or folder" in run.output
    run = runner.invoke(cli, ["verify", str(tmp_path)])
    assert run.exit_code == 2 and "no PDF files" in run.output
    run = runner.invoke(cli, ["verify", str(tmp_path), "--variant", "nope",
                              "--styles", str(STYLES)])
    assert run.exit_code == 2 and "unknown variant nope" in run.output


def test_a_variant_missing_from_styles_is_reported(built, styles):
    (styles / "variants" / "patient-large.yaml").unlink()
    report = verify_pdf(built / "baclofen-patient-large.pdf", VerifyOptions(styles=styles))
    assert [p.message for p in report.problems] == [
        f"type size: the PDF says it is the 'patient-large' variant, which {styles}/variants/ "
        "does not define; pass --styles or --variant"]
    assert report.floor_pt is None


# --- layout: text cut off, pages left mostly empty -----------------------------------------

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# an 8-column dose chart: too wide for an A4 page at 18 pt
WIDE_TABLE = ("<table><thead><tr><th>Week</th>" + "".join(f"<th>{d}</th>" for d in DAYS)
              + "</tr></thead><tbody>"
              + "".join(f"<tr><td>{w}</td>" + "<td>5 mg</td>" * 7 + "</tr>" for w in (1, 2))
              + "</tbody></table>")
# enough text to fill page 1 of a large-print leaflet, so what follows starts on page 2
FILLER = "".join(f"<p>Line {i} of the leaflet.</p>" for i in range(30))


def boxed(lines: int) -> str:
    """A boxed message that must not split, then text."""
    return ('<section class="box" style="break-inside: avoid">'
            "<h2>What is the most important information?</h2>"
            + "<p>Do not stop taking testamol suddenly.</p>" * lines + "</section>"
            "<p>Testamol treats test pain.</p>")


TALL_BOX = boxed(18)  # too tall for what is left of page 1 under the title


def leaflet_pdf(body: str, variant: str = "patient-large") -> bytes:
    """An HTML fixture laid out as a leaflet is: the variant's stylesheets and fonts, title,
    running header and footer, rendered and finished by leafletgen's renderer; the PDF names
    its variant, as a leaflet does."""
    renderer = Renderer(STYLES)
    sheets = "".join(f'<link rel="stylesheet" href="{(STYLES / name).as_uri()}">'
                     for name in VARIANTS[variant].stylesheets)
    return renderer.pdf(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Testamol</title>'
        f'<meta name="leafletgen-variant" content="{variant}">'
        f"<style>{renderer.fonts.css}\n@page {{ size: A4; }}</style>{sheets}</head><body>"
        '<footer class="doc-footer">Version 1.0</footer>'
        '<header class="title-block"><p class="kicker">Patient information leaflet</p>'
        '<h1>Testamol</h1><p class="subtitle">testamol · Tablets</p></header>'
        f"{body}</body></html>")


def layout_messages(report) -> list[str]:
    return [p.message for p in report.problems if p.message.startswith("layout:")]


@pytest.fixture(scope="module")
def wide_table() -> bytes:
    return leaflet_pdf(FILLER + WIDE_TABLE)


@pytest.fixture(scope="module")
def tall_box() -> bytes:
    return leaflet_pdf(TALL_BOX)


def test_a_table_wider_than_the_page_fails_naming_the_page_and_the_words_cut_off(wide_table):
    report = verify_pdf(wide_table)
    assert not report.ok
    [message] = layout_messages(report)
    assert message.startswith("layout: text runs off the right edge of page 2 (")
    assert '"Saturday", "Sunday"' in message or '"Sunday"' in message
    assert message.endswith("a table or a long word is wider than the page: give the table "
                            "fewer columns, or let the variant reflow wide tables "
                            "(max_table_columns in patient-large.yaml)")
    # the problem is an error, so a build would not write this PDF
    assert all(p.severity is Severity.ERROR for p in report.problems
               if p.message.startswith("layout:"))


def test_layout_messages_never_quote_a_packet(wide_table):
    """A packet or handout names no variant and may hold patient data: no words quoted."""
    quiet = re.compile(r"layout: text runs off the right edge of page 2: a table .*")
    [message] = layout_messages(verify_pdf(wide_table, VerifyOptions(private=True)))
    assert quiet.fullmatch(message)
    with pikepdf.open(io.BytesIO(wide_table)) as pdf:
        del pdf.docinfo[VARIANT_KEY]
        unnamed = io.BytesIO()
        pdf.save(unnamed)
    [message] = layout_messages(verify_pdf(unnamed.getvalue()))
    assert quiet.fullmatch(message) and "Sunday" not in message


def test_text_in_the_printers_border_fails():
    """Text still on the page but within 5 mm of its edge is lost on most printers."""
    data = leaflet_pdf('<p style="margin-left: -15mm">Keep out of the reach of children.</p>')
    [message] = layout_messages(verify_pdf(data))
    assert message.startswith('layout: text on page 1 runs into the 5 mm border at its left '
                              'edge that printers leave blank ("Keep"): something is moved too '
                              'far left')


def test_text_hidden_by_a_box_too_small_for_it_fails():
    data = leaflet_pdf('<div style="overflow: hidden; height: 12mm"><p>Take 1 tablet.</p>'
                       "<p>Never take more than 80 mg a day.</p></div>")
    [message] = layout_messages(verify_pdf(data))
    assert message.startswith("layout: text on page 1 is cut off by a box too small for it, "
                              'which hides what overflows it ("Never", "take", "more"); let '
                              "the box grow")


def test_a_box_pushed_off_page_1_leaves_it_mostly_empty(tall_box):
    report = verify_pdf(tall_box)
    [message] = layout_messages(report)
    assert message.startswith("layout: page 1 is mostly empty: a box or table that cannot "
                              "split was pushed to the next page; shorten it or let it split")
    assert not report.ok
    # the same box with room for it on page 1 is fine, and so is a short last page
    assert layout_messages(verify_pdf(leaflet_pdf(boxed(3)))) == []


def test_the_last_page_of_a_part_may_be_short(tall_box):
    """A packet's parts (cover, each leaflet, attached PDFs) start new page-label ranges; a
    part's last page may be short, and pages not made by leafletgen are not held to it."""
    assert layout_messages(verify_pdf(tall_box))  # page 1 of a leaflet is held to it
    with pikepdf.open(io.BytesIO(tall_box)) as pdf:
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([
            0, pikepdf.Dictionary(S=pikepdf.Name.D, P="Cover "),
            1, pikepdf.Dictionary(S=pikepdf.Name.D, P="Testamol ")]))
        count = len(pdf.pages)
        labelled = io.BytesIO()
        pdf.save(labelled)
    assert layout_messages(verify_pdf(labelled.getvalue())) == []
    # a packet's build checks only its own pages: here, all but the first
    assert layout_messages(verify_pdf(tall_box, VerifyOptions(pages=range(1, count)))) == []


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_shipped_leaflets_pass_the_layout_rule(built, tmp_path, paper):
    out = built
    if paper != "A4":
        out = tmp_path / "out"
        result = leafletgen.build([BACLOFEN], out, STYLES, paper=paper, verify=False)
        assert result.ok
    for name in VARIANTS:
        assert layout_messages(verify_pdf(out / f"baclofen-{name}.pdf")) == [], name


def test_build_refuses_to_write_a_leaflet_with_text_off_the_page(styles, tmp_path):
    (styles / "nowrap.css").write_text(".title-block .subtitle { white-space: nowrap; }\n",
                                       encoding="utf-8")
    variant = styles / "variants" / "patient-large.yaml"
    text = variant.read_text(encoding="utf-8")
    assert "patient-large.css]" in text
    variant.write_text(text.replace("patient-large.css]", "patient-large.css, nowrap.css]"),
                       encoding="utf-8")
    out = tmp_path / "out"
    result = leafletgen.build([BACLOFEN], out, styles, variants=["patient-large"])
    assert not result.ok and result.written == ()
    assert not (out / "baclofen-patient-large.pdf").exists()
    [problem] = [p for p in result.problems if p.severity is Severity.ERROR]
    # located in the monograph (the subtitle comes from its front matter), naming the PDF
    assert (problem.path, problem.line) == (BACLOFEN, 1)
    assert problem.message.startswith(f"patient-large leaflet ({out / 'baclofen-patient-large.pdf'}"
                                      "): layout: text runs off the right edge of page 1 (")


# --- measured layout: overlapping text, stranded headings, open frames, wide tables --------

def section(body: str, heading: str = "What are the side effects?") -> str:
    return f'<section class="section"><h2>{heading}</h2>{body}</section>'


# ten lines of large print: page 1 is well filled, and there is room below them for a heading
SOME_LINES = "".join(f"<p>Line {i} of the leaflet.</p>" for i in range(10))
SLEEPY = "<p>You may feel sleepy. Do not drive if you feel sleepy.</p>"


def measured(data: bytes, kind: str, private: bool = False) -> list[str]:
    """The layout messages of one kind: "overlaps", "heading", "framed box", "table"."""
    report = verify_pdf(data, VerifyOptions(private=private))
    return [m for m in layout_messages(report) if kind in m]


def test_lines_on_top_of_each_other_fail():
    """A line height below 1 sets each line on the one before it."""
    data = leaflet_pdf('<p style="line-height: 0.5">' + "Take 1 tablet in the morning. " * 12
                       + "</p>")
    [message] = layout_messages(verify_pdf(data))
    assert message == ('layout: text overlaps other text on page 1 ("Take" and "Take"): a '
                       "fixed height, a negative margin or a position puts one box on top of "
                       "another, or a line height below 1 puts lines on top of each other; let "
                       "the boxes flow (remove it in leaflet.css, patient.css, "
                       "patient-large.css)")
    assert not verify_pdf(data).ok
    # line spacing of 1 (lines touch, glyphs do not meet) passes
    assert layout_messages(verify_pdf(leaflet_pdf(
        '<p style="line-height: 1">' + "Take 1 tablet in the morning. " * 12 + "</p>"))) == []


def test_a_box_drawn_over_the_text_below_it_fails():
    """A negative margin pulls the next paragraph up over the heading; the words quoted are
    the ones drawn over each other, and a packet's message quotes none."""
    data = leaflet_pdf(section('<p style="margin-top: -10mm">Never take more than 80 mg a '
                               "day.</p>", heading='<span style="margin-left: 20mm">Dose'
                                                   "</span>"))
    [message] = measured(data, "overlaps")
    assert message.startswith('layout: text overlaps other text on page 1 ("')
    assert '"Dose"' in message and '"take"' in message  # "Dose" is drawn under "take more"
    [private] = measured(data, "overlaps", private=True)
    assert private.startswith("layout: text overlaps other text on page 1: a fixed height")


def test_build_refuses_a_stylesheet_that_sets_text_over_text(styles, tmp_path):
    """The same check runs on every build: a negative margin under the section headings of
    the shipped large-print stylesheets sets the text below over them."""
    (styles / "tight.css").write_text("h2 { margin-bottom: -9mm; }\n", encoding="utf-8")
    variant = styles / "variants" / "patient-large.yaml"
    text = variant.read_text(encoding="utf-8")
    variant.write_text(text.replace("patient-large.css]", "patient-large.css, tight.css]"),
                       encoding="utf-8")
    result = leafletgen.build([BACLOFEN], tmp_path / "out", styles, variants=["patient-large"])
    assert not result.ok and result.written == ()
    assert any("layout: text overlaps other text on page " in p.message
               for p in result.problems), result.problems


@pytest.mark.parametrize("after, lines", [
    ('<p style="break-before: page">' + SLEEPY[3:], "no line"),
    (SLEEPY.replace("<p>", "<p>Drowsy.</p><p style='break-before: page'>"), "only one line"),
])
def test_a_heading_left_at_the_foot_of_a_page_fails(after, lines):
    """Its section goes on on the next page, and fewer than two of its lines are with it."""
    data = leaflet_pdf(SOME_LINES + section(after))
    [message] = measured(data, "heading")
    assert message == (f'layout: page 1 ends with a heading ("What are the side effects?") '
                       f"with {lines} of its text below it, the rest on page 2: keep headings "
                       f"with what follows (break-after: avoid on headings, orphans: 2 on "
                       f"paragraphs, no forced page break after a heading, in leaflet.css, "
                       f"patient.css, patient-large.css)")
    assert not verify_pdf(data).ok


@pytest.mark.parametrize("after", [
    # its section ends on the page: the next page starts a new one, with its heading
    SLEEPY + '</section><section class="section" style="break-before: page"><h2>Storage</h2>'
    "<p>Keep it cool.</p>",
    # or with what is not in a section (the leaflet's "read all of this" box)
    SLEEPY + '</section><aside class="read-me" style="break-before: page"><p>Read all of '
    "this leaflet.</p>",
    # two lines of its text are with it
    SLEEPY + SLEEPY + '<p style="break-before: page">Ask your pharmacist.</p>',
    # a drawing with its caption is with it
    '<figure class="figure"><svg width="40mm" height="30mm" viewBox="0 0 40 30"><circle '
    'cx="20" cy="15" r="12"/></svg><figcaption>A tablet</figcaption></figure>'
    '<p style="break-before: page">Ask your pharmacist.</p>',
])
def test_a_heading_with_its_text_or_at_the_end_of_its_section_passes(after):
    data = leaflet_pdf(SOME_LINES + section(after))
    assert measured(data, "heading") == []
    assert len(pdfplumber.open(io.BytesIO(data)).pages) == 2


def test_build_refuses_a_stylesheet_that_strands_headings(styles, tmp_path):
    (styles / "breaks.css").write_text(":is(h2, h3) + * { break-before: page; }\n",
                                       encoding="utf-8")
    variant = styles / "variants" / "patient.yaml"
    text = variant.read_text(encoding="utf-8")
    variant.write_text(text.replace("patient.css]", "patient.css, breaks.css]"),
                       encoding="utf-8")
    result = leafletgen.build([BACLOFEN], tmp_path / "out", styles, variants=["patient"])
    assert not result.ok and result.written == ()
    assert any(re.search(r"layout: page \d+ ends with a heading \(\".+\"\) with no line of "
                         r"its text below it", p.message) for p in result.problems)


LONG_BOX = ('<section class="section box"{style}><h2>What is the most important information?'
            "</h2>" + "<p>Do not stop taking testamol suddenly. Ask your doctor first.</p>" * 12
            + "</section><p>Testamol treats test pain.</p>")


def test_a_box_split_without_its_frame_fails():
    """Split with its frame sliced (box-decoration-break: slice, the CSS default), page 1 shows
    an open box with no bottom edge and page 2 a box with no top."""
    data = leaflet_pdf(LONG_BOX.format(style=' style="box-decoration-break: slice"'))
    assert measured(data, "framed box") == [
        f"layout: a framed box is split at the {edge} of page {page} without its frame there, "
        "so its parts do not read as one box: give the box box-decoration-break: clone (each "
        "part framed) or break-inside: avoid, in leaflet.css, patient.css, patient-large.css"
        for edge, page in (("bottom", 1), ("top", 2))]
    # as shipped, each part has its whole frame
    assert measured(leaflet_pdf(LONG_BOX.format(style="")), "framed box") == []


def test_build_refuses_a_box_split_without_its_frame(styles, tmp_path):
    """The corpus's long box splits over pages in every variant; without clone it is open."""
    (styles / "slice.css").write_text(".box { box-decoration-break: slice; }\n",
                                      encoding="utf-8")
    variant = styles / "variants" / "patient.yaml"
    text = variant.read_text(encoding="utf-8")
    variant.write_text(text.replace("patient.css]", "patient.css, slice.css]"),
                       encoding="utf-8")
    longbox = ROOT / "tests" / "corpus" / "longbox.md"
    result = leafletgen.build([longbox], tmp_path / "out", styles, variants=["patient"])
    assert not result.ok
    messages = [p.message for p in result.problems]
    assert any("layout: a framed box is split at the bottom of page 1 without its frame"
               in m for m in messages), messages
    assert leafletgen.build([longbox], tmp_path / "ok", STYLES, variants=["patient"]).ok


DOSES = ("<table><thead><tr><th>When</th><th>Dose</th></tr></thead><tbody>"
         "<tr><td>Morning</td><td style='text-align: right'>20 mg</td></tr>"
         "<tr><td>Night</td><td style='text-align: right'>10 mg</td></tr></tbody></table>")


def test_a_table_wider_than_the_text_column_fails():
    """A table 185 mm wide in a 170 mm column (A4, 20 mm margins) reaches into the right
    margin, within the printable page: its dose column is past the column's edge."""
    data = leaflet_pdf(DOSES.replace("<table>", '<table style="width: 185mm">'), "patient")
    [message] = measured(data, "table")
    assert re.fullmatch(
        r'layout: a table on page 1 is wider than the text column, its text 1[0-4] mm into '
        r'the right margin \("20", "mg", "10"\): make it no wider than the column and let its '
        r'cells wrap long words \(width, and max-width on th and td, in leaflet.css, '
        r'patient.css\), or give it fewer columns \(max_table_columns in patient.yaml\)',
        message), message
    assert not verify_pdf(data).ok
    assert "mg" not in measured(data, "table", private=True)[0]
    # the whole column wide, it passes
    assert measured(leaflet_pdf(DOSES.replace("<table>", '<table style="width: 100%">'),
                                "patient"), "table") == []


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_every_shipped_leaflet_passes_the_measured_layout_checks(request, tmp_path, paper):
    """Every monograph in leaflets/, every variant: the build checks each PDF (and writes
    none that fails); verify finds no layout problem in what it wrote."""
    if paper == "A4":
        # every shipped variant prints on A4: the run's shared catalogue build (which had no
        # problem, tests/conftest.py) is the A4 build
        assert {variant.paper for variant in VARIANTS.values()} == {"A4"}
        out = request.getfixturevalue("catalogue_build")
    else:
        out = tmp_path / "out"
        result = leafletgen.build([LEAFLETS], out, STYLES, paper=paper, jobs=2)
        assert [str(p) for p in result.problems] == []
    pdfs = sorted(out.glob("*.pdf"))  # on A4, the test corpus's too
    for source in LEAFLETS.glob("*.md"):
        # a translation (<slug>.<language>.md) is printed for patients only
        wanted = ("patient", "patient-large") if "." in source.stem else VARIANTS
        assert {f"{source.stem}-{name}.pdf" for name in wanted} <= {p.name for p in pdfs}
    for pdf in pdfs:
        assert layout_messages(verify_pdf(pdf)) == [], pdf.name
