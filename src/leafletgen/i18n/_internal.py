"""The leafletgen modules the i18n package builds on, imported in one place.

(When modules move, only these imports change.) i18n sits between the readers (source/)
and the checks: it may import from errors, model, fonts and source only.
"""

from leafletgen.errors import ContentError, Problem, Severity, UsageError, display_path, errors_in
from leafletgen.limits import MAX_MONOGRAPH_BYTES
from leafletgen.model import (
    Block,
    FactText,
    KeyFact,
    LeafletSection,
    Monograph,
    Section,
    Variant,
)
from leafletgen.source.markup import plain_units
from leafletgen.source.monograph import load, parse_file, slug_for
from leafletgen.source.parsed import ParsedFile
from leafletgen.source.validation import (
    characters_in_fields,
    check_sections,
    front_matter_problems,
    markup_in_fields,
)
from leafletgen.source.yamlsource import schema_problems

__all__ = [
    "MAX_MONOGRAPH_BYTES", "Block", "ContentError", "FactText", "KeyFact", "LeafletSection",
    "Monograph", "ParsedFile",
    "Problem", "Section", "Severity", "UsageError", "Variant", "characters_in_fields",
    "check_sections", "markup_in_fields", "display_path", "errors_in",
    "front_matter_problems", "load", "parse_file", "plain_units", "schema_problems", "slug_for",
]
