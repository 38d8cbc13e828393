"""Render leaflet HTML to PDF with WeasyPrint, safely and without silent degradation.

- one ``FontConfiguration`` per process (a new one per render grows memory);
- a URL fetcher that reads only the project's own style assets and font files;
- WeasyPrint ERROR log records become build errors instead of a quietly broken PDF;
- files are written atomically: a temporary file in the target folder, then a rename.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

PDF_VARIANT = "pdf/ua-1"


class RenderError(Exception):
    """WeasyPrint could not render a leaflet faithfully; ``reasons`` says why."""

    def __init__(self, reasons: list[str]):
        self.reasons = tuple(reasons)
        super().__init__("; ".join(reasons))


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


class AssetFetcher(URLFetcher):
    """Fetches ``file:`` URLs inside the allowed folders or files, and nothing else."""

    def __init__(self, folders: tuple[Path, ...], files: tuple[Path, ...]):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=5)
        self.folders = tuple(f.resolve() for f in folders)
        self.files = frozenset(f.resolve() for f in files)
        self.blocked: list[str] = []

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(url2pathname(parts.path)).resolve()
        return path in self.files or any(path.is_relative_to(f) for f in self.folders)

    def fetch(self, url, headers=None):
        if not self.allows(url):
            self.blocked.append(url)
            raise ValueError(f"leafletgen loads only its own style assets, not {url}")
        return super().fetch(url, headers)


@cache
def font_config() -> FontConfiguration:
    """The process's one FontConfiguration, shared by all renders."""
    return FontConfiguration()


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _collect_errors() -> Iterator[_ErrorCollector]:
    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)


def render_pdf(html: str, base_url: str, fetcher: AssetFetcher,
               pdf_variant: str | None = PDF_VARIANT) -> RenderedPdf:
    """Lay out and write one PDF; raise RenderError on anything WeasyPrint reports as an error."""
    with _collect_errors() as errors:
        document = weasyprint.HTML(string=html, base_url=base_url,
                                   url_fetcher=fetcher).render(font_config=font_config(),
                                                               pdf_tags=True,
                                                               pdf_variant=pdf_variant)
        data = document.write_pdf(pdf_tags=True, pdf_variant=pdf_variant)
    reasons = [f"blocked a resource outside the project's styles: {url}"
               for url in fetcher.blocked]
    reasons += [m for m in errors.messages if not any(url in m for url in fetcher.blocked)]
    if reasons:
        raise RenderError(reasons)
    return RenderedPdf(data, len(document.pages))


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    ``mode`` 0o600 keeps a file with patient data readable by its owner only.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
