"""One leaflet rendered and verified: the step the catalogue's workers and the server's share.

A leaflet that fails is a list of problems, never an exception, so the caller decides what to
do with it (a build reports it at its monograph's line and goes on; a server answers 4xx/5xx).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from leafletgen.errors import Problem, errors_in
from leafletgen.model import Job
from leafletgen.render.renderer import Renderer


@dataclass(frozen=True)
class CheckedPdf:
    """A rendered leaflet: its HTML, its PDF bytes (None when rendering failed) and what
    verification (when asked for) found."""

    html: str
    data: bytes | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.data is not None and not errors_in(self.problems)


def checked_pdf(renderer: Renderer, job: Job, where: Path, verify: bool = True) -> CheckedPdf:
    """``job`` rendered to PDF and, with ``verify``, checked as ``leafletgen verify`` checks
    it (PDF/UA required); ``where`` names the PDF in problems. Template errors are raised
    (jinja2.TemplateError): the caller knows where its templates are."""
    from leafletgen.render.pdf import RenderError
    from leafletgen.verification.report import VerifyOptions
    from leafletgen.verification.verify import verify_pdf

    page = renderer.html(job)
    try:
        # measured as WeasyPrint lays it out, for the layout rules: no second read of the PDF
        rendered = renderer.rendered(page, job, measure=verify)
    except RenderError as exc:
        return CheckedPdf(page, None, tuple(
            Problem(job.monograph.path, 1, f"{job.variant.name} leaflet: {reason}")
            for reason in exc.reasons))
    if not verify:
        return CheckedPdf(page, rendered.data, ())
    report = verify_pdf(rendered.data, VerifyOptions.leaflet(job.variant, where),
                        rendered.layout)
    return CheckedPdf(page, rendered.data, tuple(report.problems))
