"""The internal leafletgen modules the exchange package uses, imported in one place.

Everything else in ``leafletgen.exchange`` imports these names from here, so a move of the
modules they come from is one edit.
"""

from __future__ import annotations

from leafletgen.fonts.charset import missing_characters
from leafletgen.model import Monograph, Section
from leafletgen.source.markup import LinkContext, SectionRef, to_html
from leafletgen.source.monograph import load, parse_file
from leafletgen.source.validation import vocabulary

__all__ = ["LinkContext", "Monograph", "Section", "SectionRef", "load", "missing_characters",
           "parse_file", "to_html", "vocabulary"]
