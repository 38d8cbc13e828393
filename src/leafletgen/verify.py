"""Check finished PDFs the way a document archive, an accessibility auditor and a low-vision
reader would, using existing checkers rather than our own PDF parsing.

Rules, each named at the start of its messages:

``syntax``     qpdf's structural check (``qpdf --check``, through pikepdf)
``fonts``      every font is embedded
``tags``       a structure tree, a document language and a title; no text outside the tree
               that is not an artifact (running headers and footers); alt text on figures
``type size``  the smallest text actually printed (PDFium; artifacts excluded) is at
               least the variant's ``min_body_pt``
``pdf/ua``     page-validation's PDF/UA-1 profile, when the file claims PDF/UA (every leaflet
               does; a packet with attached PDFs does not)
``pdf/a``      page-validation's profile for the PDF/A level the file claims (archival copies)

A leaflet names its variant in its metadata (``<meta name="leafletgen-variant">`` in the
template, written to the document information as ``/leafletgenvariant``), so it can be
checked on its own, later or elsewhere. A packet does not (a variant such as
``patient-large`` hints at a health need): without ``--variant`` its type size is not
checked, which is a warning, not a failure.
"""

from __future__ import annotations

import ctypes
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem, Severity, UsageError, errors_in
from .variants import Variant, load_variants

if TYPE_CHECKING:
    import pikepdf
    from pikepdf import Dictionary

# pikepdf, PDFium and page-validation are imported where a PDF is checked, not with
# leafletgen: a build with nothing to render, or a check, need not load them.

log = logging.getLogger(__name__)

VARIANT_KEY = "/leafletgenvariant"
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_PDFUA_PART = "{http://www.aiim.org/pdfua/ns/id/}part"


@cache
def _pdfa_profiles() -> frozenset[str]:
    import page as pagevalidation

    return frozenset(p.value.upper() for p in pagevalidation.ValidationProfile) - {"UA1"}


@dataclass(frozen=True)
class PdfReport:
    """What ``verify_pdf`` found in one PDF."""

    path: Path
    variant: str | None = None
    smallest_pt: float | None = None
    floor_pt: float | None = None
    standards: tuple[str, ...] = ()  # the standards the file passed, e.g. ("PDF/UA-1",)
    problems: tuple[Problem, ...] = field(default=())
    notes: tuple[str, ...] = ()  # what was not checked and why, e.g. "not PDF/UA (no claim)"

    @property
    def ok(self) -> bool:
        return not errors_in(self.problems)

    def summary(self) -> str:
        """One line saying what was checked, for a file that passed."""
        size = (f"smallest text {self.smallest_pt:g} pt >= {self.floor_pt:g} pt"
                if self.smallest_pt is not None and self.floor_pt is not None else
                "type size not checked")
        return (f"{self.variant or 'unknown variant'}: fonts embedded, tagged with language "
                f"and title, {size}, " + ", ".join([*self.standards, *self.notes]))


