"""Check finished PDFs the way a document archive, an accessibility auditor and a low-vision
reader would, using existing checkers rather than our own PDF parsing.

Rules, each named at the start of its messages:

``syntax``     qpdf's structural check (``qpdf --check``, through pikepdf)
``fonts``      every font is embedded
``tags``       a structure tree, a document language and a title; no text outside the tree
               that is not an artifact (running headers and footers); alt text on figures
``type size``  the smallest text actually printed (PDFium; running headers and footers
               included) is at least the variant's ``min_body_pt``
``pdf/ua``     page-validation's PDF/UA-1 profile, when the file claims PDF/UA (every leaflet
               does; a packet with attached PDFs does not)
``pdf/a``      page-validation's profile for the PDF/A level the file claims (archival copies)
``units``      no number is split from its unit, range or date across a line break
               (verification/units.py)
``page 1``     every key fact on page 1, in a leaflet whose variant asks for it
               (verification/pageone.py)
``layout``     nothing printed is cut off, no page is left mostly empty, no text lies on other
               text, no heading is left at the foot of a page, no framed box is split
               without its frame, no table is wider than the text column (PDFium; see below)

A leaflet names its variant in its metadata (``<meta name="leafletgen-variant">`` in the
template, written to the document information as ``/leafletgenvariant``), so it can be
checked on its own, later or elsewhere. A packet does not (a variant such as
``patient-large`` hints at a health need): without ``--variant`` its type size is not
checked, which is a warning, not a failure.

The ``layout`` rule catches what WeasyPrint lays out without complaint but a reader never sees:

- Cut-off text. Every printed character (running headers and footers too) must lie inside
  the printable page: the page's visible area (its crop box within its media box) less a
  border of ``PRINT_BORDER_MM`` that office printers leave blank. A table too wide for the
  page runs off its right edge; a character inside the border is lost on paper. Text must
  also lie inside the clip of the box that holds it (``overflow: hidden``, in WeasyPrint a
  clipping path): a box too small for its text hides the rest. Text that overflows the
  content box into a side margin but stays on the printable page is not reported: it is
  printed whole, the PDF does not record the page margins, and the margin boxes that hold
  running headers and footers lie outside the content box by design.
- Mostly empty pages. When a box or table that must not split (``break-inside: avoid``) does
  not fit in what is left of a page, WeasyPrint moves it to the next page and leaves the
  rest blank: page 1 may hold nothing but the title. A page fails when its content (text
  and figures; artifacts and rotated text such as the draft mark excluded) ends above
  ``MIN_PAGE_FILL`` of the page's height, measured from its top edge. The last page of a
  part may be short: the last page of the document, and a page followed by one that starts
  a new page-label range (a packet labels its cover, each leaflet and each attached PDF; a
  packet's cover may be short by design). Only leafletgen's own pages are held to it:
  tagged pages (attached PDFs are untagged in a packet) within ``pages``.
- Text on other text. Glyphs of two lines that share more than ``_OVERLAP`` of the smaller
  one's box (a fixed height, a negative margin, a position, a line height below 1). Rotated
  text (the draft mark) is left out; running headers and footers count.
- A heading at the foot of a page. The last heading on a page with fewer than
  ``MIN_LINES_AFTER_HEADING`` lines of text (or no figure) below it, when the next page goes
  on with its section (the structure tree says which section each line is in).
- A framed box split without its frame: a border with left and right sides but no bottom
  (or no top) edge, with nothing of the page beyond that edge (box-decoration-break: slice).
- A table wider than the text column: text of a table (structure tree) further right than
  the column's right edge, which lies as far from the page's right edge as the leftmost text
  lies from its left edge (leafletgen's margins are the same left and right).

Messages quote the words cut off, on top of each other or past the column, and a stranded heading,
only for a leaflet (a file that names its variant), never for a packet or handout (they hold
patient data) or with ``private``.
"""

from __future__ import annotations

import ctypes
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leafletgen.errors import Problem, Severity, UsageError, errors_in
from leafletgen.model import Variant
from leafletgen.source.variants import load_variants
from leafletgen.verification.pageone import PAGE_ONE_KEY, SEPARATOR, missing_on_page_one
from leafletgen.verification.pageone import message as page_one_message
from leafletgen.verification.units import split_units

if TYPE_CHECKING:
    import pikepdf
    from pikepdf import Dictionary

# pikepdf, PDFium and page-validation are imported where a PDF is checked, not with
# leafletgen: a build with nothing to render, or a check, need not load them.

log = logging.getLogger(__name__)

VARIANT_KEY = "/leafletgenvariant"
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_PDFUA_PART = "{http://www.aiim.org/pdfua/ns/id/}part"

