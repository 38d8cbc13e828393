"""Packets and personalised handouts: one patient's leaflets as one PDF.

A packet is ONE HTML document: a cover page with the patient's medicine list, then each
medicine's leaflet (its variant template in fragment mode, anchor ids prefixed with its slug,
a personalised box at the top), laid out in one WeasyPrint pass. So "Page N of M", links,
bookmarks and PDF/UA tags span the whole packet. pikepdf then adds page labels, third-party
PDFs and their bookmarks, keeping the tags and named destinations of our pages. Third-party
PDFs are untrusted: pikepdf first rebuilds each from copies of its pages, without actions,
scripts, embedded files, annotations or metadata.

Every packet and handout is checked as ``leafletgen verify`` checks a leaflet (fonts, tags,
the variant's type size on our own pages, PDF/UA when claimed) before it is returned.

Patient data stays in memory: nothing here logs it, caches it or writes it anywhere but the
bytes returned (``write_private`` writes them owner-readable only). Errors name fields of the
patient file, never their values.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from leafletgen import __version__
from leafletgen.checks.plan import Plan, find_monographs, plan
from leafletgen.errors import (
    ContentError,
    OutputError,
    Problem,
    UsageError,
    display_path,
    errors_in,
)
from leafletgen.files import remove_leftovers, write_atomic
from leafletgen.i18n.packets import (
    file_slug,
    in_language,
    missing_translation,
    source_slug,
    translation_file,
    wanted_slug,
)
from leafletgen.model import DEFAULT_SOURCES, DEFAULT_STYLES, Job, Patient, Prescription, Variant
from leafletgen.personal.discharge import first_page, prepare, summary_variant
from leafletgen.personal.schedule import MyMedicines
from leafletgen.render.html import environment, render_html
from leafletgen.render.renderer import Renderer
from leafletgen.source.patient import load_patient
from leafletgen.source.variants import load_variants
from leafletgen.verification.rules import verify_pdf

if TYPE_CHECKING:
    import pikepdf


# pdf.py (WeasyPrint) and pikepdf are imported when a packet is made, not with
# leafletgen: importing them takes most of a second that other commands need not pay.

log = logging.getLogger(__name__)

DEFAULT_VARIANT = "patient"
# The PDF's title, the same for every packet and handout: no name and no date. Metadata
# travels further than pages (file lists, print queues, search indexes) and the discharge
# date is the patient's too; the cover prints it.
TITLE = "Medicine information"
STYLESHEET = "packet.css"
TEMPLATE = "packet.html.j2"


@dataclass(frozen=True)
class Attachment:
    """A PDF from elsewhere (a discharge summary, a letter) to put after or before the packet."""

    path: Path
    title: str | None = None  # its bookmark; default: the file name
    first: bool = False  # before the packet instead of after it

    @property
    def bookmark(self) -> str:
        return self.title or self.path.name


@dataclass(frozen=True, repr=False)
class Personal:
    """What the personalised box of one leaflet shows (``_personal.html.j2``)."""

    patient: Patient
    prescription: Prescription


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


def packet(patient: Path | Patient, *, leaflets: Path = DEFAULT_SOURCES[0],
           styles: Path = DEFAULT_STYLES, variant: str | None = None,
           attach: Sequence[Attachment | Path] = (), paper: str | None = None,
           draft: bool = False, language: str | None = None,
           allergy_decisions: Sequence[str] = (), full: bool = False,
           notices: list[Problem] | None = None) -> bytes:
    """A discharge packet as PDF bytes: the "My medicines" page, then each medicine's
    personalised leaflet.

    ``patient`` is a patient file (YAML) or a FHIR record (JSON), or a Patient. Only approved
    monographs are given to patients; ``draft`` allows draft ones for proofing (every page
    then says DRAFT — not for patient use). ``allergy_decisions`` names the medicines the
    prescriber decided to give despite a recorded allergy. Each medicine's counselling
    summary is printed (the variant's ``-summary``); ``full`` prints the full leaflets.
    Warnings (a medicine with no monograph) are appended to ``notices``.
    Raises ContentError (problems located in the patient file) or UsageError.
    """
    person = patient if isinstance(patient, Patient) else load_patient(patient, styles)
    # a record's medicines matched to monographs by code or name (personal/discharge.py)
    person, warnings = prepare(person, leaflets)
    if notices is not None:
        notices.extend(warnings)
    person = in_language(person, language)  # --language, else the patient file's language:
    chosen = choose_variant(person, styles, variant)
    if not full:
        chosen = summary_variant(chosen, styles)
    the_plan = _plan_medicines(person, leaflets, styles, chosen)
    pairs = _match(person, the_plan, leaflets, draft)
    page = first_page(person, pairs, leaflets, allergy_decisions)  # may refuse: allergy
    attachments = _read_attachments(attach)
    try:
        return _assemble(person, pairs, styles, paper, cover=True, attachments=attachments,
                         variant=chosen, first=page)
    finally:
        for _, opened in attachments:
            opened.close()


def handout(monograph: Path, patient: Path | Patient, *, styles: Path = DEFAULT_STYLES,
            variant: str | None = None, paper: str | None = None, draft: bool = False,
            language: str | None = None) -> bytes:
    """One personalised leaflet as PDF bytes: ``monograph`` with the patient's directions.

    ``draft`` allows a draft monograph, for proofing (DRAFT on every page)."""
    person = patient if isinstance(patient, Patient) else load_patient(patient, styles)
    person = in_language(person, language)
    chosen = choose_variant(person, styles, variant)
    the_plan = plan((translation_file(monograph, person),), styles, (chosen.name,))
    if not the_plan.jobs:
        raise ContentError(errors_in(the_plan.problems))
    job = the_plan.jobs[0]
    prescription = person.prescription(source_slug(job.monograph))
    if prescription is None:
        raise ContentError([Problem(
            person.path, person.medicines_line,
            f"medicines: no entry has 'monograph: {job.monograph.slug}'; add this medicine "
            "with the patient's dose, timing and directions")])
    field = f"medicines.{person.medicines.index(prescription)}.monograph"
    problems = _approval_problems(person, prescription, job, field, draft)
    if problems:
        raise ContentError(problems)
    return _assemble(person, [(job, prescription)], styles, paper, cover=False, attachments=[],
                     variant=chosen)


def write_private(path: Path, data: bytes) -> None:
    """Write personalised output atomically, readable by its owner only.

    A write that is interrupted leaves nothing readable behind (files.write_atomic), and what
    an earlier interrupted write of the same file left is removed. A path inside a git
    repository is refused unless git ignores it: one ``git add .`` must not commit a
    patient's leaflet. Raises OutputError, whose message says why but not where: the path
    may name the patient.
    """
    if _committable(path):
        raise OutputError("the output file would be inside a git repository, which does not "
                          "ignore it; write it outside the repository (e.g. in /tmp) or in "
                          "a folder the repository ignores")
    try:
        remove_leftovers(path.parent, {path.name})
        write_atomic(path, data, mode=0o600)
    except FileExistsError:
        # mkdir of the folder found a file in its place
        raise OutputError("cannot write the output file: a folder in its path is a file; "
                          "choose another path with -o") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"cannot write the output file: {reason}; choose another path "
                          "with -o") from None
    log.info("wrote a personalised PDF")  # not its path, which may name the patient


def _committable(path: Path) -> bool:
    """Whether ``path`` lies in a git work tree that does not ignore it.

    When git cannot tell (it is not installed, or fails), the answer is yes: personalised
    output is refused rather than risked.
    """
    target = path.absolute()
    existing = target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # write_atomic makes the folders below it
    folder = existing.resolve()
    top = next((f for f in (folder, *folder.parents) if (f / ".git").exists()), None)
    if top is None:
        return False
    where = folder / target.relative_to(existing)
    try:
        done = subprocess.run(["git", "-C", str(top), "check-ignore", "-q", "--", str(where)],
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return True
    return done.returncode != 0  # 0: ignored; 1: not ignored (or tracked); 128: git failed


def choose_variant(patient: Patient, styles: Path, wanted: str | None) -> Variant:
    """The variant named by the caller, else by the patient file, else ``patient``."""
    variants, problems = load_variants(styles)
    if errors_in(problems):
        raise ContentError(errors_in(problems))
    usable = [v.name for v in variants.values() if v.audience == "patient"]
    if wanted is not None:
        if wanted not in usable:
            raise UsageError(f"unknown patient variant {wanted}; available: {', '.join(usable)}")
        return variants[wanted]
    if patient.variant is None:
        if DEFAULT_VARIANT not in usable:
            raise UsageError(f"no '{DEFAULT_VARIANT}' variant in {styles / 'variants'}; "
                             "name one with --variant")
        return variants[DEFAULT_VARIANT]
    if patient.variant not in usable:
        raise ContentError([Problem(patient.path, patient.variant_line,
                                    "variant: there is no patient variant with this name; "
                                    f"use one of: {', '.join(usable)}")])
    return variants[patient.variant]


def _plan_medicines(patient: Patient, leaflets: Path, styles: Path, variant: Variant) -> Plan:
    """Read and check only the monographs this patient takes, found by file name.

    So a broken monograph of another medicine cannot stop this patient's packet. A monograph
    may set its own 'slug:'; only when a medicine has no file of its name is every monograph
    in ``leaflets`` read, to find it (and to list what is available).
    """
    files, _ = find_monographs((leaflets,))  # a missing monograph is reported per medicine
    wanted = {wanted_slug(m.monograph, patient) for m in patient.medicines}
    if not wanted:  # a record whose medicines have no monograph: the first page only
        return Plan(jobs=(), problems=(), files=(), variants=(variant,))
    the_plan = plan([f for f in files if file_slug(f) in wanted], styles, (variant.name,))
    if wanted <= {job.monograph.slug for job in the_plan.jobs} | _broken(the_plan):
        return the_plan
    return plan((leaflets,), styles, (variant.name,))


def _match(patient: Patient, the_plan: Plan, leaflets: Path,
           draft: bool = False) -> list[tuple[Job, Prescription]]:
    """Each prescription with its leaflet; problems name the field, never its value."""
    by_slug = {job.monograph.slug: job for job in the_plan.jobs}
    approved = sorted(slug for slug, job in by_slug.items() if job.monograph.status == "approved")
    broken = _broken(the_plan)
    pairs: list[tuple[Job, Prescription]] = []
    problems: list[Problem] = []
    for i, prescription in enumerate(patient.medicines):
        field = f"medicines.{i}.monograph"
        job = by_slug.get(wanted_slug(prescription.monograph, patient))
        if job is not None:
            problems += _approval_problems(patient, prescription, job, field, draft)
            pairs.append((job, prescription))
        elif wanted_slug(prescription.monograph, patient) in broken:
            problems.append(Problem(patient.path, prescription.line,
                                    f"{field}: the monograph for this medicine has errors; run "
                                    "'leafletgen check' to see them"))
        elif (untranslated := missing_translation(prescription.monograph, patient, by_slug,
                                                  field, prescription.line, leaflets)):
            problems.append(untranslated)
        else:
            problems.append(Problem(patient.path, prescription.line,
                                    f"{field}: there is no monograph with this slug in "
                                    f"{display_path(leaflets)}; available: "
                                    + (", ".join(approved) or "none")))
    if problems:
        raise ContentError(problems)
    return pairs


def _broken(the_plan: Plan) -> set[str]:
    """The slugs (by file name) of the monographs that could not be read or had errors."""
    usable = {job.monograph.path for job in the_plan.jobs}
    return {file_slug(path) for path in the_plan.files if path not in usable}


def _approval_problems(patient: Patient, prescription: Prescription, job: Job,
                       field: str, draft: bool = False) -> list[Problem]:
    if job.monograph.status == "approved" or (draft and job.monograph.status == "draft"):
        return []
    return [Problem(patient.path, prescription.line,
                    f"{field}: this medicine's monograph is a {job.monograph.status}; only "
                    "approved leaflets are given to patients (--draft prints a proof marked "
                    "DRAFT on every page, for review)")]


def _read_attachments(attach: Sequence[Attachment | Path]
                      ) -> list[tuple[Attachment, pikepdf.Pdf]]:
    """Open and clean every attachment before anything is rendered, so a bad one stops the
    packet. Each is rebuilt from its pages only (``_clean_pdf``); nothing of its text reaches
    a message or a log."""
    import pikepdf

    opened: list[tuple[Attachment, pikepdf.Pdf]] = []
    problems: list[Problem] = []
    for item in attach:
        attachment = item if isinstance(item, Attachment) else Attachment(Path(item))
        try:
            data = attachment.path.read_bytes()
        except OSError:
            problems.append(Problem(attachment.path, 1, "cannot be read; check the file"))
            continue
        with _quiet_pdf_libraries():
            clean, problem = _clean_pdf(data)
            if clean is not None:
                opened.append((attachment, pikepdf.open(io.BytesIO(clean))))
        if problem is not None:
            problems.append(Problem(attachment.path, 1, problem))
    if problems:
        raise ContentError(problems)
    return opened


@contextlib.contextmanager
def _quiet_pdf_libraries() -> Iterator[None]:
    """Silence the PDF libraries: their warnings quote the file (``invalid pdf header:
    b'...'``), and an attached PDF is the patient's."""
    loggers = [logging.getLogger(name) for name in ("pypdf", "pikepdf")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# What an attached page keeps: what it prints. Inherited ones are looked up its page tree.
_PAGE_KEYS = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/Rotate",
              "/UserUnit", "/Group", "/Resources", "/Contents")
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
# Removed from every object an attached page reaches: actions and scripts (/AA, /A and the
# rest), embedded and associated files, metadata and application data, structure, forms.
_STRIPPED = ("/AA", "/A", "/OpenAction", "/JS", "/JavaScript", "/URI", "/Launch",
             "/EmbeddedFiles", "/EF", "/RF", "/AF", "/FS", "/Metadata", "/PieceInfo",
             "/LastModified", "/OPI", "/StructParent", "/StructParents", "/Annots",
             "/AcroForm", "/Names", "/Dests", "/Outlines", "/Thumb")
_DESTINATION_PARTS = ("/XYZ", "/Fit", "/FitH", "/FitV", "/FitR", "/FitB", "/FitBH", "/FitBV")


def _clean_pdf(data: bytes) -> tuple[bytes | None, str | None]:
    """A PDF made of copies of ``data``'s pages only, or why it cannot be attached.

    Kept: each page's content, resources and boxes, with what its annotations print (form
    fields, stamps) drawn into the page, and links to its own pages. Dropped: the document
    around the pages (open actions, JavaScript, embedded files, forms, outline, metadata),
    and on the pages every annotation and action, page-level XMP and PieceInfo.
    """
    import pikepdf

    if b"%PDF-" not in data[:1024]:
        return None, "cannot be read as a PDF; attach a PDF file"
    try:
        with pikepdf.open(io.BytesIO(data)) as source:
            if source.is_encrypted:
                return None, "this PDF is encrypted; attach a copy without a password"
            if not len(source.pages):
                return None, "this PDF has no pages"
            return _copy_pages(source), None
    except pikepdf.PasswordError:
        return None, "this PDF is encrypted; attach a copy without a password"
    except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, TypeError, KeyError,
            IndexError, AttributeError, RuntimeError):
        return None, "cannot be read as a PDF; attach a PDF file"


