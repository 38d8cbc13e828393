"""Every leafletgen module ``leafletgen serve`` uses besides the public API, in one place.

The package's internal layout changes; when a module moves, only these imports change. Only
public names: the server makes its documents through the same service as the library.
"""

from __future__ import annotations

from leafletgen.catalogue.survey import status
from leafletgen.checks.plan import Plan, plan
from leafletgen.errors import ContentError, LeafletgenError, Problem, UsageError, errors_in
from leafletgen.model import DEFAULT_STYLES, PAPERS, Job, Monograph, Patient, Variant
from leafletgen.personal.service import Documents
from leafletgen.project import Project
from leafletgen.render.environment import TemplateFeatures
from leafletgen.render.html import render_html
from leafletgen.render.renderer import Renderer, figures_folder
from leafletgen.source.patient import parse_patient

__all__ = ["DEFAULT_STYLES", "PAPERS", "ContentError", "Documents", "Job", "LeafletgenError",
           "Monograph", "Patient", "Plan", "Problem", "Project", "Renderer", "TemplateFeatures",
           "UsageError", "Variant", "errors_in", "figures_folder", "parse_patient", "plan",
           "render_html", "status"]
