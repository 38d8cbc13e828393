"""Rendering in worker processes gives the same PDFs as rendering in this process."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from leafletgen.build import plan
from leafletgen.files import sha256_file
from leafletgen.workers import default_workers, render_all

from .conftest import STYLES, monograph_text


def test_workers_render_the_same_bytes_as_one_process(tmp_path: Path):
    for name in ("alpha", "bravo"):
        (tmp_path / f"{name}.md").write_text(monograph_text(name=name.title()))
    jobs = plan([tmp_path], STYLES, ["patient"]).jobs
    assert len(jobs) == 2
    pooled = list(render_all(jobs, tmp_path / "pool", STYLES, None, False, workers=2))
    single = list(render_all(jobs, tmp_path / "single", STYLES, None, False, workers=1))
    assert sorted(o.index for o in pooled) == [0, 1]
    for outcome in pooled + single:
        assert outcome.problems == ()
        assert outcome.written.pdf_sha256 == sha256_file(outcome.written.pdf)
    for job in jobs:
        name = f"{job.stem}.pdf"
        assert sha256_file(tmp_path / "pool" / name) == sha256_file(tmp_path / "single" / name)
        assert job.monograph.name in PdfReader(tmp_path / "pool" / name).pages[0].extract_text()


def test_default_workers_is_at_least_one():
    assert default_workers() >= 1
