"""``layout`` (text on other text): glyphs of two lines that share more than ``OVERLAP`` of
the smaller one's box (a fixed height, a negative margin, a position, a line height below
1). Rotated text (the draft mark) is left out; running headers and footers count."""

from __future__ import annotations

from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    found = []
    for f in evidence.measures.measured:
        if f.kind != "overlap":
            continue
        words = f' ("{f.words[0]}" and "{f.words[1]}")' if evidence.quote else ""
        found.append(
            f"layout: text overlaps other text on page {f.page}{words}: a fixed height, a "
            f"negative margin or a position puts one box on top of another, or a line "
            f"height below 1 puts lines on top of each other; let the boxes flow (remove "
            f"it in {evidence.sheets})")
    return Verdict(tuple(found))


RULE = Rule("layout", check, "no text lies on other text")