# layout: calibrated on the shipped leaflets (five medicines, every variant, A4 and US Letter;
# baclofen also as handouts and packets). Their text keeps at least 11 mm from every edge;
# every page but the last of a part is at least 53% full (methotrexate in large print: a dose
# table that cannot split starts the next page), most over 75%; a page 1 that holds only the
# title, its box pushed to page 2, is 15-30% full.
PRINT_BORDER_MM = 5.0  # office laser printers leave about 4.2 mm blank, inkjets 3-5 mm
MIN_PAGE_FILL = 0.40  # fraction of the page's height, from its top, that content reaches
_TOLERANCE_PT = 1.0  # glyph boxes touching an edge or a clip by less than this are not cut
_MAX_WORDS = 3  # cut-off words quoted per page


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
               private: bool = False, require_ua: bool = False,
               rendered: bool = False) -> PdfReport:
    """Check one PDF (bytes or a file) against the rules above and its variant's type floor.

    Without ``variant``, the variant the PDF names is looked up in ``styles``. ``path`` names
    the file in problems (default: ``pdf`` when it is a path). ``pages`` (0-based) limits the
    font, type-size and layout rules to the pages leafletgen made, in a file that also holds
    PDFs from elsewhere. ``private`` messages never quote the PDF's text (it holds patient
    data); nor do the layout rule's for a PDF that does not name its variant (a packet).
    ``require_ua`` fails a file that does not claim PDF/UA-1 (a file that names its variant
    is a leaflet, and must claim it anyway). ``rendered`` says the bytes come straight from
    leafletgen's renderer, which writes them with one PDF library: the file-syntax check
    (qpdf), which earns its cost on files from elsewhere, is left out.
    """
    import page as pagevalidation
    import pikepdf

    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    where = path or (pdf if isinstance(pdf, Path) else Path("<pdf>"))
    found: list[str] = []
    try:
        document = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        return PdfReport(where, problems=(Problem(where, 0, f"syntax: not a readable PDF "
                                                  f"({exc}); rebuild it"),))
    with document:
        name = _recorded_variant(document)
        page_one = str(document.docinfo.get(PAGE_ONE_KEY, ""))
        if not rendered:
            found += [f"syntax: {message}; rebuild the file"
                      for message in document.check_pdf_syntax()]
        found += [f"fonts: font '{font}' is not embedded; list its family in styles/fonts.yaml "
                  "so it is embedded from its fontpkg package"
                  for font in _unembedded(document, pages)]
        found += _tag_problems(document)
        metadata = document.open_metadata()
        pdfa = metadata.pdfa_status
        claims_ua = bool(metadata.get(_PDFUA_PART))
        fill_pages = _pages_held_to_fill(document, pages)
        roles = _text_roles(document, pages)
    notes: list[str] = []
    warnings: list[str] = []
    if variant is None and name is None:
        # not a failure: a packet does not name its variant, on purpose (see the docstring)
        warnings.append("type size: not checked (the PDF does not name its variant; pass "
                        "--variant)")
    elif variant is None and name is not None:
        variant = load_variants(styles)[0].get(name)
        if variant is None:
            found.append(f"type size: the PDF says it is the '{name}' variant, which "
                         f"{styles}/variants/ does not define; pass --styles or --variant")
    elif variant is not None and name is not None and name != variant.name:
        found.append(f"type size: the PDF says it is the '{name}' variant, not "
                     f"'{variant.name}'; check it with --variant {name}")
    scan = _scan_text(data, pages, fill_pages, roles)
    smallest = scan.smallest
    if variant is not None and smallest is not None and smallest.size < variant.min_body_pt:
        quoted = "" if private else f"\"{smallest.text}\", "
        found.append(
            f"type size: the smallest text is {smallest.size:g} pt ({quoted}page "
            f"{smallest.page}), below the '{variant.name}' variant's floor of "
            f"{variant.min_body_pt:g} pt (min_body_pt in {variant.path.name}); raise the "
            f"font-size in {', '.join(variant.stylesheets)}")
    found += [_cut_message(cut, variant, quote=not private and name is not None)
              for cut in scan.cuts]
    found += [f"layout: page {page} is mostly empty: a box or table that cannot split was "
              f"pushed to the next page; shorten it or let it split (its content ends "
              f"{used:.0%} of the way down the page)" for page, used in scan.short]
    found += _measured_messages(scan.measured, variant, quote=not private and name is not None)
    found += [split.message(quote=not private and name is not None)
              for split in split_units(data, pages)]
    if page_one and (pages is None or 0 in pages):
        found += [page_one_message(phrase, quote=not private)
                  for phrase in missing_on_page_one(data, tuple(page_one.split(SEPARATOR)))]
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
        rule = "pdf/ua" if profile == "ua1" else "pdf/a"
        try:
            failures = pagevalidation.validate_pdf_bytes(data, profile=profile).failures
        except (pagevalidation.ParseError, pagevalidation.SafetyLimitError) as exc:
            found.append(f"{rule}: the {label} validator cannot read the file ({exc}); "
                         "rebuild it")
            continue
        found += [f"{rule}: {label} rule {f.rule_id}: {f.message}" for f in failures]
        if not failures:
            standards.append(label)
    problems = [Problem(where, 0, message) for message in found]
    problems += [Problem(where, 0, message, Severity.WARNING) for message in warnings]
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
    node: Any = page
    while key not in node and "/Parent" in node:
        node = node.Parent
    return node.get(key)


