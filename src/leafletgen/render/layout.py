"""What WeasyPrint laid out and drew, kept for the layout rules (``verification``), so that a
document leafletgen renders is measured without reading its PDF again.

WeasyPrint's page boxes hold every box's position and size, in CSS pixels from the page's
top left corner. What they do not hold is where the glyphs of a line are inked: a text box is
as tall as its font's ascent and descent, so the boxes of lines set solid (line-height: 1)
overlap while their glyphs do not. ``recording_ink`` records the ink rectangle Pango gives
each line while WeasyPrint draws it (its layout exists only then), in the same pass.

The hook is WeasyPrint 70's ``draw.text.draw_first_line`` (the major version is pinned in
pyproject.toml); ``available()`` says whether it is there. Without it no ``DrawnLayout`` is
made and the PDF is measured instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Ink = tuple[float, float, float, float]  # left, top, right, bottom, in CSS px on the page


@dataclass(frozen=True)
class DrawnLayout:
    """A rendered document's pages as WeasyPrint laid them out, and the ink of each line of
    text it drew (by ``id`` of its text box, alive as long as ``pages``)."""

    pages: tuple[Any, ...] = ()  # weasyprint.layout.page.PageBox (private to WeasyPrint)
    ink: Mapping[int, Ink] = field(default_factory=dict)


def available() -> bool:
    """Whether this WeasyPrint has the function the hook wraps."""
    try:
        from weasyprint.draw import text
    except ImportError:
        return False
    return callable(getattr(text, "draw_first_line", None))


@contextlib.contextmanager
def recording_ink(ink: dict[int, Ink]) -> Iterator[None]:
    """While the block runs, the ink rectangle of every line WeasyPrint draws goes into
    ``ink`` (one thread at a time)."""
    from weasyprint.draw import text
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    draw_first_line = text.draw_first_line
    rect = ffi.new("PangoRectangle *")  # one for every line: its values are copied out
    get_line, get_extents, null = (pango.pango_layout_get_line_readonly,
                                   pango.pango_layout_line_get_extents, ffi.NULL)

    def drawing(stream: Any, textbox: Any, text_overflow: Any, block_ellipsis: Any,
                matrix: Any) -> Any:
        emojis = draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
        line = get_line(textbox.pango_layout.layout, 0)
        if line != null:
            get_extents(line, rect, null)
            if rect.width > 0 and rect.height > 0:
                x, y = matrix[2][0], matrix[2][1]  # the line's origin: left end, on its baseline
                ink[id(textbox)] = (x + rect.x * FROM_UNITS, y + rect.y * FROM_UNITS,
                                    x + (rect.x + rect.width) * FROM_UNITS,
                                    y + (rect.y + rect.height) * FROM_UNITS)
        return emojis

    text.draw_first_line = drawing
    try:
        yield
    finally:
        text.draw_first_line = draw_first_line
