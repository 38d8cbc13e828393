"""Monograph Markdown as leaflets print it: references, links, tables, figures, units, lists."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from leafletgen.source.markup import (
    NBSP,
    LinkContext,
    SectionRef,
    keep_together,
    plain_units,
    to_html,
)

REFS = LinkContext(sections={"missed-dose": SectionRef(12, "What if I forget a dose?"),
                             "uses": SectionRef(None, "Indications")})


def test_reference_prints_the_sections_number_and_heading():
    html = to_html("If you forget, [see](#missed-dose).", REFS)
    assert f'<a class="ref" href="#missed-dose">see section{NBSP}12, “What if I forget a ' \
           'dose?”</a></p>' in html  # no second full stop after the heading's "?"


def test_reference_in_an_unnumbered_leaflet_prints_the_heading():
    assert "see “Indications”</a>" in to_html("[see](#uses)", REFS)


def test_reference_anchors_carry_the_packet_prefix():
    context = LinkContext(sections=REFS.sections, id_prefix="baclofen-")
    assert 'href="#baclofen-missed-dose"' in to_html("[see](#missed-dose)", context)


def test_external_link_prints_its_address():
    html = to_html("Report it to the [Yellow Card scheme](https://yellowcard.mhra.gov.uk/).")
    assert 'Yellow Card scheme</a> <span class="address">(yellowcard.mhra.gov.uk)</span>' in html


def test_numbers_stay_with_their_units_and_days_with_months():
    assert keep_together("Take 10 mg, 2.5 mL or 5 % on 30 November in Week 2.") == (
        f"Take 10{NBSP}mg, 2.5{NBSP}mL or 5{NBSP}% on 30{NBSP}November in Week{NBSP}2.")
    assert keep_together("Take 3 of them") == "Take 3 of them"


def test_list_items_are_wrapped_in_one_body_block():
    html = to_html("- one\n\n- two\n\n  more\n")
    assert html.count('<li><dd class="li-body">') == 2
    assert "<p>more</p>\n</dd></li>" in html


CAPTIONED = """\
Table: Your weekly dose
| Week | Mon | Tue |
|---|---|---|
| **Week 1** | 5 mg[^1] | – |
| **Week 2** | 10 mg<br>(2 tablets) | – |

