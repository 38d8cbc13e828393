"""Orchestration: find monographs, check everything first, then write one PDF per leaflet.

Like MkDocs, every input is read and checked before the first PDF is written; a file with
errors is skipped, every other file is still built.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, UsageError, errors_in
from .fonts import FontSet, load_fonts
from .html import render_html
from .monograph import Monograph, load
from .pdf import ARCHIVE_VARIANT, AssetFetcher, RenderError, SourceFile, render_pdf, write_atomic
from .safety import key_fact_problems, unknown_carrier_problems
from .variants import LeafletSection, Variant, load_variants, select
from .verify import verify_pdf

log = logging.getLogger(__name__)

DEFAULT_SOURCES = (Path("leaflets"),)
DEFAULT_OUT = Path("out")
DEFAULT_STYLES = Path("styles")
PAPERS = ("A4", "letter")


@dataclass(frozen=True)
class Job:
    """One leaflet to write: a monograph in one variant."""

    monograph: Monograph
    variant: Variant
    sections: tuple[LeafletSection, ...]

    @property
    def stem(self) -> str:
        return f"{self.monograph.slug}-{self.variant.name}"


@dataclass(frozen=True)
class Plan:
    """Everything checked, before anything is written."""

    jobs: tuple[Job, ...]
    problems: tuple[Problem, ...]
    files: tuple[Path, ...]
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class BuildResult:
    written: tuple[Path, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not errors_in(self.problems)


def find_monographs(paths: Iterable[Path]) -> list[Path]:
    """Monograph files named directly, or the ``*.md`` files in named folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(path.glob("*.md"))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))


def plan(paths: Sequence[Path] = DEFAULT_SOURCES, styles: Path = DEFAULT_STYLES,
         variants: Sequence[str] | None = None) -> Plan:
    """Read and check every monograph and variant; list the leaflets that can be built."""
    all_variants, problems = load_variants(styles)
    if errors_in(problems):
        # a broken variant definition would make every leaflet wrong: stop here
        return Plan((), tuple(problems), (), ())
    chosen = _choose_variants(all_variants, variants)
    files = find_monographs(paths)
    jobs: list[Job] = []
    stems: dict[str, Path] = {}
    for path in files:
        monograph, found = load(path)
        problems += found
        if monograph is None:
            continue
        file_jobs: list[Job] = []
        file_problems: list[Problem] = []
        for variant in chosen:
            sections, missing = select(monograph, variant)
            file_problems += missing
            file_problems += key_fact_problems(monograph, variant, sections)
            file_jobs.append(Job(monograph, variant, sections))
        file_problems += unknown_carrier_problems(monograph, all_variants)
        if monograph.slug in stems:
            file_problems.append(Problem(path, 1, f"slug '{monograph.slug}' is already used by "
                                         f"{stems[monograph.slug]}; set a different 'slug:'"))
        problems += file_problems
        if not errors_in(file_problems):
            stems[monograph.slug] = path
            jobs += file_jobs
    return Plan(tuple(jobs), tuple(problems), tuple(files), tuple(chosen))


def _choose_variants(available: dict[str, Variant],
                     wanted: Sequence[str] | None) -> list[Variant]:
    if not available:
        raise UsageError("no variants defined: add a YAML file to styles/variants/")
    if not wanted:
        return list(available.values())
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise UsageError(f"unknown variant {', '.join(unknown)}; available: "
                         + ", ".join(available))
    return [available[w] for w in dict.fromkeys(wanted)]


def check(paths: Sequence[Path] = DEFAULT_SOURCES, styles: Path = DEFAULT_STYLES,
          variants: Sequence[str] | None = None) -> tuple[Problem, ...]:
    """Every problem in the monographs and variants, without rendering anything."""
    from .gates import check_report  # the gates build on plan(), defined here

    return check_report(paths, styles, variants).problems


class Renderer:
    """Renders jobs to PDF bytes; holds what is shared across renders in one process."""

    def __init__(self, styles: Path, paper: str | None = None, archive: bool = False):
        if paper is not None and paper not in PAPERS:
            raise UsageError(f"unknown paper size {paper!r}; use one of: {', '.join(PAPERS)}")
        self.styles = styles.resolve()
        self.paper = paper
        self.archive = archive
        self.fonts: FontSet = load_fonts(self.styles)

    def html(self, job: Job) -> str:
        return render_html(job.monograph, job.variant, job.sections, self.styles,
                           self.fonts, self.paper).html

    def pdf(self, html: str, job: Job | None = None) -> bytes:
        """PDF/UA-1; with ``archive``, PDF/A-3a with ``job``'s monograph file embedded."""
        fetcher = AssetFetcher(folders=(self.styles,), files=self.fonts.files)
        base_url = self.styles.as_uri() + "/"
        if self.archive and job is not None:
            source = SourceFile(job.monograph.path.name, job.monograph.path.read_bytes(),
                                job.monograph.last_revised)
            return render_pdf(html, base_url, fetcher, ARCHIVE_VARIANT, source).data
        return render_pdf(html, base_url=base_url, fetcher=fetcher).data


def build(paths: Sequence[Path] = DEFAULT_SOURCES, out: Path = DEFAULT_OUT,
          styles: Path = DEFAULT_STYLES, variants: Sequence[str] | None = None,
          html: bool = False, paper: str | None = None, archive: bool = False,
          verify: bool = True) -> BuildResult:
    """Build ``OUT/<slug>-<variant>.pdf`` for every valid monograph in ``paths``.

    ``archive`` writes PDF/A-3a copies with the monograph embedded; ``verify`` checks each
    PDF (leafletgen.verify) before writing it, and a PDF that fails is not written.
    """
    the_plan = plan(paths, styles, variants)
    problems = list(the_plan.problems)
    if not the_plan.jobs:
        return BuildResult((), tuple(problems))
    renderer = Renderer(styles, paper, archive)
    written: list[Path] = []
    for job in the_plan.jobs:
        target = out / f"{job.stem}.pdf"
        try:
            page = renderer.html(job)
            if html:
                write_atomic(out / f"{job.stem}.html", page.encode("utf-8"))
            data = renderer.pdf(page, job)
            if verify:
                found = verify_pdf(data, job.variant, target, require_ua=True).problems
                problems += found
                if errors_in(found):
                    continue  # reported in problems; a failing PDF is never written
            write_atomic(target, data)
        except RenderError as exc:
            problems += [Problem(job.monograph.path, 1, f"{job.variant.name} leaflet: {reason}")
                         for reason in exc.reasons]
            continue
        log.info("wrote %s", target)
        written.append(target)
    return BuildResult(tuple(written), tuple(problems))
