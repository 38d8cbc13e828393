"""``layout`` (mostly empty pages): when a box or table that must not split does not fit in
what is left of a page, WeasyPrint moves it to the next page and leaves the rest blank.

A page fails when its content (text and figures; artifacts and rotated text such as the
draft mark excluded) ends above ``MIN_PAGE_FILL`` of the page's height, measured from its
top edge. The last page of a part may be short: the last page of the document, and a page
followed by one that starts a new page-label range (a packet labels its cover, each leaflet
and each attached PDF). Only leafletgen's own pages are held to it."""

from __future__ import annotations

from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    return Verdict(tuple(
        f"layout: page {page} is mostly empty: a box or table that cannot split was pushed "
        f"to the next page; shorten it or let it split (its content ends {used:.0%} of the "
        f"way down the page)" for page, used in evidence.measures.short))


RULE = Rule("layout", check, "no page is left mostly empty")
