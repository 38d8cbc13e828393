"""``layout`` (a table wider than the text column): text of a table further right than the
column's right edge, which lies as far from the page's right edge as the leftmost text lies
from its left edge (leafletgen's margins are the same left and right)."""

from __future__ import annotations

from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    found = []
    for f in evidence.measures.measured:
        if f.kind != "table":
            continue
        words = ((" (" + ", ".join(f'"{w}"' for w in f.words) + ")") if evidence.quote
                 else "")
        found.append(
            f"layout: a table on page {f.page} is wider than the text column, its text "
            f"{f.detail} mm into the right margin{words}: make it no wider than the column "
            f"and let its cells wrap long words (width, and max-width on th and td, in "
            f"{evidence.sheets}), or give it fewer columns (max_table_columns in "
            f"{evidence.definition})")
    return Verdict(tuple(found))


RULE = Rule("layout", check, "no table is wider than the text column")
