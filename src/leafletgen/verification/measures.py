"""What the layout rules measure on a document's pages, whoever measured it.

Two readers give the same ``Measures``: ``pdf_reader`` reads a finished PDF with PDFium (any
PDF, made anywhere), and ``layout_reader`` reads WeasyPrint's own layout of a document
leafletgen renders, before it is written. The rules in ``verification.rules`` only turn
measures into messages, so both paths are held to the same thresholds, below.

Calibrated on the shipped leaflets (five medicines, every variant, A4 and US Letter;
baclofen also as handouts and packets). Their text keeps at least 11 mm from every edge;
every page but the last of a part is at least 53% full (methotrexate in large print: a dose
table that cannot split starts the next page), most over 75%; a page 1 that holds only the
title, its box pushed to page 2, is 15-30% full. No two glyphs of different lines share more
than 4 % of the smaller one's box (a line spacing of 0.6 makes them share 40 %); every
heading has at least two lines of its text below it on its page, or none of its text on the
next; no frame is open; no table's text comes within 5 mm of the column's right edge.
"""

from __future__ import annotations

from dataclasses import dataclass

PRINT_BORDER_MM = 5.0  # office laser printers leave about 4.2 mm blank, inkjets 3-5 mm
MIN_PAGE_FILL = 0.40  # fraction of the page's height, from its top, that content reaches
TOLERANCE_PT = 1.0  # glyph boxes touching an edge or a clip by less than this are not cut
MAX_WORDS = 3  # cut-off words quoted per page
MIN_LINES_AFTER_HEADING = 2  # lines of a section's text that must follow its heading
OVERLAP = 0.1  # share of the smaller glyph's box a glyph of another line covers
FRAME_SIDE_PT = 0.3  # a border thinner than this is no side of a frame

Box = tuple[float, float, float, float]  # left, bottom, right, top, in PDF points
Ref = tuple[int, int]  # a structure element (or a box), by object and generation


@dataclass(frozen=True)
class Sample:
    size: float
    text: str
    page: int


@dataclass(frozen=True)
class Cut:
    """Text cut off on one page, at one edge of the printable page or by a box's clip."""

    page: int
    edge: str  # "right", "left", "bottom", "top", or "clip"
    off_page: bool  # past the page's own edge, not only into the printer's border
    words: tuple[str, ...]


@dataclass(frozen=True)
class PrintedText:
    """The lines of text of one page in the order they are printed, as PDFium reads them back
    (``layout_reader``). A rotated stamp (the draft mark) PDFium reads as a line of its own or
    at the end of the line before it, depending on where it falls: one reading each way, and
    a rule holds both."""

    page: int
    readings: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Measures:
    smallest: Sample | None
    cuts: tuple[Cut, ...]
    short: tuple[tuple[int, float], ...]  # (page, how far down its content ends)
    measured: tuple[Finding, ...] = ()
    # from WeasyPrint's layout only, for the units and page 1 rules; None: not known there
    # (the PDF is read for them: a page with text in a drawing, or right-to-left text)
    printed: tuple[PrintedText, ...] | None = None




def within(box: Box, limit: Box) -> bool:
    return edge_crossed(box, limit) is None


def edge_crossed(box: Box, limit: Box) -> str | None:
    """The edge of ``limit`` that ``box`` reaches past, if any."""
    if box[2] > limit[2] + TOLERANCE_PT:
        return "right"
    if box[0] < limit[0] - TOLERANCE_PT:
        return "left"
    if box[1] < limit[1] - TOLERANCE_PT:
        return "bottom"
    if box[3] > limit[3] + TOLERANCE_PT:
        return "top"
    return None



def clip_text(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"



@dataclass(frozen=True)
class Tag:
    """Where a run of text sits in the structure tree."""

    kind: str  # "heading", "table" or "text"
    element: Ref  # the heading or table it is part of (else its own element)
    # how deep below the structure root its nearest section (Sect) lies. WeasyPrint makes a
    # new element for each page's part of a section, so the part of a section that goes on
    # onto the next page is known by its depth there, and by not starting with a heading
    section: int | None


Roles = dict[int, dict[int, Tag]]  # page index -> marked-content id -> tag


@dataclass(frozen=True)
class Finding:
    """A measured layout defect on one page."""

    page: int
    kind: str  # "overlap", "heading", "frame" or "table"
    words: tuple[str, ...] = ()
    detail: str = ""  # frame: its open edge; table: how far its text reaches past the column


@dataclass(frozen=True)
class Run:
    """One line of text in one text object, upright (rotated stamps are left out)."""

    box: Box
    tag: Tag | None  # None: an artifact, or text outside the structure tree
    artifact: bool
    text: str  # headings only: quoted when one is stranded


@dataclass(frozen=True)
class PageLayout:
    number: int
    first: Tag | None  # of the topmost text that is not an artifact
    last_heading: tuple[str, int, int | None] | None  # text, lines below it, its section
    findings: tuple[Finding, ...]



def kind_of(tag: Tag | None) -> str | None:
    return tag.kind if tag else None


def last_heading(content: list[Run], figures: list[Box]
                  ) -> tuple[str, int, int | None] | None:
    """The lowest heading on the page (all its lines), how many lines of text follow it (a
    figure counts as enough), and the depth of its section."""
    headings = [run for run in content if kind_of(run.tag) == "heading"]
    if not headings:
        return None
    lowest = min(headings, key=lambda run: run.box[1])
    assert lowest.tag is not None
    lines = text_lines([run for run in headings
                    if run.tag is not None and run.tag.element == lowest.tag.element])
    text = clip_text(" ".join("".join(run.text for run in sorted(line, key=lambda r: r.box[0]))
                          for line in lines))
    below = [run for run in content if kind_of(run.tag) != "heading"
             and run.box[3] <= lowest.box[1] + TOLERANCE_PT]
    if any(box[3] <= lowest.box[1] + TOLERANCE_PT for box in figures):
        return text, MIN_LINES_AFTER_HEADING, lowest.tag.section
    return text, len(text_lines(below)), lowest.tag.section


def text_lines(runs: list[Run]) -> list[list[Run]]:
    """Runs grouped in lines, top to bottom: a run whose middle lies within the line above is
    on it (a bullet, a bold word, digits in their own font)."""
    lines: list[list[Run]] = []
    bottom = 0.0
    for run in sorted(runs, key=lambda run: -run.box[3]):
        if not lines or (run.box[1] + run.box[3]) / 2 < bottom:
            lines.append([run])
            bottom = run.box[1]
        else:
            lines[-1].append(run)
            bottom = min(bottom, run.box[1])
    return lines



def covered(a: Box, b: Box) -> float:
    """How much of the smaller of two boxes the other covers (0 to 1)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller



def page_findings(layouts: list[PageLayout], fill: frozenset[int]) -> tuple[Finding, ...]:
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
            found.append(Finding(layout.number, "heading", (text,), str(lines)))
    return tuple(sorted(found, key=lambda f: (f.page, f.kind)))

