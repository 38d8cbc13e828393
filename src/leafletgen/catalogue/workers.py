"""Render leaflets in long-lived worker processes.

Each worker is a fresh process that imports WeasyPrint once, loads the fonts once and keeps
one ``FontConfiguration`` (``pdf.font_config``) for all its renders, so a leaflet costs only
its layout. Workers write their PDFs themselves (atomically) and send back only hashes and
problems. Each worker has one leaflet in hand at a time, so this process always knows which
leaflet a worker was rendering.

- A failing leaflet is a result, never an exception: the other leaflets are still rendered.
- A worker that dies (a crash in WeasyPrint, the out-of-memory killer, ``kill``) takes only
  the leaflet in hand with it: a new worker takes its place, that leaflet is tried once more
  (after the others), and if its worker dies again it is reported as a problem of that
  leaflet. The other workers and their leaflets are not disturbed.
- Workers ignore Ctrl-C: the build's own process stops handing out leaflets, and each worker
  finishes the one in hand (at most one each), so no write is cut short.
- When the build's process is killed, its workers die with it (Linux); a PDF being written
  then is left as a hidden temporary file, never as a truncated PDF.
- A worker is recycled after ``RECYCLE_AFTER`` leaflets, as the server's are: it is told to
  stop once it has sent that many results, and a fresh one takes its place while there is
  work. WeasyPrint's caches (fonts, images, Pango's layouts) grow a little with each render;
  a recycled worker gives that memory back. Its exit is expected, not a crash.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leafletgen.errors import Problem, Severity, display_path
from leafletgen.files import sha256_bytes, write_atomic
from leafletgen.model import Job

if TYPE_CHECKING:
    from leafletgen.catalogue.leaflet import Written
    from leafletgen.render.renderer import Renderer

# Jinja and the render stage are imported where a leaflet is rendered: a build with nothing
# to render (or one asking only how many processors there are) does not load them.

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_READY = "ready"  # a worker's first message: it has loaded WeasyPrint and waits for jobs
_STOP_WAIT = 10.0  # seconds an idle worker is given to exit before it is killed
RECYCLE_AFTER = 100  # leaflets a worker renders before a fresh one replaces it


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


class _Worker:
    """One worker process, its end of the pipe, and the job it has in hand."""

    def __init__(self, process: Any, conn: Any):
        self.process = process
        self.conn = conn
        self.open = True  # False once the pipe reached its end (the worker is exiting)
        self.ready = False
        self.job: int | None = None  # index of the job in hand
        self.sent = 0.0  # when that job was handed out
        self.done = 0  # results it sent


class Workers:
    """Up to ``count`` worker processes, started on demand and stopped on ``close``.

    ``start`` starts them early, so that they load WeasyPrint while this process is still
    reading and checking monographs. A worker that dies is replaced while there is work.
    """

    def __init__(self, styles: Path, paper: str | None, archive: bool, verify: bool,
                 count: int, recycle_after: int = RECYCLE_AFTER):
        self.styles = styles
        self.paper = paper
        self.archive = archive
        self.verify = verify
        self.count = count
        self.recycle_after = recycle_after  # 0: never
        self.recycled = 0  # workers told to stop after recycle_after leaflets
        self._retired: list[_Worker] = []  # told to stop, perhaps not exited yet
        self._started = False  # whether worker processes are used at all
        self._workers: list[_Worker] = []
        self._failed_starts = 0  # workers that died before they were ready
        self._last_death = ""  # how the last worker died, for messages
        # the render in progress
        self._jobs: list[Job] = []
        self._feed: Iterator[Job] | None = None  # jobs not taken yet (render's ``jobs``)
        self._out = Path()
        self._html = False
        self._pending: deque[int] = deque()  # jobs not handed out yet, in order
        self._crashed: dict[int, str] = {}  # job -> how its worker died, once
        self._done: deque[Outcome] = deque()  # received, not yet yielded by ``render``

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self, jobs: int) -> None:
        """Start the workers for about ``jobs`` jobs now (none for one job: see ``render``)."""
        count = min(self.count, jobs)
        if self._started or count <= 1:
            return
        self._started = True
        for _ in range(count):
            self._spawn()

    def render(self, jobs: Iterable[Job], out: Path, html: bool,
               on_start: Callable[[], None] | None = None) -> Generator[Outcome, None, None]:
        """Render every job, yielding outcomes as they finish (not in job order); an
        outcome's ``index`` is its job's place in ``jobs``.

        ``jobs`` may be made as rendering goes (a generator that reads the next monograph):
        the next job is taken while the workers have the last ones in hand, so they never
        wait for this process to read every monograph first. With one job, and no workers
        started (``start``), rendering happens in this process: starting another would cost
        more than it saves. ``on_start`` is called once the first job is known and the
        workers exist (a progress display may start then).
        """
        feed = iter(jobs)
        first = next(feed, None)
        if first is None:
            return
        if isinstance(jobs, Sequence):
            self.start(len(jobs))
        if not self._started:
            if on_start is not None:
                on_start()
            from leafletgen.render.renderer import Renderer

            renderer = Renderer(self.styles, self.paper, self.archive)
            for index, job in enumerate(itertools.chain([first], feed)):
                yield _render(renderer, index, job, out, html, self.verify)
            return
        self._jobs, self._out, self._html = [first], out, html
        self._feed = feed
        self._pending = deque([0])
        self._crashed = {}
        self._done = deque()
        if on_start is not None:
            on_start()
        try:
            while True:
                while not self._done:
                    self._take()
                    if not self._pending and self._feed is None \
                            and not any(w.job is not None for w in self._workers):
                        return
                    self._dispatch()
                    self._wait(self._workers)
                # kept until the caller comes back for the next one: interrupted while it
                # records this one, ``close`` hands it back to be recorded
                yield self._done[0]
                self._done.popleft()
        finally:
            self._pending.clear()  # interrupted: hand out nothing more
            self._feed = None

    def _take(self) -> None:
        """Take jobs from the feed until there is one for every worker without a job, and
        one more each, so that none waits while the next monograph is read."""
        busy = sum(w.job is not None for w in self._workers)
        while self._feed is not None and len(self._pending) < 2 * self.count - busy:
            job = next(self._feed, None)
            if job is None:
                self._feed = None
                break
            self._jobs.append(job)
            self._pending.append(len(self._jobs) - 1)

    def close(self) -> list[Outcome]:
        """Stop the workers once each has finished the job in hand.

        Returns the outcomes of jobs that finished but were not yielded by ``render`` (when
        it was interrupted), so that their PDFs can still be recorded.
        """
        self._pending.clear()
        self._feed = None
        try:
            while True:
                busy = [w for w in self._workers if w.job is not None]
                if not busy:
                    break
                self._wait(busy, retry=False)
            return list(self._done)
        finally:
            self._done = deque()
            self._stop()

    def _spawn(self) -> None:
        import multiprocessing

        # "spawn": each worker is a new interpreter, the child of this process. A forked copy
        # of this process would inherit whatever state an earlier render here left in GLib and
        # fontconfig, which can hang it; a fork server would outlive a killed build.
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        process = context.Process(target=_serve, name="leafletgen-worker", daemon=True,
                                  args=(theirs, self.styles, self.paper, self.archive,
                                        _logging_setup(), os.getpid()))
        process.start()
        theirs.close()
        self._workers.append(_Worker(process, mine))

    def _dispatch(self) -> None:
        """Start the workers the remaining jobs need, and hand a job to each idle one."""
        busy = sum(w.job is not None for w in self._workers)
        wanted = min(self.count, len(self._pending) + busy)
        while len(self._workers) < wanted and self._failed_starts <= self.count:
            self._spawn()
        if not self._workers and self._pending:
            # no worker could start: say so for each job, instead of trying forever
            for index in self._pending:
                job = self._jobs[index]
                self._done.append(Outcome(index, None, (Problem(
                    job.monograph.path, 1, f"{job.variant.name} leaflet: no rendering process "
                    f"could start (the last one {self._last_death}); build with -j 1 to see "
                    "why"),), 0.0))
            self._pending.clear()
            return
        for worker in self._workers:
            if not self._pending:
                break
            if not worker.ready or worker.job is not None or not worker.open:
                continue
            index = self._pending.popleft()
            # a job is in the worker's hand as soon as it is sent: Ctrl-C waits for the
            # record of it, or ``close`` would not wait for a PDF being written
            with _ctrl_c_held():
                try:
                    worker.conn.send((index, self._jobs[index], self._out, self._html,
                                      self.verify))
                except OSError:  # it died meanwhile: its sentinel says so next
                    self._pending.appendleft(index)
                    worker.open = False
                    continue
                worker.job, worker.sent = index, time.perf_counter()

    def _wait(self, workers: list[_Worker], retry: bool = True) -> None:
        """Wait until one of ``workers`` says something or dies, and deal with it.

        A job whose worker died is tried again once when ``retry`` (not while closing).
        """
        from multiprocessing.connection import wait

        by_handle: dict[Any, _Worker] = {}
        for worker in workers:
            by_handle[worker.process.sentinel] = worker
            if worker.open:
                by_handle[worker.conn] = worker
        if not by_handle:
            return
        woken = wait(list(by_handle))
        for worker in dict.fromkeys(by_handle[handle] for handle in woken):
            self._receive(worker)
            if worker in self._workers and worker.process.exitcode is not None:
                self._died(worker, retry)  # not one recycled by _receive

    def _receive(self, worker: _Worker) -> None:
        while worker.open:
            # a result read from the pipe is kept before Ctrl-C can stop this process: the
            # PDF it names is on disk and must be recorded
            with _ctrl_c_held():
                try:
                    if not worker.conn.poll():
                        return
                    message = worker.conn.recv()
                except (EOFError, OSError):
                    worker.open = False
                    return
                if message == _READY:
                    worker.ready = True
                    continue
                outcome: Outcome = message
                how = self._crashed.get(outcome.index)
                if how is not None:
                    job = self._jobs[outcome.index]
                    outcome = replace(outcome, problems=(Problem(
                        job.monograph.path, 1, f"{job.variant.name} leaflet: the process "
                        f"rendering it {how}; it was rendered again in a new one",
                        Severity.WARNING), *outcome.problems))
                self._done.append(outcome)
                worker.job = None
                worker.done += 1
            if self.recycle_after and worker.done >= self.recycle_after:
                self._retire(worker)
                return

    def _retire(self, worker: _Worker) -> None:
        """Tell a worker that rendered its share to stop; ``_dispatch`` starts a fresh one
        while there is work. Its exit is not a death: no job is in its hand."""
        self._workers.remove(worker)
        self.recycled += 1
        log.debug("recycling a worker after %d leaflets", worker.done)
        with contextlib.suppress(OSError):
            worker.conn.send(None)
        worker.conn.close()
        worker.open = False
        self._retired = [w for w in self._retired if w.process.exitcode is None]
        self._retired.append(worker)

    def _died(self, worker: _Worker, retry: bool) -> None:
        self._workers.remove(worker)
        worker.conn.close()
        worker.process.join()
        how = _death(worker.process.exitcode)
        self._last_death = how
        if not worker.ready:
            self._failed_starts += 1
            log.debug("a worker %s before it was ready", how)
        index = worker.job
        if index is None:
            return
        job = self._jobs[index]
        log.debug("the worker rendering %s %s", job.stem, how)
        if retry and index not in self._crashed:
            self._crashed[index] = how
            self._pending.append(index)  # once more, in a new worker, after the others
        elif retry:
            first = self._crashed[index]
            if how == first:
                again = f"and so {'was' if how.startswith('was') else 'did'} the one that " \
                        "tried again"
            else:
                again = f"and the one that tried again {how}"
            self._done.append(Outcome(index, None, (Problem(
                job.monograph.path, 1, f"{job.variant.name} leaflet: the process rendering it "
                f"{first}, {again}; it was not built (the other leaflets were). To see what "
                f"happens, build it alone: leafletgen build {display_path(job.monograph.path)} "
                f"--variant {job.variant.name} -j 1"),), time.perf_counter() - worker.sent))

    def _stop(self) -> None:
        """Let idle workers exit; end the others at once, and any left after a while.

        A worker still busy here is one ``close`` stopped waiting for (a second Ctrl-C):
        what it was writing is left as a temporary file that the next build removes.
        """
        workers, self._workers = self._workers, []
        retired, self._retired = self._retired, []
        for worker in workers:
            if worker.ready and worker.open and worker.job is None:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            elif worker.process.exitcode is None:
                worker.process.terminate()
            worker.conn.close()
        deadline = time.monotonic() + _STOP_WAIT
        for worker in [*workers, *retired]:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block ends, so that handing a job to a worker, or
    taking its result, happens whole: the KeyboardInterrupt comes right after. A worker is
    reading or has written when this is used, so the block does not wait long."""
    import threading

    if not hasattr(signal, "pthread_sigmask") \
            or threading.current_thread() is not threading.main_thread():
        yield  # SIGINT is only ever handled on the main thread
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _death(exitcode: int | None) -> str:
    """How a worker process ended, for messages: ``was killed by SIGKILL``."""
    if exitcode is None:
        return "stopped"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if -exitcode == signal.SIGKILL else ""
        return f"was killed by {name}{hint}"
    return f"exited with code {exitcode}"


