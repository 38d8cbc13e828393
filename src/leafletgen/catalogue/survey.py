"""The catalogue build: every monograph in every variant, in parallel, incrementally, sharded.

``build_catalogue`` is what ``leafletgen.build`` runs when asked for worker processes, a shard
or an incremental build; ``status`` says which PDFs in ``OUT`` are not current, rendering
nothing. Whether a PDF is current is decided by its inputs' hashes (manifest.py).

A monograph whose PDFs are all recorded as current, from the same file content, is not even
parsed again: a build with nothing to do reads files and hashes them, and renders nothing.

HTML files (``--html``) follow the request: a build that asks for them writes those that are
missing or changed, for a current PDF without rendering the PDF again; a build that does not
removes those it recorded in the manifest, so no HTML is left from older inputs.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from leafletgen.catalogue import snapshot
from leafletgen.catalogue.leaflet import Written
from leafletgen.catalogue.manifest import Entry, Fingerprints, Manifest
from leafletgen.catalogue.workers import Outcome, Workers, write_html
from leafletgen.checks.plan import choose_variants, clash_problem, find_monographs, plan_files
from leafletgen.errors import Problem, display_path, errors_in
from leafletgen.files import remove_leftovers, sha256_file
from leafletgen.i18n.translation import AUDIENCE as TRANSLATED_AUDIENCE
from leafletgen.i18n.translation import is_translation_text
from leafletgen.limits import MAX_MONOGRAPH_BYTES, TooLarge, read_limited
from leafletgen.model import (
    BuildOptions,
    BuildResult,
    Job,
    LeafletState,
    Progress,
    Shard,
    Status,
)
from leafletgen.source.variants import load_variants

log = logging.getLogger(__name__)

SAVE_EVERY = 5.0  # seconds between manifest saves while rendering (and once at the end)


@dataclass(frozen=True)
class _Todo:
    job: Job
    inputs: dict[str, str]
    reason: str
    pdf: bool = True  # False: the PDF is current, only its HTML is to be written


@dataclass(frozen=True)
class _Survey:
    todo: tuple[_Todo, ...]
    current: tuple[LeafletState, ...]
    problems: tuple[Problem, ...]


def status(paths: Sequence[Path], out: Path, styles: Path,
           variants: Sequence[str] | None = None, options: BuildOptions | None = None
           ) -> Status:
    """Which PDFs in ``out`` are missing or stale against ``out/manifest.json``, for a build
    with ``options`` (the default options when None)."""
    options = options or BuildOptions()
    survey = _survey(paths, out, styles, variants, options.html, options.inputs(),
                     options.shard, Manifest(out))
    stale = [LeafletState(out / f"{t.job.stem}.pdf", t.job.monograph.path, t.job.variant.name,
                          t.reason) for t in survey.todo]
    leaflets = sorted([*survey.current, *stale], key=lambda leaflet: leaflet.pdf.name)
    return Status(tuple(leaflets), survey.problems)


def build_catalogue(paths: Sequence[Path], out: Path, styles: Path,
                    variants: Sequence[str] | None, options: BuildOptions,
                    on_progress: Callable[[Progress], None] | None = None) -> BuildResult:
    """Render the catalogue's PDFs in ``options.workers`` processes; see ``leafletgen.build``."""
    started = time.perf_counter()
    paper, archive, verify, html = options.paper, options.archive, options.verify, options.html
    incremental, force, shard = options.incremental, options.force, options.shard
    # an incremental build records in OUT even when it writes nothing; another makes OUT only
    # when it has a leaflet to write
    unwritable = _make_folder(out) if incremental else None
    if unwritable is not None:
        return BuildResult((), (unwritable,))
    manifest = Manifest(out) if incremental else None
    # what the inputs look like before they are read, for the next build's snapshot check
    looked = snapshot.now()
    inputs = snapshot.look(paths, styles) if incremental else {}
    results: dict[int, tuple[Outcome, bool]] = {}  # job -> what it did, PDF rendered or not
    removed: list[Path] = []
    unsaved: list[Problem] = []  # why the manifest could not be saved, once
    workers = Workers(styles, paper, archive, verify, options.workers)
    todo: list[_Todo] = []
    current: list[LeafletState] = []
    problems: list[Problem] = []
    renders: list[int] = []  # todo index of each job handed to the workers, in their order
    expected = 0  # leaflets to do, guessed before the monographs are read
    surveyed = False  # the survey has ended: len(todo) is the number of leaflets to do
    try:
        last_save = time.perf_counter()
        done = 0
        renderer = None  # for HTML-only leaflets, in this process

        def finished(number: int, outcome: Outcome) -> None:
            nonlocal done, last_save
            task = todo[number]
            results[number] = (outcome, task.pdf)
            written = outcome.written
            done += 1
            if manifest is not None and written is not None:
                _record(manifest, task, written)
                if time.perf_counter() - last_save > SAVE_EVERY:
                    _save(manifest, unsaved)
                    last_save = time.perf_counter()
            if on_progress is not None:
                # the HTML named is the one written, or, when only it was to be, that failed
                wrote_page = written is not None and written.html_sha256 is not None
                page = out / f"{task.job.stem}.html" if wrote_page or not task.pdf else None
                on_progress(Progress(done, total(), out / f"{task.job.stem}.pdf",
                                     written is not None, outcome.seconds, page, task.pdf))

        def parsing(renders: int, leaflets: int) -> None:
            nonlocal expected
            expected = leaflets
            workers.start(renders)  # they load WeasyPrint while the monographs are read

        def total() -> int:
            return len(todo) if surveyed else max(len(todo), expected)

        shown = False  # whether the progress display was told that rendering started

        def started_rendering() -> None:
            nonlocal shown
            if not shown and on_progress is not None:
                on_progress(Progress(0, total()))
            shown = True

        def to_render() -> Iterator[Job]:
            """The survey, as it goes: each leaflet to render is handed to the workers as
            soon as its monograph is read and checked; the rest is dealt with here."""
            nonlocal renderer, surveyed
            made = incremental
            for item in _surveyed(paths, out, styles, variants, html, options.inputs(),
                                  shard, None if force else manifest, on_parse=parsing):
                if isinstance(item, Problem):
                    problems.append(item)
                    continue
                if isinstance(item, LeafletState):
                    current.append(item)
                    if manifest is not None and not html:
                        removed.extend(_remove_html(out, manifest, [item.pdf.name]))
                    continue
                if not made:
                    made = True
                    unwritable = _make_folder(out)
                    if unwritable is not None:
                        problems.append(unwritable)
                        surveyed = True
                        return
                _remove_leftovers(out, {item.job.stem})
                if manifest is not None and not html:
                    removed.extend(_remove_html(out, manifest, [f"{item.job.stem}.pdf"]))
                todo.append(item)
                if item.pdf:
                    renders.append(len(todo) - 1)
                    yield item.job
                    continue
                started_rendering()
                if renderer is None:
                    from leafletgen.render.renderer import Renderer

                    renderer = Renderer(styles, paper, archive)
                entry = manifest.entries[f"{item.job.stem}.pdf"] if manifest else None
                finished(len(todo) - 1, write_html(renderer, len(todo) - 1, item.job, out,
                                                   entry.sha256 if entry else ""))
            surveyed = True

        outcomes = workers.render(to_render(), out, html, on_start=started_rendering)
        try:
            for outcome in outcomes:
                finished(renders[outcome.index], outcome)
        finally:
            outcomes.close()
    finally:
        if manifest is not None:
            # before waiting for the workers: a second Ctrl-C loses nothing
            _save(manifest, unsaved)
        # after an interruption, workers finish the jobs in hand: record those PDFs too
        in_hand = workers.close()
        if manifest is not None and in_hand:
            for outcome in in_hand:
                if outcome.written is not None:
                    _record(manifest, todo[renders[outcome.index]], outcome.written)
            _save(manifest, unsaved)
    survey = _Survey(tuple(todo), tuple(current), tuple(problems))
    ordered = [results[i] for i in sorted(results)]  # job order, not completion order
    written = [(o.written, pdf) for o, pdf in ordered if o.written is not None]
    result = BuildResult(
        written=tuple(w.pdf for w, pdf in written if pdf),
        problems=(survey.problems + tuple(p for o, _ in ordered for p in o.problems)
                  + tuple(unsaved)),
        skipped=tuple(sorted([leaflet.pdf for leaflet in survey.current]
                             + [out / f"{t.job.stem}.pdf" for t in todo if not t.pdf],
                             key=lambda pdf: pdf.name)),
        seconds=time.perf_counter() - started,
        html=tuple(w.pdf.with_suffix(".html") for w, _ in written if w.html_sha256),
        removed=tuple(removed))
    if incremental:
        _snapshot(paths, out, styles, variants, options, result, inputs, looked)
    return result


