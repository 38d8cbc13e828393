"""``leafletgen import spl``: a label in, a draft monograph and its import report out.

An existing monograph of the same label (by file name, or by the label's set id in its front
matter) is never overwritten: the report shows what changed, section by section.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml

from leafletgen.errors import OutputError
from leafletgen.exchange.report import ImportReport, compare
from leafletgen.exchange.spl import read_label
from leafletgen.exchange.to_monograph import draft, monograph_texts, write_figures


def import_spl(label_path: Path, out: Path, previous: Path | None = None,
               styles: Path | None = None, highlights_only: bool = False) -> ImportReport:
    """Write a draft monograph for the SPL file ``label_path`` into ``out``; return the report.

    When ``out`` already holds a monograph of this label, nothing is written: the report lists
    the changes from that monograph's text (or, with ``previous``, from the older label) to
    the new label's, section by section.
    """
    label = read_label(label_path)
    new = draft(label, highlights_only=highlights_only)
    existing = _existing(out, new.slug, label.set_id)
    if existing is not None:
        if previous is not None:
            old = draft(read_label(previous), highlights_only=highlights_only).sections
        else:
            old = monograph_texts(existing)
        changes = compare(old, new.sections)
        return dataclasses.replace(new.report, monograph=str(existing), written=False,
                                   changes=changes)
    target = out / f"{new.slug}.md"
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_figures(new, out)  # first: a monograph is never left without its figures
        # "x": never over an existing file, nor through a symbolic link
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(new.text)
    except OSError as exc:
        raise OutputError(f"cannot write into {out}: {exc.strerror}") from exc
    from leafletgen.checks.gates import check_report  # the checks load the whole source stage

    checked = check_report([target], styles) if styles is not None else check_report([target])
    over = tuple(_grade_line(str(p)) for p in checked.problems
                 if "reading grade" in p.message and "'patient'" in p.message)
    errors = tuple(str(p) for p in checked.problems if p.severity == "error")
    return dataclasses.replace(new.report, monograph=str(target), over_grade=over,
                               check_errors=errors)


def _grade_line(message: str) -> str:
    return re.sub(r"; rewrite its hardest.*", "", message)


def _existing(out: Path, slug: str, set_id: str | None) -> Path | None:
    named = out / f"{slug}.md"
    if named.exists():
        return named
    if not set_id or not out.is_dir():
        return None
    for path in sorted(out.glob("*.md")):
        try:
            with path.open("rb") as file:  # the front matter is at the start: no more read
                head = file.read(20000).decode("utf-8", errors="replace")
        except OSError:
            continue
        parts = head.split("\n---", 1)
        try:
            front = yaml.safe_load(parts[0].removeprefix("---")) if len(parts) == 2 else None
        except yaml.YAMLError:
            continue
        if isinstance(front, dict) and isinstance(front.get("label"), dict) and \
                front["label"].get("set_id") == set_id:
            return path
    return None
