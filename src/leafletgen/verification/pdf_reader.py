"""The layout measures of a finished PDF, read with PDFium (and its tags with pikepdf).

This is how ``leafletgen verify`` measures a PDF made anywhere; a document leafletgen renders
itself is measured from WeasyPrint's layout instead (``layout_reader``), without reading the
PDF again. Both give ``measures.Measures``; see there for the thresholds.

WeasyPrint writes each line of text as its own text object, tagged with a marked-content id
that the structure tree maps to its element (a heading, a table cell).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from leafletgen.verification.measures import (
    FRAME_SIDE_PT,
    MAX_WORDS,
    MIN_PAGE_FILL,
    OVERLAP,
    PRINT_BORDER_MM,
    TOLERANCE_PT,
    Box,
    Cut,
    Finding,
    Measures,
    PageLayout,
    Ref,
    Roles,
    Run,
    Sample,
    Tag,
    clip_text,
    covered,
    edge_crossed,
    kind_of,
    last_heading,
    page_findings,
    within,
)

if TYPE_CHECKING:
    import pikepdf

_HEADINGS = frozenset({"/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"})
_GRID_PT = 24.0  # cell size of the grid that finds glyphs near each other


def pages_held_to_fill(document: pikepdf.Pdf, pages: Sequence[int] | None) -> frozenset[int]:
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



def measure_pdf(data: bytes, pages: Sequence[int] | None = None,
               fill: Iterable[int] = (), roles: Roles | None = None) -> Measures:
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
    smallest: Sample | None = None
    cuts: list[Cut] = []
    short: list[tuple[int, float]] = []
    layouts: list[PageLayout] = []
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
            suspects: dict[int | None, Box] = {}  # text objects reaching past their limit
            # read once: wrapping PDFium's objects is most of what the layout rules cost
            objects = list(page.get_objects(max_depth=8))
            for obj in objects:
                is_text = obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT
                if not is_text and obj.level > 0:
                    continue  # a drawing inside a form: the form's own bounds count
                bounds = obj.get_bounds() if obj.level == 0 else None
                if is_text and bounds is not None:
                    limit = _clip_box(obj.raw, printable)
                    if not within(bounds, limit):
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
                    smallest = Sample(printed, clip_text(text), number)
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
    return Measures(smallest, tuple(cuts), tuple(short), page_findings(layouts, fill))


def _visible_box(page) -> Box:
    """What a reader sees of the page: its crop box (default: the media box) within its
    media box."""
    media, crop = page.get_mediabox(), page.get_cropbox()
    return (max(media[0], crop[0]), max(media[1], crop[1]),
            min(media[2], crop[2]), min(media[3], crop[3]))


def _clip_box(obj, box: Box) -> Box:
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



def _address(obj) -> int | None:
    return ctypes.cast(obj, ctypes.c_void_p).value


def _cut_text(textpage, number: int, suspects: dict[int | None, Box], visible: Box,
              printable: Box) -> list[Cut]:
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
        edge = edge_crossed(box, printable)
        if edge is None:
            if within(box, limit):
                continue
            edge = "clip"
        off_page, words = found.get(edge, (False, {}))
        start, after_word = _word_around(textpage, index, count)
        if len(words) < MAX_WORDS:
            words[clip_text(textpage.get_text_range(start, after_word - start), 30)] = None
        found[edge] = (off_page or edge_crossed(box, visible) is not None, words)
    return [Cut(number, edge, off_page, tuple(words))
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



def text_roles(document: pikepdf.Pdf, pages: Sequence[int] | None) -> Roles:
    """Where each tagged run of text on leafletgen's pages sits in the structure tree (a
    heading, a table, and what holds them), by marked-content id, per page (0-based)."""
    import pikepdf

    from leafletgen.render.finish import parent_tree

    try:
        tree = parent_tree(document)
    except (AttributeError, KeyError, TypeError, ValueError):  # untagged, or a nested tree
        return {}
    known: dict[Ref, tuple[tuple[Ref, str], ...]] = {}
    roles: Roles = {}
    for index, page in enumerate(document.pages):
        elements = tree.get(int(page.obj.get("/StructParents", -1)))
        if (pages is not None and index not in pages) or not isinstance(elements,
                                                                        pikepdf.Array):
            continue
        roles[index] = {mcid: _tag(_ancestry(element, known))
                        for mcid, element in enumerate(elements)
                        if isinstance(element, pikepdf.Dictionary)}
    return roles


def _ancestry(element: pikepdf.Dictionary, known: dict[Ref, tuple[tuple[Ref, str], ...]]
              ) -> tuple[tuple[Ref, str], ...]:
    """The element and every element above it, with their structure types, nearest first."""
    import pikepdf

    path: list[tuple[Ref, str]] = []
    node: Any = element
    rest: tuple[tuple[Ref, str], ...] = ()
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


def _tag(chain: tuple[tuple[Ref, str], ...]) -> Tag:
    section = next((len(chain) - 1 - depth for depth, (_, kind) in enumerate(chain)
                    if kind == "/Sect"), None)
    for ref, kind in chain:
        if kind in _HEADINGS or kind == "/Table":
            return Tag("heading" if kind in _HEADINGS else "table", ref, section)
    return Tag("text", chain[0][0], section)



def _page_layout(objects: list, textpage, number: int, visible: Box, roles: dict[int, Tag],
                 cut_right: bool) -> PageLayout:
    """Measure one page: text on top of other text, frames left open, table text past the
    column (unless text already runs off the page's right edge), and its headings."""
    import pypdfium2.raw as pdfium_c

    runs: list[Run] = []
    addresses: dict[int | None, int] = {}
    for obj in objects:
        if obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT or obj.level > 0:
            continue
        m = obj.get_matrix()
        if m.b or m.c:
            continue  # rotated: a stamp such as the draft mark, across the text by design
        mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(obj.raw)
        tag = roles.get(mcid) if mcid >= 0 else None
        text = _object_text(obj.raw, textpage.raw) if kind_of(tag) == "heading" else ""
        addresses[_address(obj.raw)] = len(runs)
        runs.append(Run(obj.get_bounds(), tag, "Artifact" in _marks(obj.raw), text))
    # figures (images, drawings): what a heading above them introduces, as well as text
    figures = [obj.get_bounds() for obj in objects if obj.level == 0 and (
               obj.type in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM)
               or (obj.type == pdfium_c.FPDF_PAGEOBJ_PATH and "Artifact" not in _marks(obj.raw)))]
    content = [run for run in runs if not run.artifact]
    pair = _overlap(textpage, runs, addresses)
    findings = [Finding(number, "overlap", pair)] if pair else []
    findings += [Finding(number, "frame", detail=edge)
                 for edge in _open_frames(objects, [run.box for run in content])]
    if runs and not cut_right:
        findings += _wide_tables(textpage, number, visible, runs, addresses)
    first = max(content, key=lambda run: run.box[3], default=None)
    return PageLayout(number, first.tag if first else None, last_heading(content, figures),
                       tuple(findings))



