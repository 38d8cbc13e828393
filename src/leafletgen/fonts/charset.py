"""Characters the leaflet fonts cannot print.

Leaflets use only the fonts in ``styles/fonts.yaml`` (see ``fonts.py``): a character that none
of them has prints as an empty box. ``missing_characters`` finds such characters in a text,
``character_problems`` reports them in a block of a monograph, line by line, so that they are
fixed in the source instead of discovered on paper.

Each font's character map is read once per process, or from the user's cache folder
(``facts.py``). Characters that need no glyph are not
reported: line breaks and tabs, separators between lines and paragraphs (U+2028, U+2029),
spaces (a font without, say, U+3000 gets its width from its own space; the Ogham space mark
U+1680 is a visible stroke and does need a glyph), and Unicode's default-ignorable
characters, which renderers draw as nothing (soft hyphen U+00AD, zero-width space U+200B,
zero-width joiners, word joiner U+2060, direction marks, byte-order mark U+FEFF, variation
selectors U+FE00-U+FE0F such as the emoji selector U+FE0F).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Container
from functools import cache
from pathlib import Path

from leafletgen.errors import Problem, UsageError
from leafletgen.fonts.config import load_fonts
from leafletgen.fonts.facts import CodePoints, font_facts
from leafletgen.project import Project

MESSAGE = ("character U+{code:04X}{glyph} is not in the leaflet fonts; replace it with words or "
           "a character the fonts have (see docs/monograph-format.md)")

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1)
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_NO_GLYPH = re.compile(
    "[\t\n\v\f\r\u2028\u2029"
    + "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in _DEFAULT_IGNORABLE)
    + "]")
# &name; &#123; &#x1F48A; (Markdown prints the character an entity stands for)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def needs_no_glyph(char: str) -> bool:
    """Whether ``char`` prints without a glyph of its own (a line break, a space, a joiner...)."""
    if _NO_GLYPH.fullmatch(char):
        return True
    return unicodedata.category(char) == "Zs" and char != "\u1680"


def missing_characters(text: str, styles: Path | None = None, entities: bool = True
                       ) -> list[str]:
    """The distinct characters of ``text`` that no leaflet font has, in order of appearance.

    ``styles`` is the folder with ``fonts.yaml`` (default: see ``default_styles``).
    Characters written as HTML entities (``&darr;``, ``&#x1F48A;``) count as the characters
    they stand for, unless ``entities`` is false: for text printed as written (a patient
    file's values), where ``&#x1F48A;`` prints as those nine characters.
    """
    return _missing(text, _coverage(styles), entities)


def character_problems(path: Path, text: str, first_line: int,
                       styles: Path | None = None) -> list[Problem]:
    """An error for each distinct character of ``text`` no leaflet font has, on each line.

    ``text`` is a block of the monograph at ``path`` whose first line is line ``first_line``
    of the file; each problem is located at the file line the character is on.
    """
    covered = _coverage(styles)
    return [Problem(path, first_line + offset, describe(char))
            for offset, line in enumerate(text.split("\n"))
            for char in _missing(line, covered)]


def describe(char: str) -> str:
    """The problem message for a character the fonts lack."""
    # an invisible or unassigned character is named by its code point only
    glyph = f" '{char}'" if char.isprintable() else ""
    return MESSAGE.format(code=ord(char), glyph=glyph)


def _missing(text: str, covered: Container[int], entities: bool = True) -> list[str]:
    if entities and "&" in text:
        text += "".join(html.unescape(m) for m in _ENTITY.findall(text))
    # each distinct character once, in order of appearance
    return [c for c in dict.fromkeys(text) if ord(c) not in covered and not needs_no_glyph(c)]


def covered_characters(styles: Path | None = None) -> frozenset[int]:
    """The code points at least one leaflet font has a glyph for."""
    return _covered(*_font_list(styles))


def _font_list(styles: Path | None) -> tuple[Path, int, int]:
    """``fonts.yaml`` of ``styles`` (default: see ``default_styles``) with its time and size:
    fonts.yaml edited in a long-running process gives a new cache key."""
    folder = default_styles() if styles is None else styles
    config = folder / "fonts.yaml"
    try:
        stat = config.stat()
    except OSError as exc:
        raise UsageError(f"{config}: cannot read the font list ({exc.strerror})") from exc
    return config.resolve(), stat.st_mtime_ns, stat.st_size


def default_styles() -> Path:
    """The styles of the project in the working directory, like the commands' default."""
    return Project.at().styles


def _coverage(styles: Path | None) -> CodePoints:
    return _all_code_points(*_font_list(styles))


@cache
def _all_code_points(config: Path, mtime_ns: int, size: int) -> CodePoints:
    return CodePoints.union(font_facts(f).code_points for f in load_fonts(config.parent).files)


@cache
def _covered(config: Path, mtime_ns: int, size: int) -> frozenset[int]:
    return frozenset(_all_code_points(config, mtime_ns, size))