def _tag_problems(document: pikepdf.Pdf) -> list[str]:
    import pikepdf
    from pikepdf import Dictionary, Name

    from leafletgen.render.finish import parent_tree, structure_elements

    root = document.Root
    found: list[str] = []
    mark_info: Any = root.get("/MarkInfo")
    if "/StructTreeRoot" not in root or mark_info is None or not mark_info.get("/Marked", False):
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


@dataclass(frozen=True)
class _Cut:
    """Text cut off on one page, at one edge of the printable page or by a box's clip."""

    page: int
    edge: str  # "right", "left", "bottom", "top", or "clip"
    off_page: bool  # past the page's own edge, not only into the printer's border
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Scan:
    smallest: _Text | None
    cuts: tuple[_Cut, ...]
    short: tuple[tuple[int, float], ...]  # (page, how far down its content ends)
    measured: tuple[_Finding, ...] = ()


_Box = tuple[float, float, float, float]  # left, bottom, right, top, in PDF points

_ADVICE = {
    "right": "a table or a long word is wider than the page: give the table fewer columns, "
             "or let the variant reflow wide tables (max_table_columns in {variant})",
    "left": "something is moved too far left: check negative margins, indents and "
            "positions in {sheets}",
    "bottom": "a fixed height, position or transform puts text below the page: let it flow "
              "within the page ({sheets})",
    "top": "a fixed height, position or transform puts text above the page: let it flow "
           "within the page ({sheets})",
}


def _cut_message(cut: _Cut, variant: Variant | None, quote: bool) -> str:
    sheets = ", ".join(variant.stylesheets) if variant is not None else "the stylesheets"
    words = (" (" + ", ".join(f'"{w}"' for w in cut.words) + ")") if quote else ""
    if cut.edge == "clip":
        return (f"layout: text on page {cut.page} is cut off by a box too small for it, which "
                f"hides what overflows it{words}; let the box grow: remove its fixed height "
                f"or width, or its overflow: hidden, in {sheets}")
    advice = _ADVICE[cut.edge].format(
        sheets=sheets, variant=variant.path.name if variant is not None else "the variant")
    if cut.off_page:
        return f"layout: text runs off the {cut.edge} edge of page {cut.page}{words}: {advice}"
    return (f"layout: text on page {cut.page} runs into the {PRINT_BORDER_MM:g} mm border at "
            f"its {cut.edge} edge that printers leave blank{words}: {advice}")


def _pages_held_to_fill(document: pikepdf.Pdf, pages: Sequence[int] | None) -> frozenset[int]:
    """The pages (0-based) the "mostly empty" rule applies to: leafletgen's own (tagged, and
    in ``pages``) that are followed by a page of the same part of the document.

    A part ends where the document ends or the next page starts a page-label range: a packet
    labels its cover, each leaflet and each attached PDF, so the cover (short by design) and
    each leaflet's last page may be short. Attached PDFs are untagged; they are not ours.
    """
    import pikepdf

    count = len(document.pages)
    starts: set[int] = set()
    labels = document.Root.get("/PageLabels")
    if isinstance(labels, pikepdf.Dictionary):
        starts = {int(key) for key in pikepdf.NumberTree(labels)}
    return frozenset(
        index for index, page in enumerate(document.pages)
        if index + 1 < count and index + 1 not in starts and "/StructParents" in page.obj
        and (pages is None or (index in pages and index + 1 in pages)))


