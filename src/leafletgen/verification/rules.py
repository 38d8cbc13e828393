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
``layout``     nothing printed is cut off, and no page is left mostly empty (PDFium; see below)

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

Messages quote the words cut off only for a leaflet (a file that names its variant), never
for a packet or handout (they hold patient data) or with ``private``.
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
               private: bool = False, require_ua: bool = False) -> PdfReport:
    """Check one PDF (bytes or a file) against the rules above and its variant's type floor.

    Without ``variant``, the variant the PDF names is looked up in ``styles``. ``path`` names
    the file in problems (default: ``pdf`` when it is a path). ``pages`` (0-based) limits the
    font, type-size and layout rules to the pages leafletgen made, in a file that also holds
    PDFs from elsewhere. ``private`` messages never quote the PDF's text (it holds patient
    data); nor do the layout rule's for a PDF that does not name its variant (a packet).
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
        return PdfReport(where, problems=(Problem(where, 0, f"syntax: not a readable PDF "
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
        fill_pages = _pages_held_to_fill(document, pages)
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
    scan = _scan_text(data, pages, fill_pages)
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
               fill: Iterable[int] = ()) -> _Scan:
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
            for obj in page.get_objects(max_depth=8):
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
            if number - 1 in fill:
                top, height = visible[3], visible[3] - visible[1]
                used = 0.0 if lowest is None else (top - lowest) / height
                if used < MIN_PAGE_FILL:
                    short.append((number, used))
    finally:
        document.close()
    return _Scan(smallest, tuple(cuts), tuple(short))


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
