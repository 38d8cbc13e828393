"""Every leafletgen module ``leafletgen serve`` uses besides the public API, in one place.

The package's internal layout changes; when a module moves, only these imports change.
"""

from __future__ import annotations

from ..build import DEFAULT_STYLES, PAPERS, Job, Plan, Renderer, figures_folder, plan
from ..errors import ContentError, LeafletgenError, Problem, UsageError, errors_in
from ..html import environment as template_environment
from ..html import render_html
from ..monograph import Monograph

# What leafletgen.handout() and packet() do after reading the monographs: the render workers
# keep the monographs read and call these, so a request does not read and check them again.
from ..packet import _approval_problems as approval_problems
from ..packet import _assemble as assemble
from ..packet import choose_variant
from ..patient import Patient, parse_patient
from ..variants import Variant

__all__ = ["DEFAULT_STYLES", "PAPERS", "ContentError", "Job", "LeafletgenError", "Monograph",
           "Patient", "Plan", "Problem", "Renderer", "UsageError", "Variant",
           "approval_problems", "assemble", "choose_variant", "errors_in", "figures_folder",
           "parse_patient", "plan", "render_html", "template_environment"]
