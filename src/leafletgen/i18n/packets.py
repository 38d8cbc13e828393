"""Packets and handouts in the patient's language.

The patient file's ``language:`` (or ``--language``) picks, for each medicine, the
translation of its monograph in that language (``leaflets/<slug>.<lang>.md``) instead of the
monograph itself; the cover page and every fixed string follow (catalogue.py). What the
pharmacist typed (directions, dose, timing, notes) is printed as written, in its own
direction. Messages name fields, never the patient's values (not even the language).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from leafletgen.i18n._internal import ContentError, Monograph, Problem, UsageError, slug_for
from leafletgen.i18n.languages import is_english, is_language_tag
from leafletgen.i18n.translation import TranslatedMonograph


def in_language(patient: Any, language: str | None) -> Any:
    """The patient with ``language`` (from --language) instead of their file's."""
    if language is None:
        return patient
    if not is_language_tag(language):
        raise UsageError(f"--language '{language}': give a language tag such as es, ar or pt-BR")
    return dataclasses.replace(patient, language=language)


def _lang(patient: Any) -> str | None:
    lang = getattr(patient, "language", None)
    return None if lang is None or is_english(lang) else lang


def wanted_slug(slug: str, patient: Any) -> str:
    """The slug of the leaflet to print for the medicine ``slug``: its translation's."""
    lang = _lang(patient)
    return slug if lang is None else f"{slug}.{lang}"


def file_slug(path: Path) -> str:
    """The slug a file's leaflets have by its name: 'baclofen.es' for baclofen.es.md."""
    stem, dot, lang = path.stem.rpartition(".")
    if dot and is_language_tag(lang):
        return f"{slug_for(Path(stem + '.md'))}.{lang}"
    return slug_for(path)


def language_of_slug(slug: str) -> str | None:
    """The language a translation's slug names (``baclofen.es``: ``es``); None for a
    monograph's own slug."""
    _, dot, lang = slug.rpartition(".")
    return lang if dot and is_language_tag(lang) else None


def source_slug(monograph: Monograph) -> str:
    """The medicine's slug: a translation's source's."""
    if isinstance(monograph, TranslatedMonograph) and monograph.source is not None:
        return monograph.source.slug
    return monograph.slug


def translation_file(monograph: Path, patient: Any) -> Path:
    """The file to print for a handout of ``monograph`` in the patient's language."""
    lang = _lang(patient)
    if lang is None or file_slug(monograph) != _plain_slug(monograph):
        return monograph  # no language asked for, or a translation named directly
    candidate = monograph.with_name(f"{monograph.stem}.{lang}.md")
    if candidate.is_file():
        return candidate
    raise ContentError([Problem(patient.path, patient.language_line,
                                "language: this medicine's leaflet has no translation into "
                                f"this language (no {candidate.name.replace(lang, '<language>')}"
                                "); translate it (README.md, Translations) or leave out "
                                "'language:' to print the leaflet as written",
                                field="language")])


def _plain_slug(path: Path) -> str:
    return slug_for(path)


def missing_translation(slug: str, patient: Any, available: dict[str, Any], field: str,
                        line: int, leaflets: Path) -> Problem | None:
    """When the patient's language is asked for and this medicine has a monograph but no
    translation into it: the problem, else None."""
    lang = _lang(patient)
    if lang is None or not (leaflets / f"{slug}.md").is_file():
        return None
    return Problem(patient.path, line,
                   f"{field}: this medicine's leaflet has no translation into the patient's "
                   f"language (language:, line {patient.language_line}); translate it "
                   f"({leaflets}/<slug>.<language>.md, see README.md, Translations) or leave out "
                   "'language:' to print the leaflets as written", field="language")
