"""Merge a monograph and a variant into leaflet HTML with Jinja2 templates from ``styles/``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from leafletgen import __version__
from leafletgen.fonts.config import FontSet
from leafletgen.i18n.catalogue import translate
from leafletgen.i18n.templates import install as install_i18n
from leafletgen.i18n.templates import reference_wording
from leafletgen.model import LeafletSection, Monograph, Variant
from leafletgen.source.markup import LinkContext, SectionRef, keep_together, long_date, to_html


@dataclass(frozen=True)
class LeafletHtml:
    html: str
    title: str


@cache
def environment(templates: Path) -> jinja2.Environment:
    """One Jinja environment per templates folder: autoescaped, strict about undefined names."""
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
    return env


def _kept_together(date_filter: Any) -> Any:
    @jinja2.pass_context
    def kept(context: jinja2.runtime.Context, value: Any) -> str:
        return keep_together(date_filter(context, value))
    return kept


def render_html(monograph: Monograph, variant: Variant, sections: tuple[LeafletSection, ...],
                styles: Path, fonts: FontSet, paper: str | None = None,
                extra: dict[str, Any] | None = None) -> LeafletHtml:
    """The leaflet as one standalone HTML document."""
    title = translate(styles, monograph.language, variant.title).replace("{medicine}",
                                                                        monograph.name)
    links = link_context(monograph, variant, sections, (extra or {}).get("id_prefix", ""))
    template = environment(styles / "templates").get_template(variant.template)
    html = template.render(
        medicine=monograph,
        variant=variant,
        sections=sections,
        title=title,
        paper=paper or variant.paper,
        font_css=fonts.css,
        stylesheet_urls=[(styles / s).resolve().as_uri() for s in variant.stylesheets],
        generator=f"leafletgen {__version__}",
        links=links,
        ui_lang=monograph.language,
        page_one_facts=page_one_facts(monograph, variant),
        **(extra or {}),
    )
    return LeafletHtml(html, title)


def page_one_facts(monograph: Monograph, variant: Variant) -> tuple[str, ...]:
    """For a variant with ``key_facts_on_page_1``: each key fact's first phrase in this
    leaflet, which ``verify`` looks for on page 1 (the PDF records them)."""
    if not variant.key_facts_on_page_1:
        return ()
    found = []
    for fact in monograph.key_facts:
        texts = [t for t in fact.carried_by if t.key == variant.name] or \
            [t for t in fact.carried_by if t.key == variant.audience]
        if texts and texts[0].phrases:
            found.append(texts[0].phrases[0])
    return tuple(found)


def link_context(monograph: Monograph, variant: Variant, sections: tuple[LeafletSection, ...],
                 id_prefix: str = "") -> LinkContext:
    """What the text of one leaflet resolves its references, figures and tables against."""
    wording = reference_wording(monograph.language, variant.path.parent.parent)
    return LinkContext(
        sections={s.id: SectionRef(s.number, s.heading, *wording) for s in sections},
        id_prefix=id_prefix,
        figures=monograph.path.parent.resolve(),
        max_table_columns=variant.max_table_columns,
    )
