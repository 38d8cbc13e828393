"""``leafletgen messages`` (catalogues) and ``leafletgen translation`` (translation files)."""

from __future__ import annotations

from pathlib import Path

import click

from leafletgen.i18n._internal import Severity, display_path
from leafletgen.i18n.messages import compile_catalogues, extract, languages, update
from leafletgen.i18n.translation import (
    TranslatedMonograph,
    load_leaflet,
    section_hash,
    translation_of_yaml,
)

_styles = click.option("--styles", type=click.Path(path_type=Path, file_okay=False),
                       default=Path("styles"), show_default=True,
                       help="Folder with templates, variants and locale/.")


@click.group("messages")
def messages() -> None:
    """Message catalogues of the fixed strings (styles/locale/, gettext via Babel).

    \b
    leafletgen messages extract          templates, variants, sections.yaml -> leafletgen.pot
    leafletgen messages update [LANG..]  the .pot into each catalogue (a new LANG starts one)
    leafletgen messages compile          check every catalogue compiles; .mo files to -o DIR

    \b
    Example (from the repository root; `make translations` runs all three):
      leafletgen messages extract && leafletgen messages update && leafletgen messages compile
    """


@messages.command("extract")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=Path("."),
              show_default=True, help="The repository root (with babel.cfg).")
@_styles
def extract_command(root: Path, styles: Path) -> None:
    """Write styles/locale/leafletgen.pot: every translatable string."""
    if not (root / "babel.cfg").is_file():
        raise click.UsageError(f"no babel.cfg in {root}; run this from the repository root")
    click.echo(f"wrote {display_path(extract(root, styles))}")


@messages.command("update")
@click.argument("langs", nargs=-1)
@_styles
def update_command(langs: tuple[str, ...], styles: Path) -> None:
    """Merge the .pot into the catalogues of LANGS (default: every existing catalogue)."""
    wanted = list(langs) or languages(styles)
    if not wanted:
        raise click.UsageError("no catalogues yet; name a language, e.g. 'update es'")
    for path in update(styles, wanted):
        click.echo(f"updated {display_path(path)}")


@messages.command("compile")
@_styles
@click.option("-o", "--out", type=click.Path(path_type=Path, file_okay=False),
              default=Path("build/locale"), show_default=True,
              help="Where to write <lang>/LC_MESSAGES/leafletgen.mo.")
def compile_command(styles: Path, out: Path) -> None:
    """Compile every catalogue to .mo (builds read the .po files; this checks them)."""
    for path in compile_catalogues(styles, out):
        click.echo(f"wrote {display_path(path)}")


@click.group("translation")
def translation() -> None:
    """Translations of monographs (leaflets/<slug>.<lang>.md): which sections are stale.

    \b
    Example:
      leafletgen translation status leaflets/baclofen.es.md leaflets/baclofen.ar.md
    """


@translation.command("status")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True,
                                                    dir_okay=False), required=True)
@click.pass_context
def status_command(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Say which sections of each translation are current, stale or missing, and print the
    translation_of block to paste once the translation matches its source again.

    \b
    Exit codes: 0 every section current, 1 something is stale, missing or wrong.
    """
    bad = False
    for path in paths:
        monograph, problems = load_leaflet(path)
        for problem in problems:
            click.echo(str(problem), err=True)
        bad = bad or any(p.severity in (Severity.ERROR, Severity.WARNING) for p in problems)
        if not isinstance(monograph, TranslatedMonograph):
            if monograph is not None:
                click.echo(f"{display_path(path)}: not a translation (no translation_of)",
                           err=True)
            bad = True
            continue
        source, of = monograph.source, monograph.translation_of
        assert source is not None and of is not None
        click.echo(f"{display_path(path)}: {monograph.language} translation of "
                   f"{display_path(source.path)} (translated from version {of.version}; "
                   f"the source is version {source.version})")
        ours = {s.id for s in monograph.sections}
        for section in source.sections:
            digest = section_hash(section)
            if not digest:
                continue
            if section.id not in ours:
                state = "missing"
            elif of.sections.get(section.id) == digest:
                state = "current"
            else:
                state = "stale" if section.id in of.sections else "no hash"
            click.echo(f"  {section.id:<24} {state}")
        click.echo("  once every section matches the source, its front matter says:")
        click.echo("\n".join("    " + line for line in
                             translation_of_yaml(source, ours).split("\n")))
    ctx.exit(1 if bad else 0)
