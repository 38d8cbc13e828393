"""Bring monographs up to the current format version (``leafletgen migrate``).

Format 1 files (no ``format:`` field) read and build unchanged under format 2: every format 1
construct means the same in format 2. Migrating records the version, so that a later format
can tell them apart, and says what it changed. Files are rewritten in place, atomically, and
only when something changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leafletgen.errors import Problem
from leafletgen.files import write_atomic
from leafletgen.source.monograph import parse_file

CURRENT_FORMAT = 2


@dataclass(frozen=True)
class Migration:
    """What migrating one file changed (nothing when ``changes`` is empty)."""

    path: Path
    changes: tuple[str, ...]


def migrate_file(path: Path, write: bool = True) -> tuple[Migration | None, list[Problem]]:
    """Rewrite ``path`` in the current format; problems instead when it cannot be read."""
    parsed, problems = parse_file(path)
    if parsed is None:
        return None, problems
    version = parsed.front.data.get("format", 1)
    if version == CURRENT_FORMAT:
        return Migration(path, ()), []
    if version != 1:
        return None, [Problem(path, parsed.front.line(("format",)),
                              f"format '{version}' is not one leafletgen knows (1 or "
                              f"{CURRENT_FORMAT}); fix the 'format:' line")]
    text = path.read_text(encoding="utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    first, rest = text.split(newline, 1) if newline in text else (text, "")
    if "format" in parsed.front.data:
        line = parsed.front.line(("format",))
        lines = text.split(newline)
        lines[line - 1] = f"format: {CURRENT_FORMAT}"
        new_text = newline.join(lines)
        change = f"line {line}: format 1 -> {CURRENT_FORMAT}"
    else:
        new_text = f"{first}{newline}format: {CURRENT_FORMAT}{newline}{rest}"
        change = f"line 2: added 'format: {CURRENT_FORMAT}'"
    if write:
        write_atomic(path, new_text.encode("utf-8"))
    return Migration(path, (change,)), []
