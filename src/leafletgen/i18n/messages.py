"""``leafletgen messages``: extract, update and compile the message catalogues with Babel.

The same as Babel's own ``pybabel`` commands with leafletgen's paths filled in::

    pybabel extract -F babel.cfg --no-location -o styles/locale/leafletgen.pot .
    pybabel update -i styles/locale/leafletgen.pot -d styles/locale -D leafletgen
    pybabel compile -d build/locale -D leafletgen   (after copying; see compile_catalogues)

Builds read the ``.po`` files directly (catalogue.py), so compiling is only a check that
every catalogue compiles, and gives ``.mo`` files to tools that want them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from leafletgen.i18n.catalogue import DOMAIN, LOCALE_DIR


def _run(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def template_path(styles: Path) -> Path:
    return styles / LOCALE_DIR / f"{DOMAIN}.pot"


def extract(root: Path, styles: Path) -> Path:
    """Write the template of every translatable string (``styles/locale/leafletgen.pot``)."""
    pot = template_path(styles)
    pot.parent.mkdir(parents=True, exist_ok=True)
    _run("extract", "-F", str(root / "babel.cfg"), "--no-location", "--sort-output",
         "--project", "leafletgen", "--copyright-holder", "leafletgen contributors",
         "--no-wrap", "-o", str(pot), str(root))
    return pot


def update(styles: Path, languages: list[str]) -> list[Path]:
    """Bring each catalogue up to date with the template; start one for a new language."""
    pot = template_path(styles)
    done = []
    for lang in languages:
        po = styles / LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            _run("update", "-i", str(pot), "-o", str(po), "-l", lang, "--no-wrap",
                 "--ignore-obsolete")
        else:
            _run("init", "-i", str(pot), "-o", str(po), "-l", lang, "--no-wrap")
        done.append(po)
    return done


def compile_catalogues(styles: Path, out: Path) -> list[Path]:
    """Compile every catalogue to ``OUT/<lang>/LC_MESSAGES/leafletgen.mo``."""
    written = []
    for po in sorted((styles / LOCALE_DIR).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po.parent.parent.name
        target = out / lang / "LC_MESSAGES"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(po, target / po.name)
        _run("compile", "-d", str(out), "-D", DOMAIN, "-l", lang, "--statistics")
        (target / po.name).unlink()
        written.append(target / f"{DOMAIN}.mo")
    return written


def languages(styles: Path) -> list[str]:
    """The languages that have a catalogue."""
    return sorted(p.parent.parent.name
                  for p in (styles / LOCALE_DIR).glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
