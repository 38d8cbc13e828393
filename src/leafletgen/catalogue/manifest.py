"""What each catalogue PDF was built from: input fingerprints and ``OUT/manifest.json``.

Only the catalogue build (catalogue.py) uses this module. Personalised leaflets must never go
through it: nothing about a patient may be hashed, recorded or cached.

A PDF's inputs are everything that shapes it, each identified by a content hash:

- ``monograph``: the monograph file;
- ``variant``: the variant's YAML definition;
- ``template:NAME``: the variant's template and every template it extends, includes or
  imports, found with Jinja's parser (a template name computed at render time makes every
  template an input);
- ``stylesheet:NAME``: the variant's stylesheets and the files they ``@import`` or ``url()``;
- ``asset:NAME``: every other file in the styles folder that no variant stylesheet reaches
  (``fonts.yaml``, images, a stylesheet a template links directly): an input of every PDF
  (hidden files and ``*~`` backups excepted);
- ``font:NAME``: the font files the leaflets use;
- ``paper``, ``archive``, ``verify``: the build options that shape a PDF or decide whether
  it is written;
- ``leafletgen`` and ``weasyprint``: the versions.

Names are relative, never absolute paths, so a manifest stays valid in another checkout.

The manifest is written atomically and only ever records a PDF after it is complete on disk;
each entry also carries the PDF's SHA-256, so a PDF changed or lost since is rebuilt.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jinja2
import tinycss2
from jinja2 import meta

from leafletgen.files import remove_leftovers, sha256_bytes, sha256_file, write_atomic
from leafletgen.fonts.config import load_fonts
from leafletgen.model import Variant
from leafletgen.render.environment import environment
from leafletgen.version import __version__

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = 1
TEMPLATES, VARIANTS = "templates", "variants"


@dataclass(frozen=True)
class Entry:
    """One PDF in the manifest."""

    source: str  # the monograph, as the build named it (for people; not an input)
    variant: str
    inputs: dict[str, str]  # input name -> content hash (or a version)
    sha256: str  # of the PDF
    html_sha256: str | None = None  # of OUT/<stem>.html, when the build wrote it

    @cached_property
    def inputs_sha256(self) -> str:
        return inputs_digest(self.inputs)

    def to_json(self) -> dict[str, Any]:
        data = {"source": self.source, "variant": self.variant,
                "inputs_sha256": self.inputs_sha256, "sha256": self.sha256,
                "inputs": dict(sorted(self.inputs.items()))}
        if self.html_sha256:
            data["html_sha256"] = self.html_sha256
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(str(data["source"]), str(data["variant"]),
                   {str(k): str(v) for k, v in data["inputs"].items()}, str(data["sha256"]),
                   data.get("html_sha256"))


# figures a monograph shows: ![alt](figures/x.svg "Caption")
_FIGURE = re.compile(r"!\[[^\]]*\]\((figures/[^)\s\"]+)")


def inputs_digest(inputs: dict[str, str]) -> str:
    """One hash for a set of inputs."""
    return sha256_bytes(json.dumps(inputs, sort_keys=True).encode("utf-8"))


class Manifest:
    """``OUT/manifest.json``: an entry per PDF, keyed by the PDF's file name.

    Changes are kept in memory until ``save``, which merges them into the file as it is on
    disk under a lock, so builds of different shards into one folder do not lose entries.
    """

    def __init__(self, out: Path):
        self.out = out
        self.path = out / MANIFEST
        self._seen = _identity(self.path)  # the file as last read or written here
        self.entries: dict[str, Entry] = _read(self.path)
        self._changed: dict[str, Entry] = {}

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def record(self, name: str, entry: Entry) -> None:
        """Record a PDF that is complete on disk."""
        self.entries[name] = entry
        self._changed[name] = entry

    def save(self) -> None:
        """Write the changes since the last save; readers see the old file or the new one."""
        if not self._changed:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        with _locked(self.out):
            if self._seen is not None and _identity(self.path) == self._seen:
                entries = self.entries  # no one else saved since: no need to read it again
            else:
                entries = _read(self.path)
                entries.update(self._changed)
            remove_leftovers(self.out, {MANIFEST})  # left by a build killed while saving
            document = {"format": FORMAT, "generator": f"leafletgen {__version__}",
                        "pdfs": {name: entries[name].to_json() for name in sorted(entries)}}
            write_atomic(self.path, (json.dumps(document, indent=1) + "\n").encode("utf-8"))
            self._seen = _identity(self.path)
        self.entries = entries
        self._changed = {}


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _read(path: Path) -> dict[str, Entry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("%s is unreadable (%s); every leaflet will be rebuilt", path, exc)
        return {}
    try:
        if document.get("format") != FORMAT:
            raise ValueError(f"format '{document.get('format')}', expected {FORMAT}")
        return {str(name): Entry.from_json(data) for name, data in document["pdfs"].items()}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        log.warning("%s is not a leafletgen manifest (%s); every leaflet will be rebuilt",
                    path, exc)
        return {}


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` itself (no lock file is left behind)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


class Fingerprints:
    """The inputs of each leaflet, computed once per build and shared across monographs."""

    def __init__(self, styles: Path, variants: dict[str, Variant], options: dict[str, str]):
        self.styles = styles.resolve()
        self.variants = variants
        self.options = options
        self._hashes: dict[Path, str] = {}
        self._by_variant: dict[str, dict[str, str]] = {}
        self._sheets: dict[str, list[Path]] = {}
        self._references: dict[Path, list[Path]] = {}  # stylesheet -> the files it names
        self._templates: dict[str, list[str | None]] = {}  # template -> what it references

    def inputs(self, variant: Variant, monograph_bytes: bytes,
               monograph_path: Path | None = None) -> dict[str, str]:
        """Every input of the leaflet of one monograph in one variant, its figures included."""
        if variant.name not in self._by_variant:
            self._by_variant[variant.name] = self._variant_inputs(variant)
        found = {"monograph": sha256_bytes(monograph_bytes), **self._by_variant[variant.name]}
        if monograph_path is not None:
            text = monograph_bytes.decode("utf-8", errors="replace")
            for name in sorted(set(_FIGURE.findall(text))):
                figure = monograph_path.parent / name
                found[f"figure:{name}"] = (sha256_bytes(figure.read_bytes())
                                           if figure.is_file() else "missing")
        return found

    def _variant_inputs(self, variant: Variant) -> dict[str, str]:
        inputs = {"variant": self._hash(variant.path), **self._common}
        for name in template_closure(self.styles / TEMPLATES, variant.template, self._templates):
            inputs[f"template:{name}"] = self._hash(self.styles / TEMPLATES / name)
        for path in self._stylesheets(variant):
            inputs[f"stylesheet:{self._name(path)}"] = self._hash(path)
        return inputs

    @cached_property
    def _common(self) -> dict[str, str]:
        """The inputs every leaflet has."""
        common = {**self.options, "leafletgen": __version__,
                  "weasyprint": version("weasyprint")}
        reached = {p for v in self.variants.values() for p in self._stylesheets(v)}
        skip = (self.styles / TEMPLATES, self.styles / VARIANTS)
        for path in sorted(self.styles.rglob("*")):
            if path.is_file() and path not in reached and not _scratch(path) \
                    and not any(path.is_relative_to(s) for s in skip):
                common[f"asset:{self._name(path)}"] = self._hash(path)
        for font in load_fonts(self.styles).files:
            common[f"font:{font.name}"] = self._hash(font)
        return common

    def _stylesheets(self, variant: Variant) -> list[Path]:
        if variant.name not in self._sheets:
            self._sheets[variant.name] = stylesheet_closure(
                self.styles, [self.styles / s for s in variant.stylesheets], self._references)
        return self._sheets[variant.name]

    def _name(self, path: Path) -> str:
        return path.relative_to(self.styles).as_posix()

    def _hash(self, path: Path) -> str:
        if path not in self._hashes:
            self._hashes[path] = sha256_file(path) or "missing"
        return self._hashes[path]


def _scratch(path: Path) -> bool:
    """Hidden files and editor backups: an editor's swap file must not make PDFs stale."""
    return path.name.startswith(".") or path.name.endswith("~")