def _snapshot(paths: Sequence[Path], out: Path, styles: Path, variants: Sequence[str] | None,
              options: BuildOptions, result: BuildResult, inputs: dict[str, list[int]],
              looked: int) -> None:
    """Record what this build read and kept, for the next build to find nothing changed
    without reading anything (snapshot.py); only after a build without any problem, whose
    every leaflet is current."""
    import importlib.util

    from leafletgen.fonts.config import load_fonts

    if result.problems:
        snapshot.forget(out)
        return
    pdfs = [*result.written, *result.skipped]
    pages = [pdf.with_suffix(".html") for pdf in pdfs] if options.html else []
    spec = importlib.util.find_spec("weasyprint")
    engine = [Path(spec.origin)] if spec is not None and spec.origin else []
    snapshot.record(out, snapshot.request(paths, out, styles, variants, options), inputs,
                    looked, pdfs, [*pages, *load_fonts(styles).files, *engine,
                                   *snapshot.installed()])


def _remove_html(out: Path, manifest: Manifest, names: Sequence[str]) -> list[Path]:
    """Delete the HTML files the manifest records for these PDFs, and the record of them.

    A build that was not asked for HTML leaves none of its leaflets' HTML behind: an HTML
    from older inputs would pass for the current leaflet's. HTML files the manifest does not
    record (not written by leafletgen) are left alone.
    """
    removed: list[Path] = []
    for name in names:
        entry = manifest.entries.get(name)
        if entry is None or entry.html_sha256 is None:
            continue
        page = (out / name).with_suffix(".html")
        try:
            page.unlink()
            removed.append(page)
            log.info("removed %s: this build was not asked for HTML", page)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot remove %s: %s", page, exc.strerror or exc)
            continue  # still recorded: the next build tries again
        manifest.record(name, dataclasses.replace(entry, html_sha256=None))
    return removed


