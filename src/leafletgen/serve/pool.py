"""Warm render workers behind a bounded queue.

Each worker is a process that imports WeasyPrint, loads the fonts, templates, variants and
monographs once and renders one leaflet before it takes work, so a request pays only for its
own layout. At most ``workers + queue`` requests wait or render at a time; one more is
refused at once (``Busy``: 503 with Retry-After) rather than queued without bound. A request
that takes longer than ``timeout`` is answered with ``TimedOut``, and its render is stopped
inside the worker a moment later (an alarm in the worker), which frees the worker and the
slot: a request that is cancelled or timed out never holds a worker for longer. A worker
stuck where the alarm cannot reach it is killed, and the workers are replaced. Requests that
were rendering in a worker that died (killed, out of memory) are sent once more to the fresh
workers instead of failing all at once.

Patient data reaches a worker through the pool's pipe and comes back as PDF bytes: nothing is
written to disk, logged or kept after the call.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class TimedOut(Exception):
    """The render took longer than the per-request timeout."""


@dataclass(frozen=True)
class PoolOptions:
    leaflets: Path
    styles: Path
    workers: int = 2
    queue: int = 8  # requests that may wait for a worker
    timeout: float = 30.0  # seconds per request
    retry_after: int = 2  # seconds, in the 503's Retry-After
    public_url: str | None = None  # leaflets then carry a QR code to their web page (qr.py)
    # renders after which the workers are replaced by fresh ones (0: never), so whatever a
    # long-running WeasyPrint process accumulates is given back (benchmarks/README.md)
    recycle_after: int = 0


class RenderPool:
    def __init__(self, options: PoolOptions):
        self.options = options
        self._lock = threading.Lock()
        self._pending = 0
        self._done = 0  # renders by the current workers
        self._recycling = False
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn: a fork of a running event loop with threads is not safe
        return ProcessPoolExecutor(
            self.options.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm, initargs=(self.options.leaflets, self.options.styles,
                                         self.options.public_url))

    def warm_up(self) -> None:
        """Start every worker now and wait until each is warm (their initialiser has run)."""
        futures = [self._executor.submit(_ready) for _ in range(self.options.workers)]
        for future in futures:
            future.result()

    @property
    def pending(self) -> int:
        return self._pending

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in a warm worker; raise Busy, TimedOut or what it raised."""
        with self._lock:
            if self._pending >= self.options.workers + self.options.queue:
                raise Busy
            self._pending += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.timeout
        for attempt in range(2):  # once more on fresh workers when a worker died
            executor = self._executor
            if attempt:
                with self._lock:
                    self._pending += 1
            try:
                future: Future = executor.submit(_within, self.options.timeout + STOP_AFTER,
                                                 function, *args)
            except (BrokenProcessPool, RuntimeError):  # broken, or shut down by a restart
                with self._lock:
                    self._pending -= 1
                self._restart(executor)
                continue
            future.add_done_callback(self._release)
            try:
                return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)),
                                              max(0.0, deadline - loop.time()))
            except TimeoutError:
                if not future.cancel():  # running: stopped in the worker, or the worker killed
                    loop.call_later(STOP_AFTER + KILL_AFTER, self._kill_if_stuck, future,
                                    executor)
                raise TimedOut from None
            except BrokenProcessPool:
                self._restart(executor)  # a worker died (out of memory, killed)
                if loop.time() >= deadline:
                    raise TimedOut from None
        raise Busy

    def _kill_if_stuck(self, future: Future, executor: ProcessPoolExecutor) -> None:
        """A render past its deadline that the alarm did not stop: kill its workers."""
        if future.done() or executor is not self._executor:
            return
        log.warning("a render did not stop at its deadline: render workers replaced")
        processes = getattr(executor, "_processes", None) or {}
        for process in list(processes.values()):
            process.kill()
        self._restart(executor)

    def _release(self, _future: Future) -> None:
        with self._lock:
            self._pending -= 1
            self._done += 1
            recycle = (self.options.recycle_after > 0 and not self._recycling
                       and self._done >= self.options.recycle_after)
            if recycle:
                self._recycling = True
        if recycle:
            threading.Thread(target=self._recycle, daemon=True, name="recycle-workers").start()

    def _recycle(self) -> None:
        """Warm a fresh set of workers, then send new work to them; the old ones finish what
        they have and exit. Requests keep being served all along."""
        fresh = self._start()
        try:
            for future in [fresh.submit(_ready) for _ in range(self.options.workers)]:
                future.result()
        except Exception:  # the old workers go on; try again after as many renders
            log.exception("fresh render workers could not start")
            fresh.shutdown(wait=False, cancel_futures=True)
            with self._lock:
                self._done = 0
                self._recycling = False
            return
        with self._lock:
            old, self._executor = self._executor, fresh
            self._done = 0
            self._recycling = False
        old.shutdown(wait=False)
        log.info("render workers replaced by fresh ones")

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        """Replace ``broken`` with fresh workers, once however many requests saw it break."""
        with self._lock:
            if self._executor is not broken:
                return
            self._executor = fresh = self._start()
        broken.shutdown(wait=False, cancel_futures=True)
        for _ in range(self.options.workers):  # start warming them now, not at the next request
            fresh.submit(_ready)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