def _overlap(textpage, runs: list[Run], addresses: dict[int | None, int]
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
            if covered(runs[i].box, runs[j].box) > 0:
                meeting.update((i, j))
    if not meeting:
        return None
    grid: dict[tuple[int, int], list[tuple[Box, int, int]]] = {}
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
                      if r != run and covered(box, b) >= OVERLAP), None)
        if other is not None:
            first, end = _word_around(textpage, other, count)
            start, after = _word_around(textpage, index, count)
            return (clip_text(textpage.get_text_range(first, end - first), 30),
                    clip_text(textpage.get_text_range(start, after - start), 30))
        for cell in cells:
            grid.setdefault(cell, []).append((box, run, index))
    return None



def _open_frames(objects: list, content: list[Box]) -> list[str]:
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
        if not within(inner, outer):
            continue
        widths = (inner[0] - outer[0], inner[1] - outer[1], outer[2] - inner[2],
                  outer[3] - inner[3])
        key = tuple(round(v) for v in outer)
        sides[key] = [max(a, b) for a, b in zip(sides.get(key, [0.0] * 4), widths,
                                                strict=True)]
    edges: list[str] = []
    for (_, bottom_y, _, top_y), (left, bottom, right, top) in sides.items():
        if left < FRAME_SIDE_PT or right < FRAME_SIDE_PT:
            continue  # a rule above or below something, not a frame
        if bottom < FRAME_SIDE_PT and not any(box[3] < bottom_y - TOLERANCE_PT
                                               for box in content):
            edges.append("bottom")
        if top < FRAME_SIDE_PT and not any(box[1] > top_y + TOLERANCE_PT for box in content):
            edges.append("top")
    return edges


def _path_rectangles(obj) -> list[Box]:
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


def _wide_tables(textpage, number: int, visible: Box, runs: list[Run],
                 addresses: dict[int | None, int]) -> list[Finding]:
    """Text of a table past the right edge of the text column.

    A PDF does not record the page's margins. leafletgen's are the same left and right, so the
    column ends as far from the page's right edge as the leftmost text (the running footer,
    the body) starts from its left edge; text that is not in a table and reaches further
    right (a variant with a narrower right margin) moves that edge out.
    """
    import pypdfium2.raw as pdfium_c

    left = min(run.box[0] for run in runs)
    right = max([visible[2] - (left - visible[0])]
                + [run.box[2] for run in runs if kind_of(run.tag) != "table"])
    wide = {i for i, run in enumerate(runs)
            if kind_of(run.tag) == "table" and run.box[2] > right + TOLERANCE_PT}
    if not wide:
        return []
    words: dict[str, None] = {}
    count = textpage.count_chars()
    after_word = 0
    for index in range(count):
        if (index < after_word or _blank(textpage, index) or addresses.get(_address(
                pdfium_c.FPDFText_GetTextObject(textpage.raw, index))) not in wide
                or textpage.get_charbox(index)[2] <= right + TOLERANCE_PT):
            continue
        start, after_word = _word_around(textpage, index, count)
        if len(words) < MAX_WORDS:
            words[clip_text(textpage.get_text_range(start, after_word - start), 30)] = None
    past = max(runs[i].box[2] for i in wide) - right
    return [Finding(number, "table", tuple(words), f"{past / 72 * 25.4:.0f}")]

