"""Command line: a thin layer over the library API.

Exit codes: 0 everything done; 1 a content problem (reported as path:line: message);
2 wrong use of the command (unknown option or variant, missing folder).
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import click

from leafletgen.errors import (
    ContentError,
    OutputError,
    Problem,
    UsageError,
    display_path,
    errors_in,
)
from leafletgen.exchange.commands import COMMANDS as EXCHANGE_COMMANDS
from leafletgen.model import (
    DEFAULT_OUT,
    DEFAULT_SOURCES,
    DEFAULT_STYLES,
    PAPERS,
    REVIEW_MAX_AGE_MONTHS,
    BuildOptions,
    Shard,
)
from leafletgen.serve.command import serve_command

if TYPE_CHECKING:
    from leafletgen.personal.packet import Attachment

# Each command imports the stages it runs when it runs: a command with little to do (a build
# with nothing to render, --help) does not pay for loading WeasyPrint, PDF and FHIR libraries.

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

_paths = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _project_styles(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """The folder given, else the project's: ./styles, else the styles leafletgen ships."""
    from leafletgen.project import Project

    return value if value is not None else Project.at().styles


_styles = click.option("--styles", type=click.Path(path_type=Path, file_okay=False),
                       default=None, callback=_project_styles,
                       show_default=f"{DEFAULT_STYLES}, else the shipped styles",
                       help="Folder with variants, templates and stylesheets.")


class _ShardType(click.ParamType):
    name = "K/N"

    def convert(self, value, param, ctx):
        if isinstance(value, Shard):
            return value
        try:
            return Shard.parse(value)
        except UsageError as exc:
            self.fail(str(exc), param, ctx)


_paper = click.option("--paper", type=click.Choice(PAPERS), default=None,
                      help="Paper size (default: the variant's).")
_variant = click.option("--variant", "variants", multiple=True, metavar="NAME",
                        help="Only this variant (repeatable). Default: every variant.")


