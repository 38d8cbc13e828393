"""The dispensing record: which leaflet, in which version, was handed out, and when.

Off unless the configuration names a file (``[dispensing] record``). One JSON object per
line per leaflet printed or downloaded, appended::

    {"time": "2026-12-07T09:14:03Z", "medicine": "baclofen", "version": "1.1",
     "variant": "patient", "language": "es", "draft": false, "document": "handout",
     "counter": "front-counter"}

so that "which version did we hand out last month?" has an answer when a leaflet is
corrected. It never says who a leaflet was for: no name, date of birth, record number,
directions or anything else from the form.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from leafletgen.serve.previews import Dispensed

log = logging.getLogger(__name__)


class DispensingRecord:
    def __init__(self, path: Path, counter: str):
        self.path = path
        self.counter = counter
        self._lock = threading.Lock()

    def check(self) -> None:
        """Raise OSError when the record cannot be appended to (at server start)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._open():
            pass

    def add(self, document: str, leaflets: Iterable[Dispensed]) -> None:
        """Append one line per leaflet of a document handed out now. A failure is logged
        (without any detail of the document) and does not stop the handout."""
        time = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00",
                                                                                   "Z")
        lines = "".join(json.dumps({
            "time": time, "medicine": d.medicine, "version": d.version, "variant": d.variant,
            "language": d.language, "draft": d.draft, "document": document,
            "counter": self.counter}, ensure_ascii=False) + "\n" for d in leaflets)
        try:
            with self._lock, self._open() as sink:
                sink.write(lines.encode("utf-8"))  # one write: lines are never interleaved
        except OSError as exc:
            log.error("the dispensing record could not be written: %s", exc.strerror)

    def _open(self) -> IO[bytes]:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        return os.fdopen(fd, "ab")
