import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from leafletgen.render.pdf import AssetFetcher, RenderError, render_pdf, write_atomic

from .conftest import STYLES

SECRET = Path("/etc/passwd")


def fetcher() -> AssetFetcher:
    return AssetFetcher(folders=(STYLES,), files=())


def page(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><title>t</title>{head}</head>'
            f"<body><p>Hello</p>{body}</body></html>")


def test_fetcher_allows_only_project_assets():
    f = fetcher()
    assert f.allows((STYLES / "leaflet.css").as_uri())
    assert not f.allows("file:///etc/passwd")
    assert not f.allows((STYLES / ".." / "pyproject.toml").resolve().as_uri())
    assert not f.allows("https://example.org/x.css")
    assert not f.allows("data:text/css,p{}")


@pytest.mark.parametrize("body,head", [
    ('<img src="file:///etc/passwd" alt="x">', ""),
    ("", '<link rel="attachment" href="file:///etc/passwd">'),
    ("", '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'),
])
def test_outside_resources_fail_the_render_and_are_never_read(body, head):
    f = fetcher()
    with pytest.raises(RenderError) as caught:
        render_pdf(page(body, head), base_url=STYLES.as_uri() + "/", fetcher=f)
    assert any("blocked a resource outside the project's styles" in r for r in caught.value.reasons)
    assert f.blocked


def test_project_stylesheet_renders_tagged_pdf():
    head = f'<link rel="stylesheet" href="{(STYLES / "leaflet.css").as_uri()}">'
    result = render_pdf(page("", head), base_url=STYLES.as_uri() + "/", fetcher=fetcher())
    assert result.pages == 1
    assert result.data.startswith(b"%PDF-")
    root = PdfReader(io.BytesIO(result.data)).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]


def test_write_atomic_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out" / "x.pdf"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["x.pdf"]


def test_write_atomic_keeps_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "x.pdf"
    write_atomic(target, b"old")

    def disk_full(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]
