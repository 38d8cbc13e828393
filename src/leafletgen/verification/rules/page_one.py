"""``page 1``: every key fact on page 1, in a leaflet whose variant asks for it
(``key_facts_on_page_1``; verification/pageone.py)."""

from __future__ import annotations

from leafletgen.verification.pageone import (
    PAGE_ONE_KEY,
    SEPARATOR,
    message,
    missing_on_page_one,
)
from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    recorded = str(evidence.document.docinfo.get(PAGE_ONE_KEY, ""))
    pages = evidence.options.pages
    if not recorded or (pages is not None and 0 not in pages):
        return Verdict()
    missing = missing_on_page_one(evidence.data, tuple(recorded.split(SEPARATOR)))
    return Verdict(tuple(message(phrase, quote=not evidence.options.private)
                         for phrase in missing))


RULE = Rule("page 1", check, "every key fact on page 1")