def verify_pdf(pdf: bytes | Path, variant: Variant | None = None, path: Path | None = None,
               styles: Path = Path("styles"), pages: Sequence[int] | None = None,
               private: bool = False, require_ua: bool = False) -> PdfReport:
    """Check one PDF (bytes or a file) against the rules above and its variant's type floor.

    Without ``variant``, the variant the PDF names is looked up in ``styles``. ``path`` names
    the file in problems (default: ``pdf`` when it is a path). ``pages`` (0-based) limits the
    font and type-size rules to the pages leafletgen made, in a file that also holds PDFs
    from elsewhere. ``private`` messages never quote the PDF's text (it holds patient data).
    ``require_ua`` fails a file that does not claim PDF/UA-1 (a file that names its variant
    is a leaflet, and must claim it anyway).
    """
    import page as pagevalidation
    import pikepdf

    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    where = path or (pdf if isinstance(pdf, Path) else Path("<pdf>"))
    found: list[str] = []
    try:
        document = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        return PdfReport(where, problems=(Problem(where, 1, f"syntax: not a readable PDF "
                                                  f"({exc}); rebuild it"),))
    with document:
        name = _recorded_variant(document)
        found += [f"syntax: {message}; rebuild the file"
                  for message in document.check_pdf_syntax()]
        found += [f"fonts: font '{font}' is not embedded; list its family in styles/fonts.yaml "
                  "so it is embedded from its fontpkg package"
                  for font in _unembedded(document, pages)]
        found += _tag_problems(document)
        metadata = document.open_metadata()
        pdfa = metadata.pdfa_status
        claims_ua = bool(metadata.get(_PDFUA_PART))
    notes: list[str] = []
    warnings: list[str] = []
    if variant is None and name is None:
        # not a failure: a packet does not name its variant, on purpose (see the docstring)
        warnings.append("type size: not checked (the PDF does not name its variant; pass "
                        "--variant)")
    elif variant is None:
        variant = load_variants(styles)[0].get(name)
        if variant is None:
            found.append(f"type size: the PDF says it is the '{name}' variant, which "
                         f"{styles}/variants/ does not define; pass --styles or --variant")
    elif variant is not None and name is not None and name != variant.name:
        found.append(f"type size: the PDF says it is the '{name}' variant, not "
                     f"'{variant.name}'; check it with --variant {name}")
    smallest = _smallest_text(data, pages)
    if variant is not None and smallest is not None and smallest.size < variant.min_body_pt:
        quoted = "" if private else f"\"{smallest.text}\", "
        found.append(
            f"type size: the smallest text is {smallest.size:g} pt ({quoted}page "
            f"{smallest.page}), below the '{variant.name}' variant's floor of "
            f"{variant.min_body_pt:g} pt (min_body_pt in {variant.path.name}); raise the "
            f"font-size in {', '.join(variant.stylesheets)}")
    standards: list[str] = []
    if not claims_ua and (require_ua or name is not None):
        # a leaflet (it names its variant) is always PDF/UA-1; only a packet with attached
        # third-party pages gives up the claim
        found.append("pdf/ua: the file does not claim PDF/UA-1, which every leafletgen leaflet "
                     "does; rebuild it with leafletgen build")
    elif not claims_ua:
        notes.append("not PDF/UA (no claim)")
    profiles = [("PDF/UA-1", "ua1")] if claims_ua else []
    profiles += [(f"PDF/A-{pdfa}", pdfa.lower())] if pdfa else []
    for label, profile in profiles:
        if profile.upper() not in _pdfa_profiles() | {"UA1"}:
            found.append(f"pdf/a: the file claims {label}, which page-validation cannot check")
            continue
        failures = pagevalidation.validate_pdf_bytes(data, profile=profile).failures
        rule = "pdf/ua" if profile == "ua1" else "pdf/a"
        found += [f"{rule}: {label} rule {f.rule_id}: {f.message}" for f in failures]
        if not failures:
            standards.append(label)
    problems = [Problem(where, 1, message) for message in found]
    problems += [Problem(where, 1, message, Severity.WARNING) for message in warnings]
    return PdfReport(where, variant.name if variant else name,
                     smallest.size if smallest else None,
                     variant.min_body_pt if variant else None, tuple(standards),
                     tuple(problems), tuple(notes))


def verify(paths: Sequence[Path] = (Path("out"),), styles: Path = Path("styles"),
           variant: str | None = None) -> tuple[tuple[PdfReport, ...], tuple[Problem, ...]]:
    """Check every PDF named in ``paths`` (files, or folders of ``*.pdf``).

    Each PDF's variant (for its type-size floor) is read from the PDF unless ``variant``
    names one. Returns a report per PDF and any problem with the variant definitions.
    """
    variants, problems = load_variants(styles)
    if errors_in(problems):
        return (), tuple(problems)
    if variant is not None and variant not in variants:
        raise UsageError(f"unknown variant {variant}; available: " + ", ".join(variants))
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.pdf"))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    if not files:
        raise UsageError(f"no PDF files in {', '.join(map(str, paths))}; build some first")
    chosen = variants[variant] if variant else None
    reports = tuple(verify_pdf(path, chosen, styles=styles) for path in dict.fromkeys(files))
    return reports, tuple(problems)


@dataclass(frozen=True)
class _Text:
    size: float
    text: str
    page: int


def _recorded_variant(document: pikepdf.Pdf) -> str | None:
    value = document.docinfo.get(VARIANT_KEY)
    return str(value) if value is not None else None


def _unembedded(document: pikepdf.Pdf, pages: Sequence[int] | None) -> list[str]:
    from pikepdf import Dictionary, Name

    missing: set[str] = set()
    candidates = (document.objects if pages is None
                  else _reachable(document.pages[i].obj for i in pages))
    for obj in candidates:
        if not isinstance(obj, Dictionary) or obj.get("/Type") != Name.Font:
            continue
        fonts = list(obj.DescendantFonts) if obj.get("/Subtype") == Name.Type0 else [obj]
        for font in fonts:
            if font.get("/Subtype") == Name.Type3:
                continue  # Type 3 glyphs are drawn by the PDF itself
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or not any(key in descriptor for key in _FONT_FILES):
                missing.add(str(font.get("/BaseFont", "unnamed"))[1:])
    return sorted(missing)


