"""The build plan: every monograph and variant read and checked, before it is rendered.

``plan`` reads and checks every input before returning; ``plan_files`` does the same one file
at a time, so that a build renders the first leaflets while it reads the next. A file with
errors is skipped, every other file is still built.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from leafletgen.checks.coverage import reference_problems, unshown_text_problems
from leafletgen.checks.figures import figure_text_problems
from leafletgen.checks.safety import key_fact_problems, unknown_carrier_problems
from leafletgen.errors import Problem, UsageError, display_path, errors_in
from leafletgen.i18n import for_variant, load_leaflet, localised_sections
from leafletgen.model import DEFAULT_SOURCES, DEFAULT_STYLES, Job, Variant
from leafletgen.source.markup import parsed_once
from leafletgen.source.variants import load_variants, select


@dataclass(frozen=True)
class Plan:
    """Everything checked, before anything is written."""

    jobs: tuple[Job, ...]
    problems: tuple[Problem, ...]
    files: tuple[Path, ...]
    variants: tuple[Variant, ...]


def find_monographs(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Monograph files named directly, or the ``*.md`` files in named folders.

    A path that does not exist, or a folder without monographs, is a problem: the files that
    were found are still returned, so the other leaflets are still built. A file in a named
    folder that is a link to a file outside that folder is refused (and never read): whoever
    can put a link there must not make leafletgen read, and quote, any file on the machine.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files = sorted(path.glob("*.md"))
            if not files:
                problems.append(Problem(path, 0, "no monograph files (*.md) in this folder; "
                                        "check the path"))
            folder = path.resolve()
            for file in files:
                if file.resolve().is_relative_to(folder):
                    found.append(file)
                else:
                    problems.append(Problem(file, 0, "this is a link to a file outside "
                                            f"{display_path(path)}, which is not read; put the "
                                            "monograph itself in the folder"))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(path, 0, "no such file or folder; check the path"))
    return list(dict.fromkeys(found)), problems


def plan(paths: Sequence[Path] = DEFAULT_SOURCES, styles: Path = DEFAULT_STYLES,
         variants: Sequence[str] | None = None) -> Plan:
    """Read and check every monograph and variant; list the leaflets that can be built."""
    all_variants, problems = load_variants(styles)
    if errors_in(problems):
        # a broken variant definition would make every leaflet wrong: stop here
        return Plan((), tuple(problems), (), ())
    chosen = choose_variants(all_variants, variants)
    files, missing = find_monographs(paths)
    problems += missing
    jobs: list[Job] = []
    for planned in plan_files(files, styles, all_variants, chosen):
        problems += planned.problems
        jobs += planned.jobs
    return Plan(tuple(jobs), tuple(problems), tuple(files), tuple(chosen))


@dataclass(frozen=True)
class PlannedFile:
    """One monograph file read and checked: its leaflets (none when it has errors) and its
    problems."""

    path: Path
    jobs: tuple[Job, ...]
    problems: tuple[Problem, ...]


def plan_files(files: Sequence[Path], styles: Path, all_variants: dict[str, Variant],
               chosen: Sequence[Variant]) -> Iterator[PlannedFile]:
    """``plan``, one file at a time, as each is read and checked: a build renders the first
    leaflets while it reads the next files. Two files that would write the same PDF are
    found as the second one is read."""
    outputs: dict[str, Job] = {}
    for path in files:
        with parsed_once():  # each check of each variant reads the same blocks
            planned = _plan_file(path, styles, all_variants, chosen, outputs)
        if planned.jobs:
            outputs.update((job.stem, job) for job in planned.jobs)
        yield planned


def _plan_file(path: Path, styles: Path, all_variants: dict[str, Variant],
               chosen: Sequence[Variant], outputs: dict[str, Job]) -> PlannedFile:
    monograph, found = load_leaflet(path)  # a monograph, or a translation of one
    if monograph is None:
        return PlannedFile(path, (), tuple(found))
    file_jobs: list[Job] = []
    file_problems: list[Problem] = []
    for variant in chosen:
        if not for_variant(monograph, variant.audience):
            continue  # a translation has patient text only
        sections, missing = select(monograph, variant)
        sections = localised_sections(sections, monograph, variant, styles)
        file_problems += missing
        file_problems += key_fact_problems(monograph, variant, sections)
        file_problems += reference_problems(monograph, variant, sections)
        file_problems += figure_text_problems(monograph, variant, sections)
        file_jobs.append(Job(monograph, variant, sections))
    file_problems += unknown_carrier_problems(monograph, all_variants)
    file_problems += unshown_text_problems(monograph, all_variants)
    file_problems += _clashes(file_jobs, outputs)
    if errors_in(file_problems):
        return PlannedFile(path, (), (*found, *file_problems))
    return PlannedFile(path, tuple(file_jobs), (*found, *file_problems))


def _clashes(new: list[Job], outputs: dict[str, Job]) -> list[Problem]:
    """Two leaflets must never write the same file (slug and variant names can collide)."""
    problems = []
    for job in new:
        other = outputs.get(job.stem)
        if other is not None:
            problems.append(clash_problem(job, other.monograph.path, other.variant.name))
    return problems


def clash_problem(job: Job, other: Path, other_variant: str) -> Problem:
    """The problem of ``job`` writing the PDF that ``other`` (in ``other_variant``) writes."""
    return Problem(
        job.monograph.path, job.monograph.line_of("slug"),
        f"its {job.variant.name} leaflet would be written to {job.stem}.pdf, which "
        f"{display_path(other)} ({other_variant}) already writes; set a different 'slug:'")


def choose_variants(available: dict[str, Variant],
                     wanted: Sequence[str] | None) -> list[Variant]:
    if not available:
        raise UsageError("no variants defined: add a YAML file to styles/variants/")
    if not wanted:  # counselling summaries are built for packets, or when named
        return [v for v in available.values() if not v.summary]
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise UsageError(f"unknown variant {', '.join(unknown)}; available: "
                         + ", ".join(available))
    return [available[w] for w in dict.fromkeys(wanted)]