def _copy_pages(source: pikepdf.Pdf) -> bytes:
    import pikepdf

    numbers = {page.obj.objgen: i for i, page in enumerate(source.pages)}
    links = [_internal_links(source, page, numbers) for page in source.pages]
    with contextlib.suppress(pikepdf.PdfError):
        source.flatten_annotations("print")  # what prints of forms and stamps, as content
    clean = pikepdf.new()
    for page in source.pages:
        kept = pikepdf.Dictionary(Type=pikepdf.Name.Page)
        for key in _PAGE_KEYS:
            value = _inherited(page.obj, key) if key in _INHERITED else page.obj.get(key)
            if value is not None:
                kept[key] = value
        if "/MediaBox" not in kept:
            kept.MediaBox = pikepdf.Array([0, 0, 612, 792])  # the PDF default
        clean.pages.append(pikepdf.Page(source.make_indirect(kept)))
    _strip(clean)
    for page, found in zip(clean.pages, links, strict=True):
        annotations = [pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array(rect),
            Border=pikepdf.Array([0, 0, 0]),
            Dest=pikepdf.Array([clean.pages[target].obj, *view])) for rect, target, view in found]
        if annotations:
            page.obj.Annots = clean.make_indirect(pikepdf.Array(annotations))
    out = io.BytesIO()
    clean.save(out)
    return out.getvalue()


