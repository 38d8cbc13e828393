"""Check a parsed monograph against the schema, the section vocabulary and the text rules."""

from __future__ import annotations

import difflib
import re
from functools import cache
from importlib import resources
from typing import Any

import yaml
from markdown_it import MarkdownIt

from .errors import Problem
from .monograph import ParsedFile
from .review import front_matter_problems
from .yamlsource import schema_problems


@cache
def vocabulary() -> dict[str, dict[str, Any]]:
    """The section ids a monograph may use, with their titles and LOINC codes."""
    return yaml.safe_load(resources.files("leafletgen").joinpath("sections.yaml").read_text())


# Parses with raw HTML recognised, only to find and report it; rendering never passes it on.
_detector = MarkdownIt("commonmark", {"html": True}).enable("table")


def validate(parsed: ParsedFile) -> list[Problem]:
    """Every problem in the file: front matter, section ids, section text."""
    return [*_check_front_matter(parsed), *_check_sections(parsed)]


def _check_front_matter(parsed: ParsedFile) -> list[Problem]:
    return [*schema_problems(parsed.front, "monograph.schema.json", "docs/monograph-format.md"),
            *front_matter_problems(parsed.front), *_markup_in_fields(parsed)]


_TAG = re.compile(r"</?[A-Za-z!][^>]*>")


def _markup_in_fields(parsed: ParsedFile) -> list[Problem]:
    """Front-matter values are plain text: they reach PDF titles and metadata as they are."""
    found = []
    for key, value in _strings(parsed.front.data, ()):
        tag = _TAG.search(value)
        if tag:
            field = ".".join(str(k) for k in key)
            found.append(Problem(parsed.path, parsed.front.line(key),
                                 f"{field}: HTML ({tag.group(0)[:30]!r}) is not allowed in "
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


def _check_sections(parsed: ParsedFile) -> list[Problem]:
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
    return problems


def _check_markup(parsed: ParsedFile, text: str, first_line: int) -> list[Problem]:
    problems = []
    for token in _detector.parse(text):
        line = first_line + (token.map[0] if token.map else 0)
        children = token.children or []
        if token.type == "html_block" or any(c.type == "html_inline" for c in children):
            snippet = token.content.strip() if token.type == "html_block" else next(
                c.content for c in children if c.type == "html_inline")
            problems.append(Problem(parsed.path, line,
                                    "raw HTML is not allowed in monograph text "
                                    f"({snippet[:40]!r}); write Markdown instead: **bold**, "
                                    "lists, tables"))
        if any(c.type == "image" for c in children):
            problems.append(Problem(parsed.path, line,
                                    "images are not allowed in monograph text; leaflet artwork "
                                    "belongs in the templates under styles/"))
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            problems.append(Problem(parsed.path, line,
                                    "use '###' for a heading inside a section; '#' and '##' "
                                    "are reserved for leaflet headings"))
    return problems
