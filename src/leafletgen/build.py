"""Orchestration: find monographs, check everything first, then write one PDF per leaflet.

Like MkDocs, every input is read and checked before the first PDF is written; a file with
errors is skipped, every other file is still built.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem, Severity, UsageError, display_path, errors_in
from .files import sha256_bytes, write_atomic
from .fonts import FontSet, load_fonts
from .html import render_html
from .i18n import for_variant, load_leaflet, localised_sections
from .monograph import Monograph
from .safety import key_fact_problems, unknown_carrier_problems
from .variants import (
    LeafletSection,
    Variant,
    load_variants,
    reference_problems,
    select,
    unshown_text_problems,
)

if TYPE_CHECKING:
    from .catalogue import Progress, Shard

# pdf.py (WeasyPrint) and verify.py (pikepdf, PDFium) are imported where a leaflet is rendered:
# importing them takes most of a second, which a build with nothing to render should not pay.

log = logging.getLogger(__name__)

DEFAULT_SOURCES: tuple[Path, ...] = (Path("leaflets"),)
DEFAULT_OUT: Path = Path("out")
DEFAULT_STYLES: Path = Path("styles")
PAPERS = ("A4", "letter")


@dataclass(frozen=True)
class Job:
    """One leaflet to write: a monograph in one variant."""

    monograph: Monograph
    variant: Variant
    sections: tuple[LeafletSection, ...]

    @property
    def stem(self) -> str:
        return f"{self.monograph.slug}-{self.variant.name}"


@dataclass(frozen=True)
class Plan:
    """Everything checked, before anything is written."""

    jobs: tuple[Job, ...]
    problems: tuple[Problem, ...]
    files: tuple[Path, ...]
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class BuildResult:
    written: tuple[Path, ...]
    problems: tuple[Problem, ...] = field(default=())
    skipped: tuple[Path, ...] = field(default=())  # up to date (incremental builds only)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not errors_in(self.problems)


def find_monographs(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Monograph files named directly, or the ``*.md`` files in named folders.

    A path that does not exist, or a folder without monographs, is a problem: the files that
    were found are still returned, so the other leaflets are still built. A file in a named
    folder that is a link to a file outside that folder is refused (and never read): whoever
    can put a link there must not make leafletgen read, and quote, any file on the machine.
    """
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files = sorted(path.glob("*.md"))
            if not files:
                problems.append(Problem(path, 0, "no monograph files (*.md) in this folder; "
                                        "check the path"))
            folder = path.resolve()
            for file in files:
                if file.resolve().is_relative_to(folder):
                    found.append(file)
                else:
                    problems.append(Problem(file, 0, "this is a link to a file outside "
                                            f"{display_path(path)}, which is not read; put the "
                                            "monograph itself in the folder"))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(path, 0, "no such file or folder; check the path"))
    return list(dict.fromkeys(found)), problems


def plan(paths: Sequence[Path] = DEFAULT_SOURCES, styles: Path = DEFAULT_STYLES,
         variants: Sequence[str] | None = None) -> Plan:
    """Read and check every monograph and variant; list the leaflets that can be built."""
    all_variants, problems = load_variants(styles)
    if errors_in(problems):
        # a broken variant definition would make every leaflet wrong: stop here
        return Plan((), tuple(problems), (), ())
    chosen = _choose_variants(all_variants, variants)
    files, missing = find_monographs(paths)
    problems += missing
    jobs: list[Job] = []
    outputs: dict[str, Job] = {}
    for path in files:
        monograph, found = load_leaflet(path)  # a monograph, or a translation of one
        problems += found
        if monograph is None:
            continue
        file_jobs: list[Job] = []
        file_problems: list[Problem] = []
        for variant in chosen:
            if not for_variant(monograph, variant.audience):
                continue  # a translation has patient text only
            sections, missing = select(monograph, variant)
            sections = localised_sections(sections, monograph, variant, styles)
            file_problems += missing
            file_problems += key_fact_problems(monograph, variant, sections)
            file_problems += reference_problems(monograph, variant, sections)
            file_jobs.append(Job(monograph, variant, sections))
        file_problems += unknown_carrier_problems(monograph, all_variants)
        file_problems += unshown_text_problems(monograph, all_variants)
        file_problems += _clashes(file_jobs, outputs)
        problems += file_problems
        if not errors_in(file_problems):
            outputs.update((job.stem, job) for job in file_jobs)
            jobs += file_jobs
    return Plan(tuple(jobs), tuple(problems), tuple(files), tuple(chosen))


def _clashes(new: list[Job], outputs: dict[str, Job]) -> list[Problem]:
    """Two leaflets must never write the same file (slug and variant names can collide)."""
    problems = []
    for job in new:
        other = outputs.get(job.stem)
        if other is not None:
            problems.append(Problem(
                job.monograph.path, job.monograph.line_of("slug"),
                f"its {job.variant.name} leaflet would be written to {job.stem}.pdf, which "
                f"{display_path(other.monograph.path)} ({other.variant.name}) already writes; "
                "set a different 'slug:'"))
    return problems


def _choose_variants(available: dict[str, Variant],
                     wanted: Sequence[str] | None) -> list[Variant]:
    if not available:
        raise UsageError("no variants defined: add a YAML file to styles/variants/")
    if not wanted:
        return list(available.values())
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise UsageError(f"unknown variant {', '.join(unknown)}; available: "
                         + ", ".join(available))
    return [available[w] for w in dict.fromkeys(wanted)]


