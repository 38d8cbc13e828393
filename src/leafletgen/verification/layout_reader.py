"""The layout measures of a document leafletgen renders, read from WeasyPrint's own layout
(``render.layout.DrawnLayout``) in the pass that writes its PDF, instead of from the PDF.

It measures what ``pdf_reader`` measures in the PDF, from the same facts as WeasyPrint drew
them: each line of text (a text box: its font size, and the ink Pango drew it with), the
boxes around it (a page-margin box: a running header or footer, drawn as an artifact; a box
with ``overflow`` other than visible: a clip; a heading, a table, a section; a rotation),
figures (replaced boxes: images and drawings) and framed boxes with their border widths.
Boxes are in CSS pixels from the page's top left corner; measures are in PDF points from its
bottom left, as the PDF's are (1 px = 0.75 pt).

It says whether a page breaks a rule, not which words: it does not quote text. ``verify_pdf``
reads the PDF (``pdf_reader``) only when this finds something, to quote what the PDF prints.
Text under a rotation (the draft mark) is left out of every rule but the type size, as in the
PDF, where its box is the rotated one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from leafletgen.render.layout import DrawnLayout
from leafletgen.verification.measures import (
    FRAME_SIDE_PT,
    MIN_PAGE_FILL,
    OVERLAP,
    PRINT_BORDER_MM,
    TOLERANCE_PT,
    Box,
    Cut,
    Finding,
    Measures,
    PageLayout,
    PrintedText,
    Run,
    Sample,
    Tag,
    covered,
    edge_crossed,
    kind_of,
    last_heading,
    page_findings,
    within,
)

PT_PER_PX = 0.75
# a gap between two pieces of a line wider than this (of the font size) PDFium reads as a space
_SPACE_EM = 0.1
_LOW_INK_PT = 4.5  # PDFium compares the height of text no lower than this for a new line
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


class _Context(NamedTuple):
    """What the boxes above a box make of its text (a tuple: made for every box)."""

    artifact: bool = False  # in a page-margin box
    rotated: bool = False
    clip: Box | None = None  # in PDF points
    tag: Tag | None = None
    section: int | None = None
    depth: int = 0  # elements above it


@dataclass(frozen=True)
class _Line:
    box: Box  # its ink, in PDF points
    size: float  # its font size, in points
    text: str
    rotated: bool
    clip: Box | None
    run: Run


def measure_layout(layout: DrawnLayout, first_page: int = 0,
                   pages: Sequence[int] | None = None,
                   fill: frozenset[int] = frozenset()) -> Measures:
    """The measures of the pages of ``layout``, which are the PDF's pages from ``first_page``
    (0-based) on; ``pages`` and ``fill`` as ``pdf_reader.measure_pdf`` takes them."""
    from weasyprint.formatting_structure import boxes

    border = PRINT_BORDER_MM / 25.4 * 72
    smallest: Sample | None = None
    cuts: list[Cut] = []
    short: list[tuple[int, float]] = []
    layouts: list[PageLayout] = []
    printed: list[PrintedText] | None = []
    order = {key: place for place, key in enumerate(layout.ink)}  # the order they were drawn
    for index, page_box in enumerate(layout.pages, start=first_page):
        if pages is not None and index not in pages:
            continue
        number = index + 1
        height = page_box.margin_height() * PT_PER_PX
        visible: Box = (0.0, 0.0, page_box.margin_width() * PT_PER_PX, height)
        printable = (visible[0] + border, visible[1] + border, visible[2] - border,
                     visible[3] - border)
        lines: list[_Line] = []
        figures: list[Box] = []
        frames: list[tuple[Box, tuple[float, float, float, float]]] = []
        pieces: list[tuple[int, Any, Box, bool]] = []  # drawn text: order, box, ink, rotated
        readable = printed is not None  # whether its text can be read as PDFium reads it
        for box, context in _walk(page_box, _Context(), height, boxes):
            if isinstance(box, boxes.TextBox):
                ink = layout.ink.get(id(box))
                if ink is None:
                    continue  # not drawn: blank, or invisible
                area = _points(ink, height)
                lines.append(_Line(area, round(box.style["font_size"] * PT_PER_PX, 2),
                                   box.text, context.rotated, context.clip,
                                   Run(area, context.tag, context.artifact, "")))
                pieces.append((order[id(box)], box, area, context.rotated))
                readable = readable and _read_as_drawn(box)
            elif isinstance(box, boxes.ReplacedBox):
                # a drawing's text (SVG) is printed, but not as a text box
                readable = readable and type(box.replacement).__name__ != "SVGImage"
                if not context.rotated and not context.artifact:
                    figures.append(_points(_border_box(box), height))
            elif (isinstance(box, boxes.BlockBox) and not context.artifact
                  and not context.rotated):
                widths = (box.border_left_width, box.border_bottom_width,
                          box.border_right_width, box.border_top_width)
                if min(widths[0], widths[2]) * PT_PER_PX >= FRAME_SIDE_PT and not any(
                        any(radius) for radius in _radii(box)):
                    frames.append((_points(_border_box(box), height),
                                   tuple(w * PT_PER_PX for w in widths)))
        for line in lines:
            if line.text.strip() and (smallest is None or line.size < smallest.size):
                smallest = Sample(line.size, line.text, number)
        upright = [line for line in lines if not line.rotated]
        page_cuts = _cuts(upright, number, visible, printable)
        cuts += page_cuts
        runs = [line.run for line in upright]
        content = [run for run in runs if not run.artifact]
        if index in fill:
            bottoms = [run.box[1] for run in content] + [box[1] for box in figures]
            used = 0.0 if not bottoms else (visible[3] - min(bottoms)) / height
            if used < MIN_PAGE_FILL:
                short.append((number, used))
        findings = [Finding(number, "overlap")] if _overlaps(runs) else []
        findings += [Finding(number, "frame", detail=edge)
                     for edge in _open_frames(frames, [run.box for run in content])]
        if runs and not any(cut.edge == "right" for cut in page_cuts):
            findings += _wide_tables(number, visible, runs)
        first = max(content, key=lambda run: run.box[3], default=None)
        layouts.append(PageLayout(number, first.tag if first else None,
                                  last_heading(content, figures), tuple(findings)))
        # lines on top of each other: PDFium's order of them is not known
        readable = readable and not any(f.kind == "overlap" for f in findings)
        if printed is not None:
            printed = printed + [_printed(number, pieces)] if readable else None
    return Measures(smallest, tuple(cuts), tuple(short), page_findings(layouts, fill),
                    tuple(printed) if printed is not None else None)


def _read_as_drawn(box: Any) -> bool:
    """Whether PDFium reads a text box's text as the box holds it: not right to left (PDFium
    reads such lines in another order and shape), not shortened with an ellipsis."""
    style = box.style
    return (style["direction"] == "ltr" and style["text_overflow"] != "ellipsis"
            and style["block_ellipsis"] == "none")


def _printed(number: int, pieces: list[tuple[int, Any, Box, bool]]) -> PrintedText:
    """The page's lines of text as PDFium reads them from the PDF: each text box in the order
    it was drawn; one that does not reach the height of the one before starts a new line, or,
    after a hyphen between letters, goes on with it (PDFium joins the word with U+FFFE); a gap
    within a line reads as a space. A rotated stamp: both readings (``PrintedText``), and
    what follows it starts a line."""
    own: list[str] = []  # the stamp a line of its own
    joined: list[str] = []  # the stamp at the end of the line before it
    previous: tuple[Any, Box] | None = None
    for _, box, area, rotated in sorted(pieces, key=lambda piece: piece[0]):
        text = box.text
        if rotated:
            own.append(text)
            if joined:
                joined[-1] += " " + text
            else:
                joined.append(text)
            previous = None  # what follows starts a line
            continue
        if previous is not None and _same_line(box, area, *previous):
            before = previous[0]
            gap = box.position_x - (before.position_x + before.width)
            space = " " if gap > _SPACE_EM * box.style["font_size"] else ""
            for read in (own, joined):
                read[-1] += space + text
        else:
            for read in (own, joined):
                if read and _hyphenated(read[-1], text):
                    read[-1] = read[-1].rstrip(" ")[:-1] + "\ufffe" + text
                else:
                    read.append(text)
        previous = box, area
    readings = (tuple(line for line in own if line.strip()),
                tuple(line for line in joined if line.strip()))
    return PrintedText(number, tuple(dict.fromkeys(readings)))


def _same_line(box: Any, area: Box, before: Any, before_area: Box) -> bool:
    """Whether PDFium reads a text box on the line of the one drawn before it: their ink
    shares some height; ink under ``_LOW_INK_PT`` high (a dash, dots) is not compared so,
    but by baseline."""
    if min(area[3] - area[1], before_area[3] - before_area[1]) > _LOW_INK_PT:
        return min(area[3], before_area[3]) > max(area[1], before_area[1])
    return abs((box.position_y + box.baseline) - (before.position_y + before.baseline)) < (
        box.style["font_size"] / 2)


def _hyphenated(line: str, after: str) -> bool:
    """Whether PDFium joins a line ending in a hyphen with the next (between letters)."""
    end = line.rstrip(" ")
    return (len(end) > 1 and end[-1] in "-\u00ad" and end[-2].isalpha()
            and after[:1].isalpha())


def _walk(page: Any, context: _Context, height: float, boxes: Any
          ) -> Iterator[tuple[Any, _Context]]:
    """Every box below ``page``, in tree order, with what the boxes above it make of it
    (``height``: the page's, in points). A stack, not recursion: a line of text lies some
    fifteen boxes deep, and nested generators would pass each box up through all of them."""
    stack: list[tuple[Any, _Context]] = [(page, context)]
    while stack:
        box, context = stack.pop()
        parent = getattr(box, "element", None)
        below: list[tuple[Any, _Context]] = []
        for child in getattr(box, "children", ()):
            inner = context
            element = getattr(child, "element", None)
            if element is not None and element is not parent:
                tag = str(getattr(child, "element_tag", "") or "")
                depth = inner.depth + 1
                section = depth if tag == "section" else inner.section
                if inner.tag is not None and inner.tag.kind != "text":
                    role = inner.tag
                elif tag in _HEADINGS or tag == "table":
                    role = Tag("heading" if tag in _HEADINGS else "table", (id(element), 0),
                               section)
                else:
                    role = Tag("text", (id(element), 0), section)
                inner = inner._replace(tag=role, section=section, depth=depth)
            if isinstance(child, boxes.MarginBox):
                inner = inner._replace(artifact=True, tag=None, section=None)
            matrix = getattr(child, "transformation_matrix", None)
            if matrix is not None and (matrix[0][1] or matrix[1][0]):
                inner = inner._replace(rotated=True)
            yield child, inner
            style = getattr(child, "style", None)
            if (style is not None and style["overflow"] != "visible"
                    and not isinstance(child, boxes.PageBox)):
                x, y, width, tall = child.rounded_padding_box()[:4]
                inner = inner._replace(clip=_intersect(
                    inner.clip, _points((x, y, x + width, y + tall), height)))
            below.append((child, inner))
        stack += reversed(below)


def _points(box: tuple[float, float, float, float], height: float) -> Box:
    """A box (left, top, right, bottom, in CSS px from the top) in PDF points from the
    bottom of a page ``height`` points tall."""
    left, top, right, bottom = box
    return (left * PT_PER_PX, height - bottom * PT_PER_PX, right * PT_PER_PX,
            height - top * PT_PER_PX)


def _border_box(box: Any) -> tuple[float, float, float, float]:
    x, y = box.border_box_x(), box.border_box_y()
    return x, y, x + box.border_width(), y + box.border_height()


def _radii(box: Any) -> tuple[tuple[float, float], ...]:
    return (box.border_top_left_radius, box.border_top_right_radius,
            box.border_bottom_right_radius, box.border_bottom_left_radius)


def _intersect(a: Box | None, b: Box) -> Box:
    if a is None:
        return b
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _cuts(lines: list[_Line], number: int, visible: Box, printable: Box) -> list[Cut]:
    """Text past the printable page or its box's clip: one cut per edge (or clip)."""
    found: dict[str, bool] = {}
    for line in lines:
        edge = edge_crossed(line.box, printable)
        if edge is None:
            if line.clip is None or within(line.box, _intersect(line.clip, printable)):
                continue
            edge = "clip"
        found[edge] = found.get(edge, False) or edge_crossed(line.box, visible) is not None
    return [Cut(number, edge, off_page, ()) for edge, off_page in found.items()]


def _overlaps(runs: list[Run]) -> bool:
    """Whether two lines' ink lie on top of each other."""
    order = sorted(runs, key=lambda run: -run.box[3])
    for place, run in enumerate(order):
        for other in order[place + 1:]:
            if other.box[3] <= run.box[1]:
                break  # this line and every later one lie below it
            if covered(run.box, other.box) >= OVERLAP:
                return True
    return False


def _open_frames(frames: list[tuple[Box, tuple[float, float, float, float]]],
                 content: list[Box]) -> list[str]:
    """The edges ("top", "bottom") at which a framed box (left and right sides) has no
    border, with nothing of the page's content beyond that edge: split across pages."""
    edges: list[str] = []
    for (_, bottom_y, _, top_y), (_, bottom, _, top) in frames:
        if bottom < FRAME_SIDE_PT and not any(box[3] < bottom_y - TOLERANCE_PT
                                              for box in content):
            edges.append("bottom")
        if top < FRAME_SIDE_PT and not any(box[1] > top_y + TOLERANCE_PT for box in content):
            edges.append("top")
    return edges


def _wide_tables(number: int, visible: Box, runs: list[Run]) -> list[Finding]:
    """Text of a table past the right edge of the text column (see ``pdf_reader``)."""
    left = min(run.box[0] for run in runs)
    right = max([visible[2] - (left - visible[0])]
                + [run.box[2] for run in runs if kind_of(run.tag) != "table"])
    past = max((run.box[2] for run in runs if kind_of(run.tag) == "table"), default=right)
    if past <= right + TOLERANCE_PT:
        return []
    return [Finding(number, "table", (), f"{(past - right) / 72 * 25.4:.0f}")]
