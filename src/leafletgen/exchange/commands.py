"""``leafletgen import spl``, ``leafletgen import fhir`` and ``leafletgen export fhir``."""

from __future__ import annotations

import traceback
from pathlib import Path

import click

from leafletgen.errors import ContentError, OutputError, UsageError, display_path

# The readers and writers (lxml, the FHIR models) are imported when a command runs: importing
# them takes half a second that every other leafletgen command would pay.

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _run(ctx: click.Context, action):
    """Call the library; print its errors as path:line messages with the right exit code."""
    try:
        return action()
    except UsageError as exc:
        click.echo(f"leafletgen: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("nothing was written", err=True)
        ctx.exit(EXIT_PROBLEMS)
    except OutputError as exc:
        click.echo(f"leafletgen: {exc}; nothing was written", err=True)
        ctx.exit(EXIT_PROBLEMS)
    except Exception:
        if (ctx.find_root().obj or {}).get("debug"):
            raise
        click.echo("leafletgen: internal error: " + traceback.format_exc(limit=0).strip()
                   + "\n(run again with --debug for the full traceback)", err=True)
        ctx.exit(EXIT_PROBLEMS)


@click.group("import")
def import_group() -> None:
    """Start draft monographs from regulatory labels (FDA SPL) or FHIR ePI Bundles.

    \b
    Examples:
      leafletgen import spl humira.xml -o leaflets
      leafletgen import fhir epi/baclofen-patient.epi.json epi/baclofen-clinician.epi.json
    """


@import_group.command("spl")
@click.argument("label", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("leaflets"), show_default=True,
              help="Folder for the monograph.")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The older version of the label, to show what changed in the label itself.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the import report to this file.")
@click.option("--highlights-only", is_flag=True,
              help="Clinician text from the label's Highlights only, where it has them "
                   "(a short summary); default: the Highlights, then the full text.")
@click.option("--styles", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of variants to check the draft against (default: styles).")
@click.pass_context
def import_spl_command(ctx: click.Context, label: Path, out: Path, previous: Path | None,
                       report_path: Path | None, highlights_only: bool,
                       styles: Path | None) -> None:
    """Write a draft monograph OUT/<name>.md from an FDA SPL label (DailyMed XML).

    The report says where every section of the label went, what was left out and why,
    which sections are still to be written, and which patient sections read above the
    grade limit. A monograph of the same label in OUT is never overwritten: the report
    shows what changed, section by section.

    \b
    Examples:
      leafletgen import spl humira.xml -o leaflets
      leafletgen import spl humira-2024.xml --previous humira-2013.xml -o leaflets
    """
    from leafletgen.exchange.api import import_spl
    from leafletgen.exchange.report import as_text

    report = _run(ctx, lambda: import_spl(label, out, previous, styles, highlights_only))
    text = as_text(report)
    click.echo(text, nl=False)
    if report_path is not None:
        _run(ctx, lambda: _write(report_path, text))


@import_group.command("fhir")
@click.argument("bundles", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("leaflets"), show_default=True, help="Folder for the monograph.")
@click.pass_context
def import_fhir_command(ctx: click.Context, bundles: tuple[Path, ...], out: Path) -> None:
    """Write a draft monograph from the ePI Bundles of one medicine (one per audience).

    \b
    Example:
      leafletgen import fhir epi/baclofen-patient.epi.json epi/baclofen-clinician.epi.json
    """
    from leafletgen.exchange.api import import_fhir

    imported = _run(ctx, lambda: import_fhir(bundles))
    target = out / f"{imported.slug}.md"
    if target.exists():
        click.echo(f"leafletgen: {display_path(target)} exists and is not overwritten; "
                   "import into another folder (-o) and compare", err=True)
        ctx.exit(EXIT_PROBLEMS)
    for name, data in imported.figures:
        if not (out / name).exists():
            _run(ctx, lambda n=name, d=data: _write_bytes(out / n, d, inside=out))
    _run(ctx, lambda: _write(target, imported.text, inside=out))
    click.echo(f"wrote {display_path(target)} (status: draft)")


@click.group("export")
def export_group() -> None:
    """Give monographs out in exchange formats (HL7 FHIR ePI).

    \b
    Example:
      leafletgen export fhir leaflets -o /tmp/epi
    """


@export_group.command("fhir")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/epi"), show_default=True, help="Folder for the Bundles.")
@click.pass_context
def export_fhir_command(ctx: click.Context, paths: tuple[Path, ...], out: Path) -> None:
    """Write each monograph as HL7 FHIR R5 ePI Bundles: OUT/<slug>-<audience>.epi.json.

    PATHS are monograph files or folders of them (default: leaflets/). Each Bundle is
    validated against the FHIR R5 models before it is written.

    \b
    Example:
      leafletgen export fhir leaflets/baclofen.md -o /tmp/epi
    """
    from leafletgen.exchange.api import export_fhir
    from leafletgen.i18n.translation import is_translation_file

    files: list[Path] = []
    for path in paths or (Path("leaflets"),):
        if path.is_dir():
            files += sorted(path.glob("*.md"))
        elif path.is_file():
            files.append(path)
        else:
            click.echo(f"{display_path(path)}: no such file or folder; check the path", err=True)
            ctx.exit(EXIT_USAGE)
    failed = 0
    for file in files:
        if is_translation_file(file):
            # a translation is patient text only, printed from its own leaflets (i18n)
            click.echo(f"{display_path(file)}: a translation, not exported", err=True)
            continue
        try:
            exported = export_fhir(file)
        except ContentError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            failed += 1
            continue
        for bundle in exported:
            _run(ctx, lambda b=bundle: _write(out / b.filename, b.json()))
            click.echo(f"wrote {display_path(out / bundle.filename)}")
            for note in bundle.notes:  # what the Bundle carries differently from the leaflets
                click.echo(f"note: {note}", err=True)
    if failed:
        click.echo(f"{failed} monograph(s) with errors were not exported", err=True)
        ctx.exit(EXIT_PROBLEMS)


def _write(path: Path, text: str, inside: Path | None = None) -> None:
    _write_bytes(path, text.encode("utf-8"), inside)


def _write_bytes(path: Path, data: bytes, inside: Path | None = None) -> None:
    """Write ``path`` whole or not at all; with ``inside``, never through a symbolic link
    out of that folder (a dangling link named like the output would send it anywhere)."""
    from leafletgen.files import link_out_of, write_atomic

    why = link_out_of(path, inside) if inside is not None and path.parent.exists() else None
    if why is not None:
        raise OutputError(f"cannot write {display_path(path)}: {why}")
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {display_path(path)}: {exc.strerror}") from exc


COMMANDS = (import_group, export_group)
