"""The fonts leaflets use, and nothing else.

Every family named in ``styles/fonts.yaml`` comes from a ``fontpkg-*`` Python package or from
font files shipped in ``styles/`` (``styles/fonts/``, with their licence), so output is the
same on every machine with the same packages:

- ``load_fonts`` writes the @font-face rules for them;
- ``use_shipped_fonts_only`` points fontconfig (through which WeasyPrint and Pango find fonts)
  at a configuration without the host's font folders, so a character none of these fonts has
  is never borrowed from a font the host happens to have installed. It prints as a
  missing-glyph box instead, and ``leafletgen.charset`` reports such characters in monographs
  beforehand.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import fontpkg
import yaml
from markupsafe import Markup

from leafletgen.errors import UsageError
from leafletgen.files import cache_home, content_stamp
from leafletgen.fonts.facts import font_facts

log = logging.getLogger(__name__)
STYLES = ("normal", "italic", "oblique")
FONT_TIMESTAMP = "0"  # SOURCE_DATE_EPOCH while a PDF is written: see fixed_font_timestamps
# a family name is written into CSS and fontconfig XML: keep it to plain characters
_FAMILY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]*")

# fontconfig is given the folders of the fontpkg packages and nothing else: no host folder, no
# <include> of the host's configuration. WeasyPrint loads the @font-face fonts on top ("application
# fonts"); the package fonts are there so that a page with no @font-face at all still has a font
# (with none, WeasyPrint 70 crashes). The one rule is fontconfig's own synthetic bold
# (90-synthetic.conf): bold text asks a variable font without a bold face (Noto Sans) for its bold
# instance, as under the usual host configuration.
FONTCONFIG_TEMPLATE = """\
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!-- Written by leafletgen: only the fonts of installed fontpkg packages, never the host's. -->
<fontconfig>
{dirs}  <cachedir>{cachedir}</cachedir>
  <match target="font">
    <test name="weight" compare="less_eq"><const>medium</const></test>
    <test target="pattern" name="weight" compare="more_eq"><const>bold</const></test>
    <edit name="embolden" mode="assign"><bool>true</bool></edit>
    <edit name="weight" mode="assign"><const>bold</const></edit>
  </match>