def _reachable(pages: Iterable[Dictionary]) -> list[pikepdf.Object]:
    """Every object the given pages use (resources, fonts, forms, annotations), not entering
    other pages: in a packet, the fonts of attached PDFs are theirs, not ours to check."""
    import pikepdf
    from pikepdf import Dictionary, Name

    seen: set[tuple[int, int]] = set()
    found: list[pikepdf.Object] = []
    todo: list[object] = []
    for page in pages:
        seen.add(page.objgen)
        todo += [value for key, value in page.items() if key != "/Parent"]
        if "/Resources" not in page:
            todo.append(_inherited(page, "/Resources"))
    while todo:
        obj = todo.pop()
        if not isinstance(obj, pikepdf.Object):
            continue  # numbers, names and strings hold no fonts
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, Dictionary | pikepdf.Stream):
            if obj.get("/Type") in (Name.Page, Name.Pages):
                continue  # a link's destination: another page, not this one's content
            found.append(obj)
            todo += [value for key, value in obj.items() if key not in ("/Parent", "/P")]
        elif isinstance(obj, pikepdf.Array):
            todo += list(obj)
    return found


def _inherited(page: Dictionary, key: str) -> object:
    """A page attribute its page tree may hold for it (PDF 32000-1, 7.7.3.4)."""
    node = page
    while key not in node and "/Parent" in node:
        node = node.Parent
    return node.get(key)


def _tag_problems(document: pikepdf.Pdf) -> list[str]:
    import pikepdf
    from pikepdf import Dictionary, Name

    from .finish import parent_tree, structure_elements

    root = document.Root
    found: list[str] = []
    if "/StructTreeRoot" not in root or not root.get("/MarkInfo", {}).get("/Marked", False):
        return ["tags: the PDF is not tagged (no structure tree), so screen readers cannot "
                "follow it; build it with leafletgen, which tags every PDF"]
    if not str(root.get("/Lang", "")).strip():
        found.append("tags: no document language; set 'language:' in the monograph's front "
                     "matter (the template writes it to <html lang>)")
    if not str(document.docinfo.get("/Title", "")).strip():
        found.append("tags: no document title; give the variant a 'title:' and keep <title> "
                     "in the template")
    inside = structure_elements(document)
    tree = parent_tree(document)
    for number, page in enumerate(document.pages, start=1):
        elements = tree.get(int(page.obj.get("/StructParents", -1)))
        if not isinstance(elements, pikepdf.Array):
            continue
        outside = [e for e in elements if isinstance(e, Dictionary) and e.objgen not in inside]
        if outside:
            found.append(f"tags: {len(outside)} text run(s) on page {number} are neither in "
                         "the structure tree nor marked as artifacts; running headers and "
                         "footers must be artifacts (leafletgen's finish step does this)")
    for element in inside.values():
        if element.get("/S") == Name.Figure and not str(element.get("/Alt", "")).strip():
            found.append("tags: an image has no alt text; give every image an alt attribute")
    return found


def _smallest_text(data: bytes, pages: Sequence[int] | None = None) -> _Text | None:
    """The smallest text printed, ignoring artifacts (running headers, footers, page numbers).

    PDFium reads each text object's font size, scaled by its matrix, and its marked-content
    tags; it does this about 40 times faster than a per-character parse, which matters as
    every build checks every PDF.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    smallest: _Text | None = None
    document = pdfium.PdfDocument(data)
    try:
        for number, page in enumerate(document, start=1):
            if pages is not None and number - 1 not in pages:
                continue
            textpage = page.get_textpage()
            for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=8):
                if "Artifact" in _marks(obj.raw):
                    continue
                size = ctypes.c_float()
                pdfium_c.FPDFTextObj_GetFontSize(obj.raw, ctypes.byref(size))
                m = obj.get_matrix()
                printed = round(size.value * abs(m.a * m.d - m.b * m.c) ** 0.5, 2)
                if smallest is not None and printed >= smallest.size:
                    continue
                text = _object_text(obj.raw, textpage.raw)
                if text.strip():
                    smallest = _Text(printed, _clip(text), number)
    finally:
        document.close()
    return smallest


def _marks(obj) -> list[str]:
    import pypdfium2.raw as pdfium_c

    names = []
    for index in range(pdfium_c.FPDFPageObj_CountMarks(obj)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj, index)
        length = ctypes.c_ulong()
        pdfium_c.FPDFPageObjMark_GetName(mark, None, 0, ctypes.byref(length))
        buffer = (ctypes.c_ushort * (length.value // 2 + 1))()
        pdfium_c.FPDFPageObjMark_GetName(mark, buffer, length.value, ctypes.byref(length))
        names.append(bytes(buffer)[: length.value].decode("utf-16-le").rstrip("\x00"))
    return names


def _object_text(obj, textpage) -> str:
    import pypdfium2.raw as pdfium_c

    length = pdfium_c.FPDFTextObj_GetText(obj, textpage, None, 0)
    buffer = (ctypes.c_ushort * (length // 2 + 1))()
    pdfium_c.FPDFTextObj_GetText(obj, textpage, buffer, length)
    return bytes(buffer)[:length].decode("utf-16-le").rstrip("\x00")


def _clip(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
