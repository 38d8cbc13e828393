"""Text that prints differently from what it says: bidi controls, invisible characters and
digits that only look like digits. Every reader of text calls this module (monographs and
translations, YAML: front matter, variants, glossary, patient files and HTTP patient data,
SPL labels, FHIR ePI Bundles), so a leaflet never prints "50 mg" where its source says
"05 mg", and the checks never read a word that a reader does not see.

Text is first normalised to NFC (``normalize``): composed and decomposed accents are the same
letters, print the same, and so must compare the same.

What is refused (``problems`` yields one message per line, saying what to do):

- bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), anywhere:
  they reorder what prints ("05" can print "50") and no leaflet needs them; text runs in its
  own language's direction without them;
- the directional marks LRM, RLM and ALM (U+200E, U+200F, U+061C) in text with no
  right-to-left letter (there they do nothing visible but can swap the digits of a number), and
  anywhere inside a number (between two digits, with at most spaces and . , : / - between).
  In Arabic and Hebrew text they are how a translator places punctuation next to a number,
  and they stay allowed there;
- invisible characters: every Unicode format character (category Cf: zero-width space, word
  joiner, invisible operators, tag characters, byte order marks inside the text, Arabic
  number signs ...), line and paragraph separators, variation selectors and fillers that print
  as nothing. Two are allowed between letters only, where scripts need them: the zero-width
  non-joiner and joiner (U+200C, U+200D: Persian, Indic scripts) and the soft hyphen
  (U+00AD, a hyphenation hint); next to a digit they are errors;
- a combining mark on a digit (a slash or a ring drawn over "5");
- digits that are not what they look like: digits of two scripts in one number, fullwidth and
  mathematical digits, a script's digits in text with no letter of that script, and letters
  that look like digits (O, l, Cyrillic Ze ...) between two digits.

Kept free of other leafletgen modules: it sits with limits.py at the bottom of the layers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MARKS = frozenset("\u200e\u200f\u061c")
JOINERS = frozenset("\u200c\u200d\u00ad")  # allowed between two letters
# invisible characters that are not format characters (category Cf)
_INVISIBLE = frozenset(
    "\u2028\u2029\u034f\u115f\u1160\u3164\uffa0\u2800\u180b\u180c\u180d\u180f"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0)))
# letters that look like a digit, between two digits ("1O", "2l5")
# (Latin ones only in a word of digits and lookalikes: "94255I6E2T" is a code, "1O0" is not)
_LOOKALIKES = "\u039f\u03bf\u041e\u043e\u0417\u0437\u0406\u0456\u04c0\u0431\u0545\u0555"
_LOOKALIKE_RE = re.compile(
    rf"(?<=\d)[{_LOOKALIKES}]+(?=\d)|(?<![^\W\d])\d+[OoIl]+\d[\dOoIl]*"
    r"(?:mg|mcg|ml|mL|g|kg|IU|units?)?(?![^\W\d])")
_SEPARATORS = " .,:/\\-\u00a0\u202f\u2009\u2013"
_MARK_IN_NUMBER = re.compile(
    rf"\d[{re.escape(_SEPARATORS)}]*[\u200e\u200f\u061c][{re.escape(_SEPARATORS)}"
    r"\u200e\u200f\u061c]*\d")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")  # \d: every script's decimal digits


def normalize(text: str) -> str:
    """``text`` in Unicode NFC (what leafletgen reads, prints and compares)."""
    return unicodedata.normalize("NFC", text)


def describe(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: how messages name a character."""
    name = unicodedata.name(char, "")
    if not name and 0xE0000 <= ord(char) <= 0xE007F:
        name = "a tag character"
    return f"U+{ord(char):04X} ({name or 'unnamed'})"


def problems(text: str, context: str | None = None) -> Iterator[tuple[int, str]]:
    """Each line (0-based, counting line feeds) with text that prints differently from what it
    says, and what is wrong with the first such character on it, as advice.

    Whether the text has right-to-left letters, and letters of the script its digits are in,
    is judged on ``context`` (default: the text itself): a whole document, whose table cells
    may hold only a number.
    """
    if text.isascii() and _LOOKALIKE_RE.search(text) is None:
        return
    whole = text if context is None else context
    for number, line in enumerate(text.split("\n")):
        message = line_problem(line, whole)
        if message is not None:
            yield number, message


