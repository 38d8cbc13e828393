"""Turn monograph Markdown into HTML that can never carry raw HTML or fetch anything else,
and into plain text for the language checks.

What authors write is CommonMark with pipe tables and footnotes, plus a few leaflet
conventions (docs/monograph-format.md):

- ``[see](#missed-dose)`` refers to a section by id; it prints as the leaflet numbers and
  titles that section ("see section 12, “What if I forget a dose?”").
- ``[text](https://…)`` prints the text and the address, which a paper reader can type.
- a paragraph ``Table: caption`` right before a table is its caption; a table whose body
  rows all start with a bold cell has row headers; ``<br>`` breaks a line in a table cell.
- a paragraph holding only ``![alt](figures/x.svg "Caption")`` is a figure.
- a number and its unit (``10 mg``), and a day and its month, are never split across lines.

List items are wrapped in a block that WeasyPrint tags as the list item's body (LBody), so
loose lists and list items with several paragraphs or a table are valid tagged PDF.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import re
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from leafletgen.source.figures import printed_figure

NBSP = "\u00a0"
WJ = "\u2060"  # WORD JOINER: no line break here, prints nothing

_UNITS = (r"(?:mg|mcg|µg|μg|micrograms?|milligrams?|grams?|g|kg|ml|mL|dL|dl|L|mmol|micromol"
          r"|nmol|pmol|mU|mIU|units?|IU|tablets?|capsules?|puffs?|drops?|sachets?|doses?"
          r"|spoonfuls?|times|hours?|days?|weeks?|months?|years?|minutes?|min|seconds?|°C|℃|°F"
          r"|%|cm|mm|kilograms?|pens?|clicks?|injections?)")
_NUMBER_UNIT = re.compile(rf"(?<=\d)[ \t]+(?={_UNITS}(?![A-Za-z]))")
# a compound unit: "mg/dL", "units/mL", "mg/5 mL", "micrograms/kg" never breaks at its slash
_COMPOUND = re.compile(rf"(?<![A-Za-z]){_UNITS}/(?=\d|{_UNITS}(?![A-Za-z]))")
# a range: "12.5–25", "0.1 – 0.5", "12.5 to 25"; "1 到 2" (a hyphen never breaks before a digit)
_RANGE_DASH = re.compile(r"(?<=\d)([ \t]*)([–—～~])([ \t]*)(?=\d)")
_RANGE_WORD = re.compile(r"(?<=\d)[ \t]+(to|or|a|o|到|至|或)[ \t]+(?=\d)")
# a comparator and its number: "≥ 70 years", "< 5 mL"
_COMPARATOR = re.compile(r"(?<=[≥≤<>±≈])[ \t]+(?=\d)")
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November"
           "|December")
_DAY_MONTH = re.compile(rf"(?<![\d.,])(\d{{1,2}})[ \t]+(?=(?:{_MONTHS})\b)")
_MONTH_YEAR = re.compile(rf"\b((?:{_MONTHS}))[ \t]+(?=\d{{4}}\b)")
# dates in the other shipped languages: "30 de noviembre de 2026", "30 نوفمبر 2026"
_ES_MONTHS = ("enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre"
              "|diciembre")
_AR_MONTHS = "يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"
_LOCAL_DATE = re.compile(rf"(?:\b\d{{1,2}}[ \t]+de[ \t]+)?\b(?:{_ES_MONTHS})"
                         rf"(?:[ \t]+de[ \t]+\d{{4}})?"
                         rf"|\b\d{{1,2}}[ \t]+(?:{_ES_MONTHS})\b"
                         rf"|(?:\b\d{{1,2}}[ \t]+)?(?:{_AR_MONTHS})(?:[ \t]+\d{{4}})?")
# Chinese, Japanese, Korean: a number and the character after it ("2 周", "10毫克", "2026年")
_CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
_NUMBER_CJK = re.compile(rf"(?<=\d)([ \t]*)(?={_CJK})")
_CJK_NUMBER = re.compile(r"(?<=[年月])(?=\d)")
_LABEL_NUMBER = re.compile(r"\b((?:[Ww]eek|[Dd]ay|[Ss]tep|[Ss]ection|[Pp]age))[ \t]+(?=\d)")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
CAPTION_PREFIX = "Table:"
LINK_SCHEMES = ("https:", "http:", "mailto:", "tel:")


def long_date(value: dt.date) -> str:
    """24 November 2026: unambiguous in every English-speaking country."""
    return f"{value.day} {value:%B %Y}"


def keep_together(text: str) -> str:
    """Text with no line break inside a number and its unit ("10 mg", "70 mg/dL", "2 周"), a
    range ("12.5–25 micrograms"), a comparator and its number ("≥ 70 years"), a date ("30
    November 2026", "30 de noviembre de 2026", "2026年11月30日"), a label and its number
    ("Week 2"). Spaces become no-break spaces; where no space is (after a dash or a slash,
    between a digit and a Chinese character) a word joiner is put in, which prints nothing.
    Used for every text a leaflet prints: the Markdown's, and the templates' (``nobreak``)."""
    for pattern in (_NUMBER_UNIT, _COMPARATOR):
        text = pattern.sub(NBSP, text)
    text = _DAY_MONTH.sub(lambda m: m[1] + NBSP, text)
    text = _MONTH_YEAR.sub(lambda m: m[1] + NBSP, text)
    text = _COMPOUND.sub(lambda m: m[0] + WJ, text)
    text = _RANGE_DASH.sub(lambda m: _nbsp(m[1]) + m[2] + WJ + _nbsp(m[3]), text)
    text = _RANGE_WORD.sub(lambda m: NBSP + m[1] + NBSP, text)
    text = _LOCAL_DATE.sub(lambda m: _nbsp(m[0]), text)
    text = _NUMBER_CJK.sub(lambda m: _nbsp(m[1]) + WJ, text)
    text = _CJK_NUMBER.sub(WJ, text)
    return _LABEL_NUMBER.sub(lambda m: m[1] + NBSP, text)


def _nbsp(text: str) -> str:
    return text.replace(" ", NBSP).replace("\t", NBSP)


@dataclass(frozen=True)
class SectionRef:
    """How one leaflet prints a section a cross-reference points to."""

    number: int | None
    heading: str
    # the wording in the leaflet's language (a message catalogue's), with {number}, {heading}
    numbered: str = f"section{NBSP}{{number}}, “{{heading}}”"
    unnumbered: str = "“{heading}”"

    def text(self) -> str:
        if self.number is not None:
            return self.numbered.format(number=self.number, heading=self.heading)
        return self.unnumbered.format(heading=self.heading)


@dataclass(frozen=True)
class LinkContext:
    """What the links, figures and tables of one leaflet's text resolve against."""

    sections: Mapping[str, SectionRef] = field(default_factory=dict)
    id_prefix: str = ""  # anchors of a leaflet inside a packet carry its slug
    figures: Path | None = None  # the folder figure paths are relative to
    max_table_columns: int | None = None  # wider tables are transposed or stacked
    figure_scale: float = 1.0  # figures print this many times their own size
    figure_version: str | None = None  # figures/x.<version>.svg is printed when it exists
    # sections a counselling summary leaves out that the full leaflet has: a reference to one
    # points the reader there
    elsewhere: frozenset[str] = frozenset()
    elsewhere_wording: tuple[str, str] = ("the full leaflet", "(in the full leaflet)")


def _units_rule(state: Any) -> None:
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        # a line break in the source is a space on the page: "10\nmg" is kept together too
        merged: list[Token] = []
        for child in token.children:
            if child.type == "softbreak":
                child = Token("text", "", 0, content=" ")
            if child.type == "text" and merged and merged[-1].type == "text":
                merged[-1].content += child.content
            else:
                merged.append(child)
        for child in merged:
            if child.type == "text":
                child.content = keep_together(child.content)
        token.children = merged


def _parser(renderer_cls: type = RendererHTML, html_allowed: bool = False) -> MarkdownIt:
    # html=False: a '<script>' in monograph text is printed as text, never passed on.
    md = MarkdownIt("commonmark", {"html": html_allowed, "typographer": False},
                    renderer_cls=renderer_cls).enable(["table", "strikethrough"])
    md.use(footnote_plugin, inline=False).use(sub_plugin).use(superscript_plugin)
    if isinstance(md.renderer, LeafletRenderer):
        # the plugin registers its own render rules; ours print footnotes without links
        for name in _FOOTNOTE_RULES:
            md.renderer.rules[name] = getattr(md.renderer, name)
    md.core.ruler.push("leafletgen_keep_together", _units_rule)
    return md


_FOOTNOTE_RULES = ("footnote_ref", "footnote_block_open", "footnote_block_close",
                   "footnote_open", "footnote_close", "footnote_anchor")


@dataclass
class _Table:
    header: list[str]
    rows: list[list[str]]
    row_headers: bool
    caption: str | None


class LeafletRenderer(RendererHTML):
    """HTML for print: references resolved, tables and figures as leaflets need them."""

    def render(self, tokens: Sequence[Token], options: Any, env: Any) -> str:
        tokens, notes = self._footnotes(list(tokens), options, env)
        out: list[str] = []
        pending: list[int] = []  # footnotes referenced in the block being printed
        i = 0
        while i < len(tokens):
            start = i
            html_block, i = self._block(tokens, i, options, env)
            out.append(html_block)
            pending += [n for n in _footnote_refs(tokens[start:i]) if n not in pending]
            last = tokens[i - 1]
            if notes and last.level == 0 and last.nesting <= 0 and pending:
                # a block ends: its footnotes print right after it (a table's after the table)
                out.append(_notes_html([notes.pop(n) for n in pending if n in notes]))
                pending = []
        if notes:
            out.append(_notes_html(list(notes.values())))
        return "".join(out)

    def _footnotes(self, tokens: list[Token], options: Any,
                   env: Any) -> tuple[list[Token], dict[int, str]]:
        """The tokens without the footnote block, and each footnote's HTML by its id."""
        try:
            start = next(i for i, t in enumerate(tokens) if t.type == "footnote_block_open")
        except StopIteration:
            return tokens, {}
        end = next(i for i in range(start, len(tokens))
                   if tokens[i].type == "footnote_block_close")
        notes: dict[int, str] = {}
        i = start + 1
        while i < end:
            if tokens[i].type == "footnote_open":
                close = next(j for j in range(i, end) if tokens[j].type == "footnote_close")
                notes[int(tokens[i].meta["id"])] = self.render(tokens[i: close + 1], options,
                                                                  env)
                i = close
            i += 1
        return tokens[:start] + tokens[end + 1:], notes

    def _block(self, tokens: Sequence[Token], i: int, options: Any,
               env: Any) -> tuple[str, int]:
        """The HTML of the token at ``i`` (a whole table or figure), and where the next
        token to print is."""
        out: list[str] = []
        token = tokens[i]
        if token.type == "paragraph_open" and _is_caption(tokens, i):
            end = _closing(tokens, i + 3, "table")
            return self._table(tokens[i + 3: end + 1], tokens[i + 1], options, env), end + 1
        if token.type == "table_open":
            end = _closing(tokens, i, "table")
            return self._table(tokens[i: end + 1], None, options, env), end + 1
        if token.type == "paragraph_open" and _is_figure(tokens, i):
            return self._figure(tokens[i + 1].children[0], env), i + 3  # type: ignore[index]
        if token.type == "inline":
            out.append(self.renderInline(token.children or [], options, env))
        elif token.type in self.rules:
            out.append(self.rules[token.type](tokens, i, options, env))
        else:
            out.append(self.renderToken(tokens, i, options, env))
        return "".join(out), i + 1

    # lists: the item's content in one block, tagged LBody by WeasyPrint (a <dd> directly in
    # an <li> is the one element its tagger maps to a list-item body)
    def list_item_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return '<li><dd class="li-body">'

    def list_item_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return "</dd></li>\n"

    # links
    def renderInline(self, tokens: Sequence[Token], options: Any, env: Any) -> str:
        """Inline text, with each link rendered whole (its text decides what it prints)."""
        out: list[str] = []
        i = 0
        tokens = list(tokens)
        while i < len(tokens):
            token = tokens[i]
            if token.type != "link_open":
                rule = self.rules.get(token.type)
                out.append(rule(tokens, i, options, env) if rule
                           else self.renderToken(tokens, i, options, env))
                i += 1
                continue
            close = next(j for j in range(i + 1, len(tokens)) if tokens[j].type == "link_close")
            inner = tokens[i + 1: close]
            html_inner = self.renderInline(inner, options, env) if inner else ""
            text = " ".join("".join(t.content for t in inner).split())
            href = str(token.attrGet("href") or "")
            if href.startswith("#"):
                out.append(self._reference(href[1:], text, html_inner, env))
                ref = (env.get("links") or LinkContext()).sections.get(href[1:])
                after = close + 1
                if (ref is not None and ref.heading[-1:] in ".?!" and after < len(tokens)
                        and tokens[after].type == "text"
                        and tokens[after].content.startswith(".")):
                    # "see “What if I forget a dose?”." reads as a typo: one stop is enough
                    tokens[after] = tokens[after].copy(content=tokens[after].content[1:])
            else:
                out.append(_web_link(href, text, html_inner))
            i = close + 1
        return "".join(out)

    def _reference(self, target: str, text: str, html_inner: str, env: Any) -> str:
        context: LinkContext = env.get("links") or LinkContext()
        ref = context.sections.get(target)
        if ref is None and target in context.elsewhere:  # a summary: the full leaflet has it
            after_see, after_other = (html.escape(w) for w in context.elsewhere_wording)
            if text.strip().casefold() in ("see", "ver", "انظر", "见", "参见"):
                return f"{html_inner} {after_see}"
            return f"{html_inner} {after_other}"
        if ref is None:  # reported by `check`; never printed as a dead link
            return html_inner
        printed = html.escape(keep_together(ref.text()))
        anchor = html.escape(context.id_prefix + target)
        if text and text.casefold() != ref.heading.casefold():
            printed = f"{html_inner} {printed}"
        return f'<a class="ref" href="#{anchor}">{printed}</a>'

    def text(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        content = tokens[idx].content
        if env.get("in_cell"):
            return "<br>".join(html.escape(part) for part in _BR.split(content))
        return html.escape(content)

    def image(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        # an image inside a sentence is reported by `check`; it never prints or fetches
        return html.escape(tokens[idx].content)

    # footnotes: printed right after the block that uses them, numbered, without links
    def footnote_ref(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        number = int(tokens[idx].meta["id"]) + 1
        return f'<sup class="footnote-ref">{number}</sup>'

    def footnote_block_open(self, tokens: Sequence[Token], idx: int, options: Any,
                            env: Any) -> str:
        return '<div class="footnotes">\n'

    def footnote_block_close(self, tokens: Sequence[Token], idx: int, options: Any,
                             env: Any) -> str:
        return "</div>\n"

    def footnote_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        env["footnote"] = int(tokens[idx].meta["id"]) + 1
        return ""

    def footnote_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return ""

    def footnote_anchor(self, tokens: Sequence[Token], idx: int, options: Any,
                        env: Any) -> str:
        return ""

    def paragraph_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        number = env.pop("footnote", None)
        if number is not None:
            return f'<p class="footnote"><sup class="footnote-label">{number}</sup> '
        return self.renderToken(tokens, idx, options, env)

    # tables
    def _table(self, tokens: Sequence[Token], caption: Token | None, options: Any,
               env: Any) -> str:
        table = self._read_table(tokens, caption, options, env)
        context: LinkContext = env.get("links") or LinkContext()
        limit = context.max_table_columns
        if limit and len(table.header) > limit:
            if len(table.rows) + 1 <= limit:
                return _table_html(_transpose(table), "table reflowed")
            return _stacked_html(table)
        return _table_html(table, "table")

    def _read_table(self, tokens: Sequence[Token], caption: Token | None, options: Any,
                    env: Any) -> _Table:
        header: list[str] = []
        rows: list[list[str]] = []
        first_cells: list[list[Token]] = []
        in_head = False
        env["in_cell"] = True
        try:
            for token in tokens:
                if token.type == "thead_open":
                    in_head = True
                elif token.type == "thead_close":
                    in_head = False
                elif token.type == "tr_open" and not in_head:
                    rows.append([])
                elif token.type == "inline":
                    children = [c for c in token.children or []
                                if not (c.type == "text" and not c.content)]
                    if in_head:
                        header.append(self.renderInline(children, options, env))
                    else:
                        if not rows[-1]:
                            first_cells.append(children)
                        rows[-1].append(self.renderInline(children, options, env))
            row_headers = bool(rows) and all(_all_bold(cells) for cells in first_cells)
            if row_headers:
                for row, cells in zip(rows, first_cells, strict=True):
                    row[0] = self.renderInline(cells[1:-1], options, env)
            caption_html = None
            if caption is not None:
                children = list(caption.children or [])
                first = children[0]
                children[0] = first.copy(content=first.content[len(CAPTION_PREFIX):].lstrip())
                caption_html = self.renderInline(children, options, env)
        finally:
            env["in_cell"] = False
        width = len(header)
        rows = [(row + [""] * width)[:width] for row in rows]
        return _Table(header, rows, row_headers, caption_html)

    def _figure(self, image: Token, env: Any) -> str:
        context: LinkContext = env.get("links") or LinkContext()
        src = str(image.attrGet("src") or "")
        alt = image.content
        title = image.attrGet("title")
        if context.figures is None:
            return f'<p class="figure-missing">{html.escape(alt)}</p>'
        figure = printed_figure((context.figures / src).resolve(), context.figure_version,
                                context.figure_scale)
        url = figure.path.as_uri()
        width = f' style="width: {figure.width_mm:.2f}mm"' if figure.width_mm else ""
        caption = (f"<figcaption>{html.escape(keep_together(str(title)))}</figcaption>"
                   if title else "")
        return (f'<figure class="figure"><img src="{html.escape(url)}"{width} '
                f'alt="{html.escape(alt)}">{caption}</figure>\n')


def _footnote_refs(tokens: Sequence[Token]) -> list[int]:
    """The ids of the footnotes ``tokens`` refer to, in order."""
    return [int(c.meta["id"]) for t in tokens for c in t.children or ()
            if c.type == "footnote_ref"]


def _notes_html(notes: list[str]) -> str:
    return '<div class="footnotes">\n' + "".join(notes) + "</div>\n"


def _closing(tokens: Sequence[Token], start: int, kind: str) -> int:
    return next(j for j in range(start, len(tokens)) if tokens[j].type == f"{kind}_close")


def _is_caption(tokens: Sequence[Token], i: int) -> bool:
    return (i + 3 < len(tokens) and tokens[i + 1].type == "inline"
            and tokens[i + 1].content.startswith(CAPTION_PREFIX)
            and bool(tokens[i + 1].children)
            and (tokens[i + 1].children or [])[0].type == "text"
            and tokens[i + 2].type == "paragraph_close"
            and tokens[i + 3].type == "table_open")


def _is_figure(tokens: Sequence[Token], i: int) -> bool:
    if i + 2 >= len(tokens) or tokens[i + 1].type != "inline":
        return False
    children = [c for c in tokens[i + 1].children or [] if not
                (c.type == "text" and not c.content.strip())]
    return len(children) == 1 and children[0].type == "image" and \
        tokens[i + 1].children[0].type == "image"  # type: ignore[index]


def _all_bold(cells: list[Token]) -> bool:
    return (len(cells) >= 3 and cells[0].type == "strong_open"
            and cells[-1].type == "strong_close"
            and not any(c.type == "strong_open" for c in cells[1:-1]))


def _table_html(table: _Table, css_class: str) -> str:
    out = [f'<table class="{css_class}">']
    if table.caption:
        out.append(f"<caption>{table.caption}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in table.header)
               + "</tr></thead><tbody>")
    for row in table.rows:
        cells = [f'<th scope="row">{row[0]}</th>' if table.row_headers else f"<td>{row[0]}</td>"]
        cells += [f"<td>{c}</td>" for c in row[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>\n")
    return "".join(out)


def _transpose(table: _Table) -> _Table:
    """Columns become rows: a wide, short table read down instead of across."""
    header = [table.header[0]] + [row[0] for row in table.rows]
    rows = [[table.header[j]] + [row[j] for row in table.rows]
            for j in range(1, len(table.header))]
    return _Table(header, rows, True, table.caption)


def _stacked_html(table: _Table) -> str:
    """A wide, long table as one small two-column table per row, each headed by the row."""
    out = ['<div class="table-stack">']
    if table.caption:
        out.append(f'<p class="table-stack-caption">{table.caption}</p>')
    corner = table.header[0]
    for row in table.rows:
        label = row[0] if _plain(row[0]).casefold().startswith(_plain(corner).casefold()) \
            else f"{corner}: {row[0]}"
        out.append(f'<table class="table stacked"><caption>{label}</caption><tbody>')
        out += [f'<tr><th scope="row">{table.header[j]}</th><td>{row[j]}</td></tr>'
                for j in range(1, len(table.header))]
        out.append("</tbody></table>")
    out.append("</div>\n")
    return "".join(out)


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _web_link(href: str, text: str, html_inner: str) -> str:
    """A web link as paper shows it: its text, then the address a reader can type."""
    shown = display_address(href)
    link = f'<a class="url" href="{html.escape(href)}">'
    if not text:
        return f"{link}{html.escape(shown)}</a>"
    if text in (href, shown):
        return f"{link}{html_inner}</a>"
    return f'{link}{html_inner}</a> <span class="address">({html.escape(shown)})</span>'


def display_address(href: str) -> str:
    """A link's address as printed: no scheme, no trailing slash."""
    for prefix in ("https://", "http://", "mailto:", "tel:"):
        if href.startswith(prefix):
            return href[len(prefix):].rstrip("/")
    return href


_md = _parser(LeafletRenderer)


def to_html(text: str, links: LinkContext | None = None) -> Markup:
    """Render one block of monograph Markdown to safe HTML for one leaflet."""
    return Markup(_md.render(text, {"links": links or LinkContext()}))


_parsed: ContextVar[dict[str, list[Token]] | None] = ContextVar("parsed", default=None)


@contextlib.contextmanager
def parsed_once() -> Iterator[None]:
    """Within the block, ``parse`` (and ``plain_units`` and ``references``, which read its
    tokens) parses each text once: the checks of one monograph read the same blocks for
    each variant. What was parsed is dropped at the end of the block."""
    reset = _parsed.set({})
    try:
        yield
    finally:
        _parsed.reset(reset)


def parse(text: str) -> list[Token]:
    """The tokens of one block, as rendering sees them. Within ``parsed_once`` the same
    tokens are given to every caller: read them, never change them."""
    parsed = _parsed.get()
    if parsed is None:
        return _md.parse(text, {})
    tokens = parsed.get(text)
    if tokens is None:
        tokens = parsed[text] = _md.parse(text, {})
    return tokens


@dataclass(frozen=True)
class TextUnit:
    """One paragraph, list item, table cell or heading of monograph text, as plain text."""

    text: str
    line: int  # its first line in the monograph file


def plain_units(text: str, first_line: int) -> tuple[TextUnit, ...]:
    """The words a reader sees in one block of Markdown, unit by unit, without markup."""
    units = []
    line = first_line
    for token in parse(text):
        if token.map:
            line = first_line + token.map[0]
        if token.type != "inline":
            continue
        words = "".join(" " if c.type in ("softbreak", "hardbreak") else c.content
                        for c in token.children or () if c.type in _TEXT_TOKENS)
        words = _BR.sub(" ", words)
        if token.content.startswith(CAPTION_PREFIX):
            words = words[len(CAPTION_PREFIX):]
        words = " ".join(words.replace(WJ, "").split())
        if words:
            units.append(TextUnit(words, line))
    return tuple(units)


_TEXT_TOKENS = {"text", "code_inline", "softbreak", "hardbreak"}


@dataclass(frozen=True)
class Reference:
    """A cross-reference to a section by id, and the file line it is on."""

    target: str
    line: int


def references(text: str, first_line: int) -> tuple[Reference, ...]:
    """Every ``[text](#section-id)`` in one block of Markdown."""
    if "#" not in text:
        # a link to a section needs a "#" in its source (written out or as "&#35;"): most
        # blocks have none and need not be parsed for this
        return ()
    found = []
    line = first_line
    for token in parse(text):
        if token.map:
            line = first_line + token.map[0]
        for child in token.children or ():
            href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
            if href.startswith("#"):
                found.append(Reference(href[1:], line))
    return tuple(found)
