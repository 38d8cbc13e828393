"""``units``: no number is split from its unit, range or date across a line break
(verification/units.py)."""

from __future__ import annotations

from leafletgen.verification.rule import Evidence, Rule, Verdict
from leafletgen.verification.units import split_units


def check(evidence: Evidence) -> Verdict:
    return Verdict(tuple(split.message(evidence.quote)
                         for split in split_units(evidence.data, evidence.options.pages)))


RULE = Rule("units", check, "no number split from its unit")