class _LazyGroup(click.Group):
    """A group whose commands from ``lazy`` ("name": "module:attribute") are imported when
    they run (or help lists them): loading the translation stages costs a build nothing."""

    lazy: dict[str, str] = {
        # translations and message catalogues (src/leafletgen/i18n/cli.py)
        "messages": "leafletgen.i18n.cli:messages",
        "translation": "leafletgen.i18n.cli:translation",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            import importlib

            module, attribute = self.lazy[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="leafletgen", prog_name="leafletgen")
@click.option("--debug", is_flag=True, help="Show tracebacks and WeasyPrint's own messages.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Build printable medicine leaflets from monographs in leaflets/.

    \b
    Exit codes: 0 ok, 1 content problems, 2 usage errors.
    """
    ctx.obj = {"debug": debug}
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not debug:
        # WeasyPrint's errors are reported as build errors; its warnings are noise here.
        logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
        logging.getLogger("fontTools").setLevel(logging.ERROR)


@cli.command("build")
@_paths
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_OUT, show_default=True, help="Folder for the PDFs.")
@_variant
@_styles
@click.option("--html", "write_html", is_flag=True,
              help="Also write OUT/<slug>-<variant>.html, to debug templates and CSS.")
@_paper
@click.option("--archive", is_flag=True,
              help="Write archival PDF/A-3a (also PDF/UA-1) with the monograph embedded.")
@click.option("--verify/--no-verify", "run_verify", default=True, show_default=True,
              help="Check each PDF as `leafletgen verify` does; a failing PDF is not written.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes  [default: one per processor]")
@click.option("--shard", type=_ShardType(), default=None,
              help="Build only part K of N of the PDFs (a stable split, for CI matrices).")
@click.option("--check", "check_only", is_flag=True,
              help="Render nothing; list the PDFs that are missing or stale and exit 1 "
                   "if there are any.")
@click.option("--force", is_flag=True, help="Render every PDF, even those that are current.")
@click.pass_context
def build_command(ctx: click.Context, paths: tuple[Path, ...], out: Path,
                  variants: tuple[str, ...], styles: Path, write_html: bool,
                  paper: str | None, archive: bool, run_verify: bool, jobs: int | None,
                  shard: Shard | None, check_only: bool, force: bool) -> None:
    """Render each monograph in every variant to OUT/<slug>-<variant>.pdf.

    PATHS are monograph files or folders of them (default: leaflets/). Only PDFs whose
    inputs changed since OUT/manifest.json recorded them are rendered.

    \b
    Examples:
      leafletgen build leaflets/baclofen.md --variant patient -o out
      leafletgen build --archive -o archive     # PDF/A-3a copies for the records
      leafletgen build -j 4 --shard 2/3         # CI job 2 of 3
      leafletgen build --check                  # exit 1 when out/ is not current
    """
    from leafletgen.catalogue.build import build
    from leafletgen.catalogue.progress import ProgressDisplay, summary_table
    from leafletgen.catalogue.workers import default_workers

    paths = paths or DEFAULT_SOURCES
    options = _run(ctx, lambda: BuildOptions(
        paper=paper, archive=archive, verify=run_verify, html=write_html,
        workers=jobs or default_workers(), shard=shard, incremental=True, force=force))
    if check_only:
        from leafletgen.catalogue.survey import status

        found = _run(ctx, lambda: status(paths, out, styles, variants or None, options))
        _report(found.problems)
        for leaflet in found.stale:
            click.echo(f"stale {display_path(leaflet.pdf)}: {leaflet.reason}")
        if found.stale:
            click.echo(f"{len(found.stale)} of {len(found.leaflets)} PDF(s) missing or stale")
        else:
            broken = " of the valid monographs" if errors_in(found.problems) else ""
            click.echo(f"all {len(found.leaflets)} PDF(s){broken} are current")
        ctx.exit(EXIT_OK if found.current else EXIT_PROBLEMS)
    display = ProgressDisplay()
    try:
        result = _run(ctx, lambda: build(paths, out, styles, variants or None,
                                         on_progress=display, options=options))
    finally:
        display.close()
    _report(result.problems)
    click.echo(summary_table(result))
    ctx.exit(EXIT_PROBLEMS if errors_in(result.problems) else EXIT_OK)


@cli.command("check")
@_paths
@_variant
@_styles
@click.option("--strict", is_flag=True,
              help="Treat every warning as an error (exit 1), as CI does.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="A table for people, or JSON for machines.")
@click.option("--review-max-age", "review_max_age", type=click.IntRange(min=1),
              default=REVIEW_MAX_AGE_MONTHS, show_default=True, metavar="MONTHS",
              help="Warn when an approval is older than this.")
@click.option("-q", "--quiet", is_flag=True,
              help="One line per monograph instead of the grade tables; problems as usual.")
@click.pass_context
def check_command(ctx: click.Context, paths: tuple[Path, ...], variants: tuple[str, ...],
                  styles: Path, strict: bool, output_format: str, review_max_age: int,
                  quiet: bool) -> None:
    """Validate monographs and variants, and run the plain-language and safety checks.

    Prints, for each monograph and variant, the reading grade and word count of each
    section and of the whole leaflet, with the hardest sentences of text over the
    variant's limit. Warns about grades over the limit, medical terms without their plain
    meaning and overdue reviews; a key safety fact missing from a leaflet is an error.
    Nothing is rendered.

    \b
    Example:
      leafletgen check --strict leaflets/
      leafletgen check --quiet leaflets/
      leafletgen check --format json > check.json
    """
    from leafletgen.checks.gates import check_report
    from leafletgen.checks.report import as_json, as_lines, as_text, summary

    report = _run(ctx, lambda: check_report(paths or (Path("leaflets"),), styles,
                                            variants or None, strict=strict,
                                            review_max_age_months=review_max_age))
    if output_format == "json":
        click.echo(as_json(report))
    else:
        table = as_lines(report) if quiet else as_text(report)
        if table:
            click.echo(table)
        for problem in report.problems:
            click.echo(str(problem), err=True)
        click.echo(summary(report), err=not report.ok)
    ctx.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


_patient_variant = click.option(
    "--variant", default=None, metavar="NAME",
    help="Patient variant, e.g. a large-print one (default: the patient file's "
         "'variant:', else patient).")
_output = click.option("-o", "--out", required=True,
                       type=click.Path(path_type=Path, dir_okay=False),
                       help="The PDF to write (readable by you only).")


def _attachments(first: bool):
    def convert(ctx: click.Context, param: click.Parameter,
                values: tuple[str, ...]) -> list[Attachment]:
        from leafletgen.personal.attachments import Attachment

        found = []
        for value in values:
            path, _, title = (value, "", "") if Path(value).is_file() else value.rpartition("=")
            if not path or not Path(path).is_file():
                raise click.BadParameter(f"no such PDF file: {path or value} "
                                         "(give PDF or PDF=TITLE)", ctx, param)
            found.append(Attachment(Path(path), title or None, first))
        return found
    return convert


_language = click.option(
    "--language", default=None, metavar="TAG",
    help="Print the leaflets' translations into this language (es, ar, ...); default: the "
         "patient file's 'language:', else as written.")
_draft = click.option("--draft", is_flag=True,
                      help="Allow draft monographs, for proofing: every page says DRAFT — not "
                           "for patient use.")


@cli.command("packet")
@click.option("--patient", "patient_file", required=True,
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The patient file (see examples/patient.yaml).")
@_output
@_patient_variant
@click.option("--attach", multiple=True, metavar="PDF[=TITLE]", callback=_attachments(False),
              help="Add a PDF after the leaflets, bookmarked by TITLE or its file name "
                   "(repeatable).")
@click.option("--attach-first", multiple=True, metavar="PDF[=TITLE]",
              callback=_attachments(True), help="Add a PDF before the cover page (repeatable).")
@click.option("--leaflets", type=click.Path(path_type=Path, file_okay=False, exists=True),
              default=Path("leaflets"), show_default=True, help="Folder of monographs.")
@_styles
@_paper
@_draft
@_language
@click.option("--allergy-decision", "allergy_decisions", multiple=True, metavar="MEDICINE",
              help="The prescriber decided to give MEDICINE (its monograph slug or name) "
                   "despite a recorded allergy; printed on the first page (repeatable).")
@click.option("--full", is_flag=True,
              help="Full leaflets instead of each medicine's counselling summary.")
@click.pass_context
def packet_command(ctx: click.Context, patient_file: Path, out: Path, variant: str | None,
                   attach: list[Attachment], attach_first: list[Attachment], leaflets: Path,
                   styles: Path, paper: str | None, draft: bool, language: str | None,
                   allergy_decisions: tuple[str, ...], full: bool) -> None:
    """Write one patient's discharge packet: "My medicines", then a leaflet per medicine.

    The patient file is YAML (examples/patient.yaml) or a FHIR record (JSON: an IPS
    document Bundle, or a Bundle of MedicationRequest with its Patient). The first page
    has the schedule, changes, allergies and what to check; each leaflet starts with the
    patient's own directions. A medicine that matches a recorded allergy stops the packet
    unless --allergy-decision names it. Nothing is written when the patient file has a
    problem; messages name the field and line, never the patient's data.

    \b
    Example:
      leafletgen packet --patient examples/patient.yaml -o /tmp/discharge.pdf
      leafletgen packet --patient examples/fhir/discharge-bundle.json -o /tmp/d.pdf
    """
    from leafletgen.personal.privacy import write_private
    from leafletgen.personal.service import packet

    notices: list[Problem] = []
    _run(ctx, private=True, action=lambda: write_private(out, packet(
        patient_file, leaflets=leaflets, styles=styles, variant=variant,
        attach=[*attach_first, *attach], paper=paper, draft=draft, language=language,
        allergy_decisions=allergy_decisions, full=full, notices=notices)))
    for notice in notices:  # a medicine with no monograph: on the schedule, said so
        click.echo(str(notice), err=True)
    click.echo("wrote the packet (readable by you only)")  # not its path: it may name the patient


@cli.command("handout")
@click.argument("monograph", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--patient", "--for", "patient_file", required=True,
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The patient file; it must list this medicine with its directions.")
@_output
@_patient_variant
@_styles
@_paper
@_draft
@_language
@click.pass_context
def handout_command(ctx: click.Context, monograph: Path, patient_file: Path, out: Path,
                    variant: str | None, styles: Path, paper: str | None, draft: bool,
                    language: str | None) -> None:
    """Write one medicine's leaflet personalised for one patient.

    The leaflet starts with a box: who it is for and their own directions.

    \b
    Example:
      leafletgen handout leaflets/baclofen.md --for examples/patient.yaml -o /tmp/baclofen.pdf
    """
    from leafletgen.personal.privacy import write_private
    from leafletgen.personal.service import handout

    _run(ctx, private=True, action=lambda: write_private(out, handout(
        monograph, patient_file, styles=styles, variant=variant, paper=paper, draft=draft,
        language=language)))
    click.echo("wrote the handout (readable by you only)")  # not its path: it may name the patient


@cli.command("verify")
@click.argument("pdfs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--variant", metavar="NAME", default=None,
              help="Check type sizes against this variant (default: the one the PDF names).")
@_styles
@click.pass_context
def verify_command(ctx: click.Context, pdfs: tuple[Path, ...], variant: str | None,
                   styles: Path) -> None:
    """Check PDFs: fonts embedded, tags, language and title, type size, PDF/UA-1, PDF/A.

    PDFS are PDF files or folders of them (default: out/). Each problem names the file,
    the rule and what to change; the exit code is 1 if any PDF fails.

    \b
    Example:
      leafletgen verify out/baclofen-patient-large.pdf
    """
    from leafletgen.verification.verify import verify

    reports, problems = _run(ctx, lambda: verify(pdfs or (DEFAULT_OUT,), styles, variant))
    _report(problems)
    failed = 0
    for report in reports:
        for problem in report.problems:  # a PDF that passes may have warnings
            click.echo(str(problem), err=True)
        if report.ok:
            click.echo(f"ok {display_path(report.path)} ({report.summary()})")
        else:
            failed += 1
    if failed:
        click.echo(f"{failed} of {len(reports)} PDF(s) failed verification", err=True)
    ctx.exit(EXIT_PROBLEMS if failed or errors_in(problems) else EXIT_OK)


@cli.command("migrate")
@_paths
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.pass_context
def migrate_command(ctx: click.Context, paths: tuple[Path, ...], dry_run: bool) -> None:
    """Rewrite monographs in the current format version, saying what changed.

    PATHS are monograph files or folders (default: leaflets/).

    \b
    Example:
      leafletgen migrate --dry-run
    """
    from leafletgen.checks.plan import find_monographs
    from leafletgen.model import DEFAULT_SOURCES
    from leafletgen.source.migrate import migrate_file

    files, problems = find_monographs(paths or DEFAULT_SOURCES)
    for path in files:
        migration, found = migrate_file(path, write=not dry_run)
        problems += found
        if migration is None:
            continue
        verb = "would change" if dry_run else "changed"
        for change in migration.changes:
            click.echo(f"{verb} {display_path(path)}: {change}")
        if not migration.changes:
            click.echo(f"current {display_path(path)}")
    _report(problems, "those files were not changed")
    ctx.exit(EXIT_PROBLEMS if errors_in(problems) else EXIT_OK)


@cli.command("preview")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False),
              default=Path("out/preview"), show_default=True,
              help="Folder for the page images and contact sheets.")
@click.option("--dpi", type=click.IntRange(min=10, max=600), default=96, show_default=True,
              help="Resolution of the page images.")
@click.pass_context
def preview_command(ctx: click.Context, paths: tuple[Path, ...], out: Path, dpi: int) -> None:
    """Write page images of PDFs, and a contact sheet per monograph.

    PATHS are PDF files or folders of them (default: out/). Each PDF's pages go to
    OUT/<name>/page-1.png, ...; each monograph's variants, side by side with a row per page,
    to OUT/<slug>-sheet.png. The same PDF always gives the same images.

    \b
    Example:
      leafletgen preview                     # every PDF in out/ -> out/preview/
      leafletgen preview out/baclofen-patient.pdf -o /tmp/pages --dpi 150
    """
    from leafletgen.pages.preview import preview

    result = _run(ctx, lambda: preview(paths or (DEFAULT_OUT,), out, dpi))
    for images in result.pages.values():
        if len(images) == 1:
            click.echo(f"wrote {display_path(images[0])}")
        elif images:
            click.echo(f"wrote {display_path(images[0].parent)}/page-{{1..{len(images)}}}.png")
    for sheet in result.sheets:
        click.echo(f"wrote {display_path(sheet)}")
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.problems:
        ctx.exit(EXIT_PROBLEMS)


@cli.command("diff")
@click.argument("pdfs", nargs=-1, type=click.Path(path_type=Path), metavar="[OLD] [NEW]")
@click.option("--against", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Compare with the PDFs in this folder (the old side); NEW defaults to out/.")
@click.option("-o", "--out", "report", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Write the HTML report here (one file, images included).")
@click.option("--dpi", type=click.IntRange(min=10, max=600), default=72, show_default=True,
              help="Resolution the pages are compared and shown at.")
@click.option("--threshold", type=click.IntRange(min=0, max=254), default=32,
              show_default=True,
              help="A pixel has changed when a colour channel differs by more than this.")
@click.pass_context
def diff_command(ctx: click.Context, pdfs: tuple[Path, ...], against: Path | None,
                 report: Path | None, dpi: int, threshold: int) -> None:
    """Show what changed between two PDFs or two folders of PDFs, page by page.

    OLD and NEW are two PDFs, or two folders whose PDFs are matched by file name. With
    --against DIR, DIR is the old side and NEW (default: out/) the new one. Prints a line
    per changed leaflet; -o writes a report with each changed page's old and new image, a
    difference overlay and the text diff. Exit codes: 0 no change, 1 changes, 2 wrong use.

    \b
    Examples:
      leafletgen diff old/baclofen-patient.pdf out/baclofen-patient.pdf
      leafletgen diff --against /tmp/ref-pdfs -o /tmp/diff.html
    """
    from leafletgen.pages.visualdiff import describe, diff, report_html, verdict, write_report

    if against is not None:
        if len(pdfs) > 1:
            raise click.UsageError("with --against, give at most one NEW file or folder")
        old, new = against, (pdfs[0] if pdfs else DEFAULT_OUT)
    elif len(pdfs) == 2:
        old, new = pdfs
    else:
        raise click.UsageError("give OLD and NEW, or --against DIR")
    if not old.exists() and against is not None:
        click.echo(f"leafletgen: {against}: no such folder (to compare with a git ref, build "
                   "its leaflets into a folder first: see README, Seeing the pages)", err=True)
        ctx.exit(EXIT_USAGE)
    result = _run(ctx, lambda: diff(old, new, dpi, threshold))
    for leaflet in result.leaflets:
        if leaflet.status != "same":
            click.echo(describe(leaflet))
    if report is not None:
        _run(ctx, lambda: write_report(report, report_html(result)))
        click.echo(f"wrote {display_path(report)}")
    click.echo(verdict(result))
    ctx.exit(EXIT_PROBLEMS if result.changed else EXIT_OK)


@cli.command("merge")
@click.argument("shards", nargs=-1, required=True,
                type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_OUT, show_default=True, help="The folder to merge into.")
@click.pass_context
def merge_command(ctx: click.Context, shards: tuple[Path, ...], out: Path) -> None:
    """Merge the output folders of sharded builds into one.

    Each SHARD is a folder written by 'leafletgen build --shard K/N -o SHARD'. Every leaflet
    its manifest records is copied into OUT and the manifests are merged: the result is
    what one machine would have built ('leafletgen build --check' on it is clean).

    \b
    Example:
      leafletgen merge part-1 part-2 part-3 -o out
    """
    from leafletgen.catalogue.merge import merge

    result = _run(ctx, lambda: merge(shards, out))
    click.echo(f"merged {len(result.copied)} file(s) from {len(shards)} shard(s) into "
               f"{display_path(out)}")
    _report(result.problems, "those files were not merged")
    ctx.exit(EXIT_PROBLEMS if errors_in(result.problems) else EXIT_OK)




def _run(ctx: click.Context, action, private: bool = False):
    """Call the library; turn its errors into messages and exit codes.

    ``private`` (patient data): nothing is written on failure, and an unexpected error shows
    its type, never its message, which may hold patient data.
    """
    try:
        return action()
    except UsageError as exc:
        click.echo(f"leafletgen: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
    except ContentError as exc:
        _report(exc.problems, *(("nothing was written",) if private else ()))
        ctx.exit(EXIT_PROBLEMS)
    except OutputError as exc:
        click.echo(f"leafletgen: {exc}; nothing was written", err=True)
        ctx.exit(EXIT_PROBLEMS)
    except Exception as exc:
        if ctx.obj["debug"]:
            raise
        if private:
            click.echo(f"leafletgen: internal error ({type(exc).__name__}); its message is not "
                       "shown as it may hold patient data (--debug shows it)", err=True)
        else:
            click.echo("leafletgen: internal error: " + traceback.format_exc(limit=0).strip()
                       + "\n(run again with --debug for the full traceback)", err=True)
        ctx.exit(EXIT_PROBLEMS)


def _report(problems: tuple[Problem, ...] | list[Problem],
            outcome: str = "files with errors were not built") -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    errors = len(errors_in(problems))
    if errors:
        click.echo(f"{errors} error(s); {outcome}", err=True)


for _command in EXCHANGE_COMMANDS:  # import spl, import fhir, export fhir
    cli.add_command(_command)
cli.add_command(serve_command)  # leafletgen serve


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``leafletgen`` command."""
    try:
        # without standalone mode click returns ctx.exit()'s code instead of exiting
        code = cli.main(args=argv, prog_name="leafletgen", standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.Abort:
        click.echo("aborted", err=True)
        return 130
    return code if isinstance(code, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
