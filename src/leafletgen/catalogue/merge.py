"""Merge the output folders of sharded builds into one (``leafletgen merge``).

A catalogue too large for one machine is built as N shards (``leafletgen build --shard K/N
-o part-K``), each on its own machine; merging copies every PDF (and HTML) each shard's
manifest records into one folder and merges the manifests, so that the result is the
single-machine build byte for byte and ``leafletgen build --check`` on it is clean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from leafletgen.catalogue.manifest import MANIFEST, Entry, Manifest
from leafletgen.errors import Problem, display_path
from leafletgen.files import sha256_bytes, write_atomic


@dataclass(frozen=True)
class MergeResult:
    copied: tuple[Path, ...]
    problems: tuple[Problem, ...]


def merge(shards: Sequence[Path], out: Path) -> MergeResult:
    """Copy the leaflets every shard folder's manifest records into ``out``.

    A file a manifest records but whose bytes do not match it, or a leaflet two shards built
    differently, is a problem and is not copied; everything else is.
    """
    target = Manifest(out)
    copied: list[Path] = []
    problems: list[Problem] = []
    owner: dict[str, Path] = {}
    for shard in shards:
        if not (shard / MANIFEST).is_file():
            problems.append(Problem(shard, 0, f"no {MANIFEST} here: not the output of "
                                    "'leafletgen build'; build each shard with --shard K/N -o "
                                    "FOLDER and merge those folders"))
            continue
        for name, entry in sorted(Manifest(shard).entries.items()):
            other = target.get(name) if name in owner else None
            if other is not None and (other.sha256, other.inputs) != (entry.sha256,
                                                                       entry.inputs):
                problems.append(Problem(shard / name, 0, f"{display_path(owner[name])} has a "
                                        "different build of this leaflet; build every shard "
                                        "from the same sources and leafletgen version"))
                continue
            files = _files(shard, name, entry, problems)
            if files is None:
                continue
            for file_name, data in files:
                write_atomic(out / file_name, data)
                copied.append(out / file_name)
            target.record(name, entry)
            owner[name] = shard
    target.save()
    return MergeResult(tuple(copied), tuple(problems))


def _files(shard: Path, name: str, entry: Entry,
           problems: list[Problem]) -> list[tuple[str, bytes]] | None:
    """The PDF (and HTML) of one entry, checked against the hashes its manifest records."""
    wanted = [(name, entry.sha256)]
    if entry.html_sha256:
        wanted.append((name.removesuffix(".pdf") + ".html", entry.html_sha256))
    found = []
    for file_name, sha256 in wanted:
        path = shard / file_name
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(path, 0, f"cannot read it ({exc.strerror}); build the "
                                    "shard again"))
            return None
        if sha256_bytes(data) != sha256:
            problems.append(Problem(path, 0, "its bytes do not match the shard's manifest "
                                    "(damaged or edited); build the shard again"))
            return None
        found.append((file_name, data))
    return found
