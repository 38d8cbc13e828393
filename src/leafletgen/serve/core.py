"""Every leafletgen module ``leafletgen serve`` uses besides the public API, in one place.

The package's internal layout changes; when a module moves, only these imports change.
"""

from __future__ import annotations

from leafletgen.catalogue.survey import status
from leafletgen.checks.plan import Plan, plan
from leafletgen.errors import ContentError, LeafletgenError, Problem, UsageError, errors_in
from leafletgen.model import DEFAULT_STYLES, PAPERS, Job, Monograph, Patient, Variant
from leafletgen.personal.discharge import first_page

# What leafletgen.handout() and packet() do after reading the monographs: the render workers
# keep the monographs read and call these, so a request does not read and check them again.
from leafletgen.personal.packet import _approval_problems as approval_problems
from leafletgen.personal.packet import _assemble as assemble
from leafletgen.personal.packet import choose_variant
from leafletgen.render.html import environment as template_environment
from leafletgen.render.html import render_html
from leafletgen.render.renderer import Renderer, figures_folder
from leafletgen.source.patient import parse_patient
from leafletgen.verification.rules import verify_pdf

__all__ = ["DEFAULT_STYLES", "PAPERS", "ContentError", "Job", "LeafletgenError", "Monograph",
           "Patient", "Plan", "Problem", "Renderer", "UsageError", "Variant",
           "approval_problems", "assemble", "choose_variant", "errors_in", "figures_folder",
           "first_page",
           "parse_patient", "plan", "render_html", "status", "template_environment",
           "verify_pdf"]
