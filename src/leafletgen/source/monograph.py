"""Read a monograph file (Markdown with YAML front matter) into a validated ``Monograph``.

The format is documented in docs/monograph-format.md. In short::

    ---
    name: Baclofen            # front matter: facts that are not prose
    ...
    ---
    ## uses                   # a section, by id from the vocabulary (sections.yaml)
    ::: patient               # a block for one audience: patient, clinician or both
    Baclofen relaxes stiff muscles.
    :::

Text in a section outside any ``:::`` block is for both audiences.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import leafletgen.textcheck as textcheck
from leafletgen.errors import Problem, errors_in
from leafletgen.limits import (
    MAX_MONOGRAPH_BYTES,
    TooLarge,
    describe,
    forbidden_characters,
    kilobytes,
    read_limited,
)
from leafletgen.model import (
    AUDIENCES,
    BOX_KINDS,
    Block,
    Code,
    FactText,
    Focus,
    Interaction,
    KeyFact,
    Monograph,
    Population,
    Section,
    Source,
    SubstanceClass,
)
from leafletgen.source.parsed import ParsedFile
from leafletgen.source.yamlsource import MAX_REPORTED, parse_yaml

_SECTION_RE = re.compile(r"^##(?!#)\s*(?P<id>\S*)\s*$")
_FENCE_OPEN_RE = re.compile(r"^:::\s*(?P<words>\S.*?)\s*$")
_FENCE_CLOSE = ":::"


def parse_file(path: Path) -> tuple[ParsedFile | None, list[Problem]]:
    """Split a monograph file into front matter and sections; report what prevents it."""
    try:
        raw = read_limited(path, MAX_MONOGRAPH_BYTES)
    except TooLarge as exc:
        return None, [Problem(path, 1, f"the file is {kilobytes(exc.size)}; a monograph may be "
                              f"at most {kilobytes(MAX_MONOGRAPH_BYTES)} (see 'Limits' in "
                              "README.md): split it, or move long tables and text out of it")]
    except OSError as exc:
        return None, [Problem(path, 1, f"cannot read the file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, "the file is not UTF-8 text (byte "
                              f"0x{raw[exc.start]:02x}); save it with UTF-8 encoding")]
    text = textcheck.normalize(text.removeprefix("\ufeff"))
    bad = [Problem(path, line + 1, f"character {describe(char)} is not allowed in a monograph; "
                   "delete it (it prints as nothing, or breaks the leaflet)")
           for line, char in forbidden_characters(text)]
    bad = bad or [Problem(path, line + 1, message)
                  for line, message in textcheck.problems(text)]
    if bad:
        return None, bad[:MAX_REPORTED]
    if not text.strip():
        return None, [Problem(path, 1, "the file is empty; start it with front matter "
                              "between '---' lines (see docs/monograph-format.md)")]
    # only \n (and \r\n) end a line, as editors count them: splitlines() would also
    # split at U+2028 and form feeds and shift every later line number
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[0].strip() != "---":
        return None, [Problem(path, 1, "the file must start with front matter: a line '---', "
                              "the YAML fields, then another '---'")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(path, 1, "the front matter is not closed; add a line '---' "
                              "after the last field")]
    yaml_text = "\n".join(lines[1:end])
    front, problems = parse_yaml(path, yaml_text, first_line=2, what="the front matter")
    sections, body_problems = _parse_body(path, lines[end + 1 :], first_line=end + 2)
    problems += body_problems
    if front is None:
        return None, problems
    return ParsedFile(path, front, sections), problems


def _parse_body(path: Path, lines: list[str],
                first_line: int) -> tuple[tuple[Section, ...], list[Problem]]:
    problems: list[Problem] = []
    sections: list[Section] = []
    current: tuple[str, int] | None = None
    blocks: list[Block] = []
    audience = "both"
    box: str | None = None
    fence_line: int | None = None
    buf: list[str] = []
    buf_line = 0

    def flush() -> None:
        nonlocal buf
        if buf and "".join(buf).strip():
            blocks.append(Block(audience, "\n".join(buf).strip("\n"), buf_line, box))
        buf = []

    def close_section() -> None:
        flush()
        if current is not None:
            sections.append(Section(current[0], current[1], tuple(blocks)))

    for offset, line in enumerate(lines):
        lineno = first_line + offset
        section = _SECTION_RE.match(line)
        if section and fence_line is None:
            close_section()
            current, blocks = (section["id"], lineno), []
            if not section["id"]:
                problems.append(Problem(path, lineno, "a section heading needs an id, "
                                        "e.g. '## uses'"))
            continue
        if line.strip() == _FENCE_CLOSE:
            if fence_line is None:
                problems.append(Problem(path, lineno, "':::' closes a block that was never "
                                        "opened; open it with '::: patient', '::: clinician' "
                                        "or '::: both'"))
                continue
            flush()
            audience, box, fence_line = "both", None, None
            continue
        fence = _FENCE_OPEN_RE.match(line)
        if fence:
            if fence_line is not None:
                problems.append(Problem(path, lineno, "a block is opened inside another one; "
                                        f"close the block opened on line {fence_line} with "
                                        "':::' first (a box for one audience is one block: "
                                        "'::: patient warning')"))
                continue
            flush()
            fence_line = lineno
            audience, box, fence_problems = _fence_words(fence["words"].split())
            problems += [Problem(path, lineno, message) for message in fence_problems]
            if current is None:
                problems.append(Problem(path, lineno, "a block outside any section; start a "
                                        "section first with '## <id>'"))
            continue
        if current is None:
            if line.strip():
                problems.append(Problem(path, lineno, "text outside any section; start a "
                                        "section with '## <id>' (see docs/monograph-format.md)"))
            continue
        if not buf:
            if not line.strip():
                continue  # a block starts at its first text line, so its lines stay exact
            buf_line = lineno
        buf.append(line)
    if fence_line is not None:
        problems.append(Problem(path, fence_line, "this block is never closed; add a line "
                                "':::' after its text"))
    close_section()
    return tuple(sections), problems


def _fence_words(words: list[str]) -> tuple[str, str | None, list[str]]:
    """The audience and box kind a block's opening line names: '::: patient',
    '::: warning', '::: clinician tip' (either order); 'both' and no box when left out."""
    audiences = [w for w in words if w in AUDIENCES]
    kinds = [w for w in words if w in BOX_KINDS]
    problems = [f"unknown audience '{w}' after ':::'; use an audience ("
                + ", ".join(AUDIENCES) + ") and/or a box (" + ", ".join(BOX_KINDS) + ")"
                for w in words if w not in AUDIENCES and w not in BOX_KINDS]
    if len(audiences) > 1:
        problems.append(f"a block has one audience, not {len(audiences)} ("
                        + ", ".join(audiences) + "); write 'both' for everyone")
    if len(kinds) > 1:
        problems.append(f"a block is one box, not {len(kinds)} (" + ", ".join(kinds)
                        + "); open one block per box")
    return (audiences[0] if audiences else "both"), (kinds[0] if kinds else None), problems


# Monographs read in this process, by file content: a service or a packet reads the same files
# again and again, and parsing and validating them costs more than reading them.
_LOADED: dict[tuple[object, ...], tuple[Monograph | None, tuple[Problem, ...]]] = {}
_MAX_LOADED = 1024


def load(path: Path) -> tuple[Monograph | None, tuple[Problem, ...]]:
    """Parse and validate one monograph. The monograph is None when any error was found.

    The result is kept for the life of the process, keyed by the file's path and content and
    by what its figures folder holds, so a changed file is always read again.
    """
    key = _content_key(path)
    if key is not None and key in _LOADED:
        return _LOADED[key]
    result = _load(path)
    if key is not None:
        if len(_LOADED) >= _MAX_LOADED:
            _LOADED.clear()
        _LOADED[key] = result
    return result


def _content_key(path: Path) -> tuple[object, ...] | None:
    """The path, a hash of the content and the figures folder's listing; None when the file
    cannot be read here (``_load`` then says why)."""
    try:
        data = read_limited(path, MAX_MONOGRAPH_BYTES)
        figures = path.parent / "figures"
        listing = tuple(sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns)
                               for f in figures.iterdir())) if figures.is_dir() else ()
    except (OSError, TooLarge):
        return None
    return (str(path.resolve()), hashlib.sha256(data).digest(), listing)


def _load(path: Path) -> tuple[Monograph | None, tuple[Problem, ...]]:
    from leafletgen.source.validation import validate  # validation needs the model defined above

    try:
        parsed, problems = parse_file(path)
        if parsed is not None:
            problems += validate(parsed)
    except RecursionError:
        # the limits (limits.py) should prevent this; if not, it stops this file only
        return None, (Problem(path, 1, "the file nests lists, quotes or fields too deeply to "
                              "be read; flatten it (see 'Limits' in README.md)"),)
    if parsed is None or errors_in(problems):
        return None, tuple(problems)
    return _to_monograph(parsed), tuple(problems)


def _to_monograph(parsed: ParsedFile) -> Monograph:
    f = parsed.front.data
    front = parsed.front
    return Monograph(
        path=parsed.path,
        slug=f.get("slug") or slug_for(parsed.path),
        name=f["name"],
        generic_name=f["generic_name"],
        drug_class=f["drug_class"],
        forms=tuple(f["forms"]),
        status=f["status"],
        version=f["version"],
        last_revised=dt.date.fromisoformat(f["last_revised"]),
        language=f.get("language", "en"),
        sources=tuple(
            Source(s["id"], s["title"], s.get("publisher"), s.get("url"),
                   dt.date.fromisoformat(s["accessed"]) if s.get("accessed") else None)
            for s in f["sources"]
        ),
        sections=parsed.sections,
        reviewer=f.get("reviewer"),
        review_date=dt.date.fromisoformat(f["review_date"]) if f.get("review_date") else None,
        key_facts=tuple(
            KeyFact(k["fact"], front.line(("key_facts", i)), tuple(
                FactText(key, (text,) if isinstance(text, str) else tuple(text),
                         front.line(("key_facts", i, "carried_by", key)))
                for key, text in k["carried_by"].items()))
            for i, k in enumerate(f.get("key_facts", ()))
        ),
        glossary=tuple((term, (plain,) if isinstance(plain, str) else tuple(plain))
                       for term, plain in f.get("glossary", {}).items()),
        format=f.get("format", 1),
        codes=tuple((system, tuple(values)) for system, values in f.get("codes", {}).items()),
        short_name=f.get("short_name"),
        focus=read_focus(f.get("focus") or {}, front),
        brands=tuple(f.get("brands", ())),
        field_lines={name: front.line((name,)) for name in f},
    )


def read_focus(data: dict, front) -> Focus:
    """The ``focus:`` front matter (checked by the schema): docs/focus.md."""

    def substance(item: dict) -> SubstanceClass:
        return SubstanceClass(item["class"], tuple(item.get("terms", ())), tuple(
            Code(system, code) for system, codes in item.get("codes", {}).items()
            for code in codes))

    populations = []
    for kind, entry in (data.get("populations") or {}).items():
        advice = entry if isinstance(entry, str) else entry["advice"]
        threshold = None if isinstance(entry, str) else entry.get("below", entry.get("over"))
        populations.append(Population(kind, advice, threshold,
                                      front.line(("focus", "populations", kind))))
    return Focus(
        classes=tuple(data.get("classes", ())),
        allergy=tuple(substance(item) for item in data.get("allergy", ())),
        cross_reactions=tuple((substance(item), item["advice"])
                              for item in data.get("cross_reactions", ())),
        interactions=tuple(
            Interaction(substance(item), item["effect"], item["action"],
                        front.line(("focus", "interactions", i)))
            for i, item in enumerate(data.get("interactions", ()))),
        populations=tuple(populations),
    )


def slug_for(path: Path) -> str:
    """The default slug: the file name without extension, lower-cased."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
