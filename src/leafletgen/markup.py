"""Turn monograph Markdown into HTML that can never carry raw HTML or fetch anything,
and into plain text for the language checks."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup

# html=False: a '<script>' in monograph text is printed as text, never passed on.
# Images are off: monograph text must not make the renderer fetch files.
_md = (MarkdownIt("commonmark", {"html": False, "typographer": False})
       .enable("table").disable("image"))


def to_html(text: str) -> Markup:
    """Render one block of monograph Markdown to safe HTML."""
    return Markup(_md.render(text))


@dataclass(frozen=True)
class TextUnit:
    """One paragraph, list item, table cell or heading of monograph text, as plain text."""

    text: str
    line: int  # its first line in the monograph file


def plain_units(text: str, first_line: int) -> tuple[TextUnit, ...]:
    """The words a reader sees in one block of Markdown, unit by unit, without markup."""
    units = []
    line = first_line
    for token in _md.parse(text):
        if token.map:
            line = first_line + token.map[0]
        if token.type != "inline":
            continue
        words = "".join(" " if c.type in ("softbreak", "hardbreak") else c.content
                        for c in token.children or () if c.type in _TEXT_TOKENS)
        words = " ".join(words.split())
        if words:
            units.append(TextUnit(words, line))
    return tuple(units)


_TEXT_TOKENS = {"text", "code_inline", "softbreak", "hardbreak"}
