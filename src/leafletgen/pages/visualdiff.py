"""What changed between two sets of leaflet PDFs, page by page, as one HTML report.

``diff(old, new)`` pairs PDFs (two files, or two folders matched by file name, or a folder
and a file of that folder's name), draws each page with PDFium as ``preview`` does, and
compares page 1 with page 1, page 2 with page 2, ...: a pixel has changed when one of its
colour channels differs by more than ``threshold`` (of 255). Page sizes that differ are
compared on a white canvas of the larger size. The text of each leaflet (PDFium's
extraction, one printed line a line) is compared with difflib.

``report_html`` writes the result as one self-contained HTML file: a summary table, then
for each changed leaflet each changed page's old and new image and a difference overlay
(the two pages faint, what only the old page has in red, what only the new page has in
blue), and the text diff. Images are embedded as ``data:`` URIs; nothing is fetched and
there are no scripts. Every name and text placed into it is escaped.

Two PDFs with the same bytes are not drawn at all; two whose bytes differ but whose pages
and text are the same (metadata only) are reported as "same pages", not as a change.
"""

from __future__ import annotations

import base64
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from leafletgen.errors import OutputError, UsageError, display_path
from leafletgen.files import write_atomic
from leafletgen.pages.preview import open_pdf, page_texts, png_bytes, render_pages
from leafletgen.pdfbounds import Unsafe, read_pdf

if TYPE_CHECKING:
    from PIL import Image

DIFF_DPI = 72  # an A4 page is 595 x 842 px: text a reviewer can read, a report that stays small
PIXEL_THRESHOLD = 32  # of 255: below it, a difference in anti-aliasing, not in what is printed
_CONTEXT_LINES = 2
_CLOSEUP_ZOOM = 2  # a close-up of a change is drawn at twice the resolution of the pages
_CLOSEUP_MAX = 1 / 3  # ... when the change spans at most this much of the page's height
_CLOSEUP_PAD = 10  # pixels (at the pages' resolution) around it
_REMOVED, _ADDED = (214, 0, 0), (0, 90, 230)  # red and blue stay apart in the common colour
# vision deficiencies, and the overlay does not rely on colour alone: the legend says which


@dataclass(frozen=True)
class PageDiff:
    """One page number of a leaflet: changed, added (new only) or removed (old only)."""

    number: int  # 1-based
    status: str  # "changed", "added", "removed"
    changed: float  # fraction of the page's pixels that changed (1.0 for a page added or removed)
    old_png: bytes | None = None
    new_png: bytes | None = None
    overlay_png: bytes | None = None
    size_note: str | None = None  # "page size 210 x 297 mm -> 216 x 279 mm"
    box: tuple[int, int, int, int] | None = None  # the changed pixels' bounds (left, top, ...)
    closeup: tuple[bytes, bytes] | None = None  # the changed region of old and new, enlarged


@dataclass(frozen=True)
class TextLine:
    """A line of a text diff: ``kind`` is " " (context), "-", "+" or "@" (a hunk's header)."""

    kind: str
    text: str


@dataclass(frozen=True)
class LeafletDiff:
    """One leaflet (a pair of PDFs, or a PDF on one side only)."""

    name: str
    old: Path | None
    new: Path | None
    old_pages: int = 0
    new_pages: int = 0
    pages: tuple[PageDiff, ...] = ()  # the pages that changed, were added or were removed
    text: tuple[TextLine, ...] = ()
    same_bytes: bool = False
    problem: str | None = None  # why the two could not be compared (pdfbounds.py)

    @property
    def status(self) -> str:
        if self.problem is not None:
            return "not compared"
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        if self.pages or self.text:
            return "changed"
        return "same" if self.same_bytes else "same pages"

    @property
    def changed(self) -> bool:
        return self.status in ("added", "removed", "changed", "not compared")


@dataclass(frozen=True)
class DiffResult:
    old: Path
    new: Path
    leaflets: tuple[LeafletDiff, ...]
    dpi: int = DIFF_DPI
    threshold: int = PIXEL_THRESHOLD

    @property
    def changed(self) -> tuple[LeafletDiff, ...]:
        return tuple(leaflet for leaflet in self.leaflets if leaflet.changed)


@dataclass
class _Side:
    pages: list = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


