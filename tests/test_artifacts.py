"""Running headers and footers drawn as artifacts (render/artifacts.py), or marked after
writing (render/finish.py) when WeasyPrint lacks the hooks: the same PDF/UA result."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from leafletgen.checks.plan import plan
from leafletgen.render import artifacts
from leafletgen.render.renderer import Renderer
from leafletgen.verification.report import VerifyOptions
from leafletgen.verification.verify import verify_pdf

from .conftest import BACLOFEN, STYLES


def render_patient() -> tuple[bytes, object]:
    job = plan([BACLOFEN], STYLES, ["patient"]).jobs[0]
    renderer = Renderer(STYLES)
    return renderer.pdf(renderer.html(job), job), job


def pagination_marks(data: bytes) -> int:
    marks = 0
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for instruction in pikepdf.parse_content_stream(page):
                operands = instruction.operands
                if (str(instruction.operator) == "BDC" and operands[0] == pikepdf.Name.Artifact
                        and isinstance(operands[1], pikepdf.Dictionary)
                        and operands[1].get("/Type") == pikepdf.Name.Pagination):
                    marks += 1
    return marks


def margin_text(data: bytes) -> tuple[str, str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        artifact = "".join(c["text"] for c in page.chars if c.get("tag") == "Artifact")
        content = "".join(c["text"] for c in page.chars if c.get("tag") != "Artifact")
    return artifact, content


def test_the_pinned_weasyprint_has_the_hooks():
    assert artifacts.available()


@pytest.mark.parametrize("hooks", [True, False], ids=["drawn", "finished"])
def test_margins_are_pagination_artifacts_either_way(monkeypatch, hooks):
    if not hooks:
        monkeypatch.setattr(artifacts, "available", lambda: False)
    data, job = render_patient()
    artifact, content = margin_text(data)
    assert "Page 1 of" in artifact and "Page 1 of" not in content
    assert pagination_marks(data) >= 2  # the page number and the revision line, at least
    report = verify_pdf(data, VerifyOptions(job.variant, Path("baclofen-patient.pdf"),
                                          require_ua=True))
    assert [str(p) for p in report.problems] == []


def test_the_hooks_are_removed_after_writing():
    from weasyprint import document
    from weasyprint.pdf.stream import Stream

    before = (document.draw_page, Stream.marked)
    with artifacts.margins_as_artifacts():
        assert document.draw_page is not before[0]
    assert (document.draw_page, Stream.marked) == before
