"""The renderer: one monograph in one variant to PDF bytes, with what renders share loaded once."""

from __future__ import annotations

from pathlib import Path

from leafletgen.fonts.config import FontSet
from leafletgen.model import Job, Monograph
from leafletgen.render.html import render_html
from leafletgen.render.styles import Styles, load_styles

# render/pdf.py (WeasyPrint) is imported where a leaflet is rendered: importing it takes most
# of a second, which a build with nothing to render should not pay.


class Renderer:
    """Renders jobs to PDF bytes; holds what is shared across renders in one process."""

    def __init__(self, styles: Path | Styles, paper: str | None = None, archive: bool = False):
        self.loaded = styles if isinstance(styles, Styles) else load_styles(styles)
        self.styles = self.loaded.path
        self.paper = paper
        self.archive = archive
        self.fonts: FontSet = self.loaded.fonts

    def html(self, job: Job) -> str:
        return render_html(job.monograph, job.variant, job.sections, self.styles,
                           self.fonts, self.paper).html

    def pdf(self, html: str, job: Job | None = None) -> bytes:
        """PDF/UA-1; with ``archive``, PDF/A-3a with ``job``'s monograph file embedded."""
        from leafletgen.render.pdf import ARCHIVE_VARIANT, AssetFetcher, SourceFile, render_pdf

        folders = (self.styles,) if job is None else (self.styles, figures_folder(job.monograph))
        fetcher = AssetFetcher(folders=folders, files=self.fonts.files)
        base_url = self.styles.as_uri() + "/"
        if self.archive and job is not None:
            source = SourceFile(job.monograph.path.name, job.monograph.path.read_bytes(),
                                job.monograph.last_revised)
            return render_pdf(html, base_url, fetcher, ARCHIVE_VARIANT, source).data
        return render_pdf(html, base_url=base_url, fetcher=fetcher).data


def figures_folder(monograph: Monograph) -> Path:
    """The only folder besides styles/ a leaflet may read files from: its figures."""
    return (monograph.path.parent / "figures").resolve()



