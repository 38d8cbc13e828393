"""Medical terms in patient text must come with their plain meaning nearby.

A glossary (``styles/glossary.yaml``, named by a variant's ``glossary:``) maps each term to
one or more plain phrases::

    spasticity: muscle stiffness
    seizure: [fit, fits]

A term is explained when one of its plain phrases appears in the same paragraph, list item,
table cell or form ("have fits (seizures)"). Otherwise ``leafletgen check`` warns at that line
and suggests the first plain phrase. Terms and phrases match whatever their case and any
longer form of their last word (``seizure`` matches "seizures").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from leafletgen.errors import Problem, Severity
from leafletgen.model import LeafletSection, Monograph
from leafletgen.source.markup import TextUnit, plain_units
from leafletgen.source.yamlsource import parse_yaml, read_yaml_text, schema_problems

DOCS = "README.md (Plain-language and safety checks)"


@dataclass(frozen=True)
class Term:
    term: str
    plain: tuple[str, ...]  # the first is the one suggested
    pattern: re.Pattern[str]
    plain_patterns: tuple[re.Pattern[str], ...]

    def explained_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.plain_patterns)


@dataclass(frozen=True)
class Glossary:
    path: Path
    terms: tuple[Term, ...]


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as a case-insensitive pattern: whole words, any spacing, longer last word."""
    words = [re.escape(w) for w in re.split(r"[\s-]+", phrase.strip()) if w]
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(words) + r"\w*", re.IGNORECASE)


_BRACKETED = re.compile(r"\s*\([^)]*\w[^)]*\)")


def load_glossary(path: Path) -> tuple[Glossary | None, list[Problem]]:
    """Read and check a glossary file."""
    text, problems = read_yaml_text(path, "the glossary")
    if text is None:
        return None, problems
    doc, problems = parse_yaml(path, text, what="the glossary")
    if doc is None:
        return None, problems
    problems += schema_problems(doc, "glossary.schema.json", DOCS)
    if problems:
        return None, problems
    terms = []
    for term, plain in doc.data.items():
        phrases = (plain,) if isinstance(plain, str) else tuple(plain)
        terms.append(Term(term, phrases, phrase_pattern(term),
                          tuple(phrase_pattern(p) for p in phrases)))
    return Glossary(path, tuple(terms)), []


def with_monograph_terms(glossary: Glossary, monograph: Monograph) -> Glossary:
    """The shared glossary plus the monograph's own ``glossary:`` terms (its own win)."""
    if not monograph.glossary:
        return glossary
    own = {term: Term(term, plain, phrase_pattern(term),
                      tuple(phrase_pattern(p) for p in plain))
           for term, plain in monograph.glossary}
    shared = tuple(t for t in glossary.terms if t.term not in own)
    return Glossary(glossary.path, shared + tuple(own.values()))


def jargon_problems(glossary: Glossary, monograph: Monograph,
                    sections: tuple[LeafletSection, ...]) -> list[Problem]:
    """A warning for each glossary term used without its plain meaning in the same unit.

    The forms (printed under the title) are checked with the sections' text. A term followed
    by an explanation in brackets, "NSAIDs (painkillers such as ibuprofen)", is explained.
    """
    glossary = with_monograph_terms(glossary, monograph)
    forms_line = monograph.line_of("forms")
    units = [*(TextUnit(form, forms_line) for form in monograph.forms),
             *(unit for section in sections for block in section.blocks
               for unit in plain_units(block.text, block.line))]
    return [
        Problem(monograph.path, unit.line,
                f"'{used}' is a medical term patients may not know; explain it in the same "
                f"paragraph or list item, e.g. '{used} ({term.plain[0]})', or write "
                f"'{term.plain[0]}' instead", Severity.WARNING)
        for unit in units for term, used in _unexplained(glossary, unit.text)]


def _unexplained(glossary: Glossary, text: str) -> list[tuple[Term, str]]:
    """Terms used in ``text`` without a plain phrase; the longest term wins an overlap."""
    found: list[tuple[Term, str]] = []
    taken: list[tuple[int, int]] = []
    matches = sorted(((m, term) for term in glossary.terms
                      if (m := term.pattern.search(text))),
                     key=lambda mt: (mt[0].start(), -len(mt[0].group(0))))
    for match, term in matches:
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        taken.append(match.span())
        if not term.explained_in(text) and not _BRACKETED.match(text, match.end()):
            found.append((term, match.group(0)))
    return found
