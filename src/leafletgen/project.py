"""Where a project's files are: its monographs, its styles and its output folder.

A ``Project`` is found once at each entry point (a command, a library call, a server's
start) and handed to the stages, so no stage guesses a folder of its own. A project folder
holds ``leaflets/`` and usually ``styles/``; without ``styles/`` it uses the styles leafletgen
ships (package data of an installed wheel, the repository's ``styles/`` in a checkout).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LEAFLETS = "leaflets"
STYLES = "styles"
OUT = "out"
# where a wheel carries the shipped styles, inside the package (setup.py copies them there)
PACKAGED_STYLES = Path(__file__).resolve().parent / "shipped_styles"


@dataclass(frozen=True)
class Project:
    """The folders of one project: ``leaflets`` (monographs and their translations and
    figures), ``styles`` (variants, templates, stylesheets, fonts, message catalogues) and
    ``out`` (the catalogue build's PDFs)."""

    leaflets: Path
    styles: Path
    out: Path

    @classmethod
    def at(cls, root: Path | None = None, *, leaflets: Path | None = None,
           styles: Path | None = None, out: Path | None = None) -> Project:
        """The project in ``root`` (default: the working directory); a folder given on its
        own replaces the project's."""
        base = Path() if root is None else root
        return cls(leaflets if leaflets is not None else base / LEAFLETS,
                   styles if styles is not None else styles_of(base),
                   out if out is not None else base / OUT)


def styles_of(root: Path) -> Path:
    """``root/styles`` when the project has its own styles, else the shipped ones."""
    own = root / STYLES
    return own if (own / "fonts.yaml").is_file() else shipped_styles()


def shipped_styles() -> Path:
    """The styles leafletgen ships: in the package of an installed wheel, else (a checkout,
    an editable install) the repository's ``styles/``."""
    if (PACKAGED_STYLES / "fonts.yaml").is_file():
        return PACKAGED_STYLES
    return Path(__file__).resolve().parents[2] / STYLES