def diff(old: Path, new: Path, dpi: int = DIFF_DPI,
         threshold: int = PIXEL_THRESHOLD) -> DiffResult:
    """Compare the PDFs ``old`` and ``new``: two files, two folders of ``*.pdf`` matched by
    file name, or a folder and a file (compared with the folder's file of that name)."""
    pairs = _pairs(old, new)
    leaflets = tuple(diff_pdfs(name, a, b, dpi, threshold) for name, a, b in pairs)
    return DiffResult(old, new, leaflets, dpi, threshold)


def _pairs(old: Path, new: Path) -> list[tuple[str, Path | None, Path | None]]:
    for path in (old, new):
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    if old.is_dir() and new.is_dir():
        a = {p.name: p for p in old.glob("*.pdf") if p.is_file()}
        b = {p.name: p for p in new.glob("*.pdf") if p.is_file()}
        if not a and not b:
            raise UsageError(f"no PDF files in {old} or {new}")
        return [(name, a.get(name), b.get(name)) for name in sorted(a.keys() | b.keys())]
    if old.is_dir():
        old = old / new.name
        return [(new.name, old if old.is_file() else None, new)]
    if new.is_dir():
        new = new / old.name
        return [(old.name, old, new if new.is_file() else None)]
    name = new.name if old.name == new.name else f"{old.name} → {new.name}"
    return [(name, old, new)]


def diff_pdfs(name: str, old: Path | None, new: Path | None, dpi: int = DIFF_DPI,
              threshold: int = PIXEL_THRESHOLD) -> LeafletDiff:
    """Compare two PDFs page by page (either may be None: a leaflet added or removed). A PDF
    that cannot be read safely (pdfbounds.py) gives a LeafletDiff that says why."""
    try:
        old_data = _safe_bytes(old)
        new_data = _safe_bytes(new)
        return _compare(name, old, new, old_data, new_data, dpi, threshold)
    except (Unsafe, UsageError) as exc:
        return LeafletDiff(name, old, new, problem=str(exc))


