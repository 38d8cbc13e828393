"""Turn monograph Markdown into HTML that can never carry raw HTML or fetch anything."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

# html=False: a '<script>' in monograph text is printed as text, never passed on.
# Images are off: monograph text must not make the renderer fetch files.
_md = (MarkdownIt("commonmark", {"html": False, "typographer": False})
       .enable("table").disable("image"))


def to_html(text: str) -> Markup:
    """Render one block of monograph Markdown to safe HTML."""
    return Markup(_md.render(text))
