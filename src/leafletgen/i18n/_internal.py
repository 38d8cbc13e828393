"""The leafletgen modules the i18n package builds on, imported in one place.

(When modules move, only these imports change.)
"""

from ..errors import Problem, Severity, display_path, errors_in
from ..markup import plain_units
from ..monograph import Block, FactText, KeyFact, Monograph, ParsedFile, Section, load, parse_file
from ..review import front_matter_problems
from ..safety import carrier_for, normalise
from ..validation import _characters_in_fields, _check_sections, _markup_in_fields
from ..variants import LeafletSection, Variant
from ..yamlsource import schema_problems

__all__ = [
    "Block", "FactText", "KeyFact", "LeafletSection", "Monograph", "ParsedFile", "Problem",
    "Section", "Severity", "Variant", "_characters_in_fields", "_check_sections",
    "_markup_in_fields", "carrier_for", "display_path", "errors_in", "front_matter_problems",
    "load", "normalise", "parse_file", "plain_units", "schema_problems",
]
