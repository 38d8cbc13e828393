"""Render leaflet HTML to PDF with WeasyPrint, safely and without silent degradation.

- one ``FontConfiguration`` per process (a new one per render grows memory), which knows only
  the fonts leafletgen ships, never the host's (``fonts.use_shipped_fonts_only``);
- a URL fetcher that reads only the project's own style assets and font files;
- WeasyPrint ERROR log records become build errors instead of a quietly broken PDF;
- every PDF is tagged PDF/UA-1; an archival one is PDF/A-3a (tagged) with its source attached;
- files are written atomically: a temporary file in the target folder, then a rename.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from leafletgen.files import (
    private_temp_folder,
    write_atomic,  # noqa: F401  (its home before files.py; still imported from here)
)
from leafletgen.fonts.config import fixed_font_timestamps, use_shipped_fonts_only
from leafletgen.i18n.pdflang import with_span_languages
from leafletgen.render import artifacts
from leafletgen.render import layout as drawing
from leafletgen.render.finish import finish_pdf

# before WeasyPrint loads fontconfig: the fonts leafletgen ships, never the host's (fonts.py)
use_shipped_fonts_only()

import weasyprint  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

PDF_VARIANT = "pdf/ua-1"
# PDF/A-3 allows an embedded source file; level "a" demands the tags PDF/UA needs too.
# finish_pdf adds the PDF/UA-1 claim, so an archival copy is both PDF/A-3a and PDF/UA-1.
ARCHIVE_VARIANT = "pdf/a-3a"


class RenderError(Exception):
    """WeasyPrint could not render a leaflet faithfully; ``reasons`` says why."""

    def __init__(self, reasons: list[str]):
        self.reasons = tuple(reasons)
        super().__init__("; ".join(reasons))


@dataclass(frozen=True)
class SourceFile:
    """A file embedded in an archival PDF as its source (a PDF/A-3 associated file)."""

    name: str
    data: bytes
    date: dt.date  # the only date the attachment carries, so rebuilds give identical bytes
    description: str = "Source text this leaflet was made from"

    def attachment(self) -> weasyprint.Attachment:
        when = dt.datetime.combine(self.date, dt.time(), tzinfo=dt.UTC)
        return weasyprint.Attachment(string=self.data, name=self.name,
                                     description=self.description, created=when,
                                     modified=when, relationship="Source")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    # with render_pdf(measure=True): the layout the PDF was drawn from, for the layout rules
    layout: drawing.DrawnLayout | None = None


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
    use_shipped_fonts_only()  # again, in case the environment was changed since the import
    config = FontConfiguration()
    _use_private_temp_folder(config)
    return config


def _use_private_temp_folder(config: FontConfiguration) -> None:
    """Have WeasyPrint copy the fonts into a folder of leafletgen's own, not /tmp/weasyprint-*.

    WeasyPrint 70 makes a ``weasyprint-XXXXXXXX`` folder (the fonts of the @font-face rules,
    several MB) when the first font is loaded, and removes it only when the FontConfiguration
    is garbage-collected: a killed build left one behind each time. leafletgen's own folder is
    removed at exit, or by the next render after a kill (files.private_temp_folder).
    """
    if getattr(config, "_folder", False) is None:  # WeasyPrint makes it on first use
        config._folder = private_temp_folder("fonts")


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _collect_errors() -> Iterator[_ErrorCollector]:
    """Collect WeasyPrint's ERROR records, whatever level the application set for its logger.

    A command line that silences WeasyPrint (level CRITICAL) must still see its errors: they
    are lowered to ERROR for the render and kept from the application's handlers, since they
    are reported as build problems instead.
    """
    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    level, propagate = logger.level, logger.propagate
    if logger.getEffectiveLevel() > logging.ERROR:
        logger.setLevel(logging.ERROR)
        logger.propagate = False
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.setLevel(level)
        logger.propagate = propagate


def render_pdf(html: str, base_url: str, fetcher: AssetFetcher,
               pdf_variant: str | None = PDF_VARIANT,
               source: SourceFile | None = None, measure: bool = False) -> RenderedPdf:
    """Lay out and write one PDF; raise RenderError on anything WeasyPrint reports as an error.

    With ``source``, the file is embedded as the PDF's source (use it with ARCHIVE_VARIANT).
    With ``measure``, the result keeps the layout the PDF was drawn from (``DrawnLayout``),
    which the layout rules measure instead of the PDF.
    """
    with _collect_errors() as errors:
        document = weasyprint.HTML(string=html, base_url=base_url,
                                   url_fetcher=fetcher).render(font_config=font_config(),
                                                               pdf_tags=True,
                                                               pdf_variant=pdf_variant)
        # custom_metadata: <meta name="leafletgen-variant"> is how `verify` knows the variant
        drawn = artifacts.available()
        ink: dict[int, drawing.Ink] = {}
        measure = measure and drawing.available()
        with fixed_font_timestamps(), (  # else a variable font embeds the clock's time
                artifacts.margins_as_artifacts() if drawn else contextlib.nullcontext()), (
                drawing.recording_ink(ink) if measure else contextlib.nullcontext()):
            data = document.write_pdf(pdf_tags=True, pdf_variant=pdf_variant,
                                      custom_metadata=True,
                                      attachments=[source.attachment()] if source else None)
    reasons = [f"blocked a resource outside the project's styles: {url}"
               for url in fetcher.blocked]
    reasons += [m for m in errors.messages if not any(url in m for url in fetcher.blocked)]
    if reasons:
        raise RenderError(reasons)
    if not drawn or pdf_variant == ARCHIVE_VARIANT:
        # margin content still to mark after writing, or PDF/A claims to add
        data = finish_pdf(data)
    elif '<span lang="en"' in html:
        # Latin runs inside Arabic, Hebrew or Chinese text: /Lang (en) on their /Span
        data = with_span_languages(data)
    drawn_layout = (drawing.DrawnLayout(tuple(p._page_box for p in document.pages), ink)
                    if measure else None)
    return RenderedPdf(data, len(document.pages), drawn_layout)