def _inherited(page: pikepdf.Dictionary, key: str) -> pikepdf.Object | None:
    node: pikepdf.Object | None = page
    seen: set[tuple[int, int]] = set()
    while node is not None and node.objgen not in seen:
        if key in node:
            return node[key]
        seen.add(node.objgen)
        node = node.get("/Parent")
    return None


def _internal_links(source: pikepdf.Pdf, page: pikepdf.Page, numbers: dict[tuple[int, int], int]
                    ) -> list[tuple[list[float], int, list]]:
    """The page's links to a page of the same PDF: (rectangle, target page, view)."""
    import pikepdf

    found = []
    for annotation in page.obj.get("/Annots") or []:
        try:
            link = _internal_link(source, annotation, numbers)
        except (pikepdf.PdfError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            link = None  # a broken link is dropped, not the attachment
        if link is not None:
            found.append(link)
    return found


def _internal_link(source: pikepdf.Pdf, annotation: pikepdf.Object,
                   numbers: dict[tuple[int, int], int]) -> tuple[list[float], int, list] | None:
    import pikepdf

    if not isinstance(annotation, pikepdf.Dictionary) \
            or annotation.get("/Subtype") != pikepdf.Name.Link:
        return None
    destination = annotation.get("/Dest")
    action = annotation.get("/A")
    if destination is None and isinstance(action, pikepdf.Dictionary) \
            and action.get("/S") == pikepdf.Name.GoTo:
        destination = action.get("/D")
    destination = _named_destination(source, destination)
    rect = annotation.get("/Rect")
    if not isinstance(destination, pikepdf.Array) or not len(destination) \
            or not isinstance(rect, pikepdf.Array) or len(rect) != 4:
        return None
    target = destination[0]
    if not isinstance(target, pikepdf.Dictionary) or target.objgen not in numbers:
        return None  # another file, or a page that is not attached
    corners = [float(value) for value in rect]
    view = [_view_part(value) for value in list(destination)[1:6]]
    if not view or view[0] not in _DESTINATION_PARTS:
        return None
    return corners, numbers[target.objgen], [pikepdf.Name(view[0]), *view[1:]]


def _view_part(value: pikepdf.Object) -> str | float | None:
    import pikepdf

    if isinstance(value, pikepdf.Name):
        return str(value)
    if value is None:
        return None
    return float(value)


def _named_destination(source: pikepdf.Pdf, destination: pikepdf.Object | None
                       ) -> pikepdf.Object | None:
    """An explicit destination for a named one (old-style /Dests or the /Names tree)."""
    import pikepdf

    if isinstance(destination, pikepdf.Name):
        dests = source.Root.get("/Dests")
        found = dests.get(str(destination)) if isinstance(dests, pikepdf.Dictionary) else None
    elif isinstance(destination, pikepdf.String):
        names = source.Root.get("/Names")
        tree = names.get("/Dests") if isinstance(names, pikepdf.Dictionary) else None
        found = pikepdf.NameTree(tree).get(str(destination)) if tree is not None else None
    else:
        return destination
    if isinstance(found, pikepdf.Dictionary):
        found = found.get("/D")
    return found


def _strip(pdf: pikepdf.Pdf) -> None:
    """Remove ``_STRIPPED`` keys from every object the pages of ``pdf`` reach."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    todo: list[pikepdf.Object] = [page.obj for page in pdf.pages]
    while todo:
        node = todo.pop()
        if isinstance(node, pikepdf.Array):
            todo.extend(node)
            continue
        if not isinstance(node, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        for key in list(node.keys()):
            if key in _STRIPPED:
                del node[key]
            else:
                todo.append(node[key])


def _assemble(patient: Patient, pairs: list[tuple[Job, Prescription]], styles: Path,
              paper: str | None, cover: bool,
              attachments: list[tuple[Attachment, pikepdf.Pdf]], variant: Variant | None = None,
              first: MyMedicines | None = None) -> bytes:

    from leafletgen.render.pdf import PDF_VARIANT, RenderError

    renderer = Renderer(styles, paper)
    variant = pairs[0][0].variant if pairs else variant
    if variant is None:
        raise UsageError("a packet needs a variant when no medicine has a leaflet")
    parts = [PacketLeaflet(job, prescription, f"leaflet-{job.monograph.slug}",
                           _leaflet_body(renderer, job, Personal(patient, prescription)))
             for job, prescription in pairs]
    before = [(a, r) for a, r in attachments if a.first]
    after = [(a, r) for a, r in attachments if not a.first]
    offset = sum(len(r.pages) for _, r in before)  # pages before our own
    # PDF/UA is claimed only when every page is ours and tagged
    pdf_variant = None if attachments else PDF_VARIANT
    monographs = [job.monograph for job, _ in pairs]
    try:
        rendered = renderer.document(_packet_html(renderer, patient, variant, parts, cover,
                                                  first=first), monographs, pdf_variant)
        if attachments:
            # lay out again now that the page total is known, so "Page N of M" counts them
            total = rendered.pages + sum(len(r.pages) for _, r in attachments)
            rendered = renderer.document(
                _packet_html(renderer, patient, variant, parts, cover, page_total=total,
                             page_offset=offset, first=first), monographs, pdf_variant)
    except RenderError as exc:
        raise ContentError([Problem(variant.path, 1, f"the packet could not be rendered: {r}")
                            for r in exc.reasons]) from None
    data = _finish(rendered.data, parts, cover, before, after)
    _verify(data, variant, cover, ours=range(offset, offset + rendered.pages))
    return data


def _verify(data: bytes, variant: Variant, cover: bool, ours: range) -> None:
    """Check the PDF as ``leafletgen verify`` does; raise ContentError if it fails.

    Only our own pages are held to the variant's type size and to embedded fonts: attached
    PDFs are copied as they are. Messages never quote the PDF's text.
    """
    where = Path("<packet>" if cover else "<handout>")
    report = verify_pdf(data, variant, where, pages=ours, private=True)
    if errors_in(report.problems):
        raise ContentError(errors_in(report.problems))


def _leaflet_body(renderer: Renderer, job: Job, personal: Personal) -> Markup:
    body = render_html(job.monograph, job.variant, job.sections, renderer.styles,
                       renderer.fonts, renderer.paper,
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
    styles = renderer.styles
    sheets = [*variant.stylesheets, STYLESHEET]
    lang = parts[0].monograph.language if parts else (patient.language or "en")
    return environment(styles / "templates").get_template(TEMPLATE).render(
        title=TITLE,
        lang=lang,
        ui_lang=lang,
        mine=first,
        patient=patient,
        variant=variant,
        leaflets=parts,
        cover=cover,
        paper=renderer.paper or variant.paper,
        font_css=renderer.fonts.css,
        stylesheet_urls=[(styles / s).resolve().as_uri() for s in sheets],
        generator=f"leafletgen {__version__}",
        page_total=page_total,
        page_offset=page_offset,
    )


def _finish(data: bytes, parts: list[PacketLeaflet], cover: bool,
            before: list[tuple[Attachment, pikepdf.Pdf]],
            after: list[tuple[Attachment, pikepdf.Pdf]]) -> bytes:
    """Page labels, and third-party PDFs with a bookmark each, around our own pages; no dates
    in the metadata."""
    with _quiet_pdf_libraries():
        return _merge(data, parts, cover, before, after)


def _merge(data: bytes, parts: list[PacketLeaflet], cover: bool,
           before: list[tuple[Attachment, pikepdf.Pdf]],
           after: list[tuple[Attachment, pikepdf.Pdf]]) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        numbers = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        sections: list[tuple[str, int]] = [("Cover", 0)] if cover else []
        for part in parts:
            destination = _named_destination(pdf, pikepdf.String(part.anchor))
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
        _untag([*pdf.pages[:position], *pdf.pages[position + ours:]])
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
        _undate(pdf)
        out = io.BytesIO()
        # compressed object streams (a packet would be 3 times the size without), the XMP
        # packet left readable, the trailer /ID a hash of the content
        pdf.save(out, deterministic_id=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


# XMP dates as WeasyPrint writes them (an element in its own rdf:Description), or as attributes
_XMP_DATE = re.compile(
    rb'<rdf:Description rdf:about="">\s*<xmp:(CreateDate|ModifyDate|MetadataDate)>[^<]*'
    rb'</xmp:\1>\s*</rdf:Description>|<xmp:(CreateDate|ModifyDate|MetadataDate)>[^<]*'
    rb'</xmp:\2>|\s xmp:(CreateDate|ModifyDate|MetadataDate)="[^"]*"')


def _undate(pdf: pikepdf.Pdf) -> None:
    """Remove the creation and modification dates: WeasyPrint sets them to the discharge
    date, the patient's, from the template."""
    for key in ("/CreationDate", "/ModDate"):
        if key in pdf.docinfo:
            del pdf.docinfo[key]
    metadata = pdf.Root.get("/Metadata")
    if metadata is not None:
        metadata.write(_XMP_DATE.sub(b"", metadata.read_bytes()))


def _untag(pages: Sequence[pikepdf.Page]) -> None:
    """Attached pages keep no /StructParents: theirs would point into our structure tree."""
    for page in pages:
        if "/StructParents" in page.obj:
            del page.obj["/StructParents"]
        for annotation in page.obj.get("/Annots") or []:
            if "/StructParent" in annotation:
                del annotation["/StructParent"]
