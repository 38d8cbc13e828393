"""``units``: no number is split from its unit, range or date across a line break
(verification/units.py).

A document leafletgen renders is read from its layout (``Measures.printed``): when no line
break there splits a unit, the PDF is not read; otherwise, or when the layout's text is not
known, the PDF is, and what it prints is reported."""

from __future__ import annotations

from leafletgen.verification.rule import Evidence, Rule, Verdict
from leafletgen.verification.units import split_units, splits_in


def check(evidence: Evidence) -> Verdict:
    printed = evidence.measures.printed
    if printed is not None and not any(splits_in(page.page, lines) for page in printed
                                       for lines in page.readings):
        return Verdict()
    return Verdict(tuple(split.message(evidence.quote)
                         for split in split_units(evidence.data, evidence.options.pages)))


RULE = Rule("units", check, "no number split from its unit")