def _serve(conn: Any, styles: Path, paper: str | None, archive: bool,
           logs: tuple[str | None, dict[str, int]], parent: int) -> None:
    """A worker's life: load WeasyPrint, say so, then render the jobs it is sent until
    told to stop (``None``) or the build's process is gone."""
    _start_worker(styles, paper, archive, logs, parent)
    conn.send(_READY)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, job, out, html, verify = message
        conn.send(_render_in_worker(index, job, out, html, verify))


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
    from leafletgen.render.pdf import font_config

    font_config()  # imports WeasyPrint and builds the FontConfiguration, once per worker
    import leafletgen.verification.pdf_reader  # noqa: F401  (once per worker too)
    import leafletgen.verification.verify  # noqa: F401
    from leafletgen.render.renderer import Renderer

    _renderer = Renderer(styles, paper, archive)


def _render_in_worker(index: int, job: Job, out: Path, html: bool, verify: bool) -> Outcome:
    assert _renderer is not None, "worker not started"
    return _render(_renderer, index, job, out, html, verify)


def _render(renderer: Renderer, index: int, job: Job, out: Path, html: bool,
            verify: bool) -> Outcome:
    import jinja2

    from leafletgen.catalogue.leaflet import render_job

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


def write_html(renderer: Renderer, index: int, job: Job, out: Path,
               pdf_sha256: str) -> Outcome:
    """Write ``OUT/<stem>.html`` only, for a PDF that is current (its hash ``pdf_sha256``).

    The HTML is the page the PDF was rendered from: same inputs, same HTML. Rendering it
    takes a few milliseconds, and WeasyPrint is not needed.
    """
    import jinja2

    from leafletgen.catalogue.leaflet import Written, _template_problem

    started = time.perf_counter()
    target = out / f"{job.stem}.html"
    try:
        data = renderer.html(job).encode("utf-8")
        write_atomic(target, data)
    except jinja2.TemplateError as exc:
        problems = (_template_problem(renderer.styles, job, exc),)
    except OSError as exc:
        problems = (Problem(target, 0, f"cannot write the file: {exc.strerror or exc}; check "
                            "the output folder (-o) and its permissions"),)
    except Exception as exc:  # one leaflet's bug must not stop the others
        log.debug("writing the HTML of %s failed", job.stem, exc_info=True)
        problems = (Problem(job.monograph.path, 1, f"{job.variant.name} leaflet: "
                            f"{type(exc).__name__}: {exc}"),)
    else:
        log.info("wrote %s", target)
        return Outcome(index, Written(out / f"{job.stem}.pdf", pdf_sha256, sha256_bytes(data)),
                       (), time.perf_counter() - started)
    return Outcome(index, None, problems, time.perf_counter() - started)
