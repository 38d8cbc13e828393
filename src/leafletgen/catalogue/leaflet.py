"""One leaflet of a build: rendered, verified, and written only when it passes.

A failing leaflet is a list of problems, never an exception, located in its monograph
(``at_source``) or its template, so the other leaflets are still built.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from leafletgen.errors import Problem, Severity, display_path, errors_in
from leafletgen.files import sha256_bytes, write_atomic
from leafletgen.model import Job

if TYPE_CHECKING:
    from leafletgen.render.renderer import Renderer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Written:
    """What rendering one job wrote, with content hashes."""

    pdf: Path
    pdf_sha256: str
    html_sha256: str | None = None


def render_job(renderer: Renderer, job: Job, out: Path, html: bool = False,
               verify: bool = True) -> tuple[Written | None, list[Problem]]:
    """Write ``OUT/<stem>.pdf`` (and the HTML when asked); problems instead when it fails.

    With ``verify`` the PDF is checked first (leafletgen.verify): one that fails is not
    written.
    """
    import jinja2

    from leafletgen.verification.checked import checked_pdf

    target = out / f"{job.stem}.pdf"
    html_sha256 = None
    try:
        checked = checked_pdf(renderer, job, target, verify)
        if checked.data is None:
            return None, list(checked.problems)
        problems = list(checked.problems)
        if errors_in(problems):
            # a failing PDF is never written: say where in the monograph to look
            return None, [at_source(p, job, checked.data) for p in problems]
        if html:
            # written only with its PDF: a leftover HTML would pass for a good leaflet's
            page_bytes = checked.html.encode("utf-8")
            write_atomic(out / f"{job.stem}.html", page_bytes)
            html_sha256 = sha256_bytes(page_bytes)
        data = checked.data
        write_atomic(target, data)
    except jinja2.TemplateError as exc:
        return None, [_template_problem(renderer.styles, job, exc)]
    except OSError as exc:
        return None, [Problem(target, 0, f"cannot write the file: {exc.strerror or exc}; "
                              "check the output folder (-o) and its permissions")]
    log.info("wrote %s", target)
    return Written(target, sha256_bytes(data), html_sha256), problems


_PAGE = re.compile(r"\bpage (\d+)\b")
# What an author can change when a PDF/UA rule fails (rule id prefix -> advice).
_UA_ADVICE = {
    "PDFUA1-LI": "a list item holds something a tagged list cannot; simplify the list "
                 "(one paragraph per item, no table inside an item)",
    "PDFUA1-NOTDEF": "a character is not in the leaflet fonts; run 'leafletgen check' to find it",
    "PDFUA1-FONT": "a character is not in the leaflet fonts; run 'leafletgen check' to find it",
    "PDFUA1-TABLE": "a table has rows of different lengths or no header row; give every row "
                    "the header's number of cells",
    "PDFUA1-FIGURE": "a figure has no alt text; describe it inside ![...]",
}


def at_source(problem: Problem, job: Job, data: bytes) -> Problem:
    """A verification problem of a leaflet, located in its monograph.

    Problems that name a page are placed at the section printed on that page (from the
    PDF's outline); the others at the monograph's first line. The message names the leaflet
    and, for PDF/UA rules, what to change.
    """
    if problem.severity is not Severity.ERROR or not problem.message.startswith(
            ("layout:", "pdf/ua: PDF/UA-1 rule")):
        return problem  # the type size and the PDF's claims are the stylesheets' business
    message = problem.message
    line = 1
    page = _PAGE.search(message)
    if page:
        quoted = re.findall(r'"([^"]+)"', message)
        line = _section_line_on_page(job, data, int(page[1]), quoted)
    if message.startswith("pdf/ua:"):
        advice = next((a for prefix, a in _UA_ADVICE.items() if prefix in message), None)
        message += f"; {advice}" if advice else ("; build with --html and look at the "
                                                 "construct this rule names")
    return Problem(job.monograph.path, line, f"{job.variant.name} leaflet "
                   f"({display_path(problem.path)}): {message}")


def _section_line_on_page(job: Job, data: bytes, page: int, quoted: list[str]) -> int:
    """The monograph line of the section printed on ``page`` (1-based) that holds the
    ``quoted`` words, else of the first section printed on that page."""
    import io

    import pikepdf

    starts: list[tuple[int, str]] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        numbers = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        pages = len(pdf.pages)
        with pdf.open_outline() as outline:
            items = list(outline.root)
            while items:
                item = items.pop(0)
                items = list(item.children) + items
                target = item.destination
                if isinstance(target, pikepdf.Array) and len(target):
                    number = numbers.get(target[0].objgen)
                    if number is not None:
                        starts.append((number + 1, item.title))
    ordered = sorted(starts, key=lambda s: s[0])
    on_page = []
    for i, (first, title) in enumerate(ordered):
        last = ordered[i + 1][0] if i + 1 < len(ordered) else pages
        shown = next((s for s in job.sections if s.heading in title), None)
        if shown is not None and first <= page <= last:
            on_page.append(shown)
    for shown in on_page:
        text = " ".join(b.text for b in shown.blocks)
        if quoted and all(word in text for word in quoted):
            return _line_of(job, shown.id)
    if quoted or not on_page:
        return 1  # not the sections' text: the title block, from the front matter
    return _line_of(job, on_page[0].id)


def _line_of(job: Job, section_id: str) -> int:
    found = job.monograph.section(section_id)
    return found.line if found is not None else 1


def _template_problem(styles: Path, job: Job, exc: Exception) -> Problem:
    """A template error, reported against the leaflet it stopped and located in the template
    (Jinja knows the template's file and line)."""
    import jinja2

    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if line is None:
        # errors raised while rendering (an undefined name) carry the line in the traceback
        frames = [f for f in _traceback_frames(exc) if f.filename.endswith(".j2")]
        if frames:
            name, line = frames[-1].filename, frames[-1].lineno
    where = Path(name) if name else styles / "templates" / job.variant.template
    if not where.is_absolute():
        where = styles / "templates" / where
    kind = "undefined name" if isinstance(exc, jinja2.UndefinedError) else "template error"
    at = f"{display_path(where)}:{line}" if line else display_path(where)
    return Problem(job.monograph.path, 0, f"{job.variant.name} leaflet: {kind} at {at}: {exc}; "
                   "fix the template (this leaflet was not built)")


def _traceback_frames(exc: BaseException):
    import traceback

    return traceback.extract_tb(exc.__traceback__)
