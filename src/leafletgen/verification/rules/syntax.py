"""``syntax``: qpdf's structural check (``qpdf --check``, through pikepdf).

Left out for bytes straight from leafletgen's renderer (``VerifyOptions.rendered``), which
writes them with one PDF library; it earns its cost on files from elsewhere."""

from __future__ import annotations

from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    if evidence.options.rendered:
        return Verdict()
    return Verdict(tuple(f"syntax: {message}; rebuild the file"
                         for message in evidence.document.check_pdf_syntax()))


RULE = Rule("syntax", check, "the file's structure (qpdf)")
