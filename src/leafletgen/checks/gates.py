"""The plain-language and safety gates of ``leafletgen check``, over a checked build plan.

On top of what ``plan()`` finds (content errors, key safety facts a leaflet lost), for each
leaflet that could be built: reading grades against the variant's limits, glossary terms
without their plain meaning, and approvals older than the allowed age. Those are warnings;
``strict`` makes every warning an error, as CI wants.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from leafletgen.checks.glossary import Glossary, jargon_problems, load_glossary
from leafletgen.checks.plan import plan
from leafletgen.checks.readability import LeafletReading, read_leaflet, reading_problems
from leafletgen.checks.review import DEFAULT_MAX_AGE_MONTHS, approval_problems
from leafletgen.errors import Problem, Severity, UsageError, errors_in
from leafletgen.i18n.checks import catalogue_problems
from leafletgen.i18n.languages import is_english
from leafletgen.model import DEFAULT_SOURCES, DEFAULT_STYLES


@dataclass(frozen=True)
class CheckReport:
    """What ``leafletgen check`` found: every leaflet's reading grades and every problem."""

    leaflets: tuple[LeafletReading, ...]
    problems: tuple[Problem, ...]
    strict: bool = False

    @property
    def ok(self) -> bool:
        return not errors_in(self.problems)


def check_report(paths: Sequence[Path] = DEFAULT_SOURCES, styles: Path = DEFAULT_STYLES,
                 variants: Sequence[str] | None = None, *, strict: bool = False,
                 review_max_age_months: int = DEFAULT_MAX_AGE_MONTHS,
                 today: dt.date | None = None) -> CheckReport:
    """Check monographs and variants, and score every leaflet that could be built."""
    if review_max_age_months < 1:
        raise UsageError(f"review age must be at least 1 month, not {review_max_age_months}")
    the_plan = plan(paths, styles, variants)
    problems = list(the_plan.problems)
    glossaries: dict[str, Glossary | None] = {}
    leaflets = []
    for job in the_plan.jobs:
        reading = read_leaflet(job.monograph, job.variant, job.sections)
        leaflets.append(reading)
        problems += reading_problems(reading)
        name = job.variant.glossary
        if name is not None and is_english(job.monograph.language):  # the glossary is English
            if name not in glossaries:
                glossaries[name], found = load_glossary(styles / name)
                problems += found
            glossary = glossaries[name]
            if glossary is not None:
                problems += jargon_problems(glossary, job.monograph, job.sections)
    for monograph in {job.monograph.path: job.monograph for job in the_plan.jobs}.values():
        problems += approval_problems(monograph, review_max_age_months, today)
    problems += catalogue_problems((job.monograph.language for job in the_plan.jobs), styles)
    # a text shown in two variants with the same glossary is one problem, not two
    problems = list(dict.fromkeys(problems))
    if strict:
        problems = [dataclasses.replace(p, severity=Severity.ERROR) for p in problems]
    return CheckReport(tuple(leaflets), tuple(problems), strict)


def check(paths: Sequence[Path] = DEFAULT_SOURCES, styles: Path = DEFAULT_STYLES,
          variants: Sequence[str] | None = None) -> tuple[Problem, ...]:
    """Every problem in the monographs and variants, without rendering anything."""
    return check_report(paths, styles, variants).problems
