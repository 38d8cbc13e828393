"""Figures as each variant prints them: which file, at what width, and how big their text is.

A figure ``figures/x.svg`` may have a version drawn for a variant beside it,
``figures/x.<version>.svg`` (``figure_version: large`` in patient-large.yaml finds
``figures/x.large.svg``); that version prints at its own size. Otherwise the variant prints
the figure ``figure_scale`` times its own size (its ``width`` in an SVG, 96 pixels to the inch
in a PNG), never wider than the text column. ``leafletgen check`` reads the text inside an
SVG figure at that printed size, so a figure whose text would print under the variant's type
floor is reported before anything is built (the same sizes the renderer uses).
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

MAX_FIGURE_BYTES = 2 * 1024 * 1024
# the narrowest text column of the shipped variants (A4 and US Letter, 20 mm margins):
# a figure is never printed wider than this
COLUMN_MM = 170.0
_PX_MM = 25.4 / 96
_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": _PX_MM,
             "": _PX_MM}
_LENGTH = re.compile(r"\s*([0-9.]+)\s*(mm|cm|in|pt|pc|px|)\s*$")
_FONT_SIZE = re.compile(r"font-size\s*:\s*([0-9.]+)\s*(px|pt|)\s*(?:;|$)")
_SVG = "{http://www.w3.org/2000/svg}"
DEFAULT_FONT_SIZE = 16.0  # user units: CSS 'medium'


@dataclass(frozen=True)
class PrintedFigure:
    """The file a variant prints for a figure, and its printed width (None: as the file is)."""

    path: Path
    width_mm: float | None
    scale: float  # how many times its own size it prints


def printed_figure(path: Path, version: str | None = None,
                   scale: float = 1.0) -> PrintedFigure:
    """The file and width a variant prints for the figure ``path``."""
    if version:
        drawn = path.with_name(f"{path.stem}.{version}{path.suffix}")
        if drawn.is_file():
            width = own_width_mm(drawn)
            return PrintedFigure(drawn, min(width, COLUMN_MM) if width else None, 1.0)
    width = own_width_mm(path)
    if width is None:
        return PrintedFigure(path, None, 1.0)
    return PrintedFigure(path, min(width * scale, COLUMN_MM), scale)


def own_width_mm(path: Path) -> float | None:
    """The width a figure prints at when nothing scales it; None when it cannot be read."""
    try:
        if path.stat().st_size > MAX_FIGURE_BYTES:
            return None
        if path.suffix.lower() == ".svg":
            root = _svg_root(path)
            return _length_mm(root.get("width")) if root is not None else None
        if path.suffix.lower() == ".png":
            with path.open("rb") as file:
                head = file.read(24)
            if head[:8] == b"\x89PNG\r\n\x1a\n":
                return struct.unpack(">I", head[16:20])[0] * _PX_MM
    except OSError:
        return None
    return None


def _length_mm(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match[1]) * _UNITS_MM[match[2]] if match else None


def _svg_root(path: Path) -> ET.Element | None:
    data = path.read_bytes()
    if len(data) > MAX_FIGURE_BYTES or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None  # no entities: a figure is a drawing, not a document that expands
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None
    return root if root.tag in (f"{_SVG}svg", "svg") else None


@dataclass(frozen=True)
class FigureText:
    """A text inside an SVG figure, and its size in the figure's own units."""

    text: str
    size: float


def svg_texts(path: Path) -> tuple[FigureText, ...]:
    """Every text an SVG figure draws, with its font size in user units (inherited from its
    groups; 16 when nothing sets it)."""
    root = _svg_root(path) if path.suffix.lower() == ".svg" else None
    if root is None:
        return ()
    found: list[FigureText] = []

    def walk(element: ET.Element, size: float) -> None:
        size = _font_size(element, size)
        tag = element.tag.removeprefix(_SVG)
        if tag in ("text", "tspan") and (element.text or "").strip():
            found.append(FigureText(" ".join((element.text or "").split()), size))
        if tag in ("title", "desc", "metadata", "defs"):
            return
        for child in element:
            walk(child, size)

    walk(root, DEFAULT_FONT_SIZE)
    return tuple(found)


def _font_size(element: ET.Element, inherited: float) -> float:
    match = _FONT_SIZE.search(element.get("style") or "")
    value, unit = (match[1], match[2]) if match else (element.get("font-size"), None)
    if value is None:
        return inherited
    if unit is None:
        plain = _LENGTH.match(value)
        if not plain or plain[2] not in ("", "px", "pt"):
            return inherited
        value, unit = plain[1], plain[2]
    size = float(value)
    return size * 96 / 72 if unit == "pt" else size


def user_unit_mm(path: Path, width_mm: float) -> float | None:
    """How many millimetres one user unit of an SVG is when it prints ``width_mm`` wide."""
    root = _svg_root(path)
    if root is None:
        return None
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            units = float(box[2])
        except ValueError:
            return None
    else:
        own = _length_mm(root.get("width"))
        if own is None:
            return None
        units = own / _PX_MM
    return width_mm / units if units > 0 else None


def printed_text_pt(figure: PrintedFigure) -> tuple[tuple[FigureText, float], ...]:
    """Each text of a printed SVG figure with the size in points it prints at."""
    width = figure.width_mm if figure.width_mm is not None else COLUMN_MM
    unit = user_unit_mm(figure.path, width)
    if unit is None:
        return ()
    return tuple((text, text.size * unit * 72 / 25.4) for text in svg_texts(figure.path))