def _scan_text(data: bytes, pages: Sequence[int] | None = None,
               fill: Iterable[int] = (), roles: _Roles | None = None) -> _Scan:
    """One pass over the page objects of ``pages`` (default: all) for the type-size and
    layout rules: the smallest text printed, running headers, footers and page numbers
    included; text cut off; pages in ``fill`` whose content ends too high.

    PDFium reads each text object's font size, scaled by its matrix, its bounds, clip and
    marked-content tags; it does this about 40 times faster than a per-character parse,
    which matters as every build checks every PDF. Only a page with a text object reaching
    past its limit is read character by character, to name what is cut off. A page's
    content is its text and figures (WeasyPrint marks borders and backgrounds as
    artifacts). Text in form XObjects (none in WeasyPrint's leaflets) counts for the type
    size only: PDFium gives its bounds in the form's space.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    fill = frozenset(fill)
    border = PRINT_BORDER_MM / 25.4 * 72
    smallest: _Text | None = None
    cuts: list[_Cut] = []
    short: list[tuple[int, float]] = []
    layouts: list[_PageLayout] = []
    document = pdfium.PdfDocument(data)
    try:
        for number, page in enumerate(document, start=1):
            if pages is not None and number - 1 not in pages:
                continue
            visible = _visible_box(page)
            printable = (visible[0] + border, visible[1] + border,
                         visible[2] - border, visible[3] - border)
            textpage = page.get_textpage()
            lowest: float | None = None
            suspects: dict[int | None, _Box] = {}  # text objects reaching past their limit
            # read once: wrapping PDFium's objects is most of what the layout rules cost
            objects = list(page.get_objects(max_depth=8))
            for obj in objects:
                is_text = obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT
                if not is_text and obj.level > 0:
                    continue  # a drawing inside a form: the form's own bounds count
                bounds = obj.get_bounds() if obj.level == 0 else None
                if is_text and bounds is not None:
                    limit = _clip_box(obj.raw, printable)
                    if not _within(bounds, limit):
                        suspects[_address(obj.raw)] = limit
                artifact = "Artifact" in _marks(obj.raw)
                if artifact and not is_text:
                    continue  # borders and backgrounds
                m = obj.get_matrix() if is_text else None
                # running headers and footers (text artifacts) count for the type size, which
                # applies to every glyph a reader needs, but not for how full a page is
                if (not artifact and bounds is not None
                        and not (m and (m.b or m.c))):  # rotated text is a stamp
                    lowest = bounds[1] if lowest is None else min(lowest, bounds[1])
                if m is None:
                    continue
                size = ctypes.c_float()
                pdfium_c.FPDFTextObj_GetFontSize(obj.raw, ctypes.byref(size))
                printed = round(size.value * abs(m.a * m.d - m.b * m.c) ** 0.5, 2)
                if smallest is not None and printed >= smallest.size:
                    continue
                text = _object_text(obj.raw, textpage.raw)
                if text.strip():
                    smallest = _Text(printed, _clip(text), number)
            if suspects:
                cuts += _cut_text(textpage, number, suspects, visible, printable)
            layouts.append(_page_layout(objects, textpage, number, visible,
                                        (roles or {}).get(number - 1, {}),
                                        cut_right=any(c.page == number and c.edge == "right"
                                                      for c in cuts)))
            if number - 1 in fill:
                top, height = visible[3], visible[3] - visible[1]
                used = 0.0 if lowest is None else (top - lowest) / height
                if used < MIN_PAGE_FILL:
                    short.append((number, used))
    finally:
        document.close()
    return _Scan(smallest, tuple(cuts), tuple(short), _findings(layouts, fill))


def _visible_box(page) -> _Box:
    """What a reader sees of the page: its crop box (default: the media box) within its
    media box."""
    media, crop = page.get_mediabox(), page.get_cropbox()
    return (max(media[0], crop[0]), max(media[1], crop[1]),
            min(media[2], crop[2]), min(media[3], crop[3]))


def _clip_box(obj, box: _Box) -> _Box:
    """``box`` within the bounding box of the object's clipping path, if it has one."""
    import pypdfium2.raw as pdfium_c

    clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return box
    left, bottom, right, top = box
    for path in range(max(pdfium_c.FPDFClipPath_CountPaths(clip), 0)):
        xs, ys = [], []
        for index in range(max(pdfium_c.FPDFClipPath_CountPathSegments(clip, path), 0)):
            segment = pdfium_c.FPDFClipPath_GetPathSegment(clip, path, index)
            x, y = ctypes.c_float(), ctypes.c_float()
            if pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y)):
                xs.append(x.value)
                ys.append(y.value)
        if xs:  # the clip is the intersection of its paths
            left, bottom = max(left, min(xs)), max(bottom, min(ys))
            right, top = min(right, max(xs)), min(top, max(ys))
    return left, bottom, right, top


def _within(box: _Box, limit: _Box) -> bool:
    return _edge_crossed(box, limit) is None


def _edge_crossed(box: _Box, limit: _Box) -> str | None:
    """The edge of ``limit`` that ``box`` reaches past, if any."""
    if box[2] > limit[2] + _TOLERANCE_PT:
        return "right"
    if box[0] < limit[0] - _TOLERANCE_PT:
        return "left"
    if box[1] < limit[1] - _TOLERANCE_PT:
        return "bottom"
    if box[3] > limit[3] + _TOLERANCE_PT:
        return "top"
    return None


def _address(obj) -> int | None:
    return ctypes.cast(obj, ctypes.c_void_p).value


