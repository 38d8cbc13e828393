"""leafletgen: printable patient-information leaflets from one monograph per medicine."""

from importlib.metadata import version as _version

__version__ = _version("leafletgen")

from leafletgen.catalogue.build import BuildResult, build, check  # noqa: E402
from leafletgen.catalogue.survey import LeafletState, Progress, Shard, Status, status  # noqa: E402
from leafletgen.checks.gates import CheckReport, check_report  # noqa: E402
from leafletgen.errors import ContentError, LeafletgenError, OutputError, Problem, UsageError  # noqa: E402
from leafletgen.personal.packet import Attachment, handout, packet, write_private  # noqa: E402
from leafletgen.source.patient import Patient, load_patient  # noqa: E402
from leafletgen.verification.rules import PdfReport, verify, verify_pdf  # noqa: E402

__all__ = ["Attachment", "BuildResult", "CheckReport", "ContentError", "LeafletState",
           "LeafletgenError", "OutputError", "Patient", "PdfReport", "Problem", "Progress",
           "Shard", "Status", "UsageError", "__version__", "build", "check", "check_report",
           "handout", "load_patient", "packet", "status", "verify", "verify_pdf",
           "write_private"]
