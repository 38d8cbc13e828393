"""What leafletgen needs to know about one font file: the characters it maps, and whether it
can be used at all.

Reading a font's character map with fontTools takes from a few to a few hundred milliseconds
(the CJK fonts' tens of thousands of glyphs); a build needs the maps of every leaflet font,
to leave out a damaged file (config.py) and to find characters no font has (charset.py).
``font_facts`` reads each file once per process, and keeps what it read in the user's cache
folder (``~/.cache/leafletgen/font-facts/``, beside fontconfig's cache), so that the next
process reads a small file instead of the font.

A kept entry is used only for the same file as it is now: its resolved path, size,
modification and change times must all match, so an edited or replaced font is read again.
A cache file that is missing, damaged, from another version or unwritable is never an
error: the font is read instead. The cache holds facts about font files only.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from leafletgen.files import cache_home, prune_oldest, write_atomic

FORMAT = 1  # of a cache file; another number is read as missing
_FOLDER = "font-facts"
KEEP = 256  # cache files kept at most (copies of styles/ elsewhere add files of their own)


@dataclass(frozen=True)
class CodePoints:
    """A set of code points kept as sorted ranges: ``bounds`` holds, for each range, its
    first code point and the one after its last."""

    bounds: tuple[int, ...] = ()

    @classmethod
    def of(cls, codes: Iterable[int]) -> CodePoints:
        bounds: list[int] = []
        for code in sorted(set(codes)):
            if bounds and bounds[-1] == code:
                bounds[-1] = code + 1
            else:
                bounds += [code, code + 1]
        return cls(tuple(bounds))

    @classmethod
    def union(cls, sets: Iterable[CodePoints]) -> CodePoints:
        ranges = sorted((start, end) for points in sets
                        for start, end in zip(points.bounds[::2], points.bounds[1::2],
                                              strict=True))
        bounds: list[int] = []
        for start, end in ranges:
            if bounds and start <= bounds[-1]:
                bounds[-1] = max(bounds[-1], end)
            else:
                bounds += [start, end]
        return cls(tuple(bounds))

    def __contains__(self, code: object) -> bool:
        # inside a range exactly when an odd number of bounds are at or below the code
        return isinstance(code, int) and bisect.bisect_right(self.bounds, code) % 2 == 1

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self.bounds[::2], self.bounds[1::2], strict=True):
            yield from range(start, end)

    def __len__(self) -> int:
        return sum(end - start for start, end in zip(self.bounds[::2], self.bounds[1::2],
                                                      strict=True))


@dataclass(frozen=True)
class FontFacts:
    """One font file: the code points it maps to glyphs, and why it cannot be used (None when
    it can)."""

    code_points: CodePoints
    problem: str | None = None


def font_facts(path: Path) -> FontFacts:
    """The facts of the font file at ``path``, from this process's memory, the user's cache
    folder or the file itself (in that order). An unreadable file is a ``problem``."""
    resolved = path.resolve()
    try:
        stat = os.stat(resolved)
    except OSError as exc:
        return FontFacts(CodePoints(), f"cannot read it ({exc.strerror or exc})")
    return _facts(resolved, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


@cache
def _facts(path: Path, size: int, mtime_ns: int, ctime_ns: int) -> FontFacts:
    stamp = [str(path), size, mtime_ns, ctime_ns]
    kept = _cache_file(path)
    if kept is not None:
        facts = _load(kept, stamp)
        if facts is not None:
            return facts
    facts = read_font_facts(path)
    if kept is not None:
        _keep(kept, stamp, facts)
    return facts


def read_font_facts(path: Path) -> FontFacts:
    """The facts of a font file, read from the file with fontTools (no cache)."""
    from fontTools.ttLib import TTFont

    try:
        with path.open("rb") as file, TTFont(file, lazy=True) as font:
            cmap = font.getBestCmap()
            if not cmap:
                return FontFacts(CodePoints(), "it maps no characters")
            if "glyf" not in font and "CFF " not in font and "CFF2" not in font:
                return FontFacts(CodePoints.of(cmap), "it has no glyphs")
            return FontFacts(CodePoints.of(cmap))
    except Exception as exc:  # fontTools raises many kinds for damaged files
        why = (str(exc).splitlines() or [type(exc).__name__])[0][:80] or "damaged"
        return FontFacts(CodePoints(), why)


def _cache_file(path: Path) -> Path | None:
    try:
        folder = cache_home() / _FOLDER
    except RuntimeError:  # no home folder: nothing is kept
        return None
    return folder / f"{hashlib.sha256(os.fsencode(path)).hexdigest()[:32]}.json"


def _load(kept: Path, stamp: list[object]) -> FontFacts | None:
    """The facts kept in ``kept`` for a file with ``stamp``; None when there are none, they
    are of another file or version, or the cache file is damaged."""
    try:
        data = json.loads(kept.read_bytes())
        if not isinstance(data, dict) or data.get("format") != FORMAT \
                or data.get("file") != stamp:
            return None
        bounds, problem = data["bounds"], data["problem"]
        if not isinstance(bounds, list) or len(bounds) % 2 \
                or not all(type(b) is int for b in bounds) \
                or any(a >= b for a, b in zip(bounds, bounds[1:], strict=False)) \
                or (bounds and (bounds[0] < 0 or bounds[-1] > 0x110000)) \
                or not (problem is None or isinstance(problem, str)):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return FontFacts(CodePoints(tuple(bounds)), problem)


def _keep(kept: Path, stamp: list[object], facts: FontFacts) -> None:
    data = {"format": FORMAT, "file": stamp, "problem": facts.problem,
            "bounds": list(facts.code_points.bounds)}
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(kept, json.dumps(data, separators=(",", ":")).encode("utf-8"))
        prune_oldest(kept.parent, KEEP, ".json")
    except OSError:
        pass  # a read-only or full cache folder: the font is read again next time
