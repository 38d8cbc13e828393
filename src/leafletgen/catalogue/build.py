"""``leafletgen.build``: the one build path, for one leaflet or a catalogue of thousands.

A serial build is the catalogue build with one worker (this process); options are checked
once, in ``BuildOptions``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from leafletgen.errors import UsageError
from leafletgen.model import (
    DEFAULT_OUT,
    DEFAULT_SOURCES,
    DEFAULT_STYLES,
    BuildOptions,
    BuildResult,
    Progress,
    Shard,
)


def build(paths: Sequence[Path] = DEFAULT_SOURCES, out: Path = DEFAULT_OUT,
          styles: Path = DEFAULT_STYLES, variants: Sequence[str] | None = None,
          html: bool = False, paper: str | None = None, archive: bool = False,
          verify: bool = True, *, jobs: int = 1, shard: Shard | None = None,
          incremental: bool = False, force: bool = False,
          on_progress: Callable[[Progress], None] | None = None,
          options: BuildOptions | None = None) -> BuildResult:
    """Build ``OUT/<slug>-<variant>.pdf`` for every valid monograph in ``paths``.

    Every monograph is read and checked before its leaflets are rendered; a file with errors
    is skipped and reported, every other file is still built. With worker processes, the
    first leaflets render while the next monographs are read. The keyword
    options are those of ``BuildOptions`` (``jobs`` is its ``workers``); pass ``options``
    instead to reuse one. ``on_progress`` is called when rendering starts and after each
    leaflet. Without ``incremental`` nothing is cached or recorded. Keywords and
    ``options`` together are a UsageError: one would be ignored.

    An incremental build with nothing to do is decided from file metadata alone
    (``catalogue.snapshot``): it reads one small file and stats the inputs and outputs, and
    imports nothing of the pipeline.
    """
    started = time.perf_counter()
    loose = BuildOptions(paper=paper, archive=archive, verify=verify, html=html,
                         workers=jobs, shard=shard, incremental=incremental, force=force)
    if options is None:
        options = loose
    elif loose != BuildOptions():
        raise UsageError("give build options either as keywords or as options=, not both")
    if options.incremental and not options.force:
        from leafletgen.catalogue import snapshot

        pdfs = snapshot.current(out, snapshot.request(paths, out, styles, variants, options))
        if pdfs is not None:
            return BuildResult((), skipped=tuple(pdfs), seconds=time.perf_counter() - started)
    from leafletgen.catalogue.survey import build_catalogue

    return build_catalogue(paths, out, styles, variants, options, on_progress)