def check(paths: Sequence[Path] = DEFAULT_SOURCES, styles: Path = DEFAULT_STYLES,
          variants: Sequence[str] | None = None) -> tuple[Problem, ...]:
    """Every problem in the monographs and variants, without rendering anything."""
    from .gates import check_report  # the gates build on plan(), defined here

    return check_report(paths, styles, variants).problems


class Renderer:
    """Renders jobs to PDF bytes; holds what is shared across renders in one process."""

    def __init__(self, styles: Path, paper: str | None = None, archive: bool = False):
        check_paper(paper)
        self.styles = styles.resolve()
        self.paper = paper
        self.archive = archive
        self.fonts: FontSet = load_fonts(self.styles)

    def html(self, job: Job) -> str:
        return render_html(job.monograph, job.variant, job.sections, self.styles,
                           self.fonts, self.paper).html

    def pdf(self, html: str, job: Job | None = None) -> bytes:
        """PDF/UA-1; with ``archive``, PDF/A-3a with ``job``'s monograph file embedded."""
        from .pdf import ARCHIVE_VARIANT, AssetFetcher, SourceFile, render_pdf

        folders = (self.styles,) if job is None else (self.styles, figures_folder(job.monograph))
        fetcher = AssetFetcher(folders=folders, files=self.fonts.files)
        base_url = self.styles.as_uri() + "/"
        if self.archive and job is not None:
            source = SourceFile(job.monograph.path.name, job.monograph.path.read_bytes(),
                                job.monograph.last_revised)
            return render_pdf(html, base_url, fetcher, ARCHIVE_VARIANT, source).data
        return render_pdf(html, base_url=base_url, fetcher=fetcher).data


def figures_folder(monograph: Monograph) -> Path:
    """The only folder besides styles/ a leaflet may read files from: its figures."""
    return (monograph.path.parent / "figures").resolve()


def check_paper(paper: str | None) -> None:
    """Raise UsageError for a paper size leafletgen does not know."""
    if paper is not None and paper not in PAPERS:
        raise UsageError(f"unknown paper size {paper!r}; use one of: {', '.join(PAPERS)}")


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

    from .pdf import RenderError
    from .verify import verify_pdf

    target = out / f"{job.stem}.pdf"
    html_sha256 = None
    problems: list[Problem] = []
    try:
        page = renderer.html(job)
        data = renderer.pdf(page, job)
        if verify:
            problems += verify_pdf(data, job.variant, target, require_ua=True).problems
            if errors_in(problems):
                # a failing PDF is never written: say where in the monograph to look
                return None, [at_source(p, job, data) for p in problems]
        if html:
            # written only with its PDF: a leftover HTML would pass for a good leaflet's
            page_bytes = page.encode("utf-8")
            write_atomic(out / f"{job.stem}.html", page_bytes)
            html_sha256 = sha256_bytes(page_bytes)
        write_atomic(target, data)
    except RenderError as exc:
        return None, [Problem(job.monograph.path, 1, f"{job.variant.name} leaflet: {reason}")
                      for reason in exc.reasons]
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

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    starts: list[tuple[int, str]] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                number = reader.get_destination_page_number(item)
                if number is not None:
                    starts.append((number + 1, item.title))

    walk(reader.outline)
    ordered = sorted(starts, key=lambda s: s[0])
    on_page = []
    for i, (first, title) in enumerate(ordered):
        last = ordered[i + 1][0] if i + 1 < len(ordered) else len(reader.pages)
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


def build(paths: Sequence[Path] = DEFAULT_SOURCES, out: Path = DEFAULT_OUT,
          styles: Path = DEFAULT_STYLES, variants: Sequence[str] | None = None,
          html: bool = False, paper: str | None = None, archive: bool = False,
          verify: bool = True, *, jobs: int = 1, shard: Shard | None = None,
          incremental: bool = False, force: bool = False,
          on_progress: Callable[[Progress], None] | None = None) -> BuildResult:
    """Build ``OUT/<slug>-<variant>.pdf`` for every valid monograph in ``paths``.

    ``archive`` writes PDF/A-3a copies with the monograph embedded; ``verify`` checks each
    PDF (leafletgen.verify) before writing it, and a PDF that fails is not written.

    The catalogue options select the catalogue build (catalogue.py): ``jobs`` worker
    processes, one ``shard`` of the work, ``incremental`` (skip leaflets that OUT/manifest.json
    shows are current, and record what was built there; ``force`` renders them all anyway),
    and ``on_progress`` called after each leaflet. Without them nothing is cached or recorded.
    """
    if jobs != 1 or shard is not None or incremental or on_progress is not None:
        from .catalogue import build_catalogue

        return build_catalogue(paths, out, styles, variants, html, paper, archive, verify,
                               jobs=jobs, shard=shard, incremental=incremental, force=force,
                               on_progress=on_progress)
    the_plan = plan(paths, styles, variants)
    problems = list(the_plan.problems)
    if not the_plan.jobs:
        return BuildResult((), tuple(problems))
    renderer = Renderer(styles, paper, archive)
    written: list[Path] = []
    for job in the_plan.jobs:
        done, found = render_job(renderer, job, out, html, verify)
        problems += found
        if done is not None:
            written.append(done.pdf)
    return BuildResult(tuple(written), tuple(problems))
