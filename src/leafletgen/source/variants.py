"""Variants: which sections, in what order, under which headings, with which template.

A variant is data, one YAML file in ``styles/variants/``; adding one needs no code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leafletgen.errors import Problem
from leafletgen.source.markup import references
from leafletgen.source.monograph import Block, Monograph
from leafletgen.source.validation import vocabulary
from leafletgen.source.yamlsource import parse_yaml, schema_problems

DOCS = "docs/variants.md"


@dataclass(frozen=True)
class VariantSection:
    id: str
    heading: str  # may contain {medicine}
    required: bool = False
    box: bool = False


@dataclass(frozen=True)
class ReadingLimits:
    """The highest reading grade a variant allows, by one formula; None is no limit."""

    formula: str = "flesch-kincaid"
    section_max: float | None = None
    leaflet_max: float | None = None
    min_words: int = 0  # shorter sections are scored but not judged on their own


@dataclass(frozen=True)
class Variant:
    name: str
    path: Path
    audience: str
    title: str
    template: str
    stylesheets: tuple[str, ...]
    sections: tuple[VariantSection, ...]
    min_body_pt: float
    paper: str = "A4"
    numbered: bool = False
    description: str = ""
    reading: ReadingLimits = ReadingLimits()
    glossary: str | None = None  # file in styles/
    max_table_columns: int | None = None  # wider tables are reflowed (markup.py)


@dataclass(frozen=True)
class LeafletSection:
    """A section as one variant shows it for one monograph."""

    id: str
    heading: str
    number: int | None
    box: bool
    blocks: tuple[Block, ...]


def load_variants(styles: Path) -> tuple[dict[str, Variant], list[Problem]]:
    """Every variant defined in ``styles/variants/*.yaml``, by name."""
    variants: dict[str, Variant] = {}
    problems: list[Problem] = []
    for path in sorted((styles / "variants").glob("*.yaml")):
        variant, found = load_variant(path, styles)
        problems += found
        if variant is None:
            continue
        if variant.name in variants:
            problems.append(Problem(path, 1, f"variant name '{variant.name}' is already used by "
                                    f"{variants[variant.name].path.name}; names must be unique"))
            continue
        variants[variant.name] = variant
    return variants, problems


def load_variant(path: Path, styles: Path) -> tuple[Variant | None, list[Problem]]:
    """Read and check one variant definition."""
    doc, problems = parse_yaml(path, path.read_text(encoding="utf-8"), what="a variant definition")
    if doc is None:
        return None, problems
    problems += schema_problems(doc, "variant.schema.json", DOCS)
    if problems:
        return None, problems
    data = doc.data
    vocab = vocabulary()
    for i, section in enumerate(data["sections"]):
        if section["id"] not in vocab:
            problems.append(Problem(path, doc.line(("sections", i, "id")),
                                    f"unknown section id '{section['id']}'; known ids: "
                                    + ", ".join(vocab)))
    if not (styles / "templates" / data["template"]).is_file():
        problems.append(Problem(path, doc.line(("template",)),
                                f"template '{data['template']}' not found in styles/templates/"))
    for i, sheet in enumerate(data["stylesheets"]):
        if not (styles / sheet).is_file():
            problems.append(Problem(path, doc.line(("stylesheets", i)),
                                    f"stylesheet '{sheet}' not found in styles/"))
    if "glossary" in data and not (styles / data["glossary"]).is_file():
        problems.append(Problem(path, doc.line(("glossary",)),
                                f"glossary '{data['glossary']}' not found in styles/"))
    if problems:
        return None, problems
    return Variant(
        name=data["name"],
        path=path,
        audience=data["audience"],
        title=data["title"],
        template=data["template"],
        stylesheets=tuple(data["stylesheets"]),
        sections=tuple(VariantSection(s["id"], s["heading"], s.get("required", False),
                                      s.get("box", False)) for s in data["sections"]),
        min_body_pt=float(data["min_body_pt"]),
        paper=data.get("paper", "A4"),
        numbered=data.get("numbered", False),
        description=data.get("description", ""),
        reading=ReadingLimits(**data.get("reading_grade", {})),
        glossary=data.get("glossary"),
        max_table_columns=data.get("max_table_columns"),
    ), []


def select(monograph: Monograph, variant: Variant) -> tuple[tuple[LeafletSection, ...],
                                                            list[Problem]]:
    """The sections ``variant`` shows of ``monograph``, and any required one that is missing."""
    chosen: list[LeafletSection] = []
    problems: list[Problem] = []
    for wanted in variant.sections:
        section = monograph.section(wanted.id)
        blocks = section.blocks_for(variant.audience) if section else ()
        if not blocks:
            if wanted.required:
                line = section.line if section else 1
                where = "has no" if section else "is missing, so there is no"
                problems.append(Problem(
                    monograph.path, line,
                    f"section '{wanted.id}' {where} {variant.audience} text, which the "
                    f"'{variant.name}' variant requires; add a '::: {variant.audience}' or "
                    "'::: both' block"))
            continue
        number = len([s for s in chosen if not s.box]) + 1 if variant.numbered and not wanted.box \
            else None
        chosen.append(LeafletSection(wanted.id, wanted.heading.replace("{medicine}",
                                     monograph.name), number, wanted.box, blocks))
    return tuple(chosen), problems


def unshown_text_problems(monograph: Monograph,
                          variants: dict[str, Variant]) -> list[Problem]:
    """Text written for an audience that no variant of that audience prints.

    Every block must reach at least one leaflet of each of its readers (``both`` is for
    patients and clinicians); otherwise it would be lost without a word.
    """
    by_audience: dict[str, list[Variant]] = {}
    for variant in variants.values():
        by_audience.setdefault(variant.audience, []).append(variant)
    problems: list[Problem] = []
    for section in monograph.sections:
        for block in section.blocks:
            if not block.text.strip():
                continue
            readers = ("patient", "clinician") if block.audience == "both" else (block.audience,)
            for audience in readers:
                showing = [v.name for v in by_audience.get(audience, ())
                           if any(s.id == section.id for s in v.sections)]
                if showing:
                    continue
                others = [v.name for v in variants.values()
                          if v.audience != audience and any(s.id == section.id
                                                            for s in v.sections)]
                shown_by = (f"only the {', '.join(sorted(others))} leaflet shows it" if others
                            else "no leaflet shows it")
                where = (", ".join(sorted(v.name for v in by_audience[audience]))
                         if audience in by_audience else f"no {audience} variant exists")
                problems.append(Problem(
                    monograph.path, block.line,
                    f"{audience} text in section '{section.id}' is printed by no {audience} "
                    f"leaflet ({where}); {shown_by}. Move it to a section the {audience} "
                    f"leaflets show, mark it for its real readers, or add '{section.id}' to a "
                    f"{audience} variant in styles/variants/"))
    return problems


def reference_problems(monograph: Monograph, variant: Variant,
                       sections: tuple[LeafletSection, ...]) -> list[Problem]:
    """A cross-reference in the ``variant`` leaflet to a section that leaflet does not show."""
    shown = {s.id for s in sections}
    problems = []
    for section in sections:
        for block in section.blocks:
            for ref in references(block.text, block.line):
                if ref.target in shown or ref.target not in vocabulary():
                    continue  # unknown ids are reported once, by validation
                problems.append(Problem(
                    monograph.path, ref.line,
                    f"reference to '#{ref.target}', which the '{variant.name}' leaflet does not "
                    f"show (it has no {variant.audience} text there); write "
                    f"{variant.audience} text in '## {ref.target}', or refer to another section"))
    return problems
