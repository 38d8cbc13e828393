"""How the command line shows a catalogue build: a progress bar, or plain lines for logs.

On a terminal a bar shows done/total and the latest leaflet; without one (CI logs) each
leaflet gets one plain line. Either way the build ends with a summary table.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from leafletgen.errors import Problem, display_path, errors_in
from leafletgen.model import BuildResult
from leafletgen.model import Progress as LeafletDone

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

# rich is imported when a display is made: a build for a log, or with nothing to do, starts
# faster without it.


def _may_be_terminal() -> bool:
    """False when rich's ``Console(stderr=True).is_terminal`` is surely False: standard
    error is not a terminal and neither TTY_COMPATIBLE nor FORCE_COLOR says otherwise."""
    if os.environ.get("TTY_COMPATIBLE") == "1" or "FORCE_COLOR" in os.environ:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return True


class ProgressDisplay:
    """Called after each leaflet a build renders; ``close`` when the build ends."""

    def __init__(self, interactive: bool | None = None, console: Console | None = None):
        self._console = console  # made on first use: a build with nothing to do shows nothing
        self._interactive = interactive
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True)
        return self._console

    @property
    def interactive(self) -> bool:
        """Whether a progress bar is drawn (a terminal), else a line per leaflet (a log)."""
        if self._interactive is None:
            if self._console is None and not _may_be_terminal():
                self._interactive = False  # what rich would say, without importing it
            else:
                self._interactive = self.console.is_terminal
        return self._interactive

    def __call__(self, event: LeafletDone) -> None:
        if not self.interactive:
            if event.pdf is None:
                return  # rendering starts: nothing to log yet
            click.echo(describe(event, timed=True))
            return
        if self._bar is None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            # the first event comes after the worker processes are forked: none is forked
            # while the bar's refresh thread runs
            self._bar = Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.fields[current]}"),
                                 console=self.console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("rendering", total=event.total, current="")
        if event.pdf is None:
            return
        if not event.ok:
            self._bar.console.print(describe(event), markup=False, highlight=False)
        latest = event.pdf if event.rendered or event.html is None else event.html
        assert self._task is not None
        self._bar.update(self._task, completed=event.done, current=latest.name)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def describe(event: LeafletDone, timed: bool = False) -> str:
    """``wrote out/x-patient.pdf``, with the HTML written beside it or instead of it, and
    ``timed``, how long that took."""
    assert event.pdf is not None
    notes = [f"{event.seconds:.1f} s"] if timed else []
    if not event.ok:
        failed = event.html if not event.rendered and event.html is not None else event.pdf
        text = f"failed {display_path(failed)}"
    elif not event.rendered and event.html is not None:
        text = f"wrote {display_path(event.html)}"
        notes.append(f"{event.pdf.name} is current")
    else:
        also = f" and {display_path(event.html)}" if event.html is not None else ""
        text = f"wrote {display_path(event.pdf)}{also}"
    return f"{text} ({'; '.join(notes)})" if notes else text


def summary_table(result: BuildResult) -> str:
    """The closing table: built, skipped, failed, seconds; the HTML files written or removed
    (a catalogue build with or without --html); then what failed, by name."""
    failed = failed_files(result.problems)
    header = ("built", "skipped", "failed", "seconds")
    row = (str(len(result.written)), str(len(result.skipped)), str(len(failed)),
           f"{result.seconds:.1f}")
    widths = [max(len(h), len(v)) for h, v in zip(header, row, strict=True)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)),
             "  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True))]
    html = getattr(result, "html", ())
    removed = getattr(result, "removed", ())
    if html:
        lines.append(f"html: {len(html)} written")
    if removed:
        lines.append(f"html: {len(removed)} removed (this build was not asked for HTML)")
    lines += [f"failed: {name}" for name in failed]
    return "\n".join(lines)


def failed_files(problems: Sequence[Problem]) -> list[str]:
    """The files with errors, each once, in the order they were reported."""
    return list(dict.fromkeys(display_path(p.path) for p in errors_in(problems)))
