"""Coverage of a monograph's text by the variants: nothing an author wrote may go unprinted
without a word, and no reference may point at a section a leaflet does not show."""

from __future__ import annotations

from leafletgen.errors import Problem
from leafletgen.model import LeafletSection, Monograph, Variant
from leafletgen.source.markup import references
from leafletgen.source.validation import vocabulary


def unshown_text_problems(monograph: Monograph,
                          variants: dict[str, Variant]) -> list[Problem]:
    """Text written for an audience that no variant of that audience prints.

    Every block must reach at least one leaflet of each of its readers (``both`` is for
    patients and clinicians); otherwise it would be lost without a word.
    """
    by_audience: dict[str, list[Variant]] = {}
    for variant in variants.values():
        if not variant.summary:  # text must reach a full leaflet; summaries are extra
            by_audience.setdefault(variant.audience, []).append(variant)
    problems: list[Problem] = []
    for section in monograph.sections:
        for block in section.blocks:
            if not block.text.strip():
                continue
            readers = ("patient", "clinician") if block.audience == "both" else (block.audience,)
            for audience in readers:
                showing = [v.name for v in (
                    [v for v in variants.values() if v.summary] if audience == "summary"
                    else by_audience.get(audience, ()))
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
                target = monograph.section(ref.target)
                if variant.summary and target is not None and target.blocks_for(
                        variant.audience):
                    continue  # a summary points to the full leaflet, which has it
                problems.append(Problem(
                    monograph.path, ref.line,
                    f"reference to '#{ref.target}', which the '{variant.name}' leaflet does not "
                    f"show (it has no {variant.audience} text there); write "
                    f"{variant.audience} text in '## {ref.target}', or refer to another section"))
    return problems
