"""The ``leafletgen check`` report, as a table for people or as JSON for machines."""

from __future__ import annotations

import json
from typing import Any

from leafletgen.checks.gates import CheckReport
from leafletgen.checks.readability import FORMULAS, Grades, LeafletReading, Sentence
from leafletgen.errors import Problem, Severity, display_path
from leafletgen.i18n.readability import ease_json, ease_lines
from leafletgen.i18n.translation import status_text, translation_json
from leafletgen.source.markup import long_date

JSON_VERSION = 1
_FORMULA_KEYS = tuple(FORMULAS)
_HEADER = ("words", "FK", "CL", "SMOG")


def as_text(report: CheckReport) -> str:
    """One table per monograph and variant: section grades, word counts, hardest sentences."""
    out: list[str] = []
    last_path = None
    for leaflet in report.leaflets:
        monograph = leaflet.monograph
        if monograph.path != last_path:
            if out:
                out.append("")
            out.append(f"{display_path(monograph.path)}: {monograph.name} version "
                       f"{monograph.version}, {_status(leaflet)}")
            last_path = monograph.path
        out += _table(leaflet)
    if report.leaflets:
        out += ["", "Grades are US school grades: FK Flesch-Kincaid, CL Coleman-Liau, SMOG."]
    return "\n".join(out)


def as_lines(report: CheckReport) -> str:
    """One line per monograph (``check --quiet``): its status and each variant's grade."""
    out: list[str] = []
    by_path: dict[Any, list[LeafletReading]] = {}
    for leaflet in report.leaflets:
        by_path.setdefault(leaflet.monograph.path, []).append(leaflet)
    for leaflets in by_path.values():
        monograph = leaflets[0].monograph
        grades = ", ".join(
            f"{leaflet.variant.name} {leaflet.grades.by(leaflet.formula):.1f}"
            + (" (over)" if leaflet.over or any(s.over for s in leaflet.sections) else "")
            for leaflet in leaflets if leaflet.grades is not None)
        out.append(f"{display_path(monograph.path)}: {monograph.name} {monograph.version}, "
                   f"{_status(leaflets[0])}" + (f"; grade {grades}" if grades else ""))
    return "\n".join(out)


def summary(report: CheckReport) -> str:
    """One line: how many errors and warnings, and what that means."""
    errors = sum(p.severity is Severity.ERROR for p in report.problems)
    warnings = len(report.problems) - errors
    if errors:
        strict = " (--strict: warnings count as errors)" if report.strict else ""
        return f"{errors} error(s){strict}; leaflets of files with errors are not built"
    if warnings:
        return f"{warnings} warning(s); no errors"
    return "all monographs are valid"


def as_json(report: CheckReport) -> str:
    """The same report for machines (CI annotations, dashboards)."""
    errors = sum(p.severity is Severity.ERROR for p in report.problems)
    data = {
        "version": JSON_VERSION,
        "ok": report.ok,
        "strict": report.strict,
        "errors": errors,
        "warnings": len(report.problems) - errors,
        "problems": [_problem(p) for p in report.problems],
        "leaflets": [_leaflet(leaflet) for leaflet in report.leaflets],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _status(leaflet: LeafletReading) -> str:
    m = leaflet.monograph
    translated = status_text(m)  # a translation: of what, and whether it was reviewed
    if translated is not None:
        return translated
    if m.status == "approved" and m.review_date is not None:
        return f"approved {long_date(m.review_date)} by {m.reviewer}"
    return m.status


def _table(leaflet: LeafletReading) -> list[str]:
    variant, limits = leaflet.variant, leaflet.variant.reading
    if not leaflet.scored:
        return ease_lines(leaflet)  # its own language's formula, or "not scored"
    if limits.section_max is None and limits.leaflet_max is None:
        head = "no reading grade limit"
    else:
        parts = [f"{what} {limit:g}" for what, limit in
                 (("each section at most", limits.section_max),
                  ("whole leaflet at most", limits.leaflet_max)) if limit is not None]
        head = f"{', '.join(parts)} ({FORMULAS[limits.formula]})"
    width = max([len("whole leaflet"), *(len(s.id) for s in leaflet.sections)])
    rows = [f"  {variant.name} leaflet: {head}",
            f"    {'section':<{width}} " + " ".join(f"{h:>6}" for h in _HEADER)]
    for section in leaflet.sections:
        row = _row(section.id, width, section.words, section.grades, section.over,
                   section.limit)
        if not section.judged and section.limit is not None and section.grades is not None \
                and section.grades.by(limits.formula) > section.limit:
            row += (f"  above {section.limit:g}, but under {limits.min_words} words: judged "
                    "with the whole leaflet")
        rows.append(row)
        rows += _sentences(section.hardest)
    rows.append(_row("whole leaflet", width, leaflet.words, leaflet.grades, leaflet.over,
                     leaflet.limit))
    rows += _sentences(leaflet.hardest)
    return rows


def _row(name: str, width: int, words: int, grades: Grades | None, over: bool,
         limit: float | None) -> str:
    cells = [f"{words:>6}", *(f"{grades.by(k):>6.1f}" if grades else f"{'–':>6}"
                              for k in _FORMULA_KEYS)]
    flag = f"  over the limit of {limit:g}" if over else ""
    return f"    {name:<{width}} " + " ".join(cells) + flag


def _sentences(hardest: tuple[Sentence, ...]) -> list[str]:
    return [f"      line {s.line}, {s.words} words, grade {s.grade:.1f}: {s.text}"
            for s in hardest]


def _problem(problem: Problem) -> dict[str, Any]:
    return {"path": display_path(problem.path), "line": problem.line,
            "severity": problem.severity.value, "message": problem.message}


def _grades(grades: Grades | None) -> dict[str, float] | None:
    return None if grades is None else {k: grades.by(k) for k in _FORMULA_KEYS}


def _hardest(hardest: tuple[Sentence, ...]) -> list[dict[str, Any]]:
    return [{"line": s.line, "words": s.words, "grade": s.grade, "text": s.text}
            for s in hardest]


def _leaflet(leaflet: LeafletReading) -> dict[str, Any]:
    m, limits = leaflet.monograph, leaflet.variant.reading
    return {
        "monograph": display_path(m.path),
        "slug": m.slug,
        "name": m.name,
        "version": m.version,
        "status": m.status,
        "reviewer": m.reviewer,
        "review_date": m.review_date.isoformat() if m.review_date else None,
        "variant": leaflet.variant.name,
        "audience": leaflet.variant.audience,
        "limits": {"formula": limits.formula, "section_max": limits.section_max,
                   "leaflet_max": limits.leaflet_max, "min_words": limits.min_words},
        "sections": [
            {"id": s.id, "line": s.line, "words": s.words, "grades": _grades(s.grades),
             "judged": s.judged, "over_limit": s.over, "hardest_sentences": _hardest(s.hardest)}
            for s in leaflet.sections],
        "overall": {"words": leaflet.words, "grades": _grades(leaflet.grades),
                    "over_limit": leaflet.over, "hardest_sentences": _hardest(leaflet.hardest)},
        "language": m.language,
        "translation": translation_json(m),
        "ease": ease_json(leaflet),
    }
