"""The styles folder as one value: variants, fonts and templates, loaded once per process.

Build, check, packets and a service share it; each part is read again only when its files
change (``source.variants.load_variants``, ``fonts.config.load_fonts``, ``html.environment``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import jinja2

from leafletgen.errors import Problem
from leafletgen.fonts.config import FontSet, load_fonts
from leafletgen.model import Variant
from leafletgen.render.environment import TemplateFeatures, environment
from leafletgen.source.variants import load_variants


@dataclass(frozen=True)
class Styles:
    """A styles folder: its resolved ``path``, the ``variants`` it defines (with the
    ``problems`` of those it could not read), its ``fonts`` and its Jinja ``environment``."""

    path: Path
    variants: Mapping[str, Variant]
    problems: tuple[Problem, ...]
    fonts: FontSet
    environment: jinja2.Environment


def load_styles(path: Path, features: TemplateFeatures | None = None) -> Styles:
    """The styles in ``path``, with a Jinja environment of their own (``features`` added to
    it); raises UsageError when the font list cannot be used."""
    resolved = path.resolve()
    variants, problems = load_variants(resolved)
    return Styles(resolved, MappingProxyType(variants), tuple(problems), load_fonts(resolved),
                  environment(resolved / "templates", features))
