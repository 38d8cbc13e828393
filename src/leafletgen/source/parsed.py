"""A monograph file split into front matter and sections, before validation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leafletgen.model import Section
from leafletgen.source.yamlsource import YamlDoc


@dataclass(frozen=True)
class ParsedFile:
    """A monograph file split into front matter and sections, before validation."""

    path: Path
    front: YamlDoc
    sections: tuple[Section, ...]
