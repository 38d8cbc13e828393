"""What the Jinja environment needs for leaflets in other languages than English.

``install`` adds ``jinja2.ext.i18n`` with gettext callables that look the string up in the
catalogue of the language being rendered (the ``ui_lang`` template variable; English when it
is not set), plus three helpers:

- ``text_direction(lang)``: 'ltr' or 'rtl', for the dir attribute;
- ``language_css(lang, packet=False)``: the page rules a language changes (the "Page N of M"
  wording, and for right-to-left scripts the running headers and footers mirrored), empty
  for English so English leaflets are exactly as they were;
- the ``isolate_latin`` filter: in right-to-left text, each run of Latin letters and digits
  (a drug name, "1-800-FDA-1088") is set left to right in a ``lang="en"`` span, isolated
  with U+2066 LEFT-TO-RIGHT ISOLATE ... U+2069 (WeasyPrint's text layout follows these marks;
  they print nothing); in Chinese, Japanese, Korean and Hindi text it gets a ``lang="en"``
  span. (pdflang.py then gives those spans /Lang in the PDF's structure tree.)
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import babel
import jinja2
from babel.dates import format_date, format_skeleton
from markupsafe import Markup, escape

from leafletgen.i18n.catalogue import translations
from leafletgen.i18n.languages import direction, is_english, primary


def install(env: jinja2.Environment, styles: Path) -> None:
    """Add gettext (per rendered language) and the helpers above to ``env``."""
    styles = styles.resolve()
    env.add_extension("jinja2.ext.i18n")

    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, message: str) -> str:
        return translations(styles, _lang(context)).gettext(message)

    @jinja2.pass_context
    def ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
        return translations(styles, _lang(context)).ngettext(singular, plural, n)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["text_direction"] = direction
    env.globals["language_css"] = lambda lang, packet=False: language_css(styles, lang, packet)
    env.filters["isolate_latin"] = isolate_latin
    env.globals["page_of_total"] = lambda lang, total: Markup(page_of_content(styles, lang).replace(
        "counter(pages)", css_string(str(int(total)))))
    english_date = env.filters["long_date"]

    @jinja2.pass_context
    def long_date(context: jinja2.runtime.Context, value: dt.date) -> str:
        lang = _lang(context)
        return english_date(value) if is_english(lang) else local_date(value, lang)

    @jinja2.pass_context
    def month_year(context: jinja2.runtime.Context, value: dt.date) -> str:
        lang = _lang(context)
        return value.strftime("%B %Y") if is_english(lang) else local_month(value, lang)

    env.filters["long_date"] = long_date
    env.filters["month_year"] = month_year


def _locale(lang: str) -> babel.Locale:
    try:
        return babel.Locale.parse(lang.replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        return babel.Locale.parse(primary(lang))


def local_date(value: dt.date, lang: str) -> str:
    """A date as people write it in ``lang`` (30 de noviembre de 2026), digits 0-9."""
    return _latin_digits(format_date(value, "long", locale=_locale(lang)))


def local_month(value: dt.date, lang: str) -> str:
    """Month and year in ``lang`` (noviembre de 2026)."""
    return _latin_digits(format_skeleton("yMMMM", value, locale=_locale(lang)))


# The leaflets print the digits 0-9 (the monograph's numbers as written); dates follow.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _latin_digits(text: str) -> str:
    return text.translate(_DIGITS).replace("\u200f", "").replace("\u061c", "")


def _lang(context: jinja2.runtime.Context) -> str:
    value = context.get("ui_lang")
    return value if isinstance(value, str) and value else "en"


def css_string(text: str) -> str:
    """``text`` as a CSS string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


_PLACEHOLDER = re.compile(r"%\((page|pages)\)s")


