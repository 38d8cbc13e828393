"""Check a parsed monograph against the schema, the section vocabulary and the text rules."""

from __future__ import annotations

import dataclasses
import difflib
import re
from functools import cache
from importlib import resources
from typing import Any

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from leafletgen.errors import Problem, Severity
from leafletgen.fonts.charset import character_problems
from leafletgen.limits import MAX_TABLE_COLUMNS, MAX_TABLE_ROWS
from leafletgen.source.markup import CAPTION_PREFIX, LINK_SCHEMES
from leafletgen.source.parsed import ParsedFile
from leafletgen.source.yamlsource import YamlDoc, schema_problems

_APPROVAL_NEEDS = {"reviewer": "the name of who approved it",
                   "review_date": "the date of the approval, YYYY-MM-DD"}


def front_matter_problems(front: YamlDoc) -> list[Problem]:
    """An error for each field an approved monograph lacks."""
    if front.data.get("status") != "approved":
        return []
    line = front.line(("status",))
    return [Problem(front.path, line,
                    f"an approved monograph needs '{name}' ({what}); add '{name}: ...' "
                    "or set 'status: draft' until it is reviewed")
            for name, what in _APPROVAL_NEEDS.items() if not front.data.get(name)]


@cache
def vocabulary() -> dict[str, dict[str, Any]]:
    """The section ids a monograph may use, with their titles and LOINC codes."""
    text = resources.files("leafletgen").joinpath("sections.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # package data


# Parses with raw HTML recognised, only to find and report it; rendering never passes it on.
# Definition lists and strike-through are parsed only to be reported.
_detector = (MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
             .use(footnote_plugin, inline=False).use(deflist_plugin).use(sub_plugin)
             .use(superscript_plugin))
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]]*\]")
MAX_LIST_DEPTH = 3
FIGURE_TYPES = (".svg", ".png", ".jpg", ".jpeg")
DOCS_TEXT = "see docs/monograph-format.md"


def validate(parsed: ParsedFile) -> list[Problem]:
    """Every problem in the file: front matter, section ids, section text."""
    return [*_check_front_matter(parsed), *check_sections(parsed)]


def _check_front_matter(parsed: ParsedFile) -> list[Problem]:
    return [*schema_problems(parsed.front, "monograph.schema.json", "docs/monograph-format.md"),
            *front_matter_problems(parsed.front), *markup_in_fields(parsed),
            *characters_in_fields(parsed)]


def characters_in_fields(parsed: ParsedFile) -> list[Problem]:
    """Front-matter text prints too (title, subtitle, sources): the fonts must have it."""
    found = []
    for key, value in _strings(parsed.front.data, ()):
        for problem in character_problems(parsed.path, value, parsed.front.line(key)):
            field = ".".join(str(k) for k in key)
            found.append(dataclasses.replace(problem, message=f"{field}: {problem.message}"))
    return found


_TAG = re.compile(r"</?[A-Za-z!][^>]*>")


def markup_in_fields(parsed: ParsedFile) -> list[Problem]:
    """Front-matter values are plain text: they reach PDF titles and metadata as they are."""
    found = []
    for key, value in _strings(parsed.front.data, ()):
        tag = _TAG.search(value)
        if tag:
            field = ".".join(str(k) for k in key)
            found.append(Problem(parsed.path, parsed.front.line(key),
                                 f"{field}: HTML ('{tag.group(0)[:30]}') is not allowed in "
                                 "front matter; write plain text"))
    return found


def _strings(value: Any, key: tuple[Any, ...]):
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*key, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*key, i))