def _save(manifest: Manifest, unsaved: list[Problem]) -> None:
    """Save the manifest; when it cannot be, say why (once) and let the build go on.

    The PDFs written are complete either way; those the manifest does not record are
    rendered again by the next build.
    """
    try:
        manifest.save()
    except OSError as exc:
        if unsaved:
            return
        if isinstance(exc, IsADirectoryError) or manifest.path.is_dir():
            reason = "it is a folder (remove or rename it)"
        else:
            reason = exc.strerror or str(exc)
        unsaved.append(Problem(manifest.path, 0, f"cannot save the manifest: {reason}; the "
                               "PDFs written are complete, and the next build renders them "
                               "again"))


def _record(manifest: Manifest, task: _Todo, written: Written) -> None:
    manifest.record(written.pdf.name, Entry(display_path(task.job.monograph.path),
                                            task.job.variant.name, task.inputs,
                                            written.pdf_sha256, written.html_sha256))


def _survey(paths: Sequence[Path], out: Path, styles: Path, variants: Sequence[str] | None,
            html: bool, options: dict[str, str], shard: Shard | None, manifest: Manifest | None,
            on_parse: Callable[[int, int], None] | None = None) -> _Survey:
    """Sort the catalogue's leaflets into current and to-do, parsing only what changed."""
    todo: list[_Todo] = []
    current: list[LeafletState] = []
    problems: list[Problem] = []
    for item in _surveyed(paths, out, styles, variants, html, options, shard, manifest,
                          on_parse):
        if isinstance(item, _Todo):
            todo.append(item)
        elif isinstance(item, LeafletState):
            current.append(item)
        else:
            problems.append(item)
    return _Survey(tuple(todo), tuple(current), tuple(problems))


