"""The Jinja environment of a styles folder's templates, with leafletgen's filters.

Templates are compiled once per process: every environment made here keeps its compiled
templates in one process-wide ``CompiledTemplates`` (Jinja's own bytecode-cache mechanism),
so a library call that loads the styles again does not compile them again. Jinja keys each
template by name, file and a checksum of its source: an edited template is compiled again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2.bccache import Bucket

from leafletgen.i18n.templates import install as install_i18n
from leafletgen.source.markup import keep_together, long_date, to_html


@dataclass(frozen=True)
class TemplateFeatures:
    """What a caller adds to the templates of one ``Styles``: names the templates test for
    (``leaflet_url`` and the ``qr_svg`` filter of a server with a public address)."""

    globals: Mapping[str, Any] = field(default_factory=dict)
    filters: Mapping[str, Callable[..., Any]] = field(default_factory=dict)


def environment(templates: Path, features: TemplateFeatures | None = None
                ) -> jinja2.Environment:
    """A Jinja environment for a templates folder: autoescaped, strict about undefined names.

    Each ``Styles`` makes its own (render/styles.py) and keeps it; nothing here is shared
    between callers, so one caller's features never reach another's leaflets.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # no auto_reload: templates do not change during a build
        auto_reload=False,
        bytecode_cache=COMPILED,
    )
    env.filters["markdown"] = to_html
    env.filters["long_date"] = long_date
    # the pharmacist's own text prints as typed, but "10 mg" never splits across lines
    env.filters["nobreak"] = keep_together
    # fixed strings from styles/locale/ catalogues, per rendered language (ui_lang)
    install_i18n(env, templates.parent)
    # a date prints whole on one line, in every language ("30 de noviembre de 2026")
    for name in ("long_date", "month_year"):
        env.filters[name] = _kept_together(env.filters[name])
    if features is not None:
        env.globals.update(features.globals)
        env.filters.update(features.filters)
    return env


def _kept_together(date_filter: Callable[..., str]) -> Callable[..., str]:
    @jinja2.pass_context
    def kept(context: jinja2.runtime.Context, value: Any) -> str:
        return keep_together(date_filter(context, value))
    return kept


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates in memory, for the life of the process: at most ``size`` of them,
    the least recently used dropped first.

    Keyed as Jinja keys a bytecode cache (the template's name and file, with a checksum of its
    source checked on every load, so an edited template is compiled again), and by what the
    compiled code depends on besides the source: the environment's syntax options,
    extensions and the names of its filters and tests (``features`` add filters). Templates
    are code from the styles folder; no data they are rendered with is kept.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._code: OrderedDict[str, tuple[str, CodeType]] = OrderedDict()
        self._lock = threading.Lock()

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        key = self.get_cache_key(f"{_compiled_alike(environment)}|{name}", filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            kept = self._code.get(bucket.key)
            if kept is not None and kept[0] == bucket.checksum:
                self._code.move_to_end(bucket.key)
                bucket.code = kept[1]

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            raise TypeError("no compiled template to keep")
        with self._lock:
            self._code[bucket.key] = (bucket.checksum, bucket.code)
            self._code.move_to_end(bucket.key)
            while len(self._code) > self.size:
                self._code.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._code.clear()


def _compiled_alike(env: jinja2.Environment) -> str:
    """What, besides a template's source, Jinja's compiled code depends on."""
    options = (env.block_start_string, env.block_end_string, env.variable_start_string,
               env.variable_end_string, env.comment_start_string, env.comment_end_string,
               env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
               env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
               env.optimized, env.is_async, repr(env.autoescape), env.undefined,
               sorted(env.extensions), sorted(env.filters), sorted(env.tests))
    return hashlib.sha1(repr(options).encode(), usedforsecurity=False).hexdigest()


# every environment of the process, whatever styles folder: the key tells them apart
COMPILED = CompiledTemplates()