STOP_AFTER = 1.0  # seconds after its request's timeout that a worker stops a render
KILL_AFTER = 5.0  # seconds after that when a worker that did not stop is killed


# --- in the worker processes -------------------------------------------------------------

_state: dict[str, Any] = {}


class Expired(Exception):
    """A render ran past its deadline and was stopped in its worker."""


def _within(seconds: float, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``, stopped with Expired after ``seconds``: the worker is then free."""
    import signal

    def expire(_signal: int, _frame: Any) -> None:
        raise Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return function(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _warm(leaflets: Path, styles: Path, public_url: str | None = None) -> None:
    """A worker's start: load everything a render needs, then render one leaflet so every
    cache (fonts, templates, WeasyPrint's own) is hot."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server shuts its workers down
    _exit_with_parent()
    # the libraries' own messages about a render could quote the document: keep them quiet
    logging.getLogger().setLevel(logging.ERROR)
    documents = load_state(leaflets, styles, public_url)
    catalogue = documents.preload()
    if catalogue.jobs:
        job = catalogue.jobs[0]
        renderer = documents.renderer(None)
        renderer.pdf(renderer.html(job), job)


def _exit_with_parent() -> None:
    """End this worker when the server is gone (killed without shutting its pool down)."""
    import os
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def load_state(leaflets: Path, styles: Path, public_url: str | None = None) -> Any:
    """This process's documents service, for the render functions below: the one the
    library and the commands use, with every monograph read once."""
    from leafletgen.serve.core import Documents, Project
    from leafletgen.serve.qr import features

    documents = Documents(Project.at(leaflets=leaflets, styles=styles),
                          features(public_url) if public_url else None)
    documents.preload()
    _state["documents"] = documents
    return documents


def _ready() -> bool:
    return True


def generic_pdf(slug: str, variant: str, paper: str | None) -> bytes:
    """The generic leaflet ``slug`` in ``variant``, rendered and verified."""
    return _state["documents"].leaflet(slug, variant, paper=paper, draft=True)


def handout_pdf(slug: str, patient: Any, variant: str | None, paper: str | None,
                draft: bool, language: str | None = None) -> bytes:
    """What ``leafletgen.handout()`` makes: the documents service's handout."""
    return _state["documents"].handout(slug, patient, variant=variant, paper=paper,
                                       draft=draft, language=language)


def packet_pdf(patient: Any, variant: str | None, paper: str | None, draft: bool,
               language: str | None = None) -> bytes:
    """What ``leafletgen.packet()`` makes (without attachments): the service's packet."""
    return _state["documents"].packet(patient, variant=variant, paper=paper, draft=draft,
                                      language=language)


def record_packet_pdf(patient: Any, variant: str | None, paper: str | None, draft: bool,
                      allergy_decisions: tuple[str, ...], full: bool) -> bytes:
    """What ``leafletgen.packet()`` makes from a FHIR record: the service's packet."""
    return _state["documents"].packet(patient, variant=variant, paper=paper, draft=draft,
                                      allergy_decisions=allergy_decisions, full=full)


def page_images(pdf: bytes, width: int, first: int = 0, count: int = 8) -> list[bytes]:
    """PNG images of up to ``count`` pages from ``first``, ``width`` pixels wide."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        images = []
        for index in range(first, min(len(document), first + count)):
            page = document[index]
            scale = width / page.get_width()
            image = page.render(scale=scale).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=False)
            images.append(buffer.getvalue())
            page.close()
        return images
    finally:
        document.close()


PREVIEW_PAGES = 16  # page images of a personalised PDF; the preview says when there are more


def personal_preview(kind: str, slug: str | None, patient: Any, variant: str | None,
                     paper: str | None, draft: bool, width: int, language: str | None = None
                     ) -> tuple[bytes, list[bytes], int]:
    """A personalised PDF, images of its first pages and its page count, in one trip to a
    worker."""
    import pypdfium2

    if kind == "handout":
        data = handout_pdf(slug or "", patient, variant, paper, draft, language)
    else:
        data = packet_pdf(patient, variant, paper, draft, language)
    document = pypdfium2.PdfDocument(data)
    total = len(document)
    document.close()
    return data, page_images(data, width, 0, PREVIEW_PAGES), total
