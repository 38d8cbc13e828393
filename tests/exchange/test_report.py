"""The import report: placements, notes and section-by-section changes."""

from __future__ import annotations

from leafletgen.exchange.report import ImportReport, Note, Placement, as_text, compare


def test_compare_lists_changed_new_and_gone_sections():
    old = {("storage", "patient"): "Keep it cold.", ("uses", "patient"): "For pain.",
           ("overdose", "clinician"): "Call poison control."}
    new = {("storage", "patient"): "Keep it cold.\n\nDo not freeze it.",
           ("uses", "patient"): "For pain.", ("missed-dose", "patient"): "Skip it."}
    changes = {(c.section, c.audience): c for c in compare(old, new)}
    assert set(changes) == {("storage", "patient"), ("overdose", "clinician"),
                            ("missed-dose", "patient")}
    assert changes[("storage", "patient")].kind == "changed"
    assert "+Do not freeze it." in changes[("storage", "patient")].diff
    assert changes[("overdose", "clinician")].kind == "no longer in the label"
    assert changes[("missed-dose", "patient")].kind == "new in the label"


def test_as_text_names_every_part():
    report = ImportReport(
        source="label.xml", monograph="leaflets/x.md",
        placements=(Placement("34067-9", "1 INDICATIONS", 10, 42, "clinician text of 'uses'"),
                    Placement(None, "What is X?", 90, 12, "patient text of 'uses'", 1)),
        notes=(Note(120, "image 'a.jpg' left out"),), to_write=("side-effects (patient)",),
        over_grade=("x.md:5: grade 9",))
    text = as_text(report)
    for expected in ("wrote leaflets/x.md (status: draft)",
                     "  line 10: [34067-9] 1 INDICATIONS (42 words): clinician text of 'uses'",
                     "    line 90: What is X? (12 words): patient text of 'uses'",
                     "  line 120: image 'a.jpg' left out", "  side-effects (patient)",
                     "  x.md:5: grade 9"):
        assert expected in text


def test_unchanged_reimport_says_so():
    report = ImportReport("label.xml", "leaflets/x.md", (), written=False)
    assert "the same as the monograph's" in as_text(report)
    assert "was not changed" in as_text(report)