def template_closure(templates: Path, name: str,
                     parsed: dict[str, list[str | None]] | None = None) -> list[str]:
    """``name`` and every template it extends, includes or imports, directly or not.

    When a template names another with an expression Jinja cannot resolve before rendering,
    every template in the folder is returned. ``parsed`` keeps each template's references
    across calls.
    """
    env = _parser(templates)
    parsed = {} if parsed is None else parsed
    found: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        if current not in parsed:
            parsed[current] = _references(env, current)
        referenced = parsed[current]
        if None in referenced:
            return sorted(p.relative_to(templates).as_posix()
                          for p in templates.rglob("*") if p.is_file())
        todo += [r for r in referenced if r is not None]
    return sorted(found)


@functools.cache
def _parser(templates: Path) -> jinja2.Environment:
    """An environment to parse the templates of ``templates`` with (never to render: it only
    reads each template's source, from the file, each time)."""
    return environment(templates)


def _references(env: jinja2.Environment, name: str) -> list[str | None]:
    try:
        assert env.loader is not None  # environment() always sets one
        source, _, _ = env.loader.get_source(env, name)
        return list(meta.find_referenced_templates(env.parse(source)))
    except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError):
        return []  # reported when the leaflet is rendered; its own text is still an input


def stylesheet_closure(styles: Path, sheets: list[Path],
                       parsed: dict[Path, list[Path]] | None = None) -> list[Path]:
    """The stylesheets and every file under ``styles`` they ``@import`` or ``url()``.

    ``parsed`` keeps the files each stylesheet names across calls (variants share sheets).
    """
    parsed = {} if parsed is None else parsed
    found: list[Path] = []
    todo = list(sheets)
    while todo:
        path = todo.pop()
        if path in found:
            continue
        found.append(path)
        if path.suffix != ".css" or not path.is_file():
            continue
        if path not in parsed:
            rules = tinycss2.parse_stylesheet_bytes(path.read_bytes())[0]
            parsed[path] = [target for target in (_local(url, path.parent)
                                                  for url in _urls(rules))
                            if target is not None and target.is_relative_to(styles)]
        todo += parsed[path]
    return sorted(found)


def _urls(nodes: Any) -> Iterator[str]:
    """Every URL in parsed CSS: url(...) tokens, url("...") functions, @import "..."."""
    for node in nodes or ():
        kind = getattr(node, "type", None)
        if kind == "url":
            yield node.value
        elif kind == "function" and node.lower_name == "url":
            yield from (a.value for a in node.arguments if a.type == "string")
        elif kind == "at-rule" and node.lower_at_keyword == "import":
            yield from (a.value for a in node.prelude if a.type == "string")
        for attribute in ("prelude", "content", "arguments"):
            children = getattr(node, attribute, None)
            if isinstance(children, list):
                yield from _urls(children)


def _local(url: str, base: Path) -> Path | None:
    if url.startswith("file:"):
        from urllib.parse import urlsplit
        from urllib.request import url2pathname

        return Path(url2pathname(urlsplit(url).path)).resolve()
    if ":" in url.split("/")[0] or url.startswith(("/", "#")):
        return None  # another scheme, or not a file; the renderer refuses those anyway
    return (base / url.split("#")[0].split("?")[0]).resolve()
