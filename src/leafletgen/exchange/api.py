"""The exchange functions of the public API: SPL labels in, FHIR ePI Bundles out and in.

The FHIR models are large: they are imported when a Bundle is made or read, not when
leafletgen is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from leafletgen.exchange.importer import import_spl
from leafletgen.exchange.report import ImportReport

if TYPE_CHECKING:
    from leafletgen.exchange.fhir import Exported, Imported

__all__ = ["ImportReport", "export_fhir", "import_fhir", "import_spl"]


def export_fhir(path: Path) -> tuple[Exported, ...]:
    """The validated FHIR R5 ePI Bundles of one monograph, one per audience with text."""
    from leafletgen.exchange.fhir import export_monograph

    return export_monograph(path)


def import_fhir(paths: Sequence[Path]) -> Imported:
    """A draft monograph (slug, text, figures) from the ePI Bundles of one medicine."""
    from leafletgen.exchange.fhir import import_bundles

    return import_bundles(list(paths))
