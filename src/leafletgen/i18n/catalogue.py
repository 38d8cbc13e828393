"""Message catalogues: the fixed strings of templates, variants and packets, per language.

Catalogues are gettext ``.po`` files in ``styles/locale/<lang>/LC_MESSAGES/leafletgen.po``,
made and kept up to date with Babel (``leafletgen messages extract|update|compile``, see
README.md). A build reads the ``.po`` file and compiles it in memory, so a fresh checkout
needs no compiled ``.mo`` files; a string a catalogue lacks (or marks fuzzy) prints in English.

What is translatable: ``{% trans %}``/``_()`` in ``styles/templates/*.j2``; the ``title``,
``description`` and section ``heading`` of every variant in ``styles/variants/*.yaml``; the
section ``title`` in sections.yaml. ``expected_messages`` finds them all, as extraction does.
"""

from __future__ import annotations

import gettext as gettext_module
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from leafletgen.i18n.languages import is_english, primary

DOMAIN = "leafletgen"
LOCALE_DIR = "locale"  # in styles/


def po_path(styles: Path, lang: str) -> Path:
    return styles / LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue_file(styles: Path, lang: str) -> Path | None:
    """The catalogue for ``lang``: its own (pt-BR) or its primary language's (pt); None."""
    for tag in dict.fromkeys((lang.replace("-", "_"), lang, primary(lang))):
        path = po_path(styles, tag)
        if path.is_file():
            return path
    return None


_ENGLISH = gettext_module.NullTranslations()


def translations(styles: Path, lang: str) -> gettext_module.NullTranslations:
    """gettext translations for ``lang`` from the styles' catalogue; English when none.

    A catalogue is compiled once per content in a process (keyed by its size and
    modification time), so a long-running process sees an edited catalogue.
    """
    if is_english(lang):
        return _ENGLISH
    path = catalogue_file(styles, lang)
    if path is None:
        return _ENGLISH
    stat = path.stat()
    return _compiled(path, stat.st_mtime_ns, stat.st_size)


@cache
def _compiled(path: Path, mtime_ns: int, size: int) -> gettext_module.NullTranslations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=None, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # fuzzy entries are not translations yet
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def translate(styles: Path, lang: str, message: str) -> str:
    """``message`` in ``lang``, or as it is when the catalogue has no translation."""
    return translations(styles.resolve(), lang).gettext(message)


@dataclass(frozen=True)
class Message:
    text: str
    path: Path
    line: int


def expected_messages(styles: Path, vocabulary_file: Path | None = None) -> list[Message]:
    """Every translatable string the templates, variants and sections.yaml print."""
    from babel.messages.extract import extract_from_file

    found: list[Message] = []
    options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True",
               "lstrip_blocks": "True"}
    for template in sorted((styles / "templates").glob("*.j2")):
        for line, text, _comments, _context in extract_from_file(
                "jinja2", str(template), options=options):
            for one in (text if isinstance(text, tuple) else (text,)):
                if one:
                    found.append(Message(one, template, line))
    # the wording of page numbers and cross-references (templates.py)
    code = Path(__file__).with_name("templates.py")
    for line, text, _comments, _context in extract_from_file("python", str(code)):
        if isinstance(text, str):
            found.append(Message(text, code, line))
    for variant in sorted((styles / "variants").glob("*.yaml")):
        with variant.open("rb") as handle:
            found += [Message(t, variant, line) for line, _f, t, _c in extract_variant(handle)]
    if vocabulary_file is not None and vocabulary_file.is_file():
        with vocabulary_file.open("rb") as handle:
            found += [Message(t, vocabulary_file, line)
                      for line, _f, t, _c in extract_sections(handle)]
    return found


def missing_messages(styles: Path, lang: str,
                     expected: list[Message]) -> tuple[Path | None, list[Message]]:
    """The catalogue of ``lang`` and the expected strings it does not translate."""
    path = catalogue_file(styles, lang)
    if path is None:
        return None, expected
    with path.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    done = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    return path, [m for m in expected if m.text not in done]


# -- Babel extraction methods (babel.cfg names them) ------------------------------------------

def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8").split("\n")


def _line_of(lines: list[str], text: str, start: int = 0) -> int:
    for number, line in enumerate(lines[start:], start + 1):
        if text in line:
            return number
    return 1


def extract_variant(fileobj: Any, keywords: Any = None, comment_tags: Any = None,
                    options: Any = None) -> Iterator[tuple[int, str, str, list[str]]]:
    """A variant's title, description and section headings ({medicine} stays as it is)."""
    data = fileobj.read()
    lines = _lines(data)
    doc = yaml.safe_load(data) or {}
    for key in ("title", "description"):
        if isinstance(doc.get(key), str):
            yield _line_of(lines, doc[key]), "gettext", doc[key], [f"variant {key}"]
    for section in doc.get("sections") or ():
        heading = section.get("heading") if isinstance(section, dict) else None
        if isinstance(heading, str):
            yield (_line_of(lines, heading), "gettext", heading,
                   [f"heading of section {section.get('id')}; keep {{medicine}} as it is"])


def extract_sections(fileobj: Any, keywords: Any = None, comment_tags: Any = None,
                     options: Any = None) -> Iterator[tuple[int, str, str, list[str]]]:
    """The title of each section id in sections.yaml."""
    data = fileobj.read()
    lines = _lines(data)
    for section_id, entry in (yaml.safe_load(data) or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("title"), str):
            yield (_line_of(lines, f"{section_id}:"), "gettext", entry["title"],
                   [f"title of section id {section_id}"])