def _safe_bytes(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return read_pdf(path)
    except Unsafe as exc:
        raise Unsafe(f"{path}: {exc}") from None
    except OSError as exc:
        raise Unsafe(f"{path}: cannot read the file: {exc.strerror or exc}") from None


def _compare(name: str, old: Path | None, new: Path | None, old_data: bytes | None,
             new_data: bytes | None, dpi: int, threshold: int) -> LeafletDiff:
    if old is not None and old_data is not None and old_data == new_data:
        document = open_pdf(old, old_data)
        try:
            count = len(document)
        finally:
            document.close()
        return LeafletDiff(name, old, new, count, count, same_bytes=True)
    a, b = _read(old, old_data, dpi), _read(new, new_data, dpi)
    pages = []
    for index in range(max(len(a.pages), len(b.pages))):
        before = a.pages[index] if index < len(a.pages) else None
        after = b.pages[index] if index < len(b.pages) else None
        page = compare_page(index + 1, before, after, threshold, dpi)
        if page is not None and before is not None and after is not None and page.box:
            top, bottom = page.box[1], page.box[3]
            if bottom - top <= max(before.height, after.height) * _CLOSEUP_MAX:
                page = replace(page, closeup=(_closeup(old, old_data, index, page.box, dpi),
                                              _closeup(new, new_data, index, page.box, dpi)))
        if page is not None:
            pages.append(page)
    text = text_diff(a.texts, b.texts) if old is not None and new is not None else ()
    return LeafletDiff(name, old, new, len(a.pages), len(b.pages), tuple(pages), text)


def _read(path: Path | None, data: bytes | None, dpi: int) -> _Side:
    if path is None or data is None:
        return _Side()
    document = open_pdf(path, data)
    try:
        return _Side(render_pages(document, dpi), page_texts(document))
    finally:
        document.close()


def _closeup(path, data, index: int, box: tuple[int, int, int, int], dpi: int) -> bytes:
    """The region ``box`` (pixels at ``dpi``) of a page, with a margin, drawn larger."""
    document = open_pdf(path, data)
    try:
        image = render_pages([document[index]], dpi * _CLOSEUP_ZOOM)[0]
    finally:
        document.close()
    left, top, right, bottom = (max(0, (value + pad) * _CLOSEUP_ZOOM) for value, pad in
                                zip(box, (-_CLOSEUP_PAD, -_CLOSEUP_PAD,
                                          _CLOSEUP_PAD, _CLOSEUP_PAD), strict=True))
    return png_bytes(image.crop((left, top, min(right, image.width),
                                 min(bottom, image.height))))


def compare_page(number: int, old: Image.Image | None, new: Image.Image | None,
                 threshold: int = PIXEL_THRESHOLD, dpi: int = DIFF_DPI) -> PageDiff | None:
    """The difference between two drawings of one page; None when they are the same."""
    if old is None or new is None:
        status = "added" if old is None else "removed"
        return PageDiff(number, status, 1.0,
                        old_png=png_bytes(old) if old is not None else None,
                        new_png=png_bytes(new) if new is not None else None)
    fraction, mask = changed_pixels(old, new, threshold)
    if not fraction:
        return None
    note = None
    if old.size != new.size:
        note = f"page size {_mm(old.size, dpi)} → {_mm(new.size, dpi)}"
    return PageDiff(number, "changed", fraction, png_bytes(old), png_bytes(new),
                    png_bytes(overlay(old, new, mask)), note, mask.getbbox())


def changed_pixels(old: Image.Image, new: Image.Image, threshold: int = PIXEL_THRESHOLD
                   ) -> tuple[float, Image.Image]:
    """The fraction of pixels that differ by more than ``threshold`` in a colour channel, and
    a mask of them (mode L, 255 where changed), on a canvas of the larger of the two sizes."""
    from PIL import ImageChops

    old, new = _same_canvas(old, new)
    red, green, blue = ImageChops.difference(old, new).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = largest.point(lambda value: 255 if value > threshold else 0)
    return mask.histogram()[255] / (mask.width * mask.height), mask


def overlay(old: Image.Image, new: Image.Image, mask: Image.Image) -> Image.Image:
    """Both pages faint, the changed pixels of ``mask`` in red where the old page is darker
    (ink removed) and in blue where the new page is darker (ink added), thickened so that
    a changed full stop is seen."""
    from PIL import Image, ImageChops, ImageFilter

    old, new = _same_canvas(old, new)
    old_grey, new_grey = old.convert("L"), new.convert("L")
    faint = ImageChops.darker(old_grey, new_grey).point(lambda value: 255 - (255 - value) // 4)
    image = Image.merge("RGB", (faint, faint, faint))
    darker_now = ImageChops.subtract(old_grey, new_grey).point(lambda v: 255 if v else 0)
    added = ImageChops.multiply(mask, darker_now)
    removed = ImageChops.subtract(mask, added)
    for colour, where in ((_REMOVED, removed), (_ADDED, added)):
        image.paste(colour, (0, 0, *image.size), where.filter(ImageFilter.MaxFilter(3)))
    return image


def _same_canvas(old: Image.Image, new: Image.Image) -> tuple[Image.Image, Image.Image]:
    from PIL import Image

    if old.size == new.size:
        return old.convert("RGB"), new.convert("RGB")
    size = (max(old.width, new.width), max(old.height, new.height))
    canvases = []
    for image in (old, new):
        canvas = Image.new("RGB", size, (255, 255, 255))
        canvas.paste(image.convert("RGB"), (0, 0))
        canvases.append(canvas)
    return canvases[0], canvases[1]


def _mm(size: tuple[int, int], dpi: int) -> str:
    return " x ".join(f"{round(px / dpi * 25.4)}" for px in size) + " mm"


def text_diff(old: Sequence[str], new: Sequence[str],
              context: int = _CONTEXT_LINES) -> tuple[TextLine, ...]:
    """A line diff of two leaflets' page texts; each hunk's header names its pages."""
    a, b = _lines(old), _lines(new)
    matcher = difflib.SequenceMatcher(None, [t for _, t in a], [t for _, t in b],
                                      autojunk=False)
    found: list[TextLine] = []
    for group in matcher.get_grouped_opcodes(context):
        first = group[0]
        found.append(TextLine("@", f"old page {_page_at(a, first[1])}, "
                                   f"new page {_page_at(b, first[3])}"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                found += [TextLine(" ", text) for _, text in a[i1:i2]]
                continue
            found += [TextLine("-", text) for _, text in a[i1:i2]]
            found += [TextLine("+", text) for _, text in b[j1:j2]]
    return tuple(found)


def _lines(pages: Sequence[str]) -> list[tuple[int, str]]:
    return [(number, line.strip()) for number, text in enumerate(pages, start=1)
            for line in text.splitlines() if line.strip()]


def _page_at(lines: list[tuple[int, str]], index: int) -> int:
    if not lines:
        return 1
    return lines[min(index, len(lines) - 1)][0]


def write_report(path: Path, html: str) -> None:
    """Write the report atomically; OutputError when it cannot be written."""
    try:
        write_atomic(path, html.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror or exc})") from exc


def percent(fraction: float) -> str:
    """A share of pixels for people: "3.12 %", "< 0.01 %"."""
    if fraction and fraction < 0.0001:
        return "< 0.01 %"
    return f"{fraction * 100:.2f} %"


def describe(leaflet: LeafletDiff) -> str:
    """One line about one leaflet, as the command prints it."""
    if leaflet.problem is not None:
        return f"not compared {leaflet.name}: {leaflet.problem}"
    if leaflet.status == "added":
        return f"added {leaflet.name} ({leaflet.new_pages} page(s))"
    if leaflet.status == "removed":
        return f"removed {leaflet.name} ({leaflet.old_pages} page(s))"
    if leaflet.status == "same pages":
        return f"same pages {leaflet.name} (the files differ, not their pages or text)"
    if leaflet.status == "same":
        return f"same {leaflet.name}"
    parts = [_page_summary(page) for page in leaflet.pages]
    if not parts:
        parts = ["text only"]
    return f"changed {leaflet.name}: " + ", ".join(parts)


def _page_summary(page: PageDiff) -> str:
    if page.status == "changed":
        return f"page {page.number} ({percent(page.changed)})"
    return f"page {page.number} {page.status}"


def verdict(result: DiffResult) -> str:
    total = len(result.leaflets)
    unread = sum(1 for leaflet in result.leaflets if leaflet.problem is not None)
    changed = len(result.changed) - unread
    said = f"{changed} of {total} leaflet(s) changed" if changed else \
        f"no changes in {total - unread} leaflet(s)" if unread < total else ""
    if unread:
        said += ("; " if said else "") + f"{unread} of {total} could not be compared"
    return said


_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1d;
       margin: 20px 28px; max-width: 1500px; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
h2 { font-size: 1.25em; margin: 1.8em 0 .4em; padding-top: .6em; border-top: 2px solid #bbb; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
code { font-size: .92em; overflow-wrap: anywhere; }
.meta { color: #444; margin: 0 0 .8em; }
.verdict { font-weight: 700; font-size: 1.1em; }
table { border-collapse: collapse; margin: .6em 0 1em; }
th, td { border: 1px solid #c8c8c8; padding: 3px 9px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.changed, .added, .removed { font-weight: 700; }
.changed { color: #8a4b00; } .added { color: #0b5cad; } .removed { color: #b00000; }
.same, .same-pages { color: #555; }
.legend { color: #333; font-size: .93em; }
.key { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em;
       border: 1px solid #555; }
.trio { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 14px; }
figure { margin: 0; }
figcaption { font-weight: 700; font-size: .9em; margin-bottom: 3px; }
figure img { width: 100%; height: auto; border: 1px solid #888; background: #fff;
             display: block; }
.closeup { display: flex; flex-wrap: wrap; gap: 8px 24px; margin-bottom: 12px; }
.closeup img { width: auto; max-width: 100%; }
.empty { border: 1px dashed #999; color: #666; padding: 2em 1em; text-align: center; }
pre.text { background: #fafafa; border: 1px solid #ddd; padding: 8px; font-size: 13px;
           line-height: 1.35; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.text .del { background: #ffe1e1; display: block; }
pre.text .ins { background: #dcebff; display: block; }
pre.text .hunk { color: #555; font-style: italic; display: block; margin-top: .5em; }
"""


def report_html(result: DiffResult) -> str:
    """The whole report: one HTML document with its images embedded."""
    old, new = display_path(result.old), display_path(result.new)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(f'Leaflet changes: {old} → {new}')}</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Leaflet changes</h1>",
        f'<p class="meta">Old: <code>{escape(old)}</code><br>New: <code>{escape(new)}</code>'
        f"<br>Pages drawn at {result.dpi} dpi; a pixel counts as changed when a colour channel "
        f"differs by more than {result.threshold} of 255.</p>",
        f'<p class="verdict">{escape(_sentence(verdict(result)))}.</p>',
        _summary_table(result),
    ]
    for index, leaflet in enumerate(result.leaflets, start=1):
        if leaflet.changed:
            out.append(_leaflet_section(index, leaflet))
    out.append("</body></html>\n")
    return "\n".join(out)


def _summary_table(result: DiffResult) -> str:
    rows = ["<table><thead><tr><th>Leaflet</th><th>Result</th><th>Pages, old → new</th>"
            "<th>Pages changed (pixels changed)</th></tr></thead><tbody>"]
    for index, leaflet in enumerate(result.leaflets, start=1):
        name = escape(leaflet.name)
        if leaflet.changed:
            name = f'<a href="#leaflet-{index}">{name}</a>'
        counts = (f"{leaflet.old_pages if leaflet.old else '–'} → "
                  f"{leaflet.new_pages if leaflet.new else '–'}")
        if leaflet.old and leaflet.new and leaflet.old_pages != leaflet.new_pages:
            counts += f" ({leaflet.new_pages - leaflet.old_pages:+d})"
        pages = ", ".join(
            f'<a href="#leaflet-{index}-page-{page.number}">{escape(_page_summary(page))}</a>'
            for page in leaflet.pages if leaflet.status == "changed")
        if leaflet.status == "changed" and not pages:
            pages = "text only"
        status = leaflet.status
        rows.append(f'<tr><td>{name}</td><td class="{status.replace(" ", "-")}">'
                    f'{escape(status)}</td><td class="n">{counts}</td><td>{pages}</td></tr>')
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _leaflet_section(index: int, leaflet: LeafletDiff) -> str:
    out = [f'<section id="leaflet-{index}">', f"<h2>{escape(leaflet.name)}</h2>"]
    where = [f"old <code>{escape(display_path(leaflet.old))}</code>" if leaflet.old else "",
             f"new <code>{escape(display_path(leaflet.new))}</code>" if leaflet.new else ""]
    out.append(f'<p class="meta">{escape(_sentence(leaflet.status))}: '
               + "; ".join(w for w in where if w) + ".</p>")
    if leaflet.problem is not None:
        out.append(f'<p class="problem">{escape(leaflet.problem)}</p>')
    if leaflet.status == "changed" and leaflet.pages:
        out.append('<p class="legend">Difference: both pages faint; '
                   f'<span class="key" style="background:rgb{_REMOVED}"></span> red: only on '
                   'the old page (or darker there); '
                   f'<span class="key" style="background:rgb{_ADDED}"></span> blue: only on '
                   "the new page (or darker there).</p>")
    for page in leaflet.pages:
        out.append(_page_section(index, page))
    if leaflet.text:
        out.append("<h3>Text</h3>")
        out.append('<pre class="text">' + "".join(_text_line(line) for line in leaflet.text)
                   + "</pre>")
    elif leaflet.status == "changed":
        out.append("<p>The text is the same.</p>")
    out.append("</section>")
    return "\n".join(out)


def _page_section(index: int, page: PageDiff) -> str:
    if page.status == "changed":
        title = f"Page {page.number}: {percent(page.changed)} of pixels changed"
    else:
        title = f"Page {page.number}: {page.status}"
    if page.size_note:
        title += f" ({page.size_note})"
    figures = [
        _figure("Old", f"old page {page.number}", page.old_png),
        _figure("New", f"new page {page.number}", page.new_png),
        _figure("Difference", f"difference on page {page.number}", page.overlay_png),
    ]
    closeup = ""
    if page.closeup:
        closeup = ('<div class="closeup">'
                   + _figure("Old (close-up)", f"old page {page.number}, the changed part",
                             page.closeup[0])
                   + _figure("New (close-up)", f"new page {page.number}, the changed part",
                             page.closeup[1]) + "</div>")
    return (f'<section id="leaflet-{index}-page-{page.number}"><h3>{escape(title)}</h3>'
            f'{closeup}<div class="trio">{"".join(figures)}</div></section>')


def _figure(caption: str, alt: str, png: bytes | None) -> str:
    if png is None:
        body = '<div class="empty">no page</div>'
    else:
        data = base64.b64encode(png).decode("ascii")
        body = f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'
    return f"<figure><figcaption>{escape(caption)}</figcaption>{body}</figure>"


def _text_line(line: TextLine) -> str:
    css = {"-": "del", "+": "ins", "@": "hunk"}.get(line.kind)
    text = escape(line.text if line.kind == "@" else f"{line.kind} {line.text}")
    return f'<span class="{css}">{text}</span>' if css else text + "\n"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