def check_sections(parsed: ParsedFile) -> list[Problem]:
    vocab = vocabulary()
    problems = []
    seen: dict[str, int] = {}
    for section in parsed.sections:
        if not section.id:
            continue  # already reported by the parser
        if section.id not in vocab:
            close = difflib.get_close_matches(section.id, vocab, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(parsed.path, section.line,
                                    f"unknown section id '{section.id}'; {hint}known ids: "
                                    + ", ".join(vocab)))
        if section.id in seen:
            problems.append(Problem(parsed.path, section.line,
                                    f"section '{section.id}' appears twice (first on line "
                                    f"{seen[section.id]}); merge the two"))
        seen.setdefault(section.id, section.line)
        if not any(b.text.strip() for b in section.blocks):
            problems.append(Problem(parsed.path, section.line,
                                    f"section '{section.id}' has no text; write it or remove it"))
        for block in section.blocks:
            problems += _check_markup(parsed, block.text, block.line)
            problems += character_problems(parsed.path, block.text, block.line)
    return problems


def _check_markup(parsed: ParsedFile, text: str, first_line: int) -> list[Problem]:
    """Everything in one block that would not print as written."""
    problems: list[Problem] = []
    path = parsed.path
    vocab = vocabulary()
    tokens = _detector.parse(text, {})
    in_table = in_body = False
    depth = 0
    table = [0, 0, 0]  # the open table's line, its header cells and its body rows
    for index, token in enumerate(tokens):
        line = first_line + (token.map[0] if token.map else 0)
        children = token.children or []

        def problem(message: str, severity: Severity = Severity.ERROR) -> None:
            problems.append(Problem(path, line, message, severity))  # noqa: B023

        if token.type == "table_open":
            in_table = True
            table = [line, 0, 0]
        elif token.type == "table_close":
            in_table = False
            problems += _table_size_problems(parsed, *table)
        elif token.type == "th_open" and in_table:
            table[1] += 1
        elif token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            in_body = False
        elif token.type == "tr_open" and in_body:
            table[2] += 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth == MAX_LIST_DEPTH + 1:
                problem(f"a list nested more than {MAX_LIST_DEPTH} levels deep; readers lose "
                        "their place: make the inner items a separate list or paragraph")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "dl_open":
            problem("definition lists are not part of the leaflet format; write a bullet list "
                    "with the term in bold: '- **Term:** meaning'")
        elif token.type == "blockquote_open":
            problem("a quote ('>') prints as plain indented text, without a frame, and may "
                    "split across pages; put the text in a box instead: a line '::: warning' "
                    "(or '::: emergency' for what to do now, '::: tip'; with the audience: "
                    "'::: patient warning') before it and ':::' after it")
        elif token.type == "html_block":
            problem("raw HTML is not allowed in monograph text "
                    f"('{token.content.strip()[:40]}'); write Markdown instead: **bold**, "
                    "lists, tables")
        elif token.type == "heading_open" and token.tag in ("h1", "h2"):
            problem("use '###' for a heading inside a section; '#' and '##' are reserved for "
                    "leaflet headings")
        elif token.type == "paragraph_open" and index + 3 < len(tokens):
            inline = tokens[index + 1]
            if (inline.content.startswith(CAPTION_PREFIX)
                    and tokens[index + 3].type != "table_open"):
                problem(f"'{CAPTION_PREFIX}' starts a table caption, but no table follows it; "
                        "put the table on the next line, without a blank line between them")
        html_reported = False
        for child in children:
            if child.type == "html_inline":
                if _LINE_BREAK.fullmatch(child.content.strip()):
                    if not in_table:
                        problem("'<br>' breaks a line only inside a table cell; elsewhere "
                                "start a new paragraph or list item")
                elif not html_reported:  # '<b>x</b>' is one problem, not two
                    html_reported = True
                    problem("raw HTML is not allowed in monograph text "
                            f"('{child.content[:40]}'); write Markdown instead: **bold**, "
                            "lists, tables")
            elif child.type == "s_open":
                problem("strike-through does not print as crossed-out text in every reader's "
                        "copy; delete the text instead")
            elif child.type == "em_open":
                problem("italics print as bold in leaflets (italics are hard to read); write "
                        "**bold** for emphasis", Severity.WARNING)
            elif child.type == "image":
                problems += _figure_problems(parsed, child, children, line)
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if href.startswith("#"):
                    if href[1:] not in vocab:
                        problem(f"reference to '{href}', which is not a section id; use "
                                "one of: " + ", ".join(vocab))
                elif not href.startswith(LINK_SCHEMES):
                    problem(f"link to '{href}' cannot be followed on paper; use a full web "
                            "address (https://…), mailto: or tel:, or refer to a section as "
                            "'(#section-id)'")
            elif child.type == "text" and _FOOTNOTE_MARK.search(child.content):
                mark = _FOOTNOTE_MARK.search(child.content)[0]  # type: ignore[index]
                problem(f"footnote {mark} has no note; add a line '{mark}: note text' in the "
                        "same block, after the paragraph or table that uses it")
    return problems + _nesting_problems(parsed, tokens, first_line)


