"""Translations: a monograph's patient text in another language, in a file beside it.

``leaflets/baclofen.es.md`` translates ``leaflets/baclofen.md``. Its front matter says what it
translates and who checked it::

    ---
    translation_of:
      file: baclofen.md        # the source, in the same folder
      version: "1.1"           # the source's version it was made from
      sections:                # per section: a hash of the source's patient text translated
        most-important: 4c1e0f6a9b2d
        uses: 0b7d31c2e5aa
    language: es
    name: Baclofeno
    generic_name: baclofeno
    forms: ["Comprimidos", "Solución oral"]
    status: draft              # approved needs reviewer and review_date
    translator: ...
    reviewer: ...              # a qualified translator; until then the leaflet says DRAFT
    last_revised: 2026-11-30
    key_facts:                 # each of the source's key facts, by its 'fact:' text
      - fact: "Avoid alcohol"
        carried_by: "No beba alcohol"
    ---
    ## uses
    El baclofeno es un medicamento ...

Its sections hold patient text only (no ``:::`` audience blocks are needed). It becomes a
``TranslatedMonograph``: the source's slug with the language (``baclofen.es``), built in the
patient variants only (``out/baclofen.es-patient.pdf``).

What is checked (``translation_problems``): a section whose source text changed since its hash
was recorded (stale: a warning, an error with ``check --strict``), a source section with
patient text that is not translated, a translated section the source does not have, a key
fact of the source the translation does not carry, and a translation nobody has reviewed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from leafletgen.i18n._internal import (
    MAX_MONOGRAPH_BYTES,
    Block,
    FactText,
    KeyFact,
    Monograph,
    ParsedFile,
    Problem,
    Section,
    Severity,
    characters_in_fields,
    check_sections,
    display_path,
    errors_in,
    front_matter_problems,
    load,
    markup_in_fields,
    parse_file,
    schema_problems,
)

AUDIENCE = "patient"
DOCS = "README.md (Translations)"


@dataclass(frozen=True)
class TranslationOf:
    """What a translation says it translates."""

    file: Path  # the source monograph
    version: str
    sections: Mapping[str, str]  # section id -> hash of the source text it was made from
    line: int
    section_lines: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class TranslatedMonograph(Monograph):
    """A translation, ready for the patient variants; ``source`` is the monograph it
    translates."""

    source: Monograph | None = None
    translation_of: TranslationOf | None = None
    translator: str | None = None


def is_translation(monograph: Monograph) -> bool:
    return isinstance(monograph, TranslatedMonograph)


def section_hash(section: Section | None) -> str:
    """12 hex digits of SHA-256 of a section's patient text (lines stripped of trailing
    spaces); '' for a section with no patient text."""
    if section is None:
        return ""
    blocks = section.blocks_for(AUDIENCE)
    if not blocks:
        return ""
    text = "\n\n".join("\n".join(line.rstrip() for line in b.text.strip().split("\n"))
                       for b in blocks)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def source_hashes(source: Monograph) -> dict[str, str]:
    """Every section of ``source`` with patient text, and its hash, in file order."""
    return {s.id: h for s in source.sections if (h := section_hash(s))}


def load_leaflet(path: Path) -> tuple[Monograph | None, tuple[Problem, ...]]:
    """A monograph, or a translation (front matter with ``translation_of``) of one.

    A monograph is loaded as ``load`` loads it (once per content in a process); only a file
    whose front matter has a ``translation_of:`` line is read as a translation.
    """
    if not is_translation_file(path):
        return load(path)
    parsed, problems = parse_file(path)
    if parsed is None or "translation_of" not in parsed.front.data:
        return load(path)
    return load_translation(parsed, problems)


_TRANSLATION_OF = re.compile(r"^translation_of\s*:", re.M)
_HEAD = 64 * 1024  # front matter is at most this long (limits.py: YAML documents)


def is_translation_file(path: Path) -> bool:
    """Whether the file's front matter (its first 64 KB) has a top-level translation_of."""
    try:
        if path.stat().st_size > MAX_MONOGRAPH_BYTES:
            return False  # refused by load() from its size alone, before it is read
        with path.open("rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return False  # load() reports it
    return is_translation_text(head)


def is_translation_text(data: bytes) -> bool:
    """Whether a monograph file's bytes have a top-level translation_of in their front
    matter (its first 64 KB)."""
    head = data[:_HEAD].decode("utf-8", "replace").replace("\r\n", "\n")
    if not head.startswith(("---\n", "\ufeff---\n")):
        return False
    end = head.find("\n---", 4)
    return bool(_TRANSLATION_OF.search(head[: end if end > 0 else len(head)]))


def load_translation(parsed: ParsedFile, problems: list[Problem] | None = None
                     ) -> tuple[Monograph | None, tuple[Problem, ...]]:
    """Check a parsed translation and its source; the translation and every problem."""
    found = list(problems or ())
    path = parsed.path
    front = parsed.front
    found += schema_problems(front, "translation.schema.json", DOCS)
    found += front_matter_problems(front)
    found += markup_in_fields(parsed) + characters_in_fields(parsed)
    found += check_sections(parsed)
    for section in parsed.sections:
        for block in section.blocks:
            if block.audience == "clinician":
                found.append(Problem(path, block.line - 1, "a translation holds patient text "
                                     "only; remove this '::: clinician' block (clinician "
                                     "leaflets are printed from the source)"))
    if errors_in(found):
        return None, tuple(found)
    data = front.data
    of = data["translation_of"]
    source_path = path.parent / of["file"]
    of_line = front.line(("translation_of", "file"))
    if source_path.resolve() == path.resolve():
        return None, (*found, Problem(path, of_line, "translation_of.file names this file "
                                      "itself; name the monograph it translates"))
    if not source_path.is_file():
        return None, (*found, Problem(path, of_line, f"translation_of.file: there is no "
                                      f"{display_path(source_path)}; name the source monograph, "
                                      "a file in the same folder"))
    source, source_problems = load(source_path)
    if source is None:
        return None, (*found, Problem(path, of_line, f"its source {display_path(source_path)} "
                                      "has errors (see its own messages); fix them first"))
    if "translation_of" in (getattr(source, "field_lines", None) or {}):
        return None, (*found, Problem(path, of_line, "translation_of.file names another "
                                      "translation; name the source monograph"))
    found += language_problems(path, data["language"], front.line(("language",)))
    if errors_in(found):
        return None, tuple(found)
    if source.language == data["language"]:
        found.append(Problem(path, front.line(("language",)), f"language: '{data['language']}' "
                             "is the source's own language; give the translation's language"))
        return None, tuple(found)
    translation_of = TranslationOf(
        source_path, of["version"], dict(of["sections"]), front.line(("translation_of",)),
        {sid: front.line(("translation_of", "sections", sid)) for sid in of["sections"]})
    sections = tuple(Section(s.id, s.line, tuple(Block(AUDIENCE, b.text, b.line, b.box)
                                                 for b in s.blocks))
                     for s in parsed.sections)
    key_facts = tuple(
        KeyFact(k["fact"], front.line(("key_facts", i)), (FactText(
            AUDIENCE, (k["carried_by"],) if isinstance(k["carried_by"], str)
            else tuple(k["carried_by"]), front.line(("key_facts", i, "carried_by"))),))
        for i, k in enumerate(data.get("key_facts", ())))
    translated = TranslatedMonograph(
        path=path,
        slug=f"{source.slug}.{data['language']}",
        name=data["name"],
        generic_name=data["generic_name"],
        drug_class=data.get("drug_class", source.drug_class),
        forms=tuple(data["forms"]),
        status=data["status"],
        version=of["version"],
        last_revised=dt.date.fromisoformat(data["last_revised"]),
        language=data["language"],
        sources=source.sources,
        sections=sections,
        reviewer=data.get("reviewer"),
        review_date=(dt.date.fromisoformat(data["review_date"]) if data.get("review_date")
                     else None),
        key_facts=key_facts,
        format=2,
        field_lines={name: front.line((name,)) for name in data},
        source=source,
        translation_of=translation_of,
        translator=data.get("translator"),
        short_name=data.get("short_name"),
    )
    found += translation_problems(translated)
    if errors_in(found):
        return None, tuple(found)
    return translated, tuple(found)


def translation_problems(translated: TranslatedMonograph) -> list[Problem]:
    """Stale, missing or extra sections, key facts not carried, no reviewer."""
    source, of = translated.source, translated.translation_of
    assert source is not None and of is not None
    path = translated.path
    name = display_path(of.file)
    current = source_hashes(source)
    problems: list[Problem] = []
    # an approved translation may not leave out what its readers need
    missing_severity = Severity.ERROR if translated.status == "approved" else Severity.WARNING
    stale = []
    for section in translated.sections:
        line = of.section_lines.get(section.id, of.line)
        if section.id not in current:
            problems.append(Problem(path, section.line, f"section '{section.id}': {name} has "
                                    "no patient text there, so there is nothing to translate; "
                                    "remove the section or check its id"))
        elif section.id not in of.sections:
            problems.append(Problem(path, of.line, f"section '{section.id}' is translated but "
                                    "translation_of.sections has no hash for it; add "
                                    f"'{section.id}: {current[section.id]}' once it matches "
                                    f"{name} version {source.version}", Severity.WARNING))
        elif of.sections[section.id] != current[section.id]:
            stale.append(section.id)
            versions = (f"translated from version {of.version}; {name} is now version "
                        f"{source.version}" if of.version != source.version else
                        f"its text changed within version {source.version}")
            problems.append(Problem(path, line, f"stale: section '{section.id}' of {name} has "
                                    f"changed since it was translated ({versions}); "
                                    "translate the change, have it reviewed, then set its "
                                    f"hash to {current[section.id]}", Severity.WARNING))
    translated_ids = {s.id for s in translated.sections}
    for section_id in current:
        if section_id not in translated_ids:
            problems.append(Problem(path, of.line, f"section '{section_id}' of {name} is not "
                                    "translated: patients reading this translation would miss "
                                    f"it; add '## {section_id}' with its translation",
                                    missing_severity))
    for section_id in of.sections:
        if section_id not in translated_ids and section_id in current:
            continue  # reported above as not translated
        if section_id not in current:
            problems.append(Problem(path, of.section_lines.get(section_id, of.line),
                                    f"stale: translation_of.sections names '{section_id}', "
                                    f"which {name} no longer has; remove it", Severity.WARNING))
    if not stale and of.version != source.version and not errors_in(problems):
        problems.append(Problem(path, of.line, f"translation_of.version is {of.version} but "
                                f"{name} is version {source.version}; its translated sections "
                                f"are unchanged, so set version: \"{source.version}\"",
                                Severity.WARNING))
    problems += _key_fact_problems(translated, source)
    # No reviewer is not a problem of its own: the translation is then a draft (an approved
    # one without a reviewer is an error of review.py), its leaflets say DRAFT on every page
    # and `check` says "no reviewer yet" in its status line (status_text).
    return problems


def translation_json(monograph: Monograph) -> dict | None:
    """What the JSON report says of a translation (None for a monograph)."""
    if not isinstance(monograph, TranslatedMonograph) or monograph.translation_of is None:
        return None
    of = monograph.translation_of
    return {"source": display_path(of.file), "source_version": of.version,
            "language": monograph.language, "translator": monograph.translator,
            "reviewed": monograph.status == "approved" and bool(monograph.reviewer)}


def status_text(monograph: Monograph) -> str | None:
    """The check report's status of a translation: what it translates, whether reviewed."""
    if not isinstance(monograph, TranslatedMonograph) or monograph.translation_of is None:
        return None
    from leafletgen.i18n.languages import language

    of = monograph.translation_of
    what = (f"{language(monograph.language).name} ({monograph.language}) translation of "
            f"{display_path(of.file)} version {of.version}")
    if monograph.status == "approved" and monograph.reviewer:
        when = f" on {monograph.review_date.isoformat()}" if monograph.review_date else ""
        return f"{what}, reviewed by {monograph.reviewer}{when}"
    if monograph.reviewer:
        return f"{what}, draft (reviewer {monograph.reviewer} has not approved it yet)"
    return (f"{what}, draft: no reviewer yet; a qualified translator must check it before it "
            "is approved (until then every page says DRAFT)")


def _key_fact_problems(translated: Monograph, source: Monograph) -> list[Problem]:
    """Every key fact the source's patient leaflets carry must be carried here too.

    Whether the translation's text says each phrase is checked per leaflet by the safety
    check of every build (safety.key_fact_problems), like any monograph's key facts.
    """
    # the facts a patient leaflet of the source carries: by the audience, or a variant name
    # (a variant of another audience would not name the patient leaflets)
    needed = [fact for fact in source.key_facts
              if any(c.key == AUDIENCE or c.key.startswith(AUDIENCE) for c in fact.carried_by)]
    ours = {fact.fact: fact for fact in translated.key_facts}
    problems = []
    for fact in needed:
        if fact.fact not in ours:
            problems.append(Problem(translated.path, translated.line_of("key_facts"),
                                    f"key fact '{fact.fact}' of {display_path(source.path)} is "
                                    "not carried by this translation; add it under key_facts "
                                    f"with 'fact: \"{fact.fact}\"' and carried_by: the words "
                                    "of this translation that say it"))
    problems += _trivial_carrier_problems(translated, source)
    known = {fact.fact for fact in source.key_facts}
    for fact in translated.key_facts:
        if fact.fact not in known:
            problems.append(Problem(translated.path, fact.line,
                                    f"key fact '{fact.fact}' is not one of "
                                    f"{display_path(source.path)}'s key facts (they are: "
                                    + "; ".join(f"'{k}'" for k in known) + "); copy its "
                                    "'fact:' text exactly"))
    return problems


MIN_CARRIER_WORDS = 2  # words of a carried_by phrase besides the medicine's name
# scripts written without spaces between words: two characters count as a word
# (compiled when first needed: a class this wide takes milliseconds to compile)
_UNSPACED = ("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
             "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]")


def words_in(phrase: str, names: tuple[str, ...] = ()) -> float:
    """How many words ``phrase`` has once the medicine's ``names`` are taken out: words
    between spaces, and in scripts written without spaces (Chinese, Japanese, Thai ...) one
    for every two characters."""
    text = phrase.casefold()
    for name in sorted({n.casefold() for n in names if n}, key=len, reverse=True):
        text = text.replace(name, " ")
    unspaced = len(re.findall(_UNSPACED, text))
    spaced = len(re.findall(r"\w+", re.sub(_UNSPACED, " ", text)))
    return spaced + unspaced / 2


def _trivial_carrier_problems(translated: Monograph, source: Monograph) -> list[Problem]:
    """A key fact is carried by what says it: a phrase that is only the medicine's name, or a
    word or two where the source needs a sentence, would let the translation drop or turn
    round the fact and still pass. Each phrase needs MIN_CARRIER_WORDS words besides the
    name, and a fact's phrases together at least a third of the words of the source's."""
    names = (translated.name, translated.generic_name, source.name, source.generic_name)
    sources = {fact.fact: fact for fact in source.key_facts}
    problems = []
    for fact in translated.key_facts:
        carriers = [c for c in fact.carried_by if c.key == AUDIENCE]
        phrases = [p for c in carriers for p in c.phrases]
        line = carriers[0].line if carriers else fact.line
        short = [p for p in phrases if words_in(p, names) < MIN_CARRIER_WORDS]
        if short:
            problems.append(Problem(translated.path, line, f"key fact '{fact.fact}': carried_by "
                                    f"'{short[0]}' is too short to carry it (the medicine's name "
                                    f"does not count; at least {MIN_CARRIER_WORDS} other words): "
                                    "give the words of this translation that say the fact"))
            continue
        original = sources.get(fact.fact)
        if original is None:
            continue  # reported as not one of the source's facts
        needed = sum(words_in(p, names) for c in original.carried_by
                     if c.key == AUDIENCE or c.key.startswith(AUDIENCE) for p in c.phrases)
        if phrases and sum(words_in(p, names) for p in phrases) * 3 < needed:
            problems.append(Problem(translated.path, line, f"key fact '{fact.fact}': carried_by "
                                    "says far less than the source's carried_by (under a third "
                                    "of its words): give the words of this translation that "
                                    "say the whole fact"))
    return problems


def language_problems(path: Path, language: str, line: int) -> list[Problem]:
    """A translation's file name says its language (``baclofen.es.md``): it must be the
    ``language:`` of its front matter, or the leaflets would be built as the wrong one."""
    named = re.fullmatch(r".+\.(?P<language>[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.md",
                         path.name)
    if named is None:
        return [Problem(path, line, f"a translation's file name ends in its language, "
                        f"<source>.{language}.md (e.g. baclofen.{language}.md); rename the file")]
    if named["language"] != language:
        stem = path.name[: -len(f".{named['language']}.md")]
        return [Problem(path, line, f"language: '{language}' but the file name says "
                        f"'{named['language']}'; rename the file to {stem}.{language}.md or "
                        "correct language:")]
    return []


def for_variant(monograph: Monograph, audience: str) -> bool:
    """Whether leaflets of this audience are built from ``monograph`` (translations:
    patient leaflets only)."""
    return not is_translation(monograph) or audience == AUDIENCE


def stamped(translated: TranslatedMonograph) -> str:
    """The ``translation_of`` block for the source as it is now (after a review)."""
    source = translated.source
    assert source is not None
    return translation_of_yaml(source, {s.id for s in translated.sections})


def translation_of_yaml(source: Monograph, only: set[str] | None = None) -> str:
    """``translation_of:`` front matter for a translation of ``source`` as it is now."""
    lines = ["translation_of:", f"  file: {source.path.name}", f"  version: \"{source.version}\"",
             "  sections:"]
    lines += [f"    {sid}: {digest}" for sid, digest in source_hashes(source).items()
              if only is None or sid in only]
    return "\n".join(lines)


__all__ = ["TranslatedMonograph", "TranslationOf", "for_variant", "is_translation",
           "is_translation_file", "load_leaflet", "load_translation", "section_hash",
           "source_hashes", "stamped", "status_text", "translation_json", "translation_of_yaml",
           "translation_problems"]
