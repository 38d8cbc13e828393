"""``type size``: the smallest text actually printed (running headers and footers included)
is at least the variant's ``min_body_pt``.

A leaflet names its variant in its metadata, so it can be checked on its own; a packet does
not (a variant such as ``patient-large`` hints at a health need): without a variant its
type size is not checked, which is a warning, not a failure."""

from __future__ import annotations

from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    found = list(evidence.variant_errors)
    smallest, variant = evidence.measures.smallest, evidence.variant
    if variant is not None and smallest is not None and smallest.size < variant.min_body_pt:
        quoted = "" if evidence.options.private else f"\"{smallest.text}\", "
        found.append(
            f"type size: the smallest text is {smallest.size:g} pt ({quoted}page "
            f"{smallest.page}), below the '{variant.name}' variant's floor of "
            f"{variant.min_body_pt:g} pt (min_body_pt in {variant.path.name}); raise the "
            f"font-size in {', '.join(variant.stylesheets)}")
    return Verdict(tuple(found), evidence.variant_warnings)


RULE = Rule("type size", check, "the smallest printed text against the variant's floor")
