"""PDFs from elsewhere (a discharge summary, a letter) put before or after a packet.

They are untrusted: each is rebuilt from copies of its pages, without actions, scripts,
embedded files, annotations or metadata, before anything is rendered. Nothing of their text
reaches a message or a log.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from leafletgen.errors import ContentError, Problem
from leafletgen.pdfbounds import Unsafe, read_pdf

if TYPE_CHECKING:
    import pikepdf


@dataclass(frozen=True)
class Attachment:
    """A PDF from elsewhere (a discharge summary, a letter) to put after or before the packet."""

    path: Path
    title: str | None = None  # its bookmark; default: the file name
    first: bool = False  # before the packet instead of after it

    @property
    def bookmark(self) -> str:
        return self.title or self.path.name


def read_attachments(attach: Sequence[Attachment | Path]
                      ) -> list[tuple[Attachment, pikepdf.Pdf]]:
    """Open and clean every attachment before anything is rendered, so a bad one stops the
    packet. Each is rebuilt from its pages only (``_clean_pdf``); nothing of its text reaches
    a message or a log."""
    import pikepdf

    opened: list[tuple[Attachment, pikepdf.Pdf]] = []
    problems: list[Problem] = []
    for item in attach:
        attachment = item if isinstance(item, Attachment) else Attachment(Path(item))
        try:  # a PDF from elsewhere: read once shown safe (size, pages, streams)
            data = read_pdf(attachment.path)
        except Unsafe as exc:
            if not (exc.unreadable or exc.protected):  # those _clean_pdf says in its words
                problems.append(Problem(attachment.path, 1, f"{exc}; attach another file"))
                continue
            data = attachment.path.read_bytes()
        except OSError:
            problems.append(Problem(attachment.path, 1, "cannot be read; check the file"))
            continue
        with quiet_pdf_libraries():
            clean, problem = _clean_pdf(data)
            if clean is not None:
                opened.append((attachment, pikepdf.open(io.BytesIO(clean))))
        if problem is not None:
            problems.append(Problem(attachment.path, 1, problem))
    if problems:
        raise ContentError(problems)
    return opened


@contextlib.contextmanager
def quiet_pdf_libraries() -> Iterator[None]:
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
    destination = named_destination(source, destination)
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


def named_destination(source: pikepdf.Pdf, destination: pikepdf.Object | None
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



def untag(pages: Sequence[pikepdf.Page]) -> None:
    """Attached pages keep no /StructParents: theirs would point into our structure tree."""
    for page in pages:
        if "/StructParents" in page.obj:
            del page.obj["/StructParents"]
        for annotation in page.obj.get("/Annots") or []:
            if "/StructParent" in annotation:
                del annotation["/StructParent"]

