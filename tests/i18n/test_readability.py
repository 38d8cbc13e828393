"""Reading ease in Spanish (Fernández Huerta); other languages are reported as not scored."""

from __future__ import annotations

import json

import leafletgen
from leafletgen.checks.report import as_json, as_text
from leafletgen.errors import Severity

from ..conftest import LEAFLETS, STYLES
from .conftest import edit


def test_the_spanish_leaflet_is_scored_with_its_own_formula():
    report = leafletgen.check_report([LEAFLETS / "baclofen.es.md"], STYLES, ["patient"])
    (leaflet,) = report.leaflets
    assert leaflet.grades is None  # the US grade formulas are for English
    ease = leaflet.ease
    assert ease.limits.label == "Fernández Huerta"
    assert 65 <= ease.score <= 100 and not ease.low
    assert {s.id for s in ease.sections} >= {"uses", "side-effects"}
    text = as_text(report)
    assert "reading ease by Fernández Huerta (higher is easier)" in text
    data = json.loads(as_json(report))["leaflets"][0]
    assert data["language"] == "es" and data["ease"]["score"] == ease.score
    assert data["translation"]["source"].endswith("baclofen.md")
    assert data["translation"]["reviewed"] is False


def test_hard_spanish_text_is_a_warning(catalogue):
    hard = ("La administración concomitante de medicamentos depresores del sistema nervioso "
            "central, particularmente benzodiacepinas, antihistamínicos sedantes y analgésicos "
            "opioides, incrementa considerablemente la probabilidad de somnolencia "
            "extraordinariamente prolongada e incapacitante.")
    translation = catalogue / "baclofen.es.md"
    edit(translation, "El baclofeno actúa en el cerebro y los nervios. Calma las señales de los "
         "nervios que ponen tensos los músculos.", hard)
    report = leafletgen.check_report([translation], STYLES, ["patient"])
    low = [p for p in report.problems if "reading ease" in p.message]
    assert len(low) == 1
    assert "section 'how-it-works'" in low[0].message and "below 60" in low[0].message
    assert low[0].severity is Severity.WARNING


def test_arabic_and_chinese_are_reported_as_not_scored():
    report = leafletgen.check_report([LEAFLETS / "baclofen.ar.md", LEAFLETS / "baclofen.zh.md"],
                                     STYLES, ["patient"])
    assert all(r.grades is None and r.ease is None for r in report.leaflets)
    text = as_text(report)
    assert "textstat has no formula for 'ar'" in text
    assert "textstat has no formula for 'zh'" in text
    assert not any("reading" in p.message for p in report.problems)