def first_problem(text: str, context: str | None = None) -> str | None:
    """What is wrong in ``text`` (one value, e.g. a patient field), or None."""
    return next((message for _, message in problems(text, context)), None)


def line_problem(line: str, context: str | None = None) -> str | None:
    """What is wrong in one line of text (of ``context``, see ``problems``), or None."""
    whole = line if context is None else context
    if line.isascii():
        return _digit_problem(line, whole)
    rtl: bool | None = None
    for index, char in enumerate(line):
        if char.isascii():
            continue
        if char in EMBEDDINGS:
            return (f"character {describe(char)} is a bidirectional control: it changes the "
                    "order in which the text around it prints (a dose can print reversed); "
                    "delete it, text runs in its language's direction without it")
        if char in MARKS:
            if rtl is None:
                rtl = any(unicodedata.bidirectional(c) in ("R", "AL") for c in whole
                          if not c.isascii())
            if not rtl:
                return (f"character {describe(char)} is an invisible direction mark in text "
                        "with no right-to-left letter, where it can only reorder numbers; "
                        "delete it")
            continue
        if char in JOINERS:
            before = line[index - 1] if index else ""
            after = line[index + 1] if index + 1 < len(line) else ""
            if not (_letter(before) and _letter(after)):
                return (f"character {describe(char)} is invisible and is allowed only "
                        "between two letters; delete it")
            continue
        category = unicodedata.category(char)
        if category == "Cf" or char in _INVISIBLE:
            return (f"character {describe(char)} prints as nothing, so the text does not "
                    "read as it prints; delete it")
        if category in ("Mn", "Me") and index and unicodedata.category(line[index - 1]) == "Nd":
            return (f"character {describe(char)} is a mark drawn on the digit before it; "
                    "delete it")
    match = _MARK_IN_NUMBER.search(line)
    if match:
        mark = next(c for c in match.group() if c in MARKS)
        return (f"character {describe(mark)} is an invisible direction mark inside a number, "
                "where it can swap the number's digits; delete it")
    return _digit_problem(line, whole)


def _letter(char: str) -> bool:
    return bool(char) and unicodedata.category(char)[0] in "LM"


def _digit_problem(line: str, whole: str) -> str | None:
    lookalike = _LOOKALIKE_RE.search(line)
    if lookalike:
        char = next(c for c in lookalike.group() if not c.isdigit())
        return (f"character {describe(char)} between two digits looks like a digit but is "
                "not one; write the number in digits")
    for match in _NUMBER.finditer(line):
        number = match.group()
        if number.isascii():
            continue
        scripts = {_digit_script(c) for c in number if c.isdigit()}
        if len(scripts) > 1:
            return ("a number mixes the digits of different scripts (" + ", ".join(sorted(
                scripts)) + "), which look alike but read differently; write it in one "
                "script's digits")
        script = scripts.pop()
        char = next(c for c in number if not c.isascii())
        if script in ("FULLWIDTH", "MATHEMATICAL"):
            return (f"character {describe(char)} only looks like the digit "
                    f"{unicodedata.digit(char)}; write it as {unicodedata.digit(char)}")
        if not any(_script_letter(c, script) for c in whole if not c.isascii()):
            return (f"character {describe(char)} is a digit of the {script.title()} script "
                    f"in text with no {script.title()} letters, where it can be read as "
                    "another digit; write the number in the text's own digits")
    return None


def _digit_script(char: str) -> str:
    name = unicodedata.name(char, "")
    if name.startswith("DIGIT"):
        return "ASCII"
    script = name.split(" DIGIT")[0].removeprefix("EXTENDED ")
    if script.startswith("MATHEMATICAL"):
        return "MATHEMATICAL"
    return {"ARABIC-INDIC": "ARABIC"}.get(script, script.split()[0] if script else "unknown")


def _script_letter(char: str, script: str) -> bool:
    return unicodedata.category(char)[0] == "L" and \
        unicodedata.name(char, "").startswith(script + " ")


def printable(text: object) -> str:
    """``text`` with control, format and other unprintable characters written as ``\\xNN``
    (or ``\\uNNNN``) and backslashes doubled: safe for one line of a log or a message, and
    readable (a value shown in a message, without Python's quotes and escapes)."""
    text = str(text)
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(c if c.isprintable() and c != "\\" else _ESCAPES.get(c) or
                   (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
                   for c in text)


_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
