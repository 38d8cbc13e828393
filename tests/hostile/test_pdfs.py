"""preview, diff and verify on hostile PDFs: each is reported as that file's problem, in
bounded memory and time, and the other files are still handled."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from leafletgen import pdfbounds
from leafletgen.cli import cli
from leafletgen.pdfbounds import Unsafe, page_pixels_problem, read_pdf

from . import pdfs

HOSTILE = {
    "huge-page.pdf": (pdfs.huge_page, "million pixels"),
    "huge-image.pdf": (pdfs.huge_image, "holds an image of 40,000,000,000 pixels"),
    "protected.pdf": (pdfs.protected, "protected by a password"),
    "bomb.pdf": (lambda path: pdfs.content_bomb(path, 8), "compression bomb"),
    "nested-bomb.pdf": (lambda path: pdfs.content_bomb(path, 8, nested=True),
                        "compression bomb"),
    "many-pages.pdf": (lambda path: pdfs.many_pages(path, 60), "60 pages, over the 50"),
}


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("hostile") / "pdfs"
    where.mkdir()
    for name, (make, _) in HOSTILE.items():
        make(where / name)
    pdfs.plain(where / "plain.pdf")
    return where


@pytest.fixture
def folder(made, monkeypatch) -> Path:
    """A folder of the hostile PDFs and one plain one, with the limits lowered so that they
    stay small (the real limits are the same code with larger numbers)."""
    monkeypatch.setattr(pdfbounds, "MAX_PAGES", 50)
    monkeypatch.setattr(pdfbounds, "MAX_STREAM_BYTES", 4 * 1024 * 1024)
    return made


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_each_hostile_pdf_is_refused_for_what_it_is(folder):
    for name, (_, reason) in HOSTILE.items():
        if name == "huge-page.pdf":
            read_pdf(folder / name)  # a big page is only refused when it is drawn
            continue
        with pytest.raises(Unsafe, match=reason):
            read_pdf(folder / name)
    assert read_pdf(folder / "plain.pdf").startswith(b"%PDF")


def test_preview_reports_each_and_draws_the_rest(folder, tmp_path):
    result = _run("preview", str(folder), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    for name, (_, reason) in HOSTILE.items():
        assert any(line.startswith(f"{folder / name}: not previewed: ") and reason in line
                   for line in result.output.splitlines()), name
    assert (tmp_path / "out" / "plain" / "page-1.png").is_file()
    assert not (tmp_path / "out" / "huge-page").exists()


def test_verify_reports_each_and_checks_the_rest(folder):
    result = _run("verify", str(folder))
    assert result.exit_code == 1
    for name, (_, reason) in HOSTILE.items():
        if name == "huge-page.pdf":
            continue  # verify draws no page: it is checked as any other
        assert any(line.startswith(f"{folder / name}: not checked: ") and reason in line
                   for line in result.output.splitlines()), name
    assert f"{folder / 'plain.pdf'}: tags:" in result.output  # checked, and found untagged


def test_diff_says_which_could_not_be_compared(folder, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for name in [*HOSTILE, "plain.pdf"]:
        pdfs.plain(old / name)
    result = _run("diff", str(old), str(folder))
    assert result.exit_code == 1
    for name in HOSTILE:
        assert f"not compared {name}: " in result.output
    assert f"{len(HOSTILE)} of {len(HOSTILE) + 1} could not be compared" in result.output


def test_the_pixel_budget_depends_on_the_resolution():
    a4 = (595, 842)
    assert page_pixels_problem(*a4, 96) is None
    assert page_pixels_problem(*a4, 600) is None
    assert page_pixels_problem(14400, 14400, 96) is not None
    assert page_pixels_problem(float("nan"), 10, 96) is not None


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(pdfbounds, "MAX_PDF_BYTES", 1000)
    big = tmp_path / "big.pdf"
    with big.open("wb") as file:
        file.truncate(10 ** 9)
    with pytest.raises(Unsafe, match="or more, over the"):
        read_pdf(big)


def test_a_packet_attachment_that_is_a_bomb_is_refused_before_it_is_read(folder):
    from leafletgen.errors import ContentError
    from leafletgen.personal.attachments import read_attachments

    with pytest.raises(ContentError) as caught:
        read_attachments([folder / "bomb.pdf", folder / "many-pages.pdf"])
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2
    assert "compression bomb" in messages[0] and "60 pages" in messages[1]


def test_an_unreadable_file_is_a_syntax_problem_without_python_objects(tmp_path):
    from leafletgen.verification.verify import verify_pdf

    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nnot really\n")
    [problem] = verify_pdf(path).problems
    assert problem.message.startswith("syntax: not a readable PDF (")
    assert "object at 0x" not in problem.message
