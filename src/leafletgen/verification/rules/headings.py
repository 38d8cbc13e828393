"""``layout`` (a heading at the foot of a page): the last heading on a page with fewer than
``MIN_LINES_AFTER_HEADING`` lines of text (or no figure) below it, when the next page goes
on with its section (the structure tree says which section each line is in)."""

from __future__ import annotations

from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    found = []
    for f in evidence.measures.measured:
        if f.kind != "heading":
            continue
        words = f' ("{f.words[0]}")' if evidence.quote else ""
        lines = "no line" if f.detail == "0" else "only one line"
        found.append(
            f"layout: page {f.page} ends with a heading{words} with {lines} of its text "
            f"below it, the rest on page {f.page + 1}: keep headings with what follows "
            f"(break-after: avoid on headings, orphans: 2 on paragraphs, no forced page "
            f"break after a heading, in {evidence.sheets})")
    return Verdict(tuple(found))


RULE = Rule("layout", check, "no heading is left at the foot of a page")
