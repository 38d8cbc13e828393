"""Boxes as data: '::: warning', '::: emergency', '::: tip' blocks, the emergency section, and
quotes reported with the box to use instead."""

from __future__ import annotations

import re

import pytest

from leafletgen.render.html import render_html
from leafletgen.render.styles import load_styles
from leafletgen.source.monograph import load
from leafletgen.source.variants import load_variants, select

from .conftest import BODY, STYLES, monograph_text

BOXES = BODY + """
## emergency

::: patient
If someone collapses, call 999.
:::

## how-it-works

::: patient warning
**Do not drive** if you feel sleepy.
:::

::: emergency clinician
Give 0.5 mg adrenaline.
:::

::: tip
Take it with food.
:::
"""


def _leaflet(tmp_path, body: str, variant: str = "patient") -> str:
    path = tmp_path / "testamol.md"
    path.write_text(monograph_text(body=body), encoding="utf-8")
    monograph, problems = load(path)
    assert monograph is not None, [str(p) for p in problems]
    variants, _ = load_variants(STYLES)
    sections, _ = select(monograph, variants[variant])
    return render_html(monograph, variants[variant], sections, load_styles(STYLES)).html


def test_box_blocks_are_read_with_their_audience_and_kind(tmp_path):
    path = tmp_path / "testamol.md"
    path.write_text(monograph_text(body=BOXES), encoding="utf-8")
    monograph, problems = load(path)
    assert monograph is not None, [str(p) for p in problems]
    section = monograph.section("how-it-works")
    assert section is not None
    assert [(b.audience, b.box) for b in section.blocks] == [
        ("patient", "warning"), ("clinician", "emergency"), ("both", "tip")]


def test_boxes_print_framed_under_their_label_for_their_audience(tmp_path):
    html = _leaflet(tmp_path, BOXES)
    assert re.search(r'<div class="callout callout-warning">\s*<p class="callout-label">Warning'
                     r'</p>\s*<p><strong>Do not drive</strong>', html)
    assert re.search(r'<div class="callout callout-tip">\s*<p class="callout-label">Tip</p>',
                     html)
    assert "0.5" not in html  # the clinician's emergency box is not in the patient leaflet
    clinician = _leaflet(tmp_path, BOXES, "clinician")
    assert re.search(r'callout-emergency">\s*<p class="callout-label">What to do now</p>',
                     clinician)


def test_the_emergency_section_can_be_named_by_a_reference(tmp_path):
    body = BOXES.replace("Take it with food.", "If it goes wrong, [see](#emergency).")
    html = _leaflet(tmp_path, body)
    assert 'id="emergency" class="section section-emergency"' in html
    assert re.search(r'<a class="ref" href="#emergency">see section\xa0\d+, “What to do in an '
                     r'emergency”</a>', html)


@pytest.mark.parametrize(("fence", "expected"), [
    ("::: warning patient clinician", "a block has one audience, not 2"),
    ("::: warning tip", "a block is one box, not 2"),
    ("::: alert", "unknown audience 'alert'"),
])
def test_a_wrong_fence_is_reported_at_its_line(tmp_path, fence, expected):
    path = tmp_path / "testamol.md"
    text = monograph_text(body=BODY + f"\n## how-it-works\n\n{fence}\nText.\n:::\n")
    path.write_text(text, encoding="utf-8")
    monograph, problems = load(path)
    assert monograph is None
    line = text.split("\n").index(fence) + 1
    assert any(p.line == line and expected in p.message for p in problems), \
        [str(p) for p in problems]


def test_a_quote_is_reported_with_the_box_to_use(tmp_path):
    path = tmp_path / "testamol.md"
    text = monograph_text(body=BODY + "\n## how-it-works\n\n> If you feel shaky, eat sugar.\n")
    path.write_text(text, encoding="utf-8")
    monograph, problems = load(path)
    assert monograph is None
    line = text.split("\n").index("> If you feel shaky, eat sugar.") + 1
    assert [(p.line, "'::: emergency'" in p.message) for p in problems] == [(line, True)]
