"""Figures per variant: the file and width each variant prints, and the text inside SVG figures
measured at that size by `check` (the same sizes the renderer uses)."""

from __future__ import annotations

import re

from leafletgen.checks.plan import plan
from leafletgen.render.html import render_html
from leafletgen.render.styles import load_styles
from leafletgen.source.figures import printed_figure, printed_text_pt, svg_texts
from leafletgen.source.variants import load_variants

from .conftest import BODY, STYLES, monograph_text

SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" width="80mm" height="40mm">
  <title>not printed text</title>
  <g font-size="{size}"><text x="10" y="50">Press <tspan font-weight="bold">here</tspan></text></g>
  <text x="10" y="90" style="font-size: {label}px">Cap</text>
</svg>
"""


def _project(tmp_path, size: float, label: float, large: float | None = None):
    folder = tmp_path / "leaflets"
    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "pen.svg").write_text(SVG.format(size=size, label=label))
    if large is not None:
        (folder / "figures" / "pen.large.svg").write_text(SVG.format(size=large, label=large))
    body = BODY + '\n## how-it-works\n\n![A pen](figures/pen.svg "The pen")\n'
    path = folder / "testamol.md"
    text = monograph_text(body=body)
    path.write_text(text, encoding="utf-8")
    return path, text.split("\n").index('![A pen](figures/pen.svg "The pen")') + 1



def test_svg_text_sizes_at_the_printed_width(tmp_path):
    path, _ = _project(tmp_path, 12, 9)
    svg = path.parent / "figures" / "pen.svg"
    assert [(t.text, t.size) for t in svg_texts(svg)] == [("Press", 12), ("here", 12),
                                                           ("Cap", 9)]
    # 80 mm for 200 units: 12 units are 4.8 mm, 13.6 pt; 1.5 times: 20.4 pt
    sizes = [round(pt, 1) for _, pt in printed_text_pt(printed_figure(svg))]
    assert sizes == [13.6, 13.6, 10.2]
    scaled = printed_figure(svg, "large", 1.5)
    assert scaled.width_mm == 120
    assert [round(pt, 1) for _, pt in printed_text_pt(scaled)] == [20.4, 20.4, 15.3]


def test_check_reports_a_figure_under_the_variants_floor_at_its_line(tmp_path):
    path, line = _project(tmp_path, 12, 9)
    found = [p for p in plan([path], STYLES).problems if "figure" in p.message]
    assert {(p.line, re.search(r"in the '([a-z-]+)' leaflet", p.message)[1])
            for p in found} == {(line, "patient"), (line, "patient-large")}
    large = next(p.message for p in found if "'patient-large'" in p.message)
    assert "\"Cap\" at 15.3 pt" in large and "floor of 18 pt" in large
    assert "at least 10.6 units" in large and "figures/pen.large.svg" in large


def test_a_version_drawn_for_large_print_is_printed_and_measured_instead(tmp_path):
    path, _ = _project(tmp_path, 14, 14, large=16)
    assert [p for p in plan([path], STYLES).problems if "figure" in p.message] == []
    the_plan = plan([path], STYLES)
    variants, _ = load_variants(STYLES)
    job = next(j for j in the_plan.jobs if j.variant.name == "patient-large")
    html = render_html(job.monograph, job.variant, job.sections, load_styles(STYLES)).html
    assert re.search(r'<img src="file://[^"]*/figures/pen\.large\.svg" style="width: 80\.00mm"',
                     html)
    job = next(j for j in the_plan.jobs if j.variant.name == "patient")
    html = render_html(job.monograph, job.variant, job.sections, load_styles(STYLES)).html
    assert re.search(r'<img src="file://[^"]*/figures/pen\.svg" style="width: 80\.00mm"', html)
