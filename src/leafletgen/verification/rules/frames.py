"""``layout`` (a framed box split without its frame): a border with left and right sides
but no bottom (or no top) edge, with nothing of the page beyond that edge
(``box-decoration-break: slice``)."""

from __future__ import annotations

from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    return Verdict(tuple(
        f"layout: a framed box is split at the {f.detail} of page {f.page} without its frame "
        f"there, so its parts do not read as one box: give the box box-decoration-break: "
        f"clone (each part framed) or break-inside: avoid, in {evidence.sheets}"
        for f in evidence.measures.measured if f.kind == "frame"))


RULE = Rule("layout", check, "no framed box is split without its frame")
