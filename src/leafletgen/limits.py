"""Limits on what leafletgen reads, so that no single input can exhaust the machine.

Each limit is checked before the expensive work it protects and reported as a ``path:line``
problem of that file only: the other monographs still build. README.md ("Limits") lists them.

- a monograph file: at most ``MAX_MONOGRAPH_BYTES`` (the shipped ones are under 30 KB; a
  256 KB monograph takes about 15 s to render, four times that size several minutes);
- YAML (front matter, a variant, the glossary, a patient file): at most ``MAX_YAML_BYTES``,
  nested at most ``MAX_YAML_DEPTH`` levels, and no aliases (``*name``), which would let nine
  lines expand to gigabytes;
- a Markdown table: at most ``MAX_TABLE_ROWS`` rows and ``MAX_TABLE_COLUMNS`` columns;
- Markdown lists and quotes nested deeper than the parser handles are an error (validation.py),
  never text silently dropped;
- characters that are never text (``FORBIDDEN``) are errors wherever they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

MAX_MONOGRAPH_BYTES = 256 * 1024
MAX_YAML_BYTES = 64 * 1024
MAX_YAML_DEPTH = 20
MAX_TABLE_ROWS = 200
MAX_TABLE_COLUMNS = 20

# Control characters other than tab, line feed and carriage return; UTF-16 surrogates (only a
# YAML escape such as "\ud800" can make one); Unicode's 66 noncharacters (U+FDD0-U+FDEF and
# the last two code points of every plane, U+FFFE, U+FFFF, U+1FFFE, ...).
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
              for plane in range(17))
    + "]")

_NAMES = {0x00: "NUL", 0x7F: "DEL", 0xFFFE: "a noncharacter", 0xFFFF: "a noncharacter"}


def describe(char: str) -> str:
    """``U+0000 (NUL)``: how messages name a forbidden character."""
    code = ord(char)
    if code in _NAMES:
        name = _NAMES[code]
    elif code < 0x20 or 0x80 <= code < 0xA0:
        name = "a control character"
    elif 0xD800 <= code < 0xE000:
        name = "half of a UTF-16 pair"
    else:
        name = "a noncharacter"
    return f"U+{code:04X} ({name})"


def forbidden_characters(text: str) -> Iterator[tuple[int, str]]:
    """Each line (0-based, counting line feeds as editors do) with a forbidden character,
    and the first such character on it."""
    if FORBIDDEN.search(text) is None:
        return
    for number, line in enumerate(text.split("\n")):
        match = FORBIDDEN.search(line)
        if match:
            yield number, match.group()


def first_forbidden(text: str) -> str | None:
    """The first forbidden character in ``text``, if any."""
    match = FORBIDDEN.search(text)
    return match.group() if match else None


class TooLarge(Exception):
    """A file is larger than its limit; ``size`` is its size in bytes."""

    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, or TooLarge when it holds more than ``limit`` bytes.

    Never reads more than ``limit + 1`` bytes, whatever the file claims to be.
    """
    size = path.stat().st_size
    if size > limit:
        raise TooLarge(size)
    with path.open("rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(max(size, len(data)))
    return data


def kilobytes(size: int) -> str:
    """``256 KB``: a size for messages, rounded up."""
    return f"{-(-size // 1024):,} KB"


def megabytes(size: int) -> str:
    """``20 MB``: a large size for messages, rounded up."""
    return f"{-(-size // (1024 * 1024)):,} MB"