def _table_size_problems(parsed: ParsedFile, line: int, columns: int,
                         rows: int) -> list[Problem]:
    """Tables beyond the limits take minutes to lay out, and no reader follows them."""
    problems = []
    if rows > MAX_TABLE_ROWS:
        problems.append(Problem(parsed.path, line, f"this table has {rows} rows; a table may "
                                f"have at most {MAX_TABLE_ROWS} (see 'Limits' in README.md): "
                                "split it, or keep only the rows readers need"))
    if columns > MAX_TABLE_COLUMNS:
        problems.append(Problem(parsed.path, line, f"this table has {columns} columns; a table "
                                f"may have at most {MAX_TABLE_COLUMNS} (see 'Limits' in "
                                "README.md): split it"))
    return problems


def _nesting_problems(parsed: ParsedFile, tokens: list[Any],
                      first_line: int) -> list[Problem]:
    """Text the Markdown parser drops because it is nested too deeply.

    Inside lists and quotes nested deeper than its limit (``maxNesting``: a list and its item
    are two levels, a quote one) markdown-it stops reading and skips to the end of that
    container, so the rest of the list, and paragraphs that belong to it, would vanish
    without a word. The leaflet renderer uses the same parser and limit.
    """
    limit = _detector.options["maxNesting"]
    for token in tokens:
        if token.nesting == 1 and token.level + 1 >= limit and token.map:
            start, end = first_line + token.map[0], first_line + token.map[1] - 1
            lines = f"line {start}" if end <= start else f"lines {start}-{end}"
            return [Problem(parsed.path, start, "lists or quotes nested this deep are more "
                            f"than the Markdown parser reads: {lines} would not print; "
                            "make the inner items a separate list or paragraph")]
    return []


def _figure_problems(parsed: ParsedFile, image: Any, siblings: list[Any],
                     line: int) -> list[Problem]:
    """A figure is a paragraph of its own, with alt text, showing a file in figures/."""
    problems = []
    src = str(image.attrGet("src") or "")
    others = [c for c in siblings if c is not image and not
              (c.type in ("text", "softbreak") and not c.content.strip())]
    if others:
        problems.append(Problem(parsed.path, line, "a figure must be a paragraph of its own: "
                                "put '![alt](figures/…)' on its own line with blank lines "
                                "around it"))
    if not image.content.strip():
        problems.append(Problem(parsed.path, line, f"figure '{src}' has no alt text; describe "
                                "what it shows inside the brackets: '![a hand pressing the "
                                "inhaler](figures/…)' (screen readers read it)"))
    folder = (parsed.path.parent / "figures").resolve()
    target = (parsed.path.parent / src).resolve()
    if ":" in src or not target.is_relative_to(folder):
        problems.append(Problem(parsed.path, line, f"figure '{src}' must be a file in the "
                                f"figures/ folder beside the monograph, e.g. 'figures/x.svg'"))
    elif target.suffix.lower() not in FIGURE_TYPES:
        problems.append(Problem(parsed.path, line, f"figure '{src}' is not an SVG, PNG or JPEG "
                                "file; save it as one of those"))
    elif not target.is_file():
        problems.append(Problem(parsed.path, line, f"figure '{src}' does not exist; add the "
                                "file to figures/ or fix the path"))
    return problems
