"""``pdf/ua``: page-validation's PDF/UA-1 profile, when the file claims PDF/UA (every
leaflet does; a packet with attached PDFs does not). A file that names its variant is a
leaflet and must claim it, as must any file checked with ``VerifyOptions.require_ua``."""

from __future__ import annotations

from leafletgen.verification.page_validation import validate
from leafletgen.verification.rule import Evidence, Rule, Verdict

_PDFUA_PART = "{http://www.aiim.org/pdfua/ns/id/}part"


def check(evidence: Evidence) -> Verdict:
    if evidence.document.open_metadata().get(_PDFUA_PART):
        return validate(evidence.data, "pdf/ua", "PDF/UA-1", "ua1")
    if evidence.options.require_ua or evidence.recorded is not None:
        # a leaflet (it names its variant) is always PDF/UA-1; only a packet with attached
        # third-party pages gives up the claim
        return Verdict(("pdf/ua: the file does not claim PDF/UA-1, which every leafletgen "
                        "leaflet does; rebuild it with leafletgen build",))
    return Verdict(notes=("not PDF/UA (no claim)",))


RULE = Rule("pdf/ua", check, "PDF/UA-1 (page-validation)")
