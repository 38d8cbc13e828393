"""The ``units`` measure: no number printed split from its unit across a line break.

leafletgen keeps together what a reader must read as one (``keep_together`` in
source/markup.py): a number and its unit ("10 mg", "70 mg/dL", "2 周"), a range
("12.5–25 micrograms"), a comparator and its number ("≥ 70 years"), a date in every shipped
language. This measure reads each page's lines as PDFium lays them out (or, for a document
leafletgen renders, as WeasyPrint drew them: ``measures.PrintedText``) and reports every line
break that falls inside one of these: text that reached the page without the rule
(a template that prints a value without the ``nobreak`` filter, a stylesheet's generated
content) or a rule that misses a case.

A line break is inside such a unit when joining the two lines' ends with a space (or, after
a slash or a dash and between a digit and a Chinese character, with nothing) gives text in
which ``keep_together`` glues the two sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from leafletgen.source.markup import NBSP, WJ, keep_together

_CONTEXT = 24  # characters of each line the junction is judged on (and quoted)
_NO_SPACE_AFTER = ("/", "–", "—", "～", "~")


@dataclass(frozen=True)
class SplitUnit:
    """A line break inside a number and its unit: the page and the two sides."""

    page: int
    before: str
    after: str

    def message(self, quote: bool) -> str:
        where = (f"\"…{self.before.strip()}\" | \"{self.after.strip()}…\" on page {self.page}"
                 if quote else f"on page {self.page}")
        return (f"units: a number is split from its unit, range or date across a line break "
                f"({where}); text from the monograph is kept together by leafletgen: text a "
                "template prints needs the 'nobreak' filter (styles/templates), and a case "
                "the rule misses is a bug to report")


def glued_at(text: str, position: int) -> bool:
    """Whether ``keep_together`` keeps ``text`` from breaking at ``position``: the space there
    becomes a no-break space, or a word joiner is put there."""
    kept = keep_together(text)
    consumed = 0
    for char in kept:
        if char == WJ:
            if consumed == position:
                return True
            continue
        if consumed == position and char == NBSP and text[position] in " \t":
            return True
        consumed += 1
        if consumed > position:
            return False
    return False


def _is_cjk(char: str) -> bool:
    return "\u3040" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af"


def split_between(before: str, after: str) -> bool:
    """Whether a line ending ``before`` and the next starting ``after`` split a unit."""
    head = " ".join(before.replace(WJ, "").split())[-_CONTEXT:]
    tail = " ".join(after.replace(WJ, "").split())[:_CONTEXT]
    if not head or not tail or not _may_join(head, tail):
        return False
    if head.endswith(_NO_SPACE_AFTER) or (_is_cjk(tail[0]) and head[-1].isdigit()) or (
            head[-1] in "年月" and tail[0].isdigit()):
        return _joined(head, tail) or glued_at(f"{head} {tail}", len(head))
    return glued_at(f"{head} {tail}", len(head))


_JOINERS = frozenset("/–—～~≥≤<>±≈")


def _may_join(head: str, tail: str) -> bool:
    """Whether the rule can glue these two ends at all: a digit near the break, or a sign
    that joins (most line breaks have neither, and are not run through the rule)."""
    return (any(c.isdigit() for c in head[-6:]) or any(c.isdigit() for c in tail[:6])
            or head[-1] in _JOINERS or tail[0] in _JOINERS)


def _joined(head: str, tail: str) -> bool:
    """Glued where two lines meet without a space between them (a word joiner there)."""
    kept = keep_together(head + tail)
    consumed = 0
    for char in kept:
        if char == WJ and consumed == len(head):
            return True
        if char != WJ:
            consumed += 1
            if consumed > len(head):
                return False
    return False


def split_units(data: bytes, pages: Sequence[int] | None = None) -> tuple[SplitUnit, ...]:
    """Every line break inside a unit on ``pages`` (0-based; default all) of a PDF."""
    import pypdfium2 as pdfium

    found: list[SplitUnit] = []
    document = pdfium.PdfDocument(data)
    try:
        for number, page in enumerate(document, start=1):
            if pages is not None and number - 1 not in pages:
                continue
            textpage = page.get_textpage()
            found += splits_in(number, [line for line in textpage.get_text_range()
                                        .replace("\r\n", "\n").split("\n") if line.strip()])
    finally:
        document.close()
    return tuple(found)


def splits_in(page: int, lines: Sequence[str]) -> list[SplitUnit]:
    """Every line break inside a unit between ``lines``, one page's lines in reading order."""
    return [SplitUnit(page, before[-_CONTEXT:], after[:_CONTEXT])
            for before, after in zip(lines, lines[1:], strict=False)
            if split_between(before, after)]
