"""``pdf/a``: page-validation's profile for the PDF/A level the file claims (archival
copies)."""

from __future__ import annotations

from leafletgen.verification.page_validation import pdfa_profiles, validate
from leafletgen.verification.rule import Evidence, Rule, Verdict


def check(evidence: Evidence) -> Verdict:
    level = evidence.document.open_metadata().pdfa_status
    if not level:
        return Verdict()
    label = f"PDF/A-{level}"
    if level.upper() not in pdfa_profiles():
        return Verdict((f"pdf/a: the file claims {label}, which page-validation cannot "
                        "check",))
    return validate(evidence.data, "pdf/a", label, level.lower())


RULE = Rule("pdf/a", check, "the PDF/A level the file claims (page-validation)")
