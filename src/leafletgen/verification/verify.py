"""Check finished PDFs the way a document archive, an accessibility auditor and a low-vision
reader would, using existing checkers (qpdf, page-validation, PDFium) rather than our own PDF
parsing.

The rules are registered in ``verification.rules.RULES``, one module each: ``syntax``,
``fonts``, ``tags``, ``type size``, the ``layout`` rules (cut-off text, mostly empty pages,
text on other text, stranded headings, open frames, wide tables), ``units`` (no number split
from its unit across a line break), ``page 1`` (every key fact on page 1, for a variant that
asks for it), ``pdf/ua`` and ``pdf/a``.
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
from leafletgen.files import find_pdfs
from leafletgen.model import Variant
from leafletgen.render.layout import DrawnLayout
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
               layout: DrawnLayout | None = None) -> PdfReport:
    """Check one PDF (bytes or a file) against every rule of ``RULES`` and its variant's type
    floor, as ``options`` says (default: a PDF from elsewhere, its variant read from it).

    ``layout``: WeasyPrint's layout of the document, when leafletgen rendered the bytes
    (``render_pdf(measure=True)``); its pages are the PDF's from the first of
    ``options.pages`` on. The layout rules then measure it instead of the PDF, which is read
    (PDFium) only to quote what a failing page prints. Without it the PDF is measured.
    """
    import pikepdf

    options = options or VerifyOptions()
    where = options.path or (pdf if isinstance(pdf, Path) else Path("<pdf>"))
    if isinstance(pdf, Path):
        # a file from anywhere: read once it is shown safe to read (pdfbounds.py); one that
        # is not (a password, a compression bomb ...) is reported, and the others checked
        from leafletgen.pdfbounds import Unsafe, read_pdf

        try:
            data = read_pdf(pdf)
        except Unsafe as exc:
            said = f"syntax: {exc}; rebuild it" if exc.unreadable else f"not checked: {exc}"
            return PdfReport(where, problems=(Problem(where, 0, said),))
        except OSError as exc:
            return PdfReport(where, problems=(Problem(where, 0, "not checked: cannot read the "
                                                      f"file: {exc.strerror or exc}"),))
    else:
        data = pdf
    try:
        document = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        return PdfReport(where, problems=(Problem(where, 0, f"syntax: not a readable PDF "
                                                  f"({exc}); rebuild it"),))
    with document:
        recorded = _recorded_variant(document)
        variant, errors, warnings = _variant(options, recorded)
        measures = _measure(data, document, options, variant, layout)
        evidence = Evidence(data, document, options, recorded, variant, measures,
                            tuple(errors), tuple(warnings))
        verdicts = [rule.check(evidence) for rule in RULES]
    # each problem carries its rule's name as data (Problem.rule), for callers that answer
    # in another form than the message
    named = list(zip(RULES, verdicts, strict=True))
    problems = [Problem(where, 0, m, rule=rule.name) for rule, verdict in named
                for m in verdict.errors]
    problems += [Problem(where, 0, m, Severity.WARNING, rule=rule.name)
                 for rule, verdict in named for m in verdict.warnings]
    smallest = measures.smallest
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
    files = find_pdfs(paths)
    if not files:
        raise UsageError(f"no PDF files in {', '.join(map(str, paths))}; build some first")
    options = VerifyOptions(variants[variant] if variant else None, styles=styles)
    reports = tuple(_verify_file(path, options) for path in files)
    return reports, tuple(problems)


def _verify_file(path: Path, options: VerifyOptions) -> PdfReport:
    """One file from anywhere, once it is shown safe to read (pdfbounds.py): one that is not
    (protected by a password, a compression bomb ...) is reported and the others checked."""
    from leafletgen.pdfbounds import Unsafe, read_pdf

    try:
        data = read_pdf(path)
    except Unsafe as exc:
        return PdfReport(path, problems=(Problem(path, 0, f"not checked: {exc}"),))
    except OSError as exc:
        return PdfReport(path, problems=(Problem(path, 0, "not checked: cannot read the "
                                                 f"file: {exc.strerror or exc}"),))
    return verify_pdf(data, options.but(path=path))


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


def _measure(data: bytes, document: pikepdf.Pdf, options: VerifyOptions,
             variant: Variant | None, layout: DrawnLayout | None) -> Measures:
    """The layout measures: from WeasyPrint's layout when given, and from the PDF when there
    is none or it finds something to report (the PDF says what words are printed)."""
    from leafletgen.verification.pdf_reader import measure_pdf, pages_held_to_fill, text_roles

    pages = options.pages
    fill = pages_held_to_fill(document, pages)
    if layout is not None:
        from leafletgen.verification.layout_reader import measure_layout

        first = min(pages) if pages else 0
        measures = measure_layout(layout, first, pages, fill)
        if not _flags(measures, variant):
            return measures
    return measure_pdf(data, pages, fill, text_roles(document, pages))


def _flags(measures: Measures, variant: Variant | None) -> bool:
    """Whether the measures break a layout rule or the type-size floor."""
    small = (variant is not None and measures.smallest is not None
             and measures.smallest.size < variant.min_body_pt)
    return bool(small or measures.cuts or measures.short or measures.measured)