def page_of_content(styles: Path, lang: str) -> str:
    """CSS ``content`` for "Page N of M" in ``lang``, from the catalogue's wording."""
    wording = translations(styles, lang).gettext("Page %(page)s of %(pages)s")
    parts = []
    for piece in _PLACEHOLDER.split(wording):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def language_css(styles: Path, lang: str, packet: bool = False) -> Markup:
    """The page rules ``lang`` changes; nothing for English."""
    if is_english(lang):
        return Markup("")
    gettext = translations(styles, lang).gettext
    page_of = page_of_content(styles, lang)
    for_whom = css_string(gettext("For:") + " ")
    rules = []
    if direction(lang) == "rtl":
        # the page mirrored: the medicine's name at the top right, the kicker (or, in a
        # packet, the patient's name) at the top left; the footer right, page numbers left
        right_top = "string(medicine)"
        left_top = f"{for_whom} string(patient)" if packet else "string(kicker)"
        rules.append(
            "@page {\n"
            f"  @top-right {{ content: {right_top}; font-weight: 700; text-align: right; }}\n"
            f"  @top-left {{ content: {left_top}; font-weight: 400; text-align: left; }}\n"
            "  @bottom-right { content: element(footer); width: 120mm; text-align: right; "
            "vertical-align: top; padding-top: 3mm; }\n"
            f"  @bottom-left {{ content: {page_of}; width: 50mm; text-align: left; "
            "white-space: nowrap; "
            "vertical-align: top; padding-top: 3mm; }\n"
            "}\n"
            "@page :first { @top-right { content: none; } "
            + (f"@top-left {{ content: {for_whom} string(patient); }} }}\n" if packet
               else "@top-left { content: none; } }\n")
            # the stylesheets' logical properties (text-align: start, padding-inline-start)
            # follow the direction: text, lists, tables and boxes start at the right
            + "html { direction: rtl; }\n")
    else:
        # another language's wording is longer ("Página 10 de 12"), and Chinese would break
        # between any two characters: one line, in a wider box
        rules.append(f"@page {{ @bottom-right {{ content: {page_of}; white-space: nowrap; "
                     "width: 50mm; } }\n")
        if packet:
            rules.append(f"@page {{ @top-right {{ content: {for_whom} string(patient); }} }}\n"
                         f"@page :first {{ @top-right {{ content: {for_whom} "
                         "string(patient); } }\n")
    page_ref = css_string(gettext(", page") + " ")
    rules.append(f"a.page-ref::after {{ content: {page_ref} "
                 "target-counter(attr(href url), page); }\n")
    return Markup("".join(rules))  # built from catalogue strings, each a CSS string literal


# scripts written without Latin letters, whose Latin runs are English (drug and scheme names,
# units): set apart in a lang="en" span, without a change of direction
LATIN_APART = frozenset({"zh", "ja", "ko", "hi"})
_TAGS = re.compile(r"(<[^>]*>|&#?\w+;)")
_WORD = (r"[A-Za-z0-9\u00b0][A-Za-z0-9\u00b0%'\u2019\-\u2010\u2011\u2013/.]*"
         r"[A-Za-z0-9\u00b0%]|[A-Za-z0-9]")
_RUN = re.compile(rf"(?:{_WORD})(?:[ \u00a0]+(?:{_WORD}))*")
_LATIN = re.compile(r"[A-Za-z]")


def isolate_latin(html: str | Markup, lang: str, marks_only: bool = False) -> Markup:
    """In right-to-left text, each Latin run left to right in its own ``lang="en"`` span;
    in Chinese, Japanese, Korean or Hindi text, in a ``lang="en"`` span."""
    html = html if isinstance(html, Markup) else escape(html)
    rtl = direction(lang) == "rtl"
    if not rtl and primary(lang) not in LATIN_APART:
        return html
    # marks_only: the isolate marks without a span (a table cell's text breaks as before)
    wrap = (_marks if marks_only else _wrap) if rtl else (_keep if marks_only else _lang_only)
    out = []
    in_link = 0
    for part in _TAGS.split(str(html)):
        if part.startswith("<a ") or part == "<a>":
            in_link += 1
        elif part == "</a>":
            in_link = max(0, in_link - 1)
        if not part or part.startswith(("<", "&")):
            out.append(part)
            continue
        # inside a link only the marks: an element there would take the link's text out of
        # its Link structure element (PDF/UA)
        out.append(_RUN.sub(_marks if in_link and rtl else _keep if in_link else wrap, part))
    return Markup("".join(out))  # the input was escaped HTML; only spans are added


def _wrap(match: re.Match[str]) -> str:
    run = match.group(0)
    if not _LATIN.search(run):
        return run
    return f'<span lang="en" dir="ltr" class="ltr">\u2066{run}\u2069</span>'


def _lang_only(match: re.Match[str]) -> str:
    run = match.group(0)
    return f'<span lang="en">{run}</span>' if _LATIN.search(run) else run


def _keep(match: re.Match[str]) -> str:
    return match.group(0)


def _marks(match: re.Match[str]) -> str:
    run = match.group(0)
    return f"\u2066{run}\u2069" if _LATIN.search(run) else run


def elsewhere_wording(lang: str, styles: Path) -> tuple[str, str]:
    """How a counselling summary points to a section it leaves out, in ``lang``: after "see",
    and after any other link text (markup.LinkContext.elsewhere)."""
    if is_english(lang):
        return ("the full leaflet", "(in the full leaflet)")
    gettext = translations(styles.resolve(), lang).gettext
    return (gettext("the full leaflet"), gettext("(in the full leaflet)"))


def reference_wording(lang: str, styles: Path) -> tuple[str, ...]:
    """How a cross-reference prints in ``lang`` (markup.SectionRef's numbered and unnumbered
    wording); English: SectionRef's own."""
    if is_english(lang):
        return ()
    gettext = translations(styles.resolve(), lang).gettext
    numbered = gettext("section %(number)s, “%(heading)s”")
    numbered = numbered.replace(" %(number)s", "\u00a0%(number)s")  # "section 12" never splits
    unnumbered = gettext("“%(heading)s”")
    return tuple(w.replace("{", "{{").replace("}", "}}").replace("%(number)s", "{number}")
                 .replace("%(heading)s", "{heading}") for w in (numbered, unnumbered))
