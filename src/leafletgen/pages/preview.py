"""Page images of finished PDFs, for a reviewer and for CI artefacts.

``preview`` writes one PNG per page of each PDF (``OUT/<stem>/page-1.png``, ...) and, per
monograph, a contact sheet with all its variants side by side, a page per row
(``OUT/<slug>-sheet.png``). Pages are rasterised by PDFium (pypdfium2), which draws the fonts
embedded in the PDF, so the images do not depend on the fonts of the machine; the same PDF
gives the same PNG bytes every time (Pillow writes no dates into a PNG).

``visualdiff`` compares two sets of PDFs with the same page images.
"""

from __future__ import annotations

import ctypes
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from leafletgen.errors import OutputError, Problem, UsageError
from leafletgen.files import find_pdfs, write_atomic
from leafletgen.pdfbounds import Unsafe, page_pixels_problem, read_pdf

if TYPE_CHECKING:
    from PIL import Image, ImageFont

# pypdfium2 and Pillow are imported where a page is drawn: other commands need not load them.

DEFAULT_PREVIEW_OUT = Path("out") / "preview"
PREVIEW_DPI = 96  # a page image a reviewer reads on a screen (A4: 794 x 1123 px)
SHEET_DPI = 36  # a page on a contact sheet: its layout, not its text (A4: 298 x 421 px)
_VARIANT_KEY = b"leafletgenvariant"  # what verify.VARIANT_KEY names in the document information
_PAGE_FILE = re.compile(r"page-[0-9]+\.png")

# contact sheet geometry, in pixels
_MARGIN, _GAP, _HEADER, _ROW_LABEL = 16, 12, 30, 64
_SHEET_BACKGROUND, _INK, _FRAME = (232, 232, 232), (34, 34, 34), (150, 150, 150)


@dataclass(frozen=True)
class PreviewResult:
    """The files ``preview`` wrote: page images per PDF and contact sheets per monograph."""

    pages: dict[Path, tuple[Path, ...]]  # PDF -> its page images, in page order
    sheets: tuple[Path, ...]
    problems: tuple[Problem, ...] = ()  # PDFs that were not drawn, and why


