"""Hostile PDFs, made in code (small files that ask for far more than they are)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pikepdf


def huge_page(path: Path, side_pt: float = 200_000) -> Path:
    """A one-page PDF of a few hundred bytes whose page box is kilometres wide."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    pdf.pages[0].MediaBox = pikepdf.Array([0, 0, side_pt, side_pt])
    pdf.save(path)
    return path


def many_pages(path: Path, count: int) -> Path:
    """A PDF of ``count`` blank pages (each the same object, so the file stays small)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    page = pdf.pages[0]
    for _ in range(count - 1):
        pdf.pages.append(page)
    pdf.save(path)
    return path


def content_bomb(path: Path, megabytes: int = 300, nested: bool = False) -> Path:
    """A one-page PDF whose content stream inflates to ``megabytes`` MB of spaces (about a
    thousandth of that compressed); ``nested`` compresses it twice (FlateDecode twice)."""
    squeezer = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    data = b"".join(squeezer.compress(chunk) for _ in range(megabytes)) + squeezer.flush()
    filters = [pikepdf.Name.FlateDecode]
    if nested:
        data = zlib.compress(data, 9)
        filters.append(pikepdf.Name.FlateDecode)
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    stream = pikepdf.Stream(pdf, data)
    stream.Filter = pikepdf.Array(filters)
    pdf.pages[0].Contents = stream
    pdf.save(path, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return path


def huge_image(path: Path) -> Path:
    """A PDF with an image that claims 200,000 x 200,000 pixels."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    image = pikepdf.Stream(pdf, zlib.compress(b"\0" * 1000))
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = 200_000, 200_000, 8
    image.ColorSpace, image.Filter = pikepdf.Name.DeviceGray, pikepdf.Name.FlateDecode
    pdf.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    pdf.pages[0].Contents = pikepdf.Stream(pdf, b"q 100 0 0 100 0 0 cm /Im0 Do Q")
    pdf.save(path, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return path


def protected(path: Path) -> Path:
    """A small valid PDF that opens only with a password."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    pdf.save(path, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return path


def plain(path: Path) -> Path:
    """A small valid PDF, to show the others are refused for what they are."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path)
    return path