[^1]: With food.
"""


def test_table_caption_row_headers_line_breaks_and_footnotes():
    html = to_html(CAPTIONED)
    assert "<caption>Your weekly dose</caption>" in html
    assert "Table:" not in html
    assert '<th scope="col">Mon</th>' in html
    assert f'<th scope="row">Week{NBSP}1</th>' in html
    assert f"10{NBSP}mg<br>(2{NBSP}tablets)" in html
    assert f'5{NBSP}mg<sup class="footnote-ref">1</sup>' in html
    assert '<p class="footnote"><sup class="footnote-label">1</sup> With food.</p>' in html


def test_a_table_without_bold_first_cells_has_no_row_headers():
    html = to_html("| a | b |\n|---|---|\n| **x** | y |\n| z | w |\n")
    assert 'scope="row"' not in html


def test_html_in_a_cell_is_escaped_except_line_breaks():
    html = to_html("| a |\n|---|\n| <b>x</b><br>y |\n")
    assert "&lt;b&gt;x&lt;/b&gt;<br>y" in html


WIDE = "| Week | Mon | Tue | Wed | Thu | Fri |\n|---|---|---|---|---|---|\n" + \
       "| **W1** | 1 | 2 | 3 | 4 | 5 |\n"


def test_a_wide_short_table_is_transposed_when_the_variant_limits_columns():
    html = to_html(WIDE, LinkContext(max_table_columns=4))
    assert 'class="table reflowed"' in html
    assert '<th scope="col">W1</th>' in html
    assert '<th scope="row">Fri</th><td>5</td>' in html


def test_a_wide_long_table_is_stacked_one_table_per_row():
    rows = "".join(f"| **W{i}** | 1 | 2 | 3 | 4 | 5 |\n" for i in range(2, 6))
    html = to_html(WIDE + rows, LinkContext(max_table_columns=4))
    assert html.count('<table class="table stacked">') == 5
    assert "<caption>Week: W3</caption>" in html
    assert to_html(WIDE + rows).count("<table") == 1  # without a limit: one table


def test_figure_paragraph_becomes_a_figure_with_alt_and_caption(tmp_path: Path):
    html = to_html('![A round tablet](figures/t.svg "The tablet")', LinkContext(figures=tmp_path))
    src = (tmp_path / "figures" / "t.svg").as_uri()
    assert f'<figure class="figure"><img src="{src}" alt="A round tablet">' in html
    assert "<figcaption>The tablet</figcaption>" in html


def test_plain_text_drops_the_caption_marker_and_line_breaks():
    units = [u.text for u in plain_units(CAPTIONED, 10)]
    assert units[0] == "Your weekly dose"
    assert f"10{NBSP}mg (2 tablets)".replace(NBSP, " ") in [u.replace(NBSP, " ") for u in units]


@pytest.mark.parametrize("source", ["<script>x</script>", "[x](javascript:alert(1))"])
def test_nothing_active_reaches_the_html(source):
    html = to_html(source)
    assert "<script" not in html and "javascript:" not in html.replace("javascript:alert", "")


def test_a_reference_whose_text_is_the_heading_prints_it_once_and_one_full_stop():
    html = to_html("Read [what if I forget a dose?](#missed-dose).", REFS)
    assert f"Read <a class=\"ref\" href=\"#missed-dose\">section{NBSP}12, “What if I forget a " \
           "dose?”</a></p>" in html


def test_subscript_and_superscript():
    html = to_html("Platelets under 100 × 10^9^/L; water is H~2~O; 2 ~ 3.")
    assert "10<sup>9</sup>/L" in html and "H<sub>2</sub>O" in html
    assert html.count("<sub>") == 1 and "~" in html


def test_a_footnote_prints_right_after_the_table_that_uses_it():
    html = str(to_html("Table: Doses\n| A | B |\n|---|---|\n| x[^1] | y |\n\n- a list\n"
                       "- item[^2]\n\n[^1]: Up to 80 mg a day.\n[^2]: Second note.\n"))
    table_end, list_start = html.index("</table>"), html.index("<ul>")
    first, second = html.index("Up to 80"), html.index("Second note")
    assert table_end < first < list_start < html.index("</ul>") < second


def test_the_checks_parse_each_block_once_and_find_the_same(monkeypatch):
    from leafletgen.checks.plan import plan
    from leafletgen.source import markup

    from .conftest import BACLOFEN, STYLES

    def problems_and_parses() -> tuple[list[str], list[str]]:
        parsed: list[str] = []
        real = markup._md.parse

        def counting(text, env=None):
            parsed.append(text)
            return real(text, env)

        monkeypatch.setattr(markup._md, "parse", counting)
        try:
            found = plan([BACLOFEN], STYLES)
        finally:
            monkeypatch.setattr(markup._md, "parse", real)
        return [str(p) for p in found.problems] + [j.stem for j in found.jobs], parsed

    once, parsed = problems_and_parses()
    assert parsed and len(parsed) == len(set(parsed))  # no text parsed twice
    monkeypatch.setattr("leafletgen.checks.plan.parsed_once", contextlib.nullcontext)
    every_time, parsed_again = problems_and_parses()
    assert once == every_time and len(parsed_again) > len(parsed)
    assert markup._parsed.get() is None  # nothing kept after the plan


def test_blocks_without_a_link_or_an_image_are_not_parsed_for_them(monkeypatch):
    from leafletgen.checks.figures import _figures
    from leafletgen.source import markup

    parsed: list[str] = []
    real = markup._md.parse
    monkeypatch.setattr(markup._md, "parse", lambda t, env=None: parsed.append(t) or real(t, env))
    plain = "Take 5 mg [twice](https://example.org) a day.\n\n- with food\n"
    assert markup.references(plain, 4) == () and _figures(plain, 4) == []
    assert parsed == []
    # a link to a section, written out or with the "#" as an entity; an image on its own line
    linked = ("See [the dose](#dosage),\n[the risks](&#35;warnings).\n\n"
              "![A dose chart](figures/chart.svg)\n")
    assert markup.references(linked, 4) == (markup.Reference("dosage", 4),
                                             markup.Reference("warnings", 4))
    assert _figures(linked, 4) == [("figures/chart.svg", 7)]
    assert parsed == [linked, linked]
