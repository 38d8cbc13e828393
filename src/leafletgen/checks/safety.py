"""Key safety facts: text that no leaflet of a medicine may lose.

A monograph's front matter lists them, each with the text that carries it in each variant
(by variant name) or audience::

    key_facts:
      - fact: Do not stop suddenly
        carried_by:
          patient: "Do not stop taking baclofen suddenly"
          clinician: ["Abrupt withdrawal", "Taper over 1–2 weeks"]

Every listed text must appear in what the variant shows of the monograph: its sections, for
its audience, compared without Markdown markup, case or spacing. When it does not (the text
was edited away, or the variant stopped showing the section) the leaflet is not built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from leafletgen.errors import Problem
from leafletgen.model import AUDIENCES, FactText, KeyFact, LeafletSection, Monograph, Variant
from leafletgen.source.markup import plain_units

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """Plain text for comparison: no markup, one case, one kind of dash, quote and space."""
    words = " ".join(u.text for u in plain_units(text, 1))
    return " ".join(_DASHES.sub("-", words.translate(_QUOTES)).casefold().split())


def carrier_for(fact: KeyFact, variant: Variant) -> FactText | None:
    """The text that carries ``fact`` in ``variant``: by its name first, then its audience."""
    by_key = {c.key: c for c in fact.carried_by}
    return by_key.get(variant.name) or by_key.get(variant.audience)


def key_fact_problems(monograph: Monograph, variant: Variant,
                      sections: tuple[LeafletSection, ...]) -> list[Problem]:
    """An error for each key fact the ``variant`` leaflet of ``monograph`` does not carry."""
    shown = normalise("\n\n".join(b.text for s in sections for b in s.blocks))
    problems = []
    for fact in monograph.key_facts:
        carrier = carrier_for(fact, variant)
        if carrier is None:
            keys = " or ".join(f"'{key}: <text>'" for key in
                               dict.fromkeys((variant.audience, variant.name)))
            problems.append(Problem(
                monograph.path, fact.line,
                f"key fact '{fact.fact}' does not say which text carries it in the "
                f"'{variant.name}' leaflet; add {keys} under its carried_by"))
            continue
        for phrase in carrier.phrases:
            if normalise(phrase) not in shown:
                problems.append(Problem(
                    monograph.path, carrier.line,
                    f"key fact '{fact.fact}' is missing from the '{variant.name}' leaflet: "
                    f"none of its sections says '{phrase}'"
                    f"{_found_elsewhere(monograph, phrase)}; put the text back, or update "
                    "carried_by if the fact is now worded differently"))
    return problems


def unknown_carrier_problems(monograph: Monograph, variant_names: Iterable[str]) -> list[Problem]:
    """An error for each carried_by key that is neither a variant nor an audience."""
    known = list(dict.fromkeys([*variant_names,
                                *(a for a in AUDIENCES if a not in ("both", "summary"))]))
    return [
        Problem(monograph.path, carrier.line,
                f"key fact '{fact.fact}': '{carrier.key}' is neither a variant nor an "
                "audience; use one of: " + ", ".join(known))
        for fact in monograph.key_facts for carrier in fact.carried_by
        if carrier.key not in known
    ]


def _found_elsewhere(monograph: Monograph, phrase: str) -> str:
    """Where the text still is, when it is in a section or block the leaflet does not show."""
    wanted = normalise(phrase)
    for section in monograph.sections:
        for block in section.blocks:
            if wanted in normalise(block.text):
                return (f" (it is in section '{section.id}' on line {block.line}, for "
                        f"'{block.audience}', which this leaflet does not show)")
    return ""
