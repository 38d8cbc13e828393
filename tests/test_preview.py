"""Page images (``leafletgen preview``), visual diffs (``leafletgen diff``) and the visual
regression test of the shipped baclofen leaflet.

The visual regression test draws the pages of tests/fixtures/baclofen.md (patient and
clinician variants) at 40 dpi and compares them with the reference images in tests/visual/.
After an intended change to the layout, styles or fonts, refresh the references with:
    LEAFLETGEN_UPDATE_VISUAL=1 .venv/bin/python -m pytest tests/test_preview.py
and look at the new images before committing them. When the pages differ, the test writes
a diff report to $LEAFLETGEN_ARTIFACTS/visual-diff.html (default tests/.artifacts/, which
is ignored by git), for a CI system to keep.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

import leafletgen
from leafletgen.cli import main
from leafletgen.pages.preview import open_pdf, png_bytes, preview, render_pages, slug_of
from leafletgen.pages.visualdiff import (
    DiffResult,
    LeafletDiff,
    TextLine,
    changed_pixels,
    compare_page,
    diff,
    overlay,
    report_html,
)

from .conftest import STYLES, monograph_text

VISUAL = Path(__file__).parent / "visual"
VISUAL_LEAFLETS = ("baclofen-patient", "baclofen-clinician")
VISUAL_DPI = 40  # an A4 page is 331 x 468 px: the layout, not the words
# A pixel counts as changed when a colour channel moves by more than VISUAL_THRESHOLD (of 255);
# a page fails when more than MAX_CHANGED of its pixels do. The same PDF drawn by the same
# PDFium gives the same pixels; these limits leave room for another PDFium's anti-aliasing.
# Measured on baclofen at 40 dpi: one word changed is 0.02 % of a page (not caught: the golden
# HTML tests pin the text), another accent colour 0.3-0.9 % (caught), a line moved by a reflow
# several %.
VISUAL_THRESHOLD = 64
MAX_CHANGED = 0.002
UPDATE = os.environ.get("LEAFLETGEN_UPDATE_VISUAL") == "1"
REFRESH = "LEAFLETGEN_UPDATE_VISUAL=1 .venv/bin/python -m pytest tests/test_preview.py"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def page_count(pdf: Path) -> int:
    document = open_pdf(pdf)
    try:
        return len(document)
    finally:
        document.close()


# --- preview ---------------------------------------------------------------------------------


def test_preview_writes_each_page_and_a_contact_sheet(built, tmp_path):
    out = tmp_path / "preview"
    result = preview([built], out, dpi=30, sheet_dpi=12)
    pdfs = sorted(built.glob("*.pdf"))
    assert sorted(result.pages) == pdfs
    for pdf in pdfs:
        images = result.pages[pdf]
        assert [p.name for p in images] == [f"page-{n}.png"
                                            for n in range(1, page_count(pdf) + 1)]
        assert sorted(p.name for p in (out / pdf.stem).iterdir()) == sorted(
            p.name for p in images)
        with Image.open(images[0]) as image:  # A4 at 30 dpi
            assert image.format == "PNG"
            assert abs(image.width - 248) <= 1 and abs(image.height - 351) <= 1
    # one sheet for the monograph: its three variants side by side, a row per page
    assert result.sheets == (out / "baclofen-sheet.png",)
    tallest = max(page_count(pdf) for pdf in pdfs)
    with Image.open(result.sheets[0]) as sheet:
        assert sheet.width > 3 * 99 and sheet.height > tallest * 140


def test_preview_is_deterministic_and_removes_stale_pages(built, tmp_path):
    pdf = built / "baclofen-clinician.pdf"
    first = preview([pdf], tmp_path / "a", dpi=30, sheet_dpi=12)
    stale = tmp_path / "b" / "baclofen-clinician" / "page-99.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    second = preview([pdf], tmp_path / "b", dpi=30, sheet_dpi=12)
    assert not stale.exists()
    for a, b in zip(first.pages[pdf] + first.sheets, second.pages[pdf] + second.sheets,
                    strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert first.sheets[0].name == "baclofen-sheet.png"


def test_preview_command(built, tmp_path, capsys):
    out = tmp_path / "pages"
    code, stdout, stderr = run(capsys, "preview", str(built / "baclofen-patient.pdf"),
                               "-o", str(out), "--dpi", "20")
    assert (code, stderr) == (0, "")
    count = page_count(built / "baclofen-patient.pdf")
    assert f"wrote {out / 'baclofen-patient'}/page-{{1..{count}}}.png" in stdout
    assert f"wrote {out / 'baclofen-sheet.png'}" in stdout
    assert len(list((out / "baclofen-patient").glob("page-*.png"))) == count


@pytest.mark.parametrize("make,message", [
    (lambda tmp: tmp / "missing.pdf", "no such file or folder"),
    (lambda tmp: tmp, "no PDF files in"),
])
def test_preview_usage_errors_exit_2(tmp_path, capsys, make, message):
    code, _, stderr = run(capsys, "preview", str(make(tmp_path)), "-o", str(tmp_path / "o"))
    assert code == 2
    assert message in stderr


def test_a_file_that_is_not_a_pdf_is_reported_as_that_file_s_problem(tmp_path, capsys):
    path = _write(tmp_path / "x.pdf", b"not a PDF")
    code, _, stderr = run(capsys, "preview", str(path), "-o", str(tmp_path / "o"))
    assert code == 1
    assert f"{path}: not previewed: not a readable PDF" in stderr


def test_slug_of_a_leaflet_and_of_other_pdfs():
    assert slug_of("baclofen-patient-large", "patient-large") == "baclofen"
    assert slug_of("baclofen-patient", "patient") == "baclofen"
    assert slug_of("discharge", None) == "discharge"
    assert slug_of("patient", "patient") == "patient"


# --- comparing pages ---------------------------------------------------------------------


def _page(*boxes: tuple[int, int, int, int, tuple[int, int, int]]) -> Image.Image:
    image = Image.new("RGB", (100, 100), (255, 255, 255))
    for x0, y0, x1, y1, colour in boxes:
        image.paste(colour, (x0, y0, x1, y1))
    return image


def test_changed_pixels_and_overlay():
    black = (0, 0, 0)
    old = _page((10, 10, 20, 20, black))
    new = _page((10, 10, 20, 20, black), (50, 50, 60, 55, black))
    assert changed_pixels(old, old)[0] == 0
    fraction, mask = changed_pixels(old, new)
    assert fraction == pytest.approx(50 / 10000)
    image = overlay(old, new, mask)
    assert image.getpixel((55, 52)) == (0, 90, 230)  # ink added: blue
    assert overlay(new, old, changed_pixels(new, old)[1]).getpixel((55, 52)) == (214, 0, 0)
    assert image.getpixel((15, 15)) != (255, 255, 255)  # unchanged ink stays, faint
    assert image.getpixel((15, 15))[0] > 150
    # a faint change (anti-aliasing) is below the threshold
    assert changed_pixels(old, _page((10, 10, 20, 20, (20, 20, 20))))[0] == 0


def test_pages_of_different_sizes_are_compared_on_one_canvas():
    small = Image.new("RGB", (80, 100), (255, 255, 255))
    page = compare_page(1, small, _page(), dpi=72)
    assert page is None  # the extra width is white on both
    page = compare_page(2, small, _page((90, 0, 100, 100, (0, 0, 0))), dpi=72)
    assert page.status == "changed" and page.changed == pytest.approx(0.1)
    assert page.size_note == "page size 28 x 35 mm → 35 x 35 mm"


# --- leafletgen diff ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory) -> tuple[Path, Path]:
    """A one-variant leaflet built twice: as it was, and with a longer first paragraph."""
    root = tmp_path_factory.mktemp("versions")
    folders = []
    for name, text in (("old", "Testamol treats test pain."),
                       ("new", "Testamol treats test pain and the aches that come with it.")):
        source = root / name / "testamol.md"
        source.parent.mkdir()
        body = monograph_text().replace("Testamol treats test pain.", text)
        source.write_text(body, encoding="utf-8")
        out = root / f"{name}-out"
        result = leafletgen.build([source], out, STYLES, variants=["patient"])
        assert [str(p) for p in result.problems] == []
        (out / "manifest.json").unlink(missing_ok=True)
        folders.append(out)
    return folders[0], folders[1]


def test_diff_of_identical_pdfs_exits_0(built, tmp_path, capsys):
    pdf = built / "baclofen-patient.pdf"
    report = tmp_path / "report.html"
    code, stdout, stderr = run(capsys, "diff", str(pdf), str(pdf), "-o", str(report))
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[-1] == "no changes in 1 leaflet(s)"
    html = report.read_text(encoding="utf-8")
    assert "No changes in 1 leaflet(s)." in html and "data:image" not in html


def test_diff_of_a_changed_leaflet_exits_1_and_shows_the_page(two_versions, tmp_path,
                                                               capsys):
    old, new = two_versions
    report = tmp_path / "report.html"
    code, stdout, stderr = run(capsys, "diff", str(old), str(new), "-o", str(report))
    assert (code, stderr) == (1, "")
    assert re.search(r"^changed testamol-patient\.pdf: page 1 \([0-9.]+ %\)", stdout, re.M)
    assert stdout.splitlines()[-1] == "1 of 1 leaflet(s) changed"
    html = report.read_text(encoding="utf-8")
    assert re.search(r"Page 1: [0-9.]+ % of pixels changed", html)
    # old, new and the difference, and a close-up of the changed lines in old and new
    assert html.count('src="data:image/png;base64,') == 5
    assert "Old (close-up)" in html and "New (close-up)" in html
    assert "+ Testamol treats test pain and the aches that come with it." in html
    assert "- Testamol treats test pain." in html
    # self-contained: nothing fetched, nothing run
    assert not re.search(r"(src|href)=\"(?!data:|#)", html)
    assert "<script" not in html


def test_diff_against_a_folder_matches_file_names(two_versions, tmp_path, capsys):
    old, new = two_versions
    code, stdout, _ = run(capsys, "diff", "--against", str(old), str(new / "testamol-patient.pdf"))
    assert code == 1 and "changed testamol-patient.pdf" in stdout
    # a leaflet on one side only is a change too
    extra = tmp_path / "new"
    shutil.copytree(new, extra)
    shutil.copy(new / "testamol-patient.pdf", extra / "other-patient.pdf")
    code, stdout, _ = run(capsys, "diff", "--against", str(new), str(extra))
    assert code == 1
    assert "added other-patient.pdf (1 page(s))" in stdout
    assert "testamol" not in stdout  # the same bytes: not mentioned


def test_report_escapes_names_and_text(two_versions, tmp_path):
    old, new = two_versions
    name = 'a<b>&"c.pdf'
    for side, source in (("o", old), ("n", new)):
        (tmp_path / side).mkdir()
        shutil.copy(source / "testamol-patient.pdf", tmp_path / side / name)
    result = diff(tmp_path / "o", tmp_path / "n", dpi=20)
    html = report_html(result)
    assert name not in html and "<b>" not in html
    assert "a&lt;b&gt;&amp;&quot;c.pdf" in html
    leaflet = LeafletDiff("x.pdf", Path("o/x.pdf"), Path("n/x.pdf"), 1, 1,
                          text=(TextLine("+", "<script>alert(1)</script> & more"),))
    html = report_html(DiffResult(Path("o"), Path("n"), (leaflet,)))
    assert "<script" not in html and "+ &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


@pytest.mark.parametrize("args,message", [
    (["diff", "only-one.pdf"], "give OLD and NEW, or --against DIR"),
    (["diff", "--against", "no-such-folder"], "no-such-folder: no such folder"),
    (["diff", "a.pdf", "b.pdf", "c.pdf"], "give OLD and NEW"),
    (["diff", "no-such.pdf", "no-such.pdf"], "no-such.pdf: no such file or folder"),
])
def test_diff_usage_errors_exit_2(capsys, args, message):
    code, _, stderr = run(capsys, *args)
    assert code == 2
    assert message in stderr


def test_diff_of_an_unreadable_pdf_says_it_could_not_be_compared(built, tmp_path, capsys):
    bad = _write(tmp_path / "bad.pdf", b"%PDF-1.7 truncated")
    code, stdout, _ = run(capsys, "diff", str(built / "baclofen-patient.pdf"), str(bad))
    assert code == 1
    assert f"not compared baclofen-patient.pdf → bad.pdf: {bad}: not a readable PDF" in stdout
    assert "1 of 1 could not be compared" in stdout


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- visual regression -------------------------------------------------------------------


def _stored(image: Image.Image) -> Image.Image:
    """The image as it is kept in tests/visual/ (a PNG with a palette), read back."""
    with Image.open(io.BytesIO(png_bytes(image))) as stored:
        return stored.convert("RGB")


def _references(folder: Path) -> list[Path]:
    found = [p for p in folder.glob("page-*.png") if re.fullmatch(r"page-[0-9]+\.png", p.name)]
    return sorted(found, key=lambda p: int(p.stem.split("-")[1]))


def _artifacts() -> Path:
    folder = Path(os.environ.get("LEAFLETGEN_ARTIFACTS") or Path(__file__).parent / ".artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    if "LEAFLETGEN_ARTIFACTS" not in os.environ:
        (folder / ".gitignore").write_text("# written by tests/test_preview.py\n*\n")
    return folder


def test_pages_look_as_the_reference_images(built):
    """The baclofen leaflet's pages, drawn at 40 dpi, match tests/visual/ (see the top)."""
    leaflets, failures = [], []
    for name in VISUAL_LEAFLETS:
        pdf = built / f"{name}.pdf"
        document = open_pdf(pdf)
        try:
            pages = [_stored(image) for image in render_pages(document, VISUAL_DPI)]
        finally:
            document.close()
        folder = VISUAL / name
        if UPDATE:
            folder.mkdir(parents=True, exist_ok=True)
            for old in _references(folder):
                old.unlink()
            for number, image in enumerate(pages, start=1):
                (folder / f"page-{number}.png").write_bytes(png_bytes(image))
            continue
        references = _references(folder)
        assert references, f"no reference images in {folder}; make them with: {REFRESH}"
        expected = []
        for path in references:
            with Image.open(path) as image:
                expected.append(image.convert("RGB"))
        changed = []
        for number in range(1, max(len(expected), len(pages)) + 1):
            page = compare_page(number, expected[number - 1] if number <= len(expected) else None,
                                pages[number - 1] if number <= len(pages) else None,
                                VISUAL_THRESHOLD, VISUAL_DPI)
            if page is not None:
                changed.append(page)
                if page.status != "changed":
                    failures.append(f"{name} page {number}: "
                                    + ("new" if page.status == "added" else "missing"))
                elif page.changed > MAX_CHANGED:
                    failures.append(f"{name} page {number}: {page.changed:.2%} of its pixels "
                                    "changed")
        leaflets.append(LeafletDiff(f"{name}.pdf", folder, pdf, len(expected), len(pages),
                                    tuple(changed)))
    report = _artifacts() / "visual-diff.html"
    if UPDATE:
        return
    if not failures:
        report.unlink(missing_ok=True)
        return
    result = DiffResult(VISUAL, built, tuple(leaflets), VISUAL_DPI, VISUAL_THRESHOLD)
    report.write_text(report_html(result), encoding="utf-8")
    pytest.fail("the leaflet's pages no longer look as tests/visual/ shows:\n  "
                + "\n  ".join(failures) + f"\nsee {report}\nif the change is intended, "
                f"refresh the references with: {REFRESH}")
