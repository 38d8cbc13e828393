"""The verification rules, registered in one place: ``RULES``, in the order their messages
are reported. Each rule is a module of this package with a ``RULE`` (``verification.rule``):
a name its messages start with and a check from ``Evidence`` to a ``Verdict``.

A new rule: a module here whose ``check`` reads the evidence (the open PDF, the options, the
variant, the layout measures), and one line below. A new layout measure: a field of
``verification.measures.Measures`` filled by both readers (``pdf_reader`` and
``layout_reader``), so that a PDF from elsewhere and a document being rendered are held to
the same rule.
"""

from __future__ import annotations

from leafletgen.verification.rule import Rule
from leafletgen.verification.rules import (
    cut_off,
    fonts,
    frames,
    headings,
    overlap,
    page_fill,
    page_one,
    pdfa,
    pdfua,
    syntax,
    tags,
    type_size,
    units,
    wide_tables,
)

RULES: tuple[Rule, ...] = (
    syntax.RULE,
    fonts.RULE,
    tags.RULE,
    type_size.RULE,
    cut_off.RULE,
    page_fill.RULE,
    overlap.RULE,
    headings.RULE,
    frames.RULE,
    wide_tables.RULE,
    units.RULE,
    page_one.RULE,
    pdfua.RULE,
    pdfa.RULE,
)
