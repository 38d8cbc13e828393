"""Running headers and footers marked as artifacts while WeasyPrint draws them.

WeasyPrint 70 tags the text of page-margin boxes (running headers, footers, page numbers) as
marked content whose structure elements it leaves out of the structure tree (WeasyPrint
#1836): PDF/UA-1 then finds content that is neither in the tree nor an artifact. Such
pagination text belongs outside the tree, as ``/Artifact`` marked content, which is what
``margins_as_artifacts`` makes WeasyPrint draw, so no second pass over the PDF is needed.

The hooks are WeasyPrint 70's drawing and tagging functions (the major version is pinned in
pyproject.toml); ``available()`` says whether they are there, and ``render.finish`` marks
the same content after writing when they are not.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

_PAGINATION = {"Type": "/Pagination"}


def available() -> bool:
    """Whether this WeasyPrint has the functions the hooks wrap."""
    try:
        from weasyprint import document
        from weasyprint.pdf import tags
        from weasyprint.pdf.stream import Stream
    except ImportError:
        return False
    return (callable(getattr(document, "draw_page", None))
            and callable(getattr(tags, "_build_box_tree", None))
            and callable(getattr(Stream, "marked", None))
            and callable(getattr(Stream, "begin_marked_content", None)))


@contextlib.contextmanager
def margins_as_artifacts() -> Iterator[None]:
    """While the block runs, WeasyPrint draws margin boxes as ``/Artifact`` content of type
    ``/Pagination`` and leaves them out of the structure tree (one thread at a time)."""
    import pydyf
    from weasyprint import document
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import tags
    from weasyprint.pdf.stream import Stream

    draw_page = document.draw_page
    marked = Stream.marked
    build_box_tree = tags._build_box_tree

    def drawing(page_box: Any, stream: Any) -> None:
        stream._leafletgen_margins = {
            id(box) for child in page_box.children if isinstance(child, boxes.MarginBox)
            for box in child.descendants(placeholders=True)}
        try:
            draw_page(page_box, stream)
        finally:
            del stream._leafletgen_margins

    @contextlib.contextmanager
    def as_artifact(self: Any) -> Iterator[None]:
        self.begin_marked_content("Artifact", pydyf.Dictionary(_PAGINATION))
        try:
            yield
        finally:
            self.end_marked_content()

    # plain functions, not generators: they run for every box WeasyPrint draws or tags, and
    # the tree is built recursively through ``tree``, so a generator of ours would add a
    # frame at every level that each element passes up through
    def marking(self: Any, box: Any, tag: str) -> contextlib.AbstractContextManager[None]:
        if self._tags is None or id(box) not in getattr(self, "_leafletgen_margins", ()):
            return marked(self, box, tag)
        return as_artifact(self)

    def tree(box: Any, *args: Any, **kwargs: Any) -> Iterable[Any]:
        if isinstance(box, boxes.MarginBox):
            return ()  # drawn as artifacts: nothing of it belongs in the structure tree
        return build_box_tree(box, *args, **kwargs)

    document.draw_page = drawing
    Stream.marked = marking
    tags._build_box_tree = tree
    try:
        yield
    finally:
        document.draw_page = draw_page
        Stream.marked = marked
        tags._build_box_tree = build_box_tree
