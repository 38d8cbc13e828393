"""The ``page 1`` measure: every key fact on the first page, for variants that ask for it.

A variant with ``key_facts_on_page_1: true`` (styles/variants/*.yaml) promises that a reader
who reads only page 1 meets every key safety fact of the medicine (the monograph's
``key_facts``). The leaflet records the first phrase that carries each fact in its metadata
(``<meta name="leafletgen-page-one">``, written to the document information as
``/leafletgenpageone``, phrases separated by `` | ``), so the PDF can be checked on its own.
The phrases are looked for in page 1's text as PDFium reads it, compared as ``check``
compares key facts: without case, line breaks or no-break spaces, any dash as ``-``.
"""

from __future__ import annotations

import re
import unicodedata

PAGE_ONE_KEY = "/leafletgenpageone"
SEPARATOR = " | "
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")
_LAM_ALEF = re.compile("(\u0644)([\u0622\u0623\u0625\u0627])")


def normalised(text: str) -> str:
    """Text as compared: one space for any run of spaces and line breaks, no word joiners or
    soft hyphens, any dash as '-', case folded."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2060", "").replace("\u00ad", "").replace("\ufffe", "")
    text = _DASHES.sub("-", text)
    # PDFium reads the Arabic lam-alef ligature back as alef-lam: compare both that way
    text = _LAM_ALEF.sub(lambda m: m[2] + m[1], text)
    text = " ".join(text.split())
    # Chinese and Japanese lines end without a space: a line break there is no space
    return _CJK_GAP.sub("", text).casefold()


def missing_on_page_one(data: bytes, phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases page 1 of the PDF does not print."""
    import pypdfium2 as pdfium

    if not phrases:
        return ()
    document = pdfium.PdfDocument(data)
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    return missing_from(text, phrases)


def missing_from(page_text: str, phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases a page's text (as PDFium reads it) does not hold."""
    text = normalised(page_text)
    # a line that ends in a hyphen PDFium reads as "-\r\n": joined, the word is whole
    joined = text.replace("- ", "-")
    return tuple(p for p in phrases if normalised(p) not in text
                 and normalised(p) not in joined)


def message(phrase: str, quote: bool) -> str:
    shown = f"'{phrase}'" if quote else "a key fact"
    return (f"page 1: {shown} is not on page 1, which the variant asks for every key fact "
            "(key_facts_on_page_1); put it earlier in the most important information, "
            "shorten the text before it, or let the box split with its frame")
