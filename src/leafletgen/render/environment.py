"""The Jinja environment of a styles folder's templates, with leafletgen's filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

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
