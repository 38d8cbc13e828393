"""leafletgen: printable patient-information leaflets from one monograph per medicine.

The public API, documented in docs/api.md: ``build`` and ``status`` (leaflets from
monographs), ``check_report`` and ``check`` (the checks without rendering), ``packet`` and
``handout`` (personalised documents), ``verify_pdf`` and ``verify`` (checks of written PDFs),
``import_spl``, ``export_fhir`` and ``import_fhir`` (FDA labels in, FHIR ePI Bundles out
and in), and the values they take and return.

Each name is imported when first used (PEP 562): ``import leafletgen`` loads nothing of the
pipeline, so a command with little to do starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_PUBLIC = {
    "leafletgen.catalogue.build": ("build",),
    "leafletgen.catalogue.survey": ("status",),
    "leafletgen.checks.gates": ("CheckReport", "check", "check_report"),
    "leafletgen.errors": ("ContentError", "LeafletgenError", "OutputError", "Problem",
                          "UsageError"),
    "leafletgen.exchange.api": ("ImportReport", "export_fhir", "import_fhir", "import_spl"),
    "leafletgen.model": ("BuildOptions", "BuildResult", "LeafletState", "Patient", "Progress",
                         "Shard", "Status"),
    "leafletgen.personal.attachments": ("Attachment",),
    "leafletgen.personal.privacy": ("write_private",),
    "leafletgen.personal.service": ("Documents", "handout", "packet"),
    "leafletgen.project": ("Project",),
    "leafletgen.source.patient": ("load_patient",),
    "leafletgen.verification.report": ("PdfReport", "VerifyOptions"),
    "leafletgen.verification.verify": ("verify", "verify_pdf"),
}
_HOME = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = ["Attachment", "BuildOptions", "BuildResult", "CheckReport", "ContentError", "Documents",
           "ImportReport", "LeafletState", "LeafletgenError", "OutputError", "Patient",
           "PdfReport", "Problem", "Progress", "Project", "Shard", "Status", "UsageError",
           "VerifyOptions", "__version__", "build", "check", "check_report", "export_fhir",
           "handout", "import_fhir", "import_spl", "load_patient", "packet", "status", "verify",
           "verify_pdf",
           "write_private"]


def __getattr__(name: str) -> Any:
    if name == "__version__":  # read when asked: importlib.metadata is slow to import
        from leafletgen.version import __version__

        globals()[name] = __version__
        return __version__
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'leafletgen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later uses skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


if TYPE_CHECKING:
    __version__: str
    from leafletgen.catalogue.build import build
    from leafletgen.catalogue.survey import status
    from leafletgen.checks.gates import CheckReport, check, check_report
    from leafletgen.errors import (
        ContentError,
        LeafletgenError,
        OutputError,
        Problem,
        UsageError,
    )
    from leafletgen.exchange.api import ImportReport, export_fhir, import_fhir, import_spl
    from leafletgen.model import (
        BuildOptions,
        BuildResult,
        LeafletState,
        Patient,
        Progress,
        Shard,
        Status,
    )
    from leafletgen.personal.attachments import Attachment
    from leafletgen.personal.privacy import write_private
    from leafletgen.personal.service import Documents, handout, packet
    from leafletgen.project import Project
    from leafletgen.source.patient import load_patient
    from leafletgen.verification.report import PdfReport, VerifyOptions
    from leafletgen.verification.verify import verify, verify_pdf
