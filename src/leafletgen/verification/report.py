"""What verification is asked (``VerifyOptions``) and what it answers (``PdfReport``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from leafletgen.errors import Problem, errors_in
from leafletgen.model import Variant


@dataclass(frozen=True)
class VerifyOptions:
    """How to check one PDF.

    ``variant``: the variant whose type-size floor applies (default: the one the PDF names,
    looked up in ``styles``). ``path`` names the file in problems (default: the file checked,
    or ``<pdf>``). ``pages`` (0-based) limits the font, type-size and layout rules to the
    pages leafletgen made, in a file that also holds PDFs from elsewhere. ``private``:
    messages never quote the PDF's text (it holds patient data); nor do the layout rules'
    for a PDF that does not name its variant (a packet). ``require_ua`` fails a file that
    does not claim PDF/UA-1 (a file that names its variant is a leaflet, and must claim it
    anyway). ``rendered`` says the bytes come straight from leafletgen's renderer, which
    writes them with one PDF library: the file-syntax check (qpdf), which earns its cost on
    files from elsewhere, is left out.
    """

    variant: Variant | None = None
    path: Path | None = None
    styles: Path = Path("styles")
    pages: Sequence[int] | None = None
    private: bool = False
    require_ua: bool = False
    rendered: bool = False

    @classmethod
    def leaflet(cls, variant: Variant, path: Path) -> VerifyOptions:
        """A leaflet straight from the renderer: PDF/UA-1 required, no syntax check."""
        return cls(variant, path, require_ua=True, rendered=True)

    @classmethod
    def personal(cls, variant: Variant, path: Path, pages: Sequence[int]) -> VerifyOptions:
        """A handout or packet: patient data, never quoted; only ``pages`` are leafletgen's."""
        return cls(variant, path, pages=pages, private=True)

    def but(self, **changes: object) -> VerifyOptions:
        """These options with some changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PdfReport:
    """What ``verify_pdf`` found in one PDF."""

    path: Path
    variant: str | None = None
    smallest_pt: float | None = None
    floor_pt: float | None = None
    standards: tuple[str, ...] = ()  # the standards the file passed, e.g. ("PDF/UA-1",)
    problems: tuple[Problem, ...] = field(default=())
    notes: tuple[str, ...] = ()  # what was not checked and why, e.g. "not PDF/UA (no claim)"

    @property
    def ok(self) -> bool:
        return not errors_in(self.problems)

    def summary(self) -> str:
        """One line saying what was checked, for a file that passed."""
        size = (f"smallest text {self.smallest_pt:g} pt >= {self.floor_pt:g} pt"
                if self.smallest_pt is not None and self.floor_pt is not None else
                "type size not checked")
        return (f"{self.variant or 'unknown variant'}: fonts embedded, tagged with language "
                f"and title, {size}, " + ", ".join([*self.standards, *self.notes]))
