"""Variants: which sections, in what order, under which headings, with which template.

A variant is data, one YAML file in ``styles/variants/``; adding one needs no code.
"""

from __future__ import annotations

from pathlib import Path

from leafletgen.errors import Problem
from leafletgen.files import content_stamp
from leafletgen.model import (
    LeafletSection,
    Monograph,
    ReadingLimits,
    Variant,
    VariantSection,
)
from leafletgen.source.validation import vocabulary
from leafletgen.source.yamlsource import parse_yaml, read_yaml_text, schema_problems

DOCS = "docs/variants.md"


# Variants read in this process, by the content of their files and the listing of the folders
# their checks look in: build, check, packets and a service read them once.
_LOADED: dict[tuple[object, ...], tuple[dict[str, Variant], list[Problem]]] = {}


def load_variants(styles: Path) -> tuple[dict[str, Variant], list[Problem]]:
    """Every variant defined in ``styles/variants/*.yaml``, by name (read once per process
    for the same files; the caller may change the dict and list it gets)."""
    folder = styles / "variants"
    stamp = (str(styles.resolve()), content_stamp(
        sorted(folder.glob("*.yaml")), (folder, styles, styles / "templates")))
    if stamp not in _LOADED:
        if len(_LOADED) > 64:
            _LOADED.clear()
        _LOADED[stamp] = _read_variants(styles)
    variants, problems = _LOADED[stamp]
    return dict(variants), list(problems)


def _read_variants(styles: Path) -> tuple[dict[str, Variant], list[Problem]]:
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
    text, problems = read_yaml_text(path, "a variant definition")
    if text is None:
        return None, problems
    doc, problems = parse_yaml(path, text, what="a variant definition")
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
        key_facts_on_page_1=data.get("key_facts_on_page_1", False),
        figure_scale=float(data.get("figure_scale", 1.0)),
        figure_version=data.get("figure_version"),
        summary=data.get("summary", False),
    ), []


def select(monograph: Monograph, variant: Variant) -> tuple[tuple[LeafletSection, ...],
                                                            list[Problem]]:
    """The sections ``variant`` shows of ``monograph``, and any required one that is missing."""
    chosen: list[LeafletSection] = []
    problems: list[Problem] = []
    for wanted in variant.sections:
        section = monograph.section(wanted.id)
        blocks = section.blocks_for(variant.audience) if section else ()
        summary = tuple(b for b in section.blocks if b.audience == "summary"
                        and b.text.strip()) if section and variant.summary else ()
        if summary:  # a counselling summary prints the section's summary block instead
            blocks = summary
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
                                     monograph.heading_name), number, wanted.box, blocks))
    return tuple(chosen), problems
