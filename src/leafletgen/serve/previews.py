"""Previewed PDFs, kept so that printing or downloading one does not render it again.

A personalised PDF is kept in this process's memory only (never on disk), under an
unguessable id (``secrets``), for at most ``minutes``; at most ``count`` previews and
``megabytes`` of them are kept, the oldest given up first. The id is the only way to it: a
preview made by another server process (another replica behind a load balancer) is not
here, and is answered as expired (README.md, Serve: several servers).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Dispensed:
    """One leaflet in a document, as the dispensing record names it: never the patient."""

    medicine: str  # the medicine's slug (the source's, for a translation)
    version: str
    variant: str
    language: str
    draft: bool


@dataclass(frozen=True, repr=False)
class Preview:
    """A previewed document: its PDF, images of its first pages and what it holds."""

    pdf: bytes
    images: tuple[bytes, ...]
    total: int  # pages
    filename: str
    title: str
    back: str  # the form it came from (a fresh one: the details are not kept there)
    kind: str  # handout or packet
    leaflets: tuple[Dispensed, ...]

    @property
    def draft(self) -> bool:
        """Whether a leaflet in it is a draft: the document is a proof marked DRAFT."""
        return any(leaflet.draft for leaflet in self.leaflets)

    @property
    def size(self) -> int:
        return len(self.pdf) + sum(len(i) for i in self.images)


class PreviewStore:
    def __init__(self, minutes: float = 10.0, count: int = 64, megabytes: int = 128,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl = minutes * 60
        self.count = count
        self.limit = megabytes * 1024 * 1024
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, tuple[float, Preview]] = OrderedDict()
        self._bytes = 0
        self._handed: set[str] = set()  # ids printed or downloaded at least once

    def put(self, preview: Preview) -> str:
        """Keep ``preview``; its new id. One larger than the whole budget is not kept (its
        id then answers as expired)."""
        key = secrets.token_urlsafe(32)
        with self._lock:
            self._expire()
            if preview.size > self.limit:
                return key
            while self._kept and (len(self._kept) >= self.count
                                  or self._bytes + preview.size > self.limit):
                self._drop(next(iter(self._kept)))
            self._kept[key] = (self._clock(), preview)
            self._bytes += preview.size
        return key

    def get(self, key: str) -> Preview | None:
        if not ID.fullmatch(key):
            return None
        with self._lock:
            self._expire()
            kept = self._kept.get(key)
        return kept[1] if kept else None

    def first_handover(self, key: str) -> bool:
        """True the first time the preview ``key`` is printed or downloaded."""
        with self._lock:
            if key in self._handed or key not in self._kept:
                return False
            self._handed.add(key)
            return True

    @property
    def kept(self) -> int:
        return len(self._kept)

    @property
    def bytes(self) -> int:
        return self._bytes

    def _expire(self) -> None:
        now = self._clock()
        while self._kept:
            key, (made, _) = next(iter(self._kept.items()))
            if now - made < self.ttl:
                break
            self._drop(key)

    def _drop(self, key: str) -> None:
        _, preview = self._kept.pop(key)
        self._bytes -= preview.size
        self._handed.discard(key)
