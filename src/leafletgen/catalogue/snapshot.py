"""A build with nothing to do, decided from file metadata: ``OUT/.leafletgen-snapshot.json``.

After an incremental build that found no problem, the build records the size, modification
time and inode of every file it read or wrote (the monographs, their figures, everything
under the styles folder, the fonts, WeasyPrint's own package and leafletgen's installed
metadata, the PDFs and HTML it keeps, and ``manifest.json``) and of the folders that hold
them, with the request that made them (paths, variants, options). The next build with the
same request compares those with ``os.stat`` alone: when none changed, every PDF is current
and nothing is read, parsed, hashed or imported beyond this module. Anything else (a
changed, added or removed file, a different request, no snapshot) takes the full path, which
decides from content hashes (``manifest.py``) as before.

A file changed within ``_RACY_NS`` of when it was looked at could change again without its
time moving (filesystem timestamps are coarse): such a snapshot is not trusted, and the full
path, which re-records it, runs instead. So the no-op right after a build takes the full
path; the ones after it take this one.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SNAPSHOT = ".leafletgen-snapshot.json"
FORMAT = 1
_RACY_NS = 2_000_000_000  # changed this close to being looked at: not trusted
_Stat = list[int]  # size, mtime_ns, inode; [] when the file does not exist


def request(paths: Sequence[Path], out: Path, styles: Path, variants: Sequence[str] | None,
            options: Any) -> dict[str, Any]:
    """What a build was asked for, as compared between builds."""
    return {"cwd": os.getcwd(), "paths": [str(p) for p in paths], "out": str(out),
            "styles": str(styles), "variants": list(variants) if variants else None,
            "options": options.inputs(), "html": options.html,
            "shard": str(options.shard) if options.shard else None}


def current(out: Path, asked: dict[str, Any]) -> list[Path] | None:
    """The PDFs of ``out``, all current, when nothing the snapshot lists has changed since
    (by ``os.stat``); None when the full survey must decide."""
    try:
        document = json.loads((out / SNAPSHOT).read_text(encoding="utf-8"))
        if document.get("format") != FORMAT or document.get("request") != asked:
            return None
        looked = int(document["looked"])
        files: dict[str, _Stat] = document["files"]
        pdfs = [Path(p) for p in document["pdfs"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    for path, recorded in files.items():
        if recorded and recorded[1] >= looked - _RACY_NS:
            return None  # racily clean: it may have changed since without a new time
        if _stat(path) != recorded:
            return None
    return pdfs


def look(paths: Iterable[Path], styles: Path) -> dict[str, _Stat]:
    """The metadata of a build's inputs, taken before they are read: the monographs, their
    folders and figures, and the styles folder (each folder too, so an added file shows)."""
    found: dict[str, _Stat] = {}
    folders: set[Path] = set()
    for path in paths:
        found[str(path)] = _stat(str(path))
        if path.is_dir():
            folders.add(path)
            for entry in os.scandir(path):
                if entry.name.endswith(".md"):
                    found[entry.path] = _stat(entry.path)
        else:
            folders.add(path.parent)
    for folder in folders:
        _tree(folder / "figures", found)
    _tree(styles, found)
    return found


def record(out: Path, asked: dict[str, Any], inputs: dict[str, _Stat], looked: int,
           outputs: Iterable[Path], extra: Iterable[Path] = ()) -> None:
    """Write the snapshot: ``inputs`` (from ``look``, at ``looked`` ns), and now the
    ``outputs`` (the PDFs, current), ``extra`` files (HTML, fonts, WeasyPrint) and the
    manifest. A snapshot that cannot be written is no loss: the next build takes the full
    path."""
    from leafletgen.files import write_atomic

    pdfs = sorted(str(p) for p in outputs)
    files = dict(inputs)
    for path in [*pdfs, *(str(p) for p in extra), str(out / "manifest.json")]:
        files[path] = _stat(path)
    # the oldest moment any of them was looked at: inputs before reading, outputs now
    document = {"format": FORMAT, "request": asked, "looked": looked, "files": files,
                "pdfs": pdfs}
    with contextlib.suppress(OSError):
        write_atomic(out / SNAPSHOT, json.dumps(document).encode("utf-8"))


def installed() -> list[Path]:
    """The files that change when leafletgen is installed again (another version): its
    package metadata, found without importlib.metadata, which is slower to import than a
    no-op build takes."""
    import sys

    found: list[Path] = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found += [Path(entry, name, "METADATA") for name in names
                  if name.startswith("leafletgen-") and name.endswith(".dist-info")]
    return found


def forget(out: Path) -> None:
    """Remove the snapshot (a build that found problems, or changed what it records)."""
    with contextlib.suppress(OSError):
        (out / SNAPSHOT).unlink()


def now() -> int:
    return time.time_ns()


def _tree(folder: Path, found: dict[str, _Stat]) -> None:
    """``folder``, and every folder and file below it."""
    found[str(folder)] = _stat(str(folder))
    if not found[str(folder)]:
        return
    for root, dirs, names in os.walk(folder):
        for name in (*dirs, *names):
            path = os.path.join(root, name)
            found[path] = _stat(path)


def _stat(path: str) -> _Stat:
    try:
        stat = os.stat(path)
    except OSError:
        return []
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]
