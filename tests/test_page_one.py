"""Large print keeps page 1: the key facts a variant asks for on page 1 are recorded in the
leaflet and measured there."""

from __future__ import annotations

import weasyprint

from leafletgen.render.html import page_one_facts, render_html
from leafletgen.render.styles import load_styles
from leafletgen.source.monograph import load
from leafletgen.source.variants import load_variants, select
from leafletgen.verification.pageone import missing_on_page_one, normalised

from .conftest import STYLES, monograph_text

FACTS = """key_facts:
  - fact: "Do not stop suddenly"
    carried_by:
      patient: ["Do not stop taking testamol suddenly", "lowers the dose"]
      patient-large: "Do not stop taking testamol"
      clinician: "Taper over 1-2 weeks"
"""


def test_the_leaflet_records_each_key_facts_first_phrase_for_its_variant(tmp_path):
    path = tmp_path / "testamol.md"
    text = monograph_text().replace("---\n\n", FACTS + "---\n\n", 1)
    path.write_text(text, encoding="utf-8")
    monograph, problems = load(path)
    assert monograph is not None, [str(p) for p in problems]
    variants, _ = load_variants(STYLES)
    assert variants["patient-large"].key_facts_on_page_1
    assert not variants["clinician"].key_facts_on_page_1
    assert page_one_facts(monograph, variants["patient"]) == (
        "Do not stop taking testamol suddenly",)
    assert page_one_facts(monograph, variants["patient-large"]) == (
        "Do not stop taking testamol",)
    assert page_one_facts(monograph, variants["clinician"]) == ()
    sections, _ = select(monograph, variants["patient"])
    html = render_html(monograph, variants["patient"], sections, load_styles(STYLES)).html
    assert ('<meta name="leafletgen-page-one" content="Do not stop taking testamol suddenly">'
            in html)


def test_a_key_fact_on_page_2_is_found_missing_from_page_1():
    html = ("<p>Do not stop taking testamol\nsuddenly. It is 12.5–25 mg.</p>"
            '<p style="break-before: page">Do not drink alcohol.</p>')
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert missing_on_page_one(pdf, ("do not stop taking TESTAMOL suddenly", "12.5-25 mg",
                                     "Do not drink alcohol")) == ("Do not drink alcohol",)


def test_phrases_are_compared_without_case_spaces_or_joiners():
    assert normalised("12.5–\u206025\u00a0MG") == "12.5-25 mg"
