"""Check finished PDFs the way a document archive, an accessibility auditor and a low-vision
reader would, using existing checkers (qpdf, page-validation, PDFium) rather than our own PDF
parsing.

The rules are registered in ``verification.rules.RULES``, one module each: ``syntax``,
``fonts``, ``tags``, ``type size``, the ``layout`` rules (cut-off text, mostly empty pages,
text on other text, stranded headings, open frames, wide tables), ``pdf/ua`` and ``pdf/a``.
How a PDF is checked is a value, ``VerifyOptions``.

The layout rules read ``Measures`` of the pages. For a PDF from elsewhere they are read from
the PDF (``pdf_reader``, PDFium); a document leafletgen renders passes the measures taken
from WeasyPrint's layout as it renders (``layout``), and the PDF is not read again for them.

A leaflet names its variant in its metadata (``<meta name="leafletgen-variant">`` in the
template, written to the document information as ``/leafletgenvariant``), so it can be
checked on its own, later or elsewhere. Messages quote the words cut off, on top of each
other or past the column, and a stranded heading, only for a leaflet (a file that names its
variant), never for a packet or handout (they hold patient data) or with ``private``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from leafletgen.errors import Problem, Severity, UsageError, errors_in
from leafletgen.model import Variant
from leafletgen.source.variants import load_variants
from leafletgen.verification.measures import Measures
from leafletgen.verification.report import PdfReport, VerifyOptions
from leafletgen.verification.rule import Evidence
from leafletgen.verification.rules import RULES

if TYPE_CHECKING:
    import pikepdf

# pikepdf, PDFium and page-validation are imported where a PDF is checked, not with
# leafletgen: a build with nothing to render, or a check, need not load them.

log = logging.getLogger(__name__)

VARIANT_KEY = "/leafletgenvariant"


def verify_pdf(pdf: bytes | Path, options: VerifyOptions | None = None,
               layout: Measures | None = None) -> PdfReport:
    """Check one PDF (bytes or a file) against every rule of ``RULES`` and its variant's type
    floor, as ``options`` says (default: a PDF from elsewhere, its variant read from it).

    ``layout``: the layout measures of the pages, taken from WeasyPrint's layout when
    leafletgen rendered the bytes; without them the PDF is measured (PDFium).
    """
    import pikepdf

    options = options or VerifyOptions()
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    where = options.path or (pdf if isinstance(pdf, Path) else Path("<pdf>"))
    try:
        document = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        return PdfReport(where, problems=(Problem(where, 0, f"syntax: not a readable PDF "
                                                  f"({exc}); rebuild it"),))
    with document:
        recorded = _recorded_variant(document)
        variant, errors, warnings = _variant(options, recorded)
        if layout is None:
            layout = _measure(data, document, options.pages)
        evidence = Evidence(data, document, options, recorded, variant, layout,
                            tuple(errors), tuple(warnings))
        verdicts = [rule.check(evidence) for rule in RULES]
    problems = [Problem(where, 0, m) for verdict in verdicts for m in verdict.errors]
    problems += [Problem(where, 0, m, Severity.WARNING)
                 for verdict in verdicts for m in verdict.warnings]
    smallest = layout.smallest
    return PdfReport(where, variant.name if variant else recorded,
                     smallest.size if smallest else None,
                     variant.min_body_pt if variant else None,
                     tuple(s for verdict in verdicts for s in verdict.standards),
                     tuple(problems), tuple(n for verdict in verdicts for n in verdict.notes))


def verify(paths: Sequence[Path] = (Path("out"),), styles: Path = Path("styles"),
           variant: str | None = None) -> tuple[tuple[PdfReport, ...], tuple[Problem, ...]]:
    """Check every PDF named in ``paths`` (files, or folders of ``*.pdf``).

    Each PDF's variant (for its type-size floor) is read from the PDF unless ``variant``
    names one. Returns a report per PDF and any problem with the variant definitions.
    """
    variants, problems = load_variants(styles)
    if errors_in(problems):
        return (), tuple(problems)
    if variant is not None and variant not in variants:
        raise UsageError(f"unknown variant {variant}; available: " + ", ".join(variants))
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.pdf"))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    if not files:
        raise UsageError(f"no PDF files in {', '.join(map(str, paths))}; build some first")
    options = VerifyOptions(variants[variant] if variant else None, styles=styles)
    reports = tuple(verify_pdf(path, options) for path in dict.fromkeys(files))
    return reports, tuple(problems)


def _recorded_variant(document: pikepdf.Pdf) -> str | None:
    value = document.docinfo.get(VARIANT_KEY)
    return str(value) if value is not None else None


def _variant(options: VerifyOptions, recorded: str | None
             ) -> tuple[Variant | None, list[str], list[str]]:
    """The variant whose floor applies, and what is wrong with the PDF's claim to one."""
    variant = options.variant
    if variant is None:
        if recorded is None:
            # not a failure: a packet does not name its variant, on purpose
            return None, [], ["type size: not checked (the PDF does not name its variant; "
                              "pass --variant)"]
        variant = load_variants(options.styles)[0].get(recorded)
        if variant is None:
            return None, [f"type size: the PDF says it is the '{recorded}' variant, which "
                          f"{options.styles}/variants/ does not define; pass --styles or "
                          "--variant"], []
    elif recorded is not None and recorded != variant.name:
        return variant, [f"type size: the PDF says it is the '{recorded}' variant, not "
                         f"'{variant.name}'; check it with --variant {recorded}"], []
    return variant, [], []


def _measure(data: bytes, document: pikepdf.Pdf, pages: Sequence[int] | None) -> Measures:
    from leafletgen.verification.pdf_reader import measure_pdf, pages_held_to_fill, text_roles

    return measure_pdf(data, pages, pages_held_to_fill(document, pages),
                       text_roles(document, pages))
