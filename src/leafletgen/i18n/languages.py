"""The languages leafletgen knows how to lay out and score.

Every language tag is accepted (``language: pt-BR``); this table adds what a tag alone does
not say: its name in its own language, the direction of its script, and the reading-ease
formula textstat has for it (with its limits), if any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A language tag as leafletgen accepts it (BCP 47's common forms: es, ar, pt-BR, zh-Hans).
# The schemas spell the same pattern; tests/i18n checks that they agree.
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def is_language_tag(text: str) -> bool:
    return LANGUAGE_TAG.fullmatch(text) is not None

# scripts written right to left (ISO 639 primary subtags)
RTL = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"})


@dataclass(frozen=True)
class EaseLimits:
    """A reading-ease formula (higher is easier) and the lowest score a patient text may have.

    Spanish: Fernández Huerta (1959), Flesch's formula refitted for Spanish. 60-70 is
    "normal" (what a 12-year-old reads), 70-80 "fairly easy"; patient text aims for 70 and
    never below 60 for a section, 65 for the whole leaflet.
    """

    formula: str  # a textstat method name
    label: str
    textstat_lang: str
    section_min: float
    leaflet_min: float
    min_words: int = 20


@dataclass(frozen=True)
class Language:
    tag: str
    name: str  # in its own language
    direction: str = "ltr"
    ease: EaseLimits | None = None  # None: no formula for it; not scored


KNOWN: dict[str, Language] = {
    "en": Language("en", "English"),
    "es": Language("es", "Español", ease=EaseLimits(
        "fernandez_huerta", "Fernández Huerta", "es", section_min=60, leaflet_min=65)),
    "ar": Language("ar", "العربية", "rtl"),
    "zh": Language("zh", "中文"),
    "he": Language("he", "עברית", "rtl"),
    "hi": Language("hi", "हिन्दी"),
}


def primary(tag: str) -> str:
    """The primary subtag: 'pt' of 'pt-BR', lower-cased."""
    return tag.split("-")[0].lower()


def language(tag: str) -> Language:
    """What is known of ``tag``, by its primary subtag; unknown tags are left to right."""
    found = KNOWN.get(primary(tag))
    if found is not None:
        return Language(tag, found.name, found.direction, found.ease)
    return Language(tag, tag, "rtl" if primary(tag) in RTL else "ltr")


def direction(tag: str) -> str:
    """'rtl' or 'ltr', for the dir attribute."""
    return language(tag).direction


def is_english(tag: str) -> bool:
    return primary(tag) == "en"
