"""The shape of a verification rule: what it reads (``Evidence``) and what it says
(``Verdict``). Each rule lives in its own module of ``verification.rules`` and is registered
in ``verification.rules.RULES``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leafletgen.model import Variant
from leafletgen.verification.measures import Measures
from leafletgen.verification.report import VerifyOptions

if TYPE_CHECKING:
    import pikepdf


@dataclass(frozen=True)
class Evidence:
    """What the rules read about one PDF: its bytes, the open document, the options, the
    variant, and the layout measures (from WeasyPrint's layout or from the PDF)."""

    data: bytes
    document: pikepdf.Pdf  # open while the rules run
    options: VerifyOptions
    recorded: str | None  # the variant the PDF names (a leaflet does, a packet does not)
    variant: Variant | None  # the variant whose type-size floor applies
    measures: Measures
    variant_errors: tuple[str, ...] = ()  # the PDF's variant is unknown or not the one given
    variant_warnings: tuple[str, ...] = ()

    @property
    def quote(self) -> bool:
        """Whether messages may quote the PDF's text: a leaflet's, unless it is private."""
        return not self.options.private and self.recorded is not None

    @property
    def sheets(self) -> str:
        """The stylesheets to change, for advice."""
        return (", ".join(self.variant.stylesheets) if self.variant is not None
                else "the stylesheets")

    @property
    def definition(self) -> str:
        """The variant's definition file, for advice."""
        return self.variant.path.name if self.variant is not None else "the variant"


@dataclass(frozen=True)
class Verdict:
    """What one rule found: failures, warnings, what it did not check (notes) and the
    standards the file passed."""

    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A named check; ``name`` starts each of its messages (``layout:``, ``pdf/ua:``)."""

    name: str
    check: Callable[[Evidence], Verdict]
    summary: str = ""
