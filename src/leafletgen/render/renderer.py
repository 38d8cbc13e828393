"""The renderer: one monograph in one variant to PDF bytes, with what renders share loaded once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from leafletgen.fonts.config import FontSet
from leafletgen.model import Job, Monograph
from leafletgen.render.html import render_html
from leafletgen.render.styles import Styles, load_styles

if TYPE_CHECKING:
    from leafletgen.render.pdf import RenderedPdf, SourceFile

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
        return render_html(job.monograph, job.variant, job.sections, self.loaded,
                           self.paper).html

    def pdf(self, html: str, job: Job | None = None) -> bytes:
        """PDF/UA-1; with ``archive``, PDF/A-3a with ``job``'s monograph file embedded."""
        return self.rendered(html, job).data

    def rendered(self, html: str, job: Job | None = None, measure: bool = False
                 ) -> RenderedPdf:
        """As ``pdf``, with its page count and, with ``measure``, the layout it was drawn
        from (for the layout rules)."""
        from leafletgen.render.pdf import ARCHIVE_VARIANT, SourceFile

        monographs = () if job is None else (job.monograph,)
        if self.archive and job is not None:
            source = SourceFile(job.monograph.path.name, job.monograph.path.read_bytes(),
                                job.monograph.last_revised)
            return self.document(html, monographs, ARCHIVE_VARIANT, source, measure)
        return self.document(html, monographs, measure=measure)

    def document(self, html: str, monographs: Sequence[Monograph] = (),
                 pdf_variant: str | None | Literal["default"] = "default",
                 source: SourceFile | None = None, measure: bool = False) -> RenderedPdf:
        """Any HTML of ours (a leaflet, a packet of several) to PDF, reading only the styles
        and the figures of ``monographs``; PDF/UA-1 unless ``pdf_variant`` says otherwise
        (None: no claim, for a packet with pages from elsewhere). With ``measure``, the
        result keeps the layout it was drawn from."""
        from leafletgen.render.pdf import PDF_VARIANT, AssetFetcher, render_pdf

        figures = tuple(dict.fromkeys(figures_folder(m) for m in monographs))
        fetcher = AssetFetcher(folders=(self.styles, *figures), files=self.fonts.files)
        variant = PDF_VARIANT if pdf_variant == "default" else pdf_variant
        return render_pdf(html, self.styles.as_uri() + "/", fetcher, variant, source, measure)


def figures_folder(monograph: Monograph) -> Path:
    """The only folder besides styles/ a leaflet may read files from: its figures."""
    return (monograph.path.parent / "figures").resolve()



