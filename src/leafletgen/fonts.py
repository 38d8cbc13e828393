"""@font-face rules for the fonts leaflets use, taken from installed font packages.

Leaflets never use the host's fonts: every family named in ``styles/fonts.yaml`` comes from a
``fontpkg-*`` Python package, so output is the same on every machine with the same packages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import fontpkg
import yaml
from markupsafe import Markup

from .errors import UsageError


@dataclass(frozen=True)
class FontSet:
    css: Markup  # @font-face rules with file: URLs; generated here, never from content
    files: tuple[Path, ...]  # the font files the renderer may read


def load_fonts(styles: Path) -> FontSet:
    """@font-face rules for every family listed in ``styles/fonts.yaml``."""
    config = styles / "fonts.yaml"
    families = yaml.safe_load(config.read_text(encoding="utf-8"))["families"]
    rules: list[str] = []
    files: list[Path] = []
    for name in families:
        try:
            family = fontpkg.family(name)
        except fontpkg.FontpkgError as exc:
            raise UsageError(f"{config}: font family '{name}' is not installed ({exc}); "
                             "install its fontpkg package (see pyproject.toml)") from exc
        for font in sorted(family.files, key=lambda f: (f.style, f.weight or 0, str(f.path))):
            # WeasyPrint ignores weight ranges in @font-face; a variable font (here only a
            # fallback for a few characters) is declared at its regular weight
            weight = "400" if font.variable else str(font.weight or 400)
            rules.append(
                "@font-face {\n"
                f'  font-family: "{family.name}";\n'
                f'  src: url("{font.path.resolve().as_uri()}");\n'
                f"  font-weight: {weight};\n"
                f"  font-style: {font.style};\n"
                "}"
            )
            files.append(font.path.resolve())
    return FontSet(Markup("\n".join(rules)), tuple(files))