def _cut_text(textpage, number: int, suspects: dict[int | None, _Box], visible: _Box,
              printable: _Box) -> list[_Cut]:
    """The characters of the suspect text objects that lie past their limit: one cut per
    edge (or clip), with the first words cut off."""
    import pypdfium2.raw as pdfium_c

    found: dict[str, tuple[bool, dict[str, None]]] = {}
    count = textpage.count_chars()
    after_word = 0  # the characters of a word already named are not looked at again
    for index in range(count):
        if index < after_word:
            continue
        limit = suspects.get(_address(pdfium_c.FPDFText_GetTextObject(textpage.raw, index)))
        if limit is None or _blank(textpage, index):
            continue
        box = textpage.get_charbox(index)
        edge = _edge_crossed(box, printable)
        if edge is None:
            if _within(box, limit):
                continue
            edge = "clip"
        off_page, words = found.get(edge, (False, {}))
        start, after_word = _word_around(textpage, index, count)
        if len(words) < _MAX_WORDS:
            words[_clip(textpage.get_text_range(start, after_word - start), 30)] = None
        found[edge] = (off_page or _edge_crossed(box, visible) is not None, words)
    return [_Cut(number, edge, off_page, tuple(words))
            for edge, (off_page, words) in found.items()]


def _blank(textpage, index: int) -> bool:
    import pypdfium2.raw as pdfium_c

    code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
    return code == 0 or chr(code).isspace()


def _word_around(textpage, index: int, count: int) -> tuple[int, int]:
    """The characters (start, end) of the word that holds character ``index``."""
    start, end = index, index + 1
    while start > 0 and not _blank(textpage, start - 1):
        start -= 1
    while end < count and not _blank(textpage, end):
        end += 1
    return start, end


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


# --- measured layout: overlapping text, stranded headings, open frames, wide tables ---------
#
# WeasyPrint writes each line of text as its own text object, tagged with a marked-content id
# that the structure tree maps to its element (a heading, a table cell). Calibrated on the
# shipped leaflets (every variant, A4 and US Letter; baclofen also as handouts and packets):
# no two glyphs of different lines share more than 4 % of the smaller one's box (a line
# spacing of 0.6 makes them share 40 %); every heading has at least two lines of its text
# below it on its page, or none of its text on the next; no frame is open; no table's text
# comes within 5 mm of the column's right edge.

_HEADINGS = frozenset({"/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"})
MIN_LINES_AFTER_HEADING = 2  # lines of a section's text that must follow its heading
_OVERLAP = 0.1  # share of the smaller glyph's box a glyph of another line covers
_FRAME_SIDE_PT = 0.3  # a border thinner than this is no side of a frame
_GRID_PT = 24.0  # cell size of the grid that finds glyphs near each other

_Ref = tuple[int, int]  # a structure element, by object and generation


@dataclass(frozen=True)
class _Tag:
    """Where a run of text sits in the structure tree."""

    kind: str  # "heading", "table" or "text"
    element: _Ref  # the heading or table it is part of (else its own element)
    # how deep below the structure root its nearest section (Sect) lies. WeasyPrint makes a
    # new element for each page's part of a section, so the part of a section that goes on
    # onto the next page is known by its depth there, and by not starting with a heading
    section: int | None


_Roles = dict[int, dict[int, _Tag]]  # page index -> marked-content id -> tag


@dataclass(frozen=True)
class _Finding:
    """A measured layout defect on one page."""

    page: int
    kind: str  # "overlap", "heading", "frame" or "table"
    words: tuple[str, ...] = ()
    detail: str = ""  # frame: its open edge; table: how far its text reaches past the column


@dataclass(frozen=True)
class _Run:
    """One line of text in one text object, upright (rotated stamps are left out)."""

    box: _Box
    tag: _Tag | None  # None: an artifact, or text outside the structure tree
    artifact: bool
    text: str  # headings only: quoted when one is stranded


@dataclass(frozen=True)
class _PageLayout:
    number: int
    first: _Tag | None  # of the topmost text that is not an artifact
    last_heading: tuple[str, int, int | None] | None  # text, lines below it, its section
    findings: tuple[_Finding, ...]


def _text_roles(document: pikepdf.Pdf, pages: Sequence[int] | None) -> _Roles:
    """Where each tagged run of text on leafletgen's pages sits in the structure tree (a
    heading, a table, and what holds them), by marked-content id, per page (0-based)."""
    import pikepdf

    from leafletgen.render.finish import parent_tree

    try:
        tree = parent_tree(document)
    except (AttributeError, KeyError, TypeError, ValueError):  # untagged, or a nested tree
        return {}
    known: dict[_Ref, tuple[tuple[_Ref, str], ...]] = {}
    roles: _Roles = {}
    for index, page in enumerate(document.pages):
        elements = tree.get(int(page.obj.get("/StructParents", -1)))
        if (pages is not None and index not in pages) or not isinstance(elements,
                                                                        pikepdf.Array):
            continue
        roles[index] = {mcid: _tag(_ancestry(element, known))
                        for mcid, element in enumerate(elements)
                        if isinstance(element, pikepdf.Dictionary)}
    return roles


