"""Leaflets in the patient's language: translations of monographs, message catalogues for the
templates' fixed strings, right-to-left layout and reading ease in other languages.

- translation.py: translation files (``leaflets/<slug>.<lang>.md``) and their checks
- catalogue.py: gettext catalogues in ``styles/locale/`` (Babel), what they miss
- templates.py: gettext, dates, page wording and right-to-left rules for the templates
- readability.py: reading ease for languages textstat has a formula for (Spanish)
- messages.py: the ``leafletgen messages`` commands (extract, update, compile)
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from leafletgen.i18n._internal import LeafletSection, Monograph, Variant
from leafletgen.i18n.catalogue import translate
from leafletgen.i18n.languages import direction, is_english, language
from leafletgen.i18n.translation import (
    TranslatedMonograph,
    for_variant,
    is_translation,
    load_leaflet,
)


def localised_sections(sections: tuple[LeafletSection, ...], monograph: Monograph,
                       variant: Variant, styles: Path) -> tuple[LeafletSection, ...]:
    """The sections with the variant's headings in the monograph's language (from the
    catalogue; English where it has none)."""
    if is_english(monograph.language):
        return sections
    headings = {s.id: s.heading for s in variant.sections}
    return tuple(dataclasses.replace(
        s, heading=translate(styles, monograph.language, headings[s.id]).replace(
            "{medicine}", monograph.heading_name)) if s.id in headings else s for s in sections)


__all__ = ["TranslatedMonograph", "direction", "for_variant", "is_translation", "language",
           "load_leaflet", "localised_sections"]
