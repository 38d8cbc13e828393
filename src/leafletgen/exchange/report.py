"""The import report: where every section of a label went, and what was left out or changed.

A pharmacist reads it next to the draft monograph: it accounts for every section of the label
(imported into which monograph section, or left out and why), names everything that could not
be imported as written (images, over-deep lists, characters the fonts lack), lists the sections
with no source that are still to be written, and, when a monograph existed already, what
changed in the label section by section.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Placement:
    """Where one section of the label went."""

    code: str | None
    title: str  # the label's title, or its LOINC display name when it has none
    line: int
    words: int
    outcome: str  # e.g. "clinician text of 'before-taking'", "left out: ..."
    depth: int = 0


@dataclass(frozen=True)
class Note:
    """Something not imported as written, at its line in the label."""

    line: int
    message: str


@dataclass(frozen=True)
class Change:
    """How one monograph section differs between the existing text and the new import."""

    section: str
    audience: str
    kind: str  # "changed", "new", "gone"
    diff: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """What an import did: where each label section went, what was left out or is still to
    write, the patient sections over the grade limit, and, on a re-import, the changes."""

    source: str
    monograph: str
    placements: tuple[Placement, ...]
    notes: tuple[Note, ...] = ()
    to_write: tuple[str, ...] = ()
    over_grade: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    written: bool = True
    patient_words: int = 0  # words of the Medication Guide / patient insert
    check_errors: tuple[str, ...] = ()


def as_text(report: ImportReport) -> str:
    """The report as a pharmacist reads it on a terminal or in a file."""
    out = [f"Import of {report.source}"]
    if report.written:
        out.append(f"wrote {report.monograph} (status: draft)")
    else:
        out.append(f"{report.monograph} exists and was not changed: compare the label's "
                   "changes below and carry over what applies")
    out.append("")
    out.append("Label sections:")
    for p in report.placements:
        title = p.title or "(untitled)"
        code = f"[{p.code}] " if p.code else ""
        out.append(f"  {'  ' * p.depth}line {p.line}: {code}{title} ({p.words} words): "
                   f"{p.outcome}")
    if report.notes:
        out.append("")
        out.append("Not imported as written:")
        out += [f"  line {n.line}: {n.message}" for n in report.notes]
    if report.to_write:
        out.append("")
        out.append("To write (the label has no source for these sections):")
        out += [f"  {s}" for s in report.to_write]
    if report.over_grade:
        out.append("")
        out.append("Patient text over the reading-grade limit (rewrite in plain language):")
        out += [f"  {s}" for s in report.over_grade]
    if report.changes:
        out.append("")
        out.append("Changes in the label, section by section:")
        for change in report.changes:
            out.append(f"  {change.section} ({change.audience}): {change.kind}")
            out += [f"    {line}" for line in change.diff]
    elif not report.written:
        out.append("")
        out.append("The label's text is the same as the monograph's, section by section.")
    if report.check_errors:
        out.append("")
        out.append("leafletgen check finds these errors: the draft builds once they are fixed:")
        out += [f"  {line}" for line in report.check_errors]
    return "\n".join(out) + "\n"


def compare(old: dict[tuple[str, str], str],
            new: dict[tuple[str, str], str]) -> tuple[Change, ...]:
    """Section-by-section changes from ``old`` to ``new`` texts, keyed by (section, audience)."""
    changes = []
    for key in list(dict.fromkeys([*old, *new])):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if before is None:
            kind = "new in the label"
        elif after is None:
            kind = "no longer in the label"
        else:
            kind = "changed"
        diff = difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(),
                                    "monograph", "label", n=1, lineterm="")
        changes.append(Change(key[0], key[1], kind, tuple(diff)[2:]))
    return tuple(changes)
