"""A packet or handout as one PDF: one patient's leaflets laid out together.

A packet is ONE HTML document: a cover page with the patient's medicine list, then each
medicine's leaflet (its variant template in fragment mode, anchor ids prefixed with its slug,
a personalised box at the top), laid out in one WeasyPrint pass. So "Page N of M", links,
bookmarks and PDF/UA tags span the whole packet. pikepdf then adds page labels, third-party
PDFs (attachments.py) and their bookmarks, keeping the tags and named destinations of our
pages.

Every packet and handout is checked as ``leafletgen verify`` checks a leaflet (fonts, tags,
the variant's type size on our own pages, PDF/UA when claimed) before it is returned.

Which leaflets, for whom, and whether they may be printed, is decided by the documents
service (service.py); this module only lays them out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from leafletgen.errors import ContentError, Problem, UsageError, errors_in
from leafletgen.model import Job, Patient, Prescription, Variant
from leafletgen.personal.attachments import (
    Attachment,
    named_destination,
    quiet_pdf_libraries,
    untag,
)
from leafletgen.personal.privacy import undate
from leafletgen.render.html import render_html
from leafletgen.render.layout import DrawnLayout
from leafletgen.render.renderer import Renderer
from leafletgen.verification.report import VerifyOptions
from leafletgen.verification.verify import verify_pdf
from leafletgen.version import __version__

if TYPE_CHECKING:
    import pikepdf

    from leafletgen.personal.schedule import MyMedicines

# pdf.py (WeasyPrint) and pikepdf are imported when a packet is made, not with
# leafletgen: importing them takes most of a second that other commands need not pay.

# The PDF's title, the same for every packet and handout: no name and no date. Metadata
# travels further than pages (file lists, print queues, search indexes) and the discharge
# date is the patient's too; the cover prints it.
TITLE = "Medicine information"
STYLESHEET = "packet.css"
TEMPLATE = "packet.html.j2"


@dataclass(frozen=True, repr=False)
class Personal:
    """What the personalised box of one leaflet shows (``_personal.html.j2``)."""

    patient: Patient
    prescription: Prescription
    # what the packet's first page says to check about this medicine (personal/focus.py),
    # and the sections of its leaflet those passages are in, highlighted
    concerns: tuple[Any, ...] = ()
    highlight: frozenset[str] = frozenset()


@dataclass(frozen=True, repr=False)
class PacketLeaflet:
    """One leaflet of a packet, as ``packet.html.j2`` sees it."""

    job: Job
    prescription: Prescription
    anchor: str  # id of its <article>, unique in the packet
    html: Markup  # the leaflet's body, its ids prefixed

    @property
    def monograph(self):
        return self.job.monograph


def assemble(renderer: Renderer, patient: Patient, pairs: list[tuple[Job, Prescription]],
             cover: bool, attachments: Sequence[tuple[Attachment, pikepdf.Pdf]] = (),
             variant: Variant | None = None, first: MyMedicines | None = None) -> bytes:
    """The PDF of ``pairs`` (each leaflet with the patient's prescription), with a cover
    page when ``cover`` ("My medicines" when ``first`` is given: personal/schedule.py), and
    ``attachments`` before or after; verified before it is returned. ``variant`` is needed
    only when no medicine has a leaflet (a record's medicines without monographs).
    """

    from leafletgen.render.pdf import PDF_VARIANT, RenderError

    variant = pairs[0][0].variant if pairs else variant
    if variant is None:
        raise UsageError("a packet needs a variant when no medicine has a leaflet")
    parts = [PacketLeaflet(job, prescription, f"leaflet-{job.monograph.slug}",
                           _leaflet_body(renderer, job, _personal(patient, job, prescription,
                                                                  first)))
             for job, prescription in pairs]
    before = [(a, r) for a, r in attachments if a.first]
    after = [(a, r) for a, r in attachments if not a.first]
    offset = sum(len(r.pages) for _, r in before)  # pages before our own
    # PDF/UA is claimed only when every page is ours and tagged
    pdf_variant = None if attachments else PDF_VARIANT
    monographs = [job.monograph for job, _ in pairs]
    try:
        rendered = renderer.document(_packet_html(renderer, patient, variant, parts, cover,
                                                  first=first),
                                     monographs, pdf_variant, measure=True)
        if attachments:
            # lay out again now that the page total is known, so "Page N of M" counts them
            total = rendered.pages + sum(len(r.pages) for _, r in attachments)
            rendered = renderer.document(
                _packet_html(renderer, patient, variant, parts, cover, page_total=total,
                             page_offset=offset, first=first), monographs, pdf_variant,
                measure=True)
    except RenderError as exc:
        raise ContentError([Problem(variant.path, 1, f"the packet could not be rendered: {r}")
                            for r in exc.reasons]) from None
    data = _finish(rendered.data, parts, cover, before, after)
    _verify(data, variant, cover, range(offset, offset + rendered.pages), rendered.layout,
            rendered=not attachments)
    return data


def _personal(patient: Patient, job: Job, prescription: Prescription,
              first: MyMedicines | None) -> Personal:
    """The personal box of one leaflet: with the first page's concerns about this medicine,
    and the sections that say more about them highlighted."""
    if first is None:
        return Personal(patient, prescription)
    from leafletgen.personal.focus import concerns_for

    concerns, sections = concerns_for(first.focused, job.monograph.name,
                                      source=prescription.monograph)
    return Personal(patient, prescription, concerns, sections)


def _verify(data: bytes, variant: Variant, cover: bool, ours: range,
            layout: DrawnLayout | None = None, rendered: bool = False) -> None:
    """Check the PDF as ``leafletgen verify`` does; raise ContentError if it fails.

    Only our own pages are held to the variant's type size and to embedded fonts: attached
    PDFs are copied as they are. Messages never quote the PDF's text. ``layout``: how
    WeasyPrint laid out our pages, measured for the layout rules instead of the PDF.
    ``rendered``: every page is ours, as WeasyPrint wrote it and qpdf finished it, so the
    file-syntax check is left out as for a build's leaflets; a PDF with attachments keeps it.
    """
    where = Path("<packet>" if cover else "<handout>")
    options = VerifyOptions.personal(variant, where, ours).but(rendered=rendered)
    report = verify_pdf(data, options, layout)
    if errors_in(report.problems):
        raise ContentError(errors_in(report.problems))


def _leaflet_body(renderer: Renderer, job: Job, personal: Personal) -> Markup:
    body = render_html(job.monograph, job.variant, job.sections, renderer.loaded,
                       renderer.paper,
                       extra={"fragment": True, "id_prefix": f"{job.monograph.slug}-",
                              "personal": personal}).html
    if body.lstrip().lower().startswith(("<!doctype", "<html")):
        raise UsageError(f"variant '{job.variant.name}': template {job.variant.template} "
                         "cannot be used in a packet; make it extend base.html.j2")
    # rendered by our autoescaping templates from validated data
    return Markup(body)


def _packet_html(renderer: Renderer, patient: Patient, variant: Variant,
                 parts: list[PacketLeaflet], cover: bool, page_total: int | None = None,
                 page_offset: int = 0, first: MyMedicines | None = None) -> str:
    styles = renderer.loaded
    sheets = [*variant.stylesheets, STYLESHEET]
    lang = parts[0].monograph.language if parts else (patient.language or "en")
    return styles.environment.get_template(TEMPLATE).render(
        title=TITLE,
        lang=lang,
        ui_lang=lang,
        mine=first,
        patient=patient,
        variant=variant,
        leaflets=parts,
        cover=cover,
        paper=renderer.paper or variant.paper,
        font_css=styles.fonts.css,
        stylesheet_urls=[(styles.path / s).as_uri() for s in sheets],
        generator=f"leafletgen {__version__}",
        page_total=page_total,
        page_offset=page_offset,
    )


def _finish(data: bytes, parts: list[PacketLeaflet], cover: bool,
            before: list[tuple[Attachment, pikepdf.Pdf]],
            after: list[tuple[Attachment, pikepdf.Pdf]]) -> bytes:
    """Page labels, and third-party PDFs with a bookmark each, around our own pages; no dates
    in the metadata."""
    with quiet_pdf_libraries():
        return _merge(data, parts, cover, before, after)


def _merge(data: bytes, parts: list[PacketLeaflet], cover: bool,
           before: list[tuple[Attachment, pikepdf.Pdf]],
           after: list[tuple[Attachment, pikepdf.Pdf]]) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        numbers = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        sections: list[tuple[str, int]] = [("Cover", 0)] if cover else []
        for part in parts:
            destination = named_destination(pdf, pikepdf.String(part.anchor))
            target = destination[0] if isinstance(destination, pikepdf.Array) else None
            sections.append((part.monograph.name, numbers.get(target.objgen, 0)
                             if target is not None else 0))
        ours = len(pdf.pages)
        position = 0
        attached: list[tuple[str, int]] = []
        for attachment, source in before:
            attached.append((attachment.bookmark, position))
            for page in source.pages:
                pdf.pages.insert(position, page)
                position += 1
        sections = [(title, start + position) for title, start in sections]
        for attachment, source in after:
            attached.append((attachment.bookmark, len(pdf.pages)))
            pdf.pages.extend(source.pages)
        untag([*pdf.pages[:position], *pdf.pages[position + ours:]])
        with pdf.open_outline() as outline:
            for title, start in reversed([a for a in attached if a[1] < position]):
                outline.root.insert(0, pikepdf.OutlineItem(title, start))
            outline.root.extend(pikepdf.OutlineItem(title, start)
                                for title, start in attached if start >= position)
        starts = sorted([*sections, *attached], key=lambda s: s[1])
        labels: list[Any] = []
        for title, start in starts:
            labels += [start, pikepdf.Dictionary(S=pikepdf.Name.D, P=f"{title} ", St=1)]
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(labels))
        undate(pdf)
        out = io.BytesIO()
        # compressed object streams (a packet would be 3 times the size without), the XMP
        # packet left readable, the trailer /ID a hash of the content
        pdf.save(out, deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()