def _ancestry(element: pikepdf.Dictionary, known: dict[_Ref, tuple[tuple[_Ref, str], ...]]
              ) -> tuple[tuple[_Ref, str], ...]:
    """The element and every element above it, with their structure types, nearest first."""
    import pikepdf

    path: list[tuple[_Ref, str]] = []
    node: Any = element
    rest: tuple[tuple[_Ref, str], ...] = ()
    while isinstance(node, pikepdf.Dictionary) and len(path) < 100:
        if node.objgen in known:
            rest = known[node.objgen]
            break
        path.append((node.objgen, str(node.get("/S", ""))))
        node = node.get("/P")
    chain = tuple(path) + rest
    for depth, (ref, _) in enumerate(path):
        if ref != (0, 0):  # a direct object has no number to remember it by
            known[ref] = chain[depth:]
    return chain


def _tag(chain: tuple[tuple[_Ref, str], ...]) -> _Tag:
    section = next((len(chain) - 1 - depth for depth, (_, kind) in enumerate(chain)
                    if kind == "/Sect"), None)
    for ref, kind in chain:
        if kind in _HEADINGS or kind == "/Table":
            return _Tag("heading" if kind in _HEADINGS else "table", ref, section)
    return _Tag("text", chain[0][0], section)


def _page_layout(objects: list, textpage, number: int, visible: _Box, roles: dict[int, _Tag],
                 cut_right: bool) -> _PageLayout:
    """Measure one page: text on top of other text, frames left open, table text past the
    column (unless text already runs off the page's right edge), and its headings."""
    import pypdfium2.raw as pdfium_c

    runs: list[_Run] = []
    addresses: dict[int | None, int] = {}
    for obj in objects:
        if obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT or obj.level > 0:
            continue
        m = obj.get_matrix()
        if m.b or m.c:
            continue  # rotated: a stamp such as the draft mark, across the text by design
        mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(obj.raw)
        tag = roles.get(mcid) if mcid >= 0 else None
        text = _object_text(obj.raw, textpage.raw) if _kind(tag) == "heading" else ""
        addresses[_address(obj.raw)] = len(runs)
        runs.append(_Run(obj.get_bounds(), tag, "Artifact" in _marks(obj.raw), text))
    # figures (images, drawings): what a heading above them introduces, as well as text
    figures = [obj.get_bounds() for obj in objects if obj.level == 0 and (
               obj.type in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM)
               or (obj.type == pdfium_c.FPDF_PAGEOBJ_PATH and "Artifact" not in _marks(obj.raw)))]
    content = [run for run in runs if not run.artifact]
    pair = _overlap(textpage, runs, addresses)
    findings = [_Finding(number, "overlap", pair)] if pair else []
    findings += [_Finding(number, "frame", detail=edge)
                 for edge in _open_frames(objects, [run.box for run in content])]
    if runs and not cut_right:
        findings += _wide_tables(textpage, number, visible, runs, addresses)
    first = max(content, key=lambda run: run.box[3], default=None)
    return _PageLayout(number, first.tag if first else None, _last_heading(content, figures),
                       tuple(findings))


def _kind(tag: _Tag | None) -> str | None:
    return tag.kind if tag else None


def _last_heading(content: list[_Run], figures: list[_Box]
                  ) -> tuple[str, int, int | None] | None:
    """The lowest heading on the page (all its lines), how many lines of text follow it (a
    figure counts as enough), and the depth of its section."""
    headings = [run for run in content if _kind(run.tag) == "heading"]
    if not headings:
        return None
    lowest = min(headings, key=lambda run: run.box[1])
    assert lowest.tag is not None
    lines = _lines([run for run in headings
                    if run.tag is not None and run.tag.element == lowest.tag.element])
    text = _clip(" ".join("".join(run.text for run in sorted(line, key=lambda r: r.box[0]))
                          for line in lines))
    below = [run for run in content if _kind(run.tag) != "heading"
             and run.box[3] <= lowest.box[1] + _TOLERANCE_PT]
    if any(box[3] <= lowest.box[1] + _TOLERANCE_PT for box in figures):
        return text, MIN_LINES_AFTER_HEADING, lowest.tag.section
    return text, len(_lines(below)), lowest.tag.section