def open_pdf(path: Path, data: bytes | None = None):
    """A ``pypdfium2.PdfDocument`` of the file (or of ``data``); UsageError if unreadable."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data if data is not None else path)
    except (pdfium.PdfiumError, OSError) as exc:
        reason = (str(exc).splitlines() or ["unreadable"])[0]
        raise UsageError(f"{path}: not a readable PDF ({reason})") from exc


def checked_pdf(path: Path):
    """An open ``pypdfium2.PdfDocument`` of a PDF from anywhere, once its size, pages and
    streams are within limits (pdfbounds.py); Unsafe or UsageError says why not."""
    try:
        data = read_pdf(path)
    except OSError as exc:
        raise Unsafe(f"cannot read the file: {exc.strerror or exc}") from None
    return open_pdf(path, data)


def render_pages(pages, dpi: int) -> list[Image.Image]:
    """Every page of an open document (or the pages given) as an RGB image at ``dpi``, on
    white. Unsafe when a page would be over the pixel budget (pdfbounds.MAX_PAGE_PIXELS)."""
    images = []
    for page in pages:
        try:
            width, height = page.get_size()
            too_large = page_pixels_problem(width, height, dpi)
            if too_large:
                raise Unsafe(too_large)
            bitmap = page.render(scale=dpi / 72, draw_annots=True, rev_byteorder=True,
                                 fill_color=(255, 255, 255, 255))
            images.append(bitmap.to_pil().convert("RGB"))
        finally:
            page.close()
    return images


def page_texts(document) -> list[str]:
    """The text of each page of an open document, as PDFium extracts it (one line a line)."""
    texts = []
    for page in document:
        textpage = page.get_textpage()
        try:
            texts.append(textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
        finally:
            textpage.close()
            page.close()
    return texts


def variant_of(document) -> str | None:
    """The variant a leaflet names in its metadata (a packet or a foreign PDF names none)."""
    import pypdfium2.raw as pdfium_c

    size = pdfium_c.FPDF_GetMetaText(document.raw, _VARIANT_KEY, None, 0)
    if size <= 2:
        return None
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDF_GetMetaText(document.raw, _VARIANT_KEY, buffer, size)
    return buffer.raw.decode("utf-16-le", errors="replace").rstrip("\x00").strip() or None


def png_bytes(image: Image.Image) -> bytes:
    """The image as a PNG with a palette of at most 256 colours, undithered: a page of text
    in a few inks looks the same and takes a quarter of the space of full colour. The same
    pixels give the same bytes (no dates, no text chunks)."""
    from PIL import Image

    if image.mode != "P":
        image = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE,
                                               dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def slug_of(stem: str, variant: str | None) -> str:
    """The monograph slug of a leaflet file ``<slug>-<variant>``; other files stand alone."""
    suffix = f"-{variant}" if variant else None
    if suffix and stem.endswith(suffix) and len(stem) > len(suffix):
        return stem[: -len(suffix)]
    return stem


def preview(paths: Sequence[Path] = (Path("out"),), out: Path = DEFAULT_PREVIEW_OUT,
            dpi: int = PREVIEW_DPI, sheet_dpi: int = SHEET_DPI) -> PreviewResult:
    """Write page images of every PDF in ``paths`` and a contact sheet per monograph.

    Page images of a PDF that has fewer pages than at an earlier preview are removed, so the
    folder holds exactly the current pages.
    """
    files = find_pdfs(paths)
    if not files:
        raise UsageError(f"no PDF files in {', '.join(map(str, paths))}; build some first")
    stems: dict[str, Path] = {}
    for path in files:
        if path.stem in stems:
            raise UsageError(f"{stems[path.stem]} and {path} have the same name; "
                             "preview them separately")
        stems[path.stem] = path
    try:  # a folder that cannot be made fails before anything is written
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write to {out} ({exc.strerror or exc})") from exc
    written: dict[Path, tuple[Path, ...]] = {}
    columns: dict[str, list[tuple[str, list[Image.Image]]]] = {}
    problems: list[Problem] = []
    for path in files:
        try:  # a PDF that cannot be drawn is reported; the others are still drawn
            document = checked_pdf(path)
            try:
                variant = variant_of(document)
                pages = render_pages(document, dpi)
                thumbnails = render_pages(document, sheet_dpi)
            finally:
                document.close()
        except (Unsafe, UsageError) as exc:
            problems.append(Problem(path, 0, f"not previewed: {exc}"))
            continue
        folder = out / path.stem
        targets = tuple(folder / f"page-{number}.png" for number in range(1, len(pages) + 1))
        for image, target in zip(pages, targets, strict=True):
            _write(target, png_bytes(image))
        _remove_stale_pages(folder, targets)
        written[path] = targets
        slug = slug_of(path.stem, variant)
        columns.setdefault(slug, []).append((variant or path.stem, thumbnails))
    sheets = []
    for slug, variants in columns.items():
        target = out / f"{slug}-sheet.png"
        ordered = sorted(variants, key=lambda column: column[0])
        _write(target, png_bytes(contact_sheet(slug, ordered)))
        sheets.append(target)
    return PreviewResult(written, tuple(sheets), tuple(problems))


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror or exc})") from exc


def _remove_stale_pages(folder: Path, current: Sequence[Path]) -> None:
    keep = {target.name for target in current}
    for old in folder.glob("page-*.png"):
        if _PAGE_FILE.fullmatch(old.name) and old.name not in keep:
            old.unlink()


def contact_sheet(title: str, columns: Sequence[tuple[str, Sequence[Image.Image]]]
                  ) -> Image.Image:
    """One image: a column per variant (labelled), a row per page number (labelled)."""
    from PIL import Image, ImageDraw

    widths = [max((page.width for page in pages), default=0) for _, pages in columns]
    rows = max((len(pages) for _, pages in columns), default=0)
    heights = [max((pages[row].height for _, pages in columns if row < len(pages)), default=0)
               for row in range(rows)]
    title_font, label_font = _font(20, bold=True), _font(14)
    top = _MARGIN + 28 + _HEADER
    width = _MARGIN * 2 + _ROW_LABEL + sum(widths) + _GAP * max(len(widths) - 1, 0)
    height = top + sum(heights) + _GAP * max(rows - 1, 0) + _MARGIN
    sheet = Image.new("RGB", (max(width, 320), height), _SHEET_BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text((_MARGIN, _MARGIN), title, fill=_INK, font=title_font)
    x = _MARGIN + _ROW_LABEL
    for (label, pages), column_width in zip(columns, widths, strict=True):
        draw.text((x, top - _HEADER + 6), label, fill=_INK, font=label_font)
        y = top
        for page, row_height in zip(pages, heights, strict=False):
            sheet.paste(page, (x, y))
            draw.rectangle((x - 1, y - 1, x + page.width, y + page.height), outline=_FRAME)
            y += row_height + _GAP
        x += column_width + _GAP
    y = top
    for number, row_height in enumerate(heights, start=1):
        draw.text((_MARGIN, y + 4), f"page {number}", fill=_INK, font=label_font)
        y += row_height + _GAP
    return sheet


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The leaflets' own typeface (Atkinson Hyperlegible, a dependency) for labels."""
    from PIL import ImageFont

    try:
        import fontpkg

        family = fontpkg.family("Atkinson Hyperlegible")
        weight = 700 if bold else 400
        file = next(f for f in family.files if f.style == "normal" and f.weight == weight)
        return ImageFont.truetype(str(file.path), size)
    except Exception:  # a label in Pillow's own font is still a label
        return ImageFont.load_default(size)
