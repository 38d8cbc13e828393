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
from leafletgen.source.variants import load_variants
from leafletgen.source.yamlsource import load_schema

__all__ = ["ContentError", "DEFAULT_STYLES", "Documents", "Job", "LeafletgenError", "Monograph",
           "PAPERS", "Patient", "Plan", "Problem", "Project", "Renderer", "TemplateFeatures",
           "UsageError", "Variant", "errors_in", "figures_folder", "load_schema",
           "load_variants", "parse_patient", "plan", "render_html", "status"]
