"""Merge a monograph and a variant into leaflet HTML with Jinja2 templates from ``styles/``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leafletgen.i18n.catalogue import translate
from leafletgen.i18n.templates import elsewhere_wording, reference_wording
from leafletgen.model import LeafletSection, Monograph, Variant
from leafletgen.source.markup import LinkContext, SectionRef
from leafletgen.version import __version__

if TYPE_CHECKING:
    from leafletgen.render.styles import Styles


@dataclass(frozen=True)
class LeafletHtml:
    html: str
    title: str


def render_html(monograph: Monograph, variant: Variant, sections: tuple[LeafletSection, ...],
                styles: Styles, paper: str | None = None,
                extra: dict[str, Any] | None = None) -> LeafletHtml:
    """The leaflet as one standalone HTML document, with the templates of ``styles``."""
    title = translate(styles.path, monograph.language, variant.title).replace("{medicine}",
                                                                             monograph.name)
    links = link_context(monograph, variant, sections, (extra or {}).get("id_prefix", ""))
    template = styles.environment.get_template(variant.template)
    html = template.render(
        medicine=monograph,
        variant=variant,
        sections=sections,
        title=title,
        paper=paper or variant.paper,
        font_css=styles.fonts.css,
        stylesheet_urls=[(styles.path / s).as_uri() for s in variant.stylesheets],
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
        figure_scale=variant.figure_scale,
        figure_version=variant.figure_version,
        elsewhere_wording=elsewhere_wording(monograph.language, variant.path.parent.parent),
        elsewhere=frozenset(
            s.id for s in monograph.sections if s.blocks_for(variant.audience)
        ) - {s.id for s in sections} if variant.summary else frozenset(),
    )