def _surveyed(paths: Sequence[Path], out: Path, styles: Path, variants: Sequence[str] | None,
              html: bool, options: dict[str, str], shard: Shard | None,
              manifest: Manifest | None, on_parse: Callable[[int, int], None] | None = None
              ) -> Iterator[_Todo | LeafletState | Problem]:
    """``_survey`` as it goes: first every leaflet whose monograph is unchanged (current, not
    parsed), then, monograph by monograph as each is read and checked, its leaflets to do,
    current or in its problems. A build hands the first leaflets to its workers while it
    reads the next monographs.

    ``on_parse`` is told how many leaflets are likely to need rendering, and how many to
    do in all (HTML only included), before any file is parsed: a guess, as a monograph may
    turn out to have errors.
    """
    all_variants, problems = load_variants(styles)
    if errors_in(problems):
        yield from problems  # every leaflet would be wrong
        return
    chosen = choose_variants(all_variants, variants)
    fingerprints = Fingerprints(styles, all_variants, options)
    entries = manifest.entries if manifest is not None else {}
    by_source = {(e.source, e.variant): name for name, e in entries.items()}
    owned = shard.owns if shard is not None else (lambda name: True)

    known: dict[str, Path] = {}  # PDF name -> monograph, of the unchanged monographs
    contents: dict[Path, bytes] = {}
    to_parse: list[Path] = []
    files, missing = find_monographs(paths)
    yield from problems
    yield from missing
    expected = {"render": 0, "html": 0}  # leaflets to do, as far as is known unparsed
    for path in files:
        try:
            # the size first: an oversized file is refused without being read
            contents[path] = data = read_limited(path, MAX_MONOGRAPH_BYTES)
        except (OSError, TooLarge):
            to_parse.append(path)  # unreadable or too large: its load says why
            continue
        # a translation is built in the variants for its audience only (i18n)
        built = ([v for v in chosen if v.audience == TRANSLATED_AUDIENCE]
                 if is_translation_text(data) else chosen)
        recorded = [by_source.get((display_path(path), v.name)) for v in built]
        names = [name for name in recorded if name is not None]
        if manifest is None or len(names) < len(recorded) or any(
                entries[name].inputs != fingerprints.inputs(variant, data, path)
                for name, variant in zip(names, built, strict=True)):
            to_parse.append(path)
            expected["render"] += len(built)
            continue
        mine = [(name, variant) for name, variant in zip(names, built, strict=True)
                if owned(name)]
        stale = sum(_pdf_reason(out, name, entries[name], entries[name].inputs) is not None
                    for name, _ in mine)
        if stale:
            to_parse.append(path)  # its PDF is missing or damaged: rebuild it below
            expected["render"] += stale
            if html:
                expected["html"] += len(mine) - stale
            continue
        if html and any(_html_reason(out, name, entries[name]) for name, _ in mine):
            to_parse.append(path)  # only its HTML is to be written: no PDF to render
            expected["html"] += len(mine)
            continue
        known.update((name, path) for name in names)
        for name, variant in mine:
            yield LeafletState(out / name, path, variant.name)

    if not to_parse:
        return
    if on_parse is not None:
        on_parse(expected["render"], expected["render"] + expected["html"])
    for planned in plan_files(to_parse, styles, all_variants, chosen):
        yield from (p for p in planned.problems if shard is None or shard.owns(p.path.name))
        clash = next((job for job in planned.jobs if f"{job.stem}.pdf" in known), None)
        if clash is not None:
            name = f"{clash.stem}.pdf"
            yield clash_problem(clash, known[name], entries[name].variant)
            continue
        for job in planned.jobs:
            name = f"{job.stem}.pdf"
            if not owned(name):
                continue
            inputs = fingerprints.inputs(job.variant, contents.get(job.monograph.path, b""),
                                         job.monograph.path)
            entry = entries.get(name)
            reason = _pdf_reason(out, name, entry, inputs) if manifest is not None \
                else "rebuilt on request"
            if reason is not None:
                yield _Todo(job, inputs, reason)
            elif html and (page := _html_reason(out, name, entry)) is not None:
                yield _Todo(job, inputs, page, pdf=False)
            else:
                yield LeafletState(out / name, job.monograph.path, job.variant.name)


def _pdf_reason(out: Path, name: str, entry: Entry | None,
                inputs: dict[str, str]) -> str | None:
    """Why ``out/name`` must be rendered again, or None when it is current."""
    pdf = out / name
    if not pdf.is_file():
        return "missing"
    if entry is None:
        return f"not recorded in {out.name}/manifest.json"
    if entry.inputs != inputs:
        return _changes(entry.inputs, inputs)
    if sha256_file(pdf) != entry.sha256:
        return "the PDF is not the one that was built (changed or damaged since)"
    return None


def _html_reason(out: Path, name: str, entry: Entry | None) -> str | None:
    """Why the HTML of a current ``out/name`` must be written, or None when it is current."""
    if entry is None or entry.html_sha256 is None \
            or sha256_file((out / name).with_suffix(".html")) != entry.html_sha256:
        return "its HTML is missing or changed"
    return None


def _changes(before: dict[str, str], now: dict[str, str]) -> str:
    changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    named = [k.replace(":", " ", 1) for k in changed]
    for i, key in enumerate(changed):
        if key in ("leafletgen", "weasyprint", "paper", "archive", "verify"):
            named[i] = f"{key} {before.get(key) or '-'} -> {now.get(key) or '-'}"
    shown = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
    return f"changed: {shown}"


def _make_folder(out: Path) -> Problem | None:
    """Make the output folder; the problem when it cannot be made."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return Problem(out, 0, f"cannot create the output folder: {exc.strerror or exc}; "
                       "choose another with -o")
    return None


def _remove_leftovers(out: Path, stems: set[str]) -> None:
    """Delete temporary files an interrupted build left for the leaflets about to be built.

    Those of another build still writing into ``out`` are kept (files.remove_leftovers).
    """
    if not stems or not out.is_dir():
        return
    names = {f"{stem}{suffix}" for stem in stems for suffix in (".pdf", ".html")}
    for path in remove_leftovers(out, names):
        log.info("removed %s, left by an interrupted build", path)
