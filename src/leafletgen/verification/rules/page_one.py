"""``page 1``: every key fact on page 1, in a leaflet whose variant asks for it
(``key_facts_on_page_1``; verification/pageone.py).

A document leafletgen renders is read from its layout (``Measures.printed``): when page 1
holds every phrase there, the PDF is not read; otherwise, or when the layout's text is not
known, the PDF is, and what it prints is reported."""

from __future__ import annotations

from leafletgen.verification.pageone import (
    PAGE_ONE_KEY,
    SEPARATOR,
    message,
    missing_from,
    missing_on_page_one,
)
from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    recorded = str(evidence.document.docinfo.get(PAGE_ONE_KEY, ""))
    pages = evidence.options.pages
    if not recorded or (pages is not None and 0 not in pages):
        return Verdict()
    phrases = tuple(recorded.split(SEPARATOR))
    printed = evidence.measures.printed
    first = next((page for page in printed or () if page.page == 1), None)
    if first is not None and not any(missing_from("\n".join(lines), phrases)
                                     for lines in first.readings):
        return Verdict()
    missing = missing_on_page_one(evidence.data, phrases)
    return Verdict(tuple(message(phrase, quote=not evidence.options.private)
                         for phrase in missing))


RULE = Rule("page 1", check, "every key fact on page 1")
