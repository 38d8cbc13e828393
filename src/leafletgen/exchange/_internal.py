"""The internal leafletgen modules the exchange package uses, imported in one place.

Everything else in ``leafletgen.exchange`` imports these names from here, so a move of the
modules they come from is one edit.
"""

from __future__ import annotations

from ..charset import missing_characters
from ..markup import LinkContext, SectionRef, to_html
from ..monograph import Monograph, Section, load, parse_file
from ..validation import vocabulary

__all__ = ["LinkContext", "Monograph", "Section", "SectionRef", "load", "missing_characters",
           "parse_file", "to_html", "vocabulary"]
