"""leafletgen: printable patient-information leaflets from one monograph per medicine.

The public API, documented in docs/api.md: ``build`` and ``status`` (leaflets from
monographs), ``check_report`` and ``check`` (the checks without rendering), ``packet`` and
``handout`` (personalised documents), ``verify_pdf`` and ``verify`` (checks of written PDFs),
and the values they take and return.
"""

from importlib.metadata import version as _version

__version__ = _version("leafletgen")

from leafletgen.catalogue.build import build  # noqa: E402
from leafletgen.catalogue.survey import status  # noqa: E402
from leafletgen.checks.gates import CheckReport, check, check_report  # noqa: E402
from leafletgen.errors import (  # noqa: E402
    ContentError,
    LeafletgenError,
    OutputError,
    Problem,
    UsageError,
)
from leafletgen.model import (  # noqa: E402
    BuildOptions,
    BuildResult,
    LeafletState,
    Patient,
    Progress,
    Shard,
    Status,
)
from leafletgen.personal.packet import Attachment, handout, packet, write_private  # noqa: E402
from leafletgen.source.patient import load_patient  # noqa: E402
from leafletgen.verification.rules import PdfReport, verify, verify_pdf  # noqa: E402

__all__ = ["Attachment", "BuildOptions", "BuildResult", "CheckReport", "ContentError",
           "LeafletState", "LeafletgenError", "OutputError", "Patient", "PdfReport", "Problem",
           "Progress", "Shard", "Status", "UsageError", "__version__", "build", "check",
           "check_report", "handout", "load_patient", "packet", "status", "verify",
           "verify_pdf", "write_private"]
