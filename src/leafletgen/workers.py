"""Render leaflets in long-lived worker processes.

Each worker is a fresh process that imports WeasyPrint once, loads the fonts once and keeps
one ``FontConfiguration`` (``pdf.font_config``) for all its renders, so a leaflet costs only
its layout. Workers write their PDFs themselves
(atomically) and send back only hashes and problems.

- A failing leaflet is a result, never an exception: the other leaflets are still rendered.
- Workers ignore Ctrl-C: the build's own process stops handing out leaflets, and each worker
  finishes the one in hand (at most one each), so no write is cut short.
- When the build's process is killed, its workers die with it (Linux); a PDF being written
  then is left as a hidden temporary file, never as a truncated PDF.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .build import Job, Renderer, Written, render_job
from .errors import Problem

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Outcome:
    """The result of one job: what it wrote, or why it failed."""

    index: int  # of the job in the sequence given to render_all
    written: Written | None
    problems: tuple[Problem, ...]
    seconds: float


def default_workers() -> int:
    """The number of processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def render_all(jobs: Sequence[Job], out: Path, styles: Path, paper: str | None, html: bool,
               workers: int, on_start: Callable[[], None] | None = None, archive: bool = False,
               verify: bool = True) -> Iterator[Outcome]:
    """Render every job in up to ``workers`` processes; see ``Workers.render``."""
    with Workers(styles, paper, archive, verify, workers) as pool:
        yield from pool.render(jobs, out, html, on_start)


class Workers:
    """Up to ``count`` worker processes, forked on demand and stopped on ``close``.

    ``start`` forks them early, so that they load WeasyPrint while this process is still
    reading and checking monographs.
    """

    def __init__(self, styles: Path, paper: str | None, archive: bool, verify: bool,
                 count: int):
        self.styles = styles
        self.paper = paper
        self.archive = archive
        self.verify = verify
        self.count = count
        self._pool = None
        self._unclaimed: dict = {}  # future -> job index, of jobs not yet yielded

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self, jobs: int) -> None:
        """Fork the workers for about ``jobs`` jobs now (none for one job: see ``render``)."""
        count = min(self.count, jobs)
        if self._pool is not None or count <= 1:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # "spawn": each worker is a new interpreter, the child of this process. A forked copy
        # of this process would inherit whatever state an earlier render here left in GLib and
        # fontconfig, which can hang it; a fork server would outlive a killed build.
        self._pool = ProcessPoolExecutor(max_workers=count,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_start_worker,
                                         initargs=(self.styles, self.paper, self.archive,
                                                   _logging_setup(), os.getpid()))
        for _ in range(count):
            # each submit to a pool without an idle worker starts one; they import WeasyPrint
            # while this process goes on checking monographs
            self._pool.submit(os.getpid)

    def render(self, jobs: Sequence[Job], out: Path, html: bool,
               on_start: Callable[[], None] | None = None) -> Iterator[Outcome]:
        """Render every job, yielding outcomes as they finish (not in job order).

        With one job, and no workers started, rendering happens in this process: starting
        another would cost more than it saves. ``on_start`` is called once the workers exist
        (a progress display may start then).
        """
        if not jobs:
            return
        self.start(len(jobs))
        if self._pool is None:
            if on_start is not None:
                on_start()
            renderer = Renderer(self.styles, self.paper, self.archive)
            for index, job in enumerate(jobs):
                yield _render(renderer, index, job, out, html, self.verify)
            return
        from concurrent.futures import as_completed

        futures = {self._pool.submit(_render_in_worker, index, job, out, html, self.verify): index
                   for index, job in enumerate(jobs)}
        self._unclaimed = dict(futures)
        if on_start is not None:
            on_start()
        try:
            for future in as_completed(futures):
                del self._unclaimed[future]
                yield _result(future, futures[future], jobs)
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> list[Outcome]:
        """Stop the workers once each has finished the job in hand.

        Returns the outcomes of jobs that finished but were not yielded by ``render`` (when
        it was interrupted), so that their PDFs can still be recorded.
        """
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        finished = [f.result() for f in self._unclaimed
                    if f.done() and not f.cancelled() and f.exception() is None]
        self._unclaimed = {}
        return finished


def _result(future, index: int, jobs: Sequence[Job]) -> Outcome:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        job = jobs[index]
        return Outcome(index, None, (Problem(
            job.monograph.path, 1, f"{job.variant.name} leaflet: a rendering process stopped "
            "unexpectedly; run the build again (it resumes), with -j 1 to find the leaflet"),), 0.0)


_renderer: Renderer | None = None  # the worker process's own


def _logging_setup() -> tuple[str | None, dict[str, int]]:
    """This process's log format and levels, for workers (which do not inherit them)."""
    handlers = logging.getLogger().handlers
    fmt = handlers[0].formatter._fmt if handlers and handlers[0].formatter else None
    names = ("", "leafletgen", "weasyprint", "fontTools")
    return fmt, {name: logging.getLogger(name).level for name in names}


def _start_worker(styles: Path, paper: str | None, archive: bool,
                  logs: tuple[str | None, dict[str, int]], parent: int) -> None:
    global _renderer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build's process decides when to stop
    fmt, levels = logs
    if fmt is not None:
        logging.basicConfig(format=fmt)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    if sys.platform == "linux":
        import ctypes

        # die with the build's process (kill -9, a cancelled CI job) instead of lingering
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)  # the build died before the line above: no signal will come
    from .pdf import font_config

    font_config()  # imports WeasyPrint and builds the FontConfiguration, once per worker
    from . import verify  # noqa: F401  (pikepdf and PDFium, once per worker too)

    _renderer = Renderer(styles, paper, archive)


def _render_in_worker(index: int, job: Job, out: Path, html: bool, verify: bool) -> Outcome:
    assert _renderer is not None, "worker not started"
    return _render(_renderer, index, job, out, html, verify)


def _render(renderer: Renderer, index: int, job: Job, out: Path, html: bool,
            verify: bool) -> Outcome:
    started = time.perf_counter()
    try:
        written, problems = render_job(renderer, job, out, html, verify)
    except jinja2.TemplateSyntaxError as exc:
        written, problems = None, [Problem(Path(exc.filename or job.variant.template),
                                           exc.lineno, f"template error: {exc.message}")]
    except Exception as exc:  # one leaflet's bug must not stop the others
        log.debug("rendering %s failed", job.stem, exc_info=True)
        written, problems = None, [Problem(job.monograph.path, 1, f"{job.variant.name} leaflet: "
                                           f"{type(exc).__name__}: {exc}")]
    return Outcome(index, written, tuple(problems), time.perf_counter() - started)
