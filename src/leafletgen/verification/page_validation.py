"""page-validation (PDF/UA-1 and PDF/A profiles), as the ``pdf/ua`` and ``pdf/a`` rules use it."""

from __future__ import annotations

from functools import cache

from leafletgen.verification.rule import Verdict


@cache
def pdfa_profiles() -> frozenset[str]:
    """The PDF/A profiles page-validation checks, by name ("3A", ...)."""
    import page as pagevalidation

    return frozenset(p.value.upper() for p in pagevalidation.ValidationProfile) - {"UA1"}


def validate(data: bytes, rule: str, label: str, profile: str) -> Verdict:
    """The failures of ``data`` against one profile, or the standard (``label``) it passed."""
    import page as pagevalidation

    try:
        failures = pagevalidation.validate_pdf_bytes(data, profile=profile).failures
    except (pagevalidation.ParseError, pagevalidation.SafetyLimitError) as exc:
        return Verdict((f"{rule}: the {label} validator cannot read the file ({exc}); "
                        "rebuild it",))
    if failures:
        return Verdict(tuple(f"{rule}: {label} rule {f.rule_id}: {f.message}"
                             for f in failures))
    return Verdict(standards=(label,))
