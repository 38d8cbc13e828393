"""Reading ease of leaflets in languages textstat has a formula for (Spanish).

The US grade formulas (readability.py) are for English only. For Spanish, textstat has
Fernández Huerta's reading ease (a 0-100 scale, higher is easier; Flesch's formula refitted
for Spanish) with Spanish syllables (Pyphen's Spanish dictionary). Each language's formula
and lowest allowed score are in languages.py. Text in other languages is not scored, and the
report says so.

The text scored is what the leaflet prints of each section, split into sentences the same
way as for English (each paragraph, list item and table cell ends a sentence).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from textstat.textstat import textstatistics

from leafletgen.i18n._internal import (
    LeafletSection,
    Monograph,
    Problem,
    Severity,
    Variant,
    plain_units,
)
from leafletgen.i18n.languages import EaseLimits, language

# a checks.readability.LeafletReading (the checks stage is above this one): its monograph,
# variant and ease are read
LeafletReading = Any


@dataclass(frozen=True)
class SectionEase:
    id: str
    line: int
    words: int
    score: float
    judged: bool  # False: under min_words, judged only as part of the leaflet
    low: bool


@dataclass(frozen=True)
class EaseReading:
    """Reading ease of one leaflet, section by section and overall."""

    limits: EaseLimits
    sections: tuple[SectionEase, ...]
    words: int
    score: float
    low: bool


@cache
def _stats(lang: str) -> textstatistics:
    stats = textstatistics()
    stats.set_lang(lang)
    return stats


def _sentences(text: str) -> str:
    return " ".join(s if s[-1:] in ".!?" else s + "." for s in
                    (part.strip() for part in text.split("\n")) if s)


def ease_reading(monograph: Monograph, variant: Variant,
                 sections: tuple[LeafletSection, ...]) -> EaseReading | None:
    """The leaflet's reading ease, or None when its language has no formula."""
    limits = language(monograph.language).ease
    if limits is None:
        return None
    stats = _stats(limits.textstat_lang)
    score = getattr(stats, limits.formula)
    found = []
    everything = []
    for section in sections:
        text = _sentences("\n".join(u.text for b in section.blocks
                                    for u in plain_units(b.text, b.line)))
        everything.append(text)
        words = stats.lexicon_count(text) if text else 0
        value = round(score(text), 1) if text else 0.0
        judged = words >= limits.min_words
        source = monograph.section(section.id)
        found.append(SectionEase(section.id, source.line if source else 1, words, value,
                                 judged, judged and value < limits.section_min))
    whole = " ".join(everything)
    total = round(score(whole), 1) if whole else 0.0
    return EaseReading(limits, tuple(found), sum(s.words for s in found), total,
                       bool(whole) and total < limits.leaflet_min)


def ease_problems(reading: LeafletReading) -> list[Problem]:
    """A warning for each section, and the leaflet, below the language's lowest score."""
    ease: EaseReading | None = getattr(reading, "ease", None)
    if ease is None:
        return []
    path = reading.monograph.path
    name = f"'{reading.variant.name}' leaflet"
    advice = "write shorter sentences with shorter words"
    problems = [Problem(path, s.line, f"{name}, section '{s.id}': reading ease {s.score:.1f} "
                        f"({ease.limits.label}) is below {ease.limits.section_min:g}; {advice}",
                        Severity.WARNING) for s in ease.sections if s.low]
    if ease.low:
        problems.append(Problem(path, 1, f"{name}: overall reading ease {ease.score:.1f} "
                                f"({ease.limits.label}) is below {ease.limits.leaflet_min:g}; "
                                f"{advice}", Severity.WARNING))
    return problems


def ease_lines(reading: LeafletReading) -> list[str]:
    """The report's table for a leaflet the grade formulas do not score."""
    ease: EaseReading | None = getattr(reading, "ease", None)
    lang = reading.monograph.language
    name = reading.variant.name
    if ease is None:
        return [f"  {name} leaflet: reading grades not scored: the formulas are for English "
                f"text and textstat has no formula for '{lang}' ({language(lang).name})"]
    limits = ease.limits
    width = max([len("whole leaflet"), *(len(s.id) for s in ease.sections)])
    rows = [f"  {name} leaflet ('{lang}'): reading ease by {limits.label} (higher is easier), "
            f"each section at least {limits.section_min:g}, whole leaflet at least "
            f"{limits.leaflet_min:g}",
            f"    {'section':<{width}} {'words':>6} {'ease':>6}"]
    for s in ease.sections:
        flag = f"  below {limits.section_min:g}" if s.low else (
            f"  below {limits.section_min:g}, but under {limits.min_words} words: judged with "
            "the whole leaflet" if not s.judged and s.score < limits.section_min else "")
        rows.append(f"    {s.id:<{width}} {s.words:>6} {s.score:>6.1f}{flag}")
    flag = f"  below {limits.leaflet_min:g}" if ease.low else ""
    rows.append(f"    {'whole leaflet':<{width}} {ease.words:>6} {ease.score:>6.1f}{flag}")
    return rows


def ease_json(reading: LeafletReading) -> dict | None:
    ease: EaseReading | None = getattr(reading, "ease", None)
    if ease is None:
        return None
    return {"formula": ease.limits.label, "section_min": ease.limits.section_min,
            "leaflet_min": ease.limits.leaflet_min, "score": ease.score, "words": ease.words,
            "below_limit": ease.low,
            "sections": [{"id": s.id, "line": s.line, "words": s.words, "score": s.score,
                          "judged": s.judged, "below_limit": s.low} for s in ease.sections]}
