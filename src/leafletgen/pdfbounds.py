"""Limits on a PDF from elsewhere before it is read, drawn or checked (preview, diff, verify).

A tiny PDF can ask for far more than it is: a page box miles wide (gigapixels when drawn), tens
of thousands of pages, or a content stream that inflates from 1 MB to gigabytes. Each is
refused with a message for that file, and the other files are still handled:

- the file: at most ``MAX_PDF_BYTES``, read no further;
- pages: at most ``MAX_PAGES``;
- every stream, decoded: at most ``MAX_STREAM_BYTES`` (inflated a piece at a time, never
  whole), all of them together at most ``MAX_DECODED_BYTES``; an image at most
  ``MAX_IMAGE_PIXELS`` pixels;
- a page drawn: at most ``MAX_PAGE_PIXELS`` pixels at the resolution asked for
  (``page_pixels_problem``);
- a file that needs a password to open is reported as such.

pikepdf is imported when a file is checked: other commands need not load it.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

from leafletgen.limits import TooLarge, megabytes, read_limited

MAX_PDF_BYTES = 64 * 1024 * 1024  # a leaflet is under 1 MB, a packet with attachments more
MAX_PAGES = 2000  # a packet of twenty leaflets has about 200
MAX_STREAM_BYTES = 64 * 1024 * 1024
MAX_DECODED_BYTES = 256 * 1024 * 1024
MAX_IMAGE_PIXELS = 100_000_000
MAX_PAGE_PIXELS = 40_000_000  # A4 at 600 dpi is 35 million
# how much larger than its encoded bytes a stream may be after each filter, at worst
_RATIO = {"/ASCIIHexDecode": 1, "/AHx": 1, "/ASCII85Decode": 1, "/A85": 1,
          "/RunLengthDecode": 64, "/RL": 64, "/LZWDecode": 350, "/LZW": 350}
_PIECE = 1024 * 1024


class Unsafe(Exception):
    """A PDF that leafletgen will not read; the message says why, in words for a person.
    ``unreadable``: it is not a PDF the readers can parse at all; ``protected``: it needs a
    password (rather than being too large)."""

    def __init__(self, message: str, unreadable: bool = False, protected: bool = False):
        super().__init__(message)
        self.unreadable = unreadable
        self.protected = protected


def read_pdf(path: Path) -> bytes:
    """The bytes of ``path`` once they are shown to be safe to read (``check``): Unsafe
    otherwise, OSError when the file cannot be read."""
    try:
        data = read_limited(path, MAX_PDF_BYTES)
    except TooLarge as exc:
        raise Unsafe(f"the file is {megabytes(exc.size)} or more, over the "
                     f"{megabytes(MAX_PDF_BYTES)} leafletgen reads of a PDF") from None
    check(data)
    return data


def check(data: bytes) -> None:
    """Raise Unsafe when the PDF ``data`` needs a password, has too many pages or holds a
    stream or image that would be too large decoded."""
    import pikepdf

    try:
        document = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise Unsafe("the file is protected by a password; leafletgen does not open "
                     "protected PDFs: check a copy saved without the password",
                     protected=True) from None
    except pikepdf.PdfError as exc:
        raise Unsafe(f"not a readable PDF ({_first_line(exc)})", unreadable=True) from None
    with document:
        count = len(document.pages)
        if count > MAX_PAGES:
            raise Unsafe(f"the file has {count:,} pages, over the {MAX_PAGES:,} leafletgen "
                         "reads of a PDF")
        total = 0
        for obj in document.objects:
            if isinstance(obj, pikepdf.Stream):
                total += _decoded_size(obj)
                if total > MAX_DECODED_BYTES:
                    raise Unsafe(f"its streams decode to over {megabytes(MAX_DECODED_BYTES)} "
                                 "(a compression bomb?); leafletgen does not read it")


def page_pixels_problem(width_pt: float, height_pt: float, dpi: float) -> str | None:
    """Why a page of this size (in points) cannot be drawn at ``dpi``, or None."""
    pixels = (width_pt * dpi / 72) * (height_pt * dpi / 72)
    if pixels != pixels or pixels > MAX_PAGE_PIXELS:  # NaN, or too many
        return (f"a page of {width_pt / 72 * 25.4:,.0f} x {height_pt / 72 * 25.4:,.0f} mm "
                f"would be over {MAX_PAGE_PIXELS // 1_000_000} million pixels at {dpi:g} dpi; "
                "leafletgen does not draw it")
    return None


def _decoded_size(stream) -> int:
    import pikepdf

    if stream.get("/Subtype") == pikepdf.Name.Image:
        try:
            pixels = int(stream.get("/Width", 0)) * int(stream.get("/Height", 0))
        except (TypeError, ValueError):
            pixels = 0
        if pixels > MAX_IMAGE_PIXELS or pixels < 0:
            raise Unsafe(f"it holds an image of {pixels:,} pixels, over the "
                         f"{MAX_IMAGE_PIXELS // 1_000_000} million leafletgen draws")
    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else \
        [str(filters)] if filters is not None else []
    data = stream.read_raw_bytes()
    size = len(data)
    for index, name in enumerate(names):
        if name in ("/FlateDecode", "/Fl"):
            # inflated a piece at a time; after another filter, bounded by zlib's ratio
            size = size * 1032 if index else _inflated_size(data)
        else:
            size *= _RATIO.get(name, 1)  # images' own codecs: bounded by their pixels
        if size > MAX_STREAM_BYTES:
            raise Unsafe(f"a stream would decode to over {megabytes(MAX_STREAM_BYTES)} "
                         "(a compression bomb?); leafletgen does not read it")
    return size


def _inflated_size(data: bytes) -> int:
    """How large a Flate stream is inflated, a piece at a time: never more than
    MAX_STREAM_BYTES + a piece in memory (then Unsafe)."""
    inflater = zlib.decompressobj()
    size, pending = 0, data
    try:
        while pending:
            size += len(inflater.decompress(pending, _PIECE))
            pending = inflater.unconsumed_tail
            if size > MAX_STREAM_BYTES:
                raise Unsafe(f"a stream would decode to over {megabytes(MAX_STREAM_BYTES)} "
                             "(a compression bomb?); leafletgen does not read it")
            if inflater.eof:
                break
    except zlib.error:
        return size  # damaged: the readers say so in their own words
    return size


def _first_line(exc: Exception) -> str:
    """The reason of a pikepdf error, without the Python object it names first."""
    line = (str(exc).splitlines() or ["unreadable"])[0]
    return re.sub(r"^(stream |file )?<[^>]*>:\s*", "", line) or "unreadable"