def _lines(runs: list[_Run]) -> list[list[_Run]]:
    """Runs grouped in lines, top to bottom: a run whose middle lies within the line above is
    on it (a bullet, a bold word, digits in their own font)."""
    lines: list[list[_Run]] = []
    bottom = 0.0
    for run in sorted(runs, key=lambda run: -run.box[3]):
        if not lines or (run.box[1] + run.box[3]) / 2 < bottom:
            lines.append([run])
            bottom = run.box[1]
        else:
            lines[-1].append(run)
            bottom = min(bottom, run.box[1])
    return lines


def _overlap(textpage, runs: list[_Run], addresses: dict[int | None, int]
             ) -> tuple[str, str] | None:
    """The first two words of different lines whose glyphs lie on top of each other.

    Only lines whose boxes meet are read glyph by glyph (on a clean page, none do but
    neighbours on one line, such as a number and its heading)."""
    import pypdfium2.raw as pdfium_c

    order = sorted(range(len(runs)), key=lambda i: -runs[i].box[3])
    meeting: set[int] = set()
    for place, i in enumerate(order):
        for j in order[place + 1:]:
            if runs[j].box[3] <= runs[i].box[1]:
                break  # this line and every later one lie below run i
            if _covered(runs[i].box, runs[j].box) > 0:
                meeting.update((i, j))
    if not meeting:
        return None
    grid: dict[tuple[int, int], list[tuple[_Box, int, int]]] = {}
    count = textpage.count_chars()
    for index in range(count):
        run = addresses.get(_address(pdfium_c.FPDFText_GetTextObject(textpage.raw, index)))
        if run not in meeting or _blank(textpage, index):
            continue
        box = textpage.get_charbox(index)
        if box[2] <= box[0] or box[3] <= box[1]:
            continue
        cells = [(x, y) for x in range(int(box[0] // _GRID_PT), int(box[2] // _GRID_PT) + 1)
                 for y in range(int(box[1] // _GRID_PT), int(box[3] // _GRID_PT) + 1)]
        other = next((i for cell in cells for b, r, i in grid.get(cell, ())
                      if r != run and _covered(box, b) >= _OVERLAP), None)
        if other is not None:
            first, end = _word_around(textpage, other, count)
            start, after = _word_around(textpage, index, count)
            return (_clip(textpage.get_text_range(first, end - first), 30),
                    _clip(textpage.get_text_range(start, after - start), 30))
        for cell in cells:
            grid.setdefault(cell, []).append((box, run, index))
    return None


def _covered(a: _Box, b: _Box) -> float:
    """How much of the smaller of two boxes the other covers (0 to 1)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller


def _open_frames(objects: list, content: list[_Box]) -> list[str]:
    """The edges ("top", "bottom") at which a framed box on the page has no border, where it
    was split across pages: nothing of the page's content lies beyond that edge.

    WeasyPrint draws a box's border as one filled path of two rectangles, the outer edge of
    the border and its inner edge (and, when the sides differ, as that path once per side,
    clipped to it): the border's width on each side is the gap between them. A frame has left
    and right sides; one split without box-decoration-break: clone has no bottom on its first
    part and no top on the next.
    """
    import pypdfium2.raw as pdfium_c

    sides: dict[tuple[int, ...], list[float]] = {}
    for obj in objects:
        if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH or obj.level > 0:
            continue
        rects = _path_rectangles(obj)
        if len(rects) != 2:
            continue
        outer, inner = sorted(rects, key=lambda r: (r[2] - r[0]) * (r[3] - r[1]), reverse=True)
        if not _within(inner, outer):
            continue
        widths = (inner[0] - outer[0], inner[1] - outer[1], outer[2] - inner[2],
                  outer[3] - inner[3])
        key = tuple(round(v) for v in outer)
        sides[key] = [max(a, b) for a, b in zip(sides.get(key, [0.0] * 4), widths,
                                                strict=True)]
    edges: list[str] = []
    for (_, bottom_y, _, top_y), (left, bottom, right, top) in sides.items():
        if left < _FRAME_SIDE_PT or right < _FRAME_SIDE_PT:
            continue  # a rule above or below something, not a frame
        if bottom < _FRAME_SIDE_PT and not any(box[3] < bottom_y - _TOLERANCE_PT
                                               for box in content):
            edges.append("bottom")
        if top < _FRAME_SIDE_PT and not any(box[1] > top_y + _TOLERANCE_PT for box in content):
            edges.append("top")
    return edges


def _path_rectangles(obj) -> list[_Box]:
    """The axis-aligned rectangles a path is made of, on the page; none if it has a curve or
    another shape."""
    import pypdfium2.raw as pdfium_c

    m = obj.get_matrix()
    shapes: list[list[tuple[float, float]]] = []
    for index in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj.raw, index)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            return []
        x, y = ctypes.c_float(), ctypes.c_float()
        pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
        point = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not shapes:
            shapes.append([])
        shapes[-1].append(point)
    rectangles = []
    for points in shapes:
        xs = sorted({round(x, 2) for x, _ in points})
        ys = sorted({round(y, 2) for _, y in points})
        if len(points) not in (4, 5) or len(xs) != 2 or len(ys) != 2:
            return []
        rectangles.append((xs[0], ys[0], xs[1], ys[1]))
    return rectangles


def _wide_tables(textpage, number: int, visible: _Box, runs: list[_Run],
                 addresses: dict[int | None, int]) -> list[_Finding]:
    """Text of a table past the right edge of the text column.

    A PDF does not record the page's margins. leafletgen's are the same left and right, so the
    column ends as far from the page's right edge as the leftmost text (the running footer,
    the body) starts from its left edge; text that is not in a table and reaches further
    right (a variant with a narrower right margin) moves that edge out.
    """
    import pypdfium2.raw as pdfium_c

    left = min(run.box[0] for run in runs)
    right = max([visible[2] - (left - visible[0])]
                + [run.box[2] for run in runs if _kind(run.tag) != "table"])
    wide = {i for i, run in enumerate(runs)
            if _kind(run.tag) == "table" and run.box[2] > right + _TOLERANCE_PT}
    if not wide:
        return []
    words: dict[str, None] = {}
    count = textpage.count_chars()
    after_word = 0
    for index in range(count):
        if (index < after_word or _blank(textpage, index) or addresses.get(_address(
                pdfium_c.FPDFText_GetTextObject(textpage.raw, index))) not in wide
                or textpage.get_charbox(index)[2] <= right + _TOLERANCE_PT):
            continue
        start, after_word = _word_around(textpage, index, count)
        if len(words) < _MAX_WORDS:
            words[_clip(textpage.get_text_range(start, after_word - start), 30)] = None
    past = max(runs[i].box[2] for i in wide) - right
    return [_Finding(number, "table", tuple(words), f"{past / 72 * 25.4:.0f}")]


def _findings(layouts: list[_PageLayout], fill: frozenset[int]) -> tuple[_Finding, ...]:
    """The pages' own findings, and headings left at the foot of a page (of ``fill``: the
    pages followed by a page of the same part) with fewer than two lines of their text, when
    the next page goes on with that text: it starts in a section as deep as the heading's, not
    with another heading (a heading outside any section: the next page does not start with
    a heading)."""
    found = [finding for layout in layouts for finding in layout.findings]
    after = {layout.number - 1: layout for layout in layouts}
    for layout in layouts:
        following = after.get(layout.number)
        if (layout.number - 1 not in fill or layout.last_heading is None or following is None
                or following.first is None):
            continue
        text, lines, section = layout.last_heading
        goes_on = following.first.kind != "heading" and (
            section is None or following.first.section == section)
        if goes_on and lines < MIN_LINES_AFTER_HEADING:
            found.append(_Finding(layout.number, "heading", (text,), str(lines)))
    return tuple(sorted(found, key=lambda f: (f.page, f.kind)))


def _measured_messages(findings: Iterable[_Finding], variant: Variant | None,
                       quote: bool) -> list[str]:
    sheets = ", ".join(variant.stylesheets) if variant is not None else "the stylesheets"
    definition = variant.path.name if variant is not None else "the variant"
    messages = []
    for f in findings:
        if f.kind == "overlap":
            words = f' ("{f.words[0]}" and "{f.words[1]}")' if quote else ""
            messages.append(
                f"layout: text overlaps other text on page {f.page}{words}: a fixed height, a "
                f"negative margin or a position puts one box on top of another, or a line "
                f"height below 1 puts lines on top of each other; let the boxes flow (remove "
                f"it in {sheets})")
        elif f.kind == "heading":
            words = f' ("{f.words[0]}")' if quote else ""
            lines = "no line" if f.detail == "0" else "only one line"
            messages.append(
                f"layout: page {f.page} ends with a heading{words} with {lines} of its text "
                f"below it, the rest on page {f.page + 1}: keep headings with what follows "
                f"(break-after: avoid on headings, orphans: 2 on paragraphs, no forced page "
                f"break after a heading, in {sheets})")
        elif f.kind == "frame":
            messages.append(
                f"layout: a framed box is split at the {f.detail} of page {f.page} without "
                f"its frame there, so its parts do not read as one box: give the box "
                f"box-decoration-break: clone (each part framed) or break-inside: avoid, in "
                f"{sheets}")
        else:
            words = (" (" + ", ".join(f'"{w}"' for w in f.words) + ")") if quote else ""
            messages.append(
                f"layout: a table on page {f.page} is wider than the text column, its text "
                f"{f.detail} mm into the right margin{words}: make it no wider than the "
                f"column and let its cells wrap long words (width, and max-width on th and "
                f"td, in {sheets}), or give it fewer columns (max_table_columns in "
                f"{definition})")
    return messages