</fontconfig>
"""


@dataclass(frozen=True)
class FontSet:
    css: Markup  # @font-face rules with file: URLs; generated here, never from content
    files: tuple[Path, ...]  # the font files the renderer may read


@dataclass(frozen=True)
class _Face:
    family: str
    path: Path
    weight: int
    style: str


_LOADED: dict[tuple[object, ...], FontSet] = {}


def load_fonts(styles: Path) -> FontSet:
    """``read_fonts``, once per process for the same ``styles/fonts.yaml`` and font files."""
    folder = styles.resolve()  # "styles" and its absolute path: the same fonts
    stamp = (str(folder), content_stamp([folder / "fonts.yaml"], [folder / "fonts"]))
    if stamp not in _LOADED:
        if len(_LOADED) > 16:
            _LOADED.clear()
        _LOADED[stamp] = read_fonts(styles)
    return _LOADED[stamp]


def read_fonts(styles: Path) -> FontSet:
    """@font-face rules for every family listed in ``styles/fonts.yaml``.

    An entry is either the name of a family installed as a ``fontpkg-*`` package, or a
    mapping ``{name: ..., files: [...]}`` of font files inside ``styles/``; each file is a
    path relative to ``styles/`` (weight 400, style normal) or a mapping ``{path: ...,
    weight: 700, style: italic}``.
    """
    config = styles / "fonts.yaml"
    try:
        data = yaml.load(config.read_text(encoding="utf-8"),
                         Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"{config}: cannot read the font list ({exc})") from exc
    families = data.get("families") if isinstance(data, dict) else None
    if not isinstance(families, list) or not families:
        raise UsageError(f"{config}: 'families' must be a list of font families")
    faces: list[_Face] = []
    for entry in families:
        if isinstance(entry, str):
            faces += _package_faces(config, entry)
        elif isinstance(entry, dict):
            faces += _file_faces(config, styles, entry)
        else:
            raise UsageError(f"{config}: each family is a fontpkg family name or a mapping "
                             f"with 'name' and 'files', not '{entry}'")
    rules = [
        "@font-face {\n"
        f'  font-family: "{face.family}";\n'
        f'  src: url("{face.path.as_uri()}");\n'
        f"  font-weight: {face.weight};\n"
        f"  font-style: {face.style};\n"
        "}"
        for face in faces
    ]
    return FontSet(Markup("\n".join(rules)), tuple(face.path for face in faces))


def _package_faces(config: Path, name: str) -> list[_Face]:
    try:
        family = fontpkg.family(name)
    except fontpkg.FontpkgError as exc:
        raise UsageError(f"{config}: font family '{name}' is not installed ({exc}); "
                         "install its fontpkg package (see pyproject.toml)") from exc
    _check_family_name(config, family.name)
    faces = []
    for font in sorted(family.files, key=lambda f: (f.style, f.weight or 0, str(f.path))):
        # WeasyPrint ignores weight ranges in @font-face; a variable font (here only a
        # fallback for a few characters) is declared at its regular weight
        weight = 400 if font.variable else (font.weight or 400)
        faces.append(_Face(family.name, font.path.resolve(), weight, font.style))
    return faces


def _file_faces(config: Path, styles: Path, entry: dict) -> list[_Face]:
    name, files = entry.get("name"), entry.get("files")
    if not isinstance(name, str) or not isinstance(files, list) or not files \
            or set(entry) - {"name", "files"}:
        raise UsageError(f"{config}: a family of font files needs 'name' and a list of "
                         f"'files' (and nothing else), not '{entry}'")
    _check_family_name(config, name)
    packaged = {family.name.casefold() for family in fontpkg.families().values()}
    if name.casefold() in packaged:
        # fontconfig knows the package's fonts under the same name and gives WeasyPrint those
        raise UsageError(f"{config}: font '{name}' is also the name of an installed fontpkg "
                         "package's family, whose fonts would print instead of these files; "
                         "rename the family or list the package by name")
    root = styles.resolve()
    faces = []
    for item in files:
        spec = {"path": item} if isinstance(item, str) else item
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str) \
                or set(spec) - {"path", "weight", "style"}:
            raise UsageError(f"{config}: font '{name}': each file is a path or a mapping with "
                             f"'path' and optional 'weight' and 'style', not '{item}'")
        weight, style = spec.get("weight", 400), spec.get("style", "normal")
        if type(weight) is not int or not 1 <= weight <= 1000 or style not in STYLES:
            raise UsageError(f"{config}: font '{name}': weight must be a number from 1 to "
                             f"1000 and style one of {', '.join(STYLES)}")
        path = (root / spec["path"]).resolve()
        if not path.is_relative_to(root):
            raise UsageError(f"{config}: font '{name}': {spec['path']} is outside "
                             f"{styles}; put font files in {styles / 'fonts'}")
        if not path.is_file():
            raise UsageError(f"{config}: font '{name}': file {spec['path']} not found "
                             f"in {styles}")
        broken = font_facts(path).problem
        if broken is not None:
            # WeasyPrint would drop it without a word: say so, and leave it out
            log.warning("%s: font '%s': %s is not a font file leafletgen can read (%s); it is "
                        "left out, and characters only it has are reported as missing: "
                        "replace the file", config, name, spec["path"], broken)
            continue
        faces.append(_Face(name, path, weight, style))
    return faces


def _check_family_name(config: Path, name: str) -> None:
    if not _FAMILY_NAME.fullmatch(name):
        raise UsageError(f"{config}: font family name '{name}' may contain only letters, "
                         "digits, spaces and . _ -")


def use_shipped_fonts_only() -> Path:
    """Make fontconfig, in this process and in processes it starts, know only shipped fonts.

    Sets ``FONTCONFIG_FILE`` to a configuration (``fontconfig_xml``) whose only font folders
    are those of the installed fontpkg packages, and returns its path. Call it before
    WeasyPrint is imported and before a ``FontConfiguration`` is made: fontconfig reads the
    variable whenever it loads a configuration. The file, and fontconfig's cache of those
    folders, are kept in the user's cache folder (else in a temporary folder); they describe
    fonts only.
    """
    path = _fontconfig_file()
    os.environ["FONTCONFIG_FILE"] = str(path)
    return path


def package_font_folders() -> list[Path]:
    """The folders holding the font files of the installed fontpkg packages."""
    return sorted({font.path.resolve().parent for family in fontpkg.families().values()
                   for font in family.files})


def fontconfig_xml(folders: list[Path], cachedir: Path) -> str:
    """A fontconfig configuration with these font folders only."""
    dirs = "".join(f"  <dir>{escape(str(folder))}</dir>\n" for folder in folders)
    return FONTCONFIG_TEMPLATE.format(dirs=dirs, cachedir=escape(str(cachedir)))


@cache
def _fontconfig_file() -> Path:
    try:
        return _write_config(cache_home())
    except (OSError, RuntimeError):  # no home, or a read-only one
        folder = Path(tempfile.mkdtemp(prefix="leafletgen-fontconfig-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        return _write_config(folder)


def _write_config(folder: Path) -> Path:
    """Write the configuration into ``folder`` under a name that is a hash of its content.

    Processes of other environments (other package folders) sharing the cache folder get files
    of their own, so none changes another's configuration under it.
    """
    xml = fontconfig_xml(package_font_folders(), folder / "fontconfig")
    digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()[:16]
    path = folder / f"fonts-{digest}.conf"
    try:
        if path.read_text(encoding="utf-8") == xml:
            return path
    except (OSError, UnicodeDecodeError):
        pass
    folder.mkdir(parents=True, exist_ok=True)
    # written whole and renamed into place: parallel workers may write it at the same time
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".fonts.conf.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(xml)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def writing_fonts() -> Iterator[None]:
    """Wrap WeasyPrint's ``write_pdf``: the fonts it writes are reproducible and fully mapped.

    - Fonts rewritten by fontTools carry a fixed date, not the clock's. WeasyPrint 70 turns a
      variable font (Noto Sans, e.g. for U+2011 or ℃; Noto Sans Arabic) into a static one
      with fontTools when it writes a PDF; fontTools stamps the current time into the font's
      ``head`` table unless ``SOURCE_DATE_EPOCH`` is set, so the PDF would differ on every
      run. The variable is set only while the block runs.
    - Every glyph has text in the font's ToUnicode map (``_map_every_glyph``).

    Both last only while the block runs (leafletgen writes PDFs on one thread).
    """
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = FONT_TIMESTAMP
    try:
        with _map_every_glyph():
            yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


fixed_font_timestamps = writing_fonts  # its first name; pdf.py calls it so


# The text of a glyph that shares its characters with the glyph before it: invisible, ignored
# by search and reading software, and joins no word to another (U+034F COMBINING GRAPHEME
# JOINER). PDF/UA rejects an empty text (and U+0000, U+FEFF, U+FFFE).
SHARED_GLYPH_TEXT = "\u034f"


@contextlib.contextmanager
def _map_every_glyph() -> Iterator[None]:
    """Give every glyph WeasyPrint writes a non-empty text in its font's ToUnicode map.

    WeasyPrint 70 gives the characters of a cluster (what one shaped run of text turned into
    glyphs) to the cluster's first glyph, and an empty text to any further glyph. A font that
    draws one character with several glyphs makes such clusters: Noto Sans Arabic draws أ and
    ك as a letter and a mark, Devanagari conjuncts such as क्ष and reordered vowel signs do the
    same. PDF/UA-1 calls a ToUnicode map with an empty text malformed, so a patient named
    أحمد or क्षितिज could get no leaflet. Such glyphs are given ``SHARED_GLYPH_TEXT``: the
    cluster's text is still read once, from its first glyph.
    """
    module: Any = sys.modules.get("weasyprint.pdf")
    original = getattr(module, "build_fonts_dictionary", None)
    # WeasyPrint not loaded, or not the version this was written for
    if module is None or original is None:
        yield
        return

    def build_fonts_dictionary(pdf, fonts, *args, **kwargs):
        for font in fonts.values():
            mapping = getattr(font, "to_unicode", None)
            if isinstance(mapping, dict):
                for glyph, text in mapping.items():
                    if not text:
                        mapping[glyph] = SHARED_GLYPH_TEXT
        return original(pdf, fonts, *args, **kwargs)

    module.build_fonts_dictionary = build_fonts_dictionary
    try:
        yield
    finally:
        module.build_fonts_dictionary = original
