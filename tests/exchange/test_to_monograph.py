"""Writing draft monographs from labels."""

from __future__ import annotations

import re

import pytest

import leafletgen
from leafletgen.exchange.spl import Label, read_label, section_words
from leafletgen.exchange.to_monograph import _bold, draft

from .conftest import SPL


def _section(text: str, section_id: str, audience: str) -> str:
    found = re.search(rf"^## {section_id}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert found, f"no section {section_id}"
    block = re.search(rf"^::: {audience}\n(.*?)^:::$", found[1], re.S | re.M)
    assert block, f"no {audience} block in {section_id}"
    return block[1]


@pytest.fixture(scope="module")
def testamab():
    return draft(read_label(SPL / "testamab.xml"))


def test_front_matter_from_the_label(testamab):
    text = testamab.text
    assert testamab.slug == "testamab"
    for line in ("name: Testamab", "generic_name: testamab", "status: draft",
                 "drug_class: Tumor necrosis factor (TNF) blocker",
                 "- Injection, solution, 40 mg/0.8 mL",
                 "set_id: aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                 "version: '3'", "effective_date: '2024-01-15'", "- 12345-678-01", "- ABC123DEF4",
                 "last_revised: '2024-01-15'"):
        assert line in text


def test_boxed_warning_is_the_clinician_box(testamab):
    box = _section(testamab.text, "most-important", "clinician")
    assert "**Serious infections leading to hospital admission have occurred**" in box
    # its cross-reference leads to where section 5.1 went
    assert "[Warnings and Precautions (5.1)](#before-taking)" in box


def test_highlights_then_full_text(testamab):
    uses = _section(testamab.text, "uses", "clinician")
    assert uses.index("TNF) blocker indicated") < uses.index("reducing signs")
    assert "INDICATIONS AND USAGE" not in uses  # the Highlights heading repeats the title
    assert "moderately active" in uses and "*moderately*" not in uses  # italics: plain text


def test_patient_text_split_on_question_headings(testamab):
    text = testamab.text
    assert "TESTAMAB can cause serious infections." in _section(text, "most-important",
                                                                 "patient")
    # a bold line that is not a question stays in the section it is in
    assert "**Before starting TESTAMAB, tell your doctor if you:**" in _section(
        text, "most-important", "patient")
    assert _section(text, "before-taking", "patient").strip() == \
        "Tell your doctor if you are pregnant."
    assert "Inject 1 dose" in _section(text, "how-to-take", "patient")
    # "See “What are the possible side effects…”" is a pointer, not the heading
    assert "**See “What are the possible side effects of TESTAMAB?”**" in _section(
        text, "how-to-take", "patient")
    assert _section(text, "storage", "patient").strip() == "Keep it in the fridge."
    assert "Read this guide" in _section(text, "more-information", "patient")
    assert "MEDICATION GUIDE" not in text


def test_tables_lists_and_inline_markup(testamab):
    dosage = _section(testamab.text, "how-to-take", "clinician")
    assert "Table: Table 1. Dose by body weight\n" in dosage
    assert "| Body weight | Dose<br>Weeks 1 to 4 | Dose<br>After week 4 |" in dosage
    assert "| Under 30 kg | 20 mg[^n1] | 10 mg |" in dosage
    assert "|   | 80 mg **if severe** | 40 mg |" in dosage  # the row a rowspan covers
    assert "[^n1]: Given as two injections.\n\nDoses are for adults \\| see below." in dosage
    assert "Cmax" in dosage and "10³ units per m²" in dosage
    assert "1. Wash your hands." in dosage
    assert "     - a) Wipe once." in dosage
    assert "– Let it dry." in dosage  # a fourth level: a line, not a list
    assert "**Monitor**" in _section(testamab.text, "before-taking", "clinician")
    side = _section(testamab.text, "side-effects", "clinician")
    assert "\\[see [](#before-taking)\\]" in side  # a section number: the heading prints
    assert "Report them at [FDA MedWatch](https://www.fda.gov/medwatch)." in side


def test_bullet_layout_table_becomes_a_list(testamab):
    side = _section(testamab.text, "side-effects", "patient")
    assert "- fever\n- chills\n- cough" in side
    assert "|" not in side


def test_report_accounts_for_every_section(testamab):
    label = read_label(SPL / "testamab.xml")
    placed = [p for p in testamab.report.placements if p.code]
    assert len(placed) == len(list(label.walk()))
    outcomes = {p.title: p.outcome for p in placed}
    assert outcomes["12.3 Pharmacokinetics"].startswith("left out: pharmacokinetics")
    assert outcomes["12.1 Mechanism of Action"] == "clinician text of 'how-it-works'"
    messages = [n.message for n in testamab.report.notes]
    assert any("pinch.jpg" in m and "left out" in m for m in messages)
    assert any("nested more than 3 levels" in m for m in messages)
    assert any("MEDICATION GUIDE" in m for m in messages)


def test_the_draft_passes_check(tmp_path, testamab):
    path = tmp_path / "testamab.md"
    path.write_text(testamab.text, encoding="utf-8")
    report = leafletgen.check_report([path])
    assert [str(p) for p in report.problems if p.severity == "error"] == []


def test_old_label_imports_clinician_text_and_lists_what_to_write():
    result = draft(read_label(SPL / "oldstyle.xml"))
    assert result.slug == "oldazepam"
    assert "Give the dose at bedtime" in _section(result.text, "most-important", "clinician")
    assert "2 mg three times a day" in _section(result.text, "how-to-take", "clinician")
    assert "::: patient" not in result.text
    assert result.report.to_write == ("uses (patient)", "how-to-take (patient)",
                                      "side-effects (patient)")
    messages = " ".join(n.message for n in result.report.notes)
    assert "dosing notes" in messages and "no Medication Guide" in messages
    rx_only = next(p for p in result.report.placements if p.title == "OLDAZEPAM TABLETS")
    assert rx_only.outcome.startswith("left out: no leaflet section matches")


def test_drug_facts_are_text_for_both_audiences():
    result = draft(read_label(SPL / "drugfacts.xml"))
    assert "temporarily reduces fever" in _section(result.text, "uses", "both")
    assert "| adults and children 12 years and over | take 1 tablet every 4 to 6 hours |" in \
        _section(result.text, "how-to-take", "both")
    assert "pain gets worse" in _section(result.text, "stopping", "both")
    assert result.report.to_write == ("side-effects (patient)", "side-effects (clinician)")


@pytest.mark.parametrize("text, before, after, expected", [
    ("Warning.", " ", " ", "**Warning.**"),
    (".", "g", " ", "."),
    ("(b)", "a", "c", "(**b**)"),
    ("bold ", "x", "y", "**bold** "),
    ("a*b", " ", " ", r"**a\*b**"),
])
def test_bold_keeps_commonmark_happy(text, before, after, expected):
    assert _bold(text, before, after) == expected


def test_real_label_boxed_warning_and_report(label_path):
    label: Label = read_label(label_path)
    result = draft(label)
    placed = [p for p in result.report.placements if p.code]
    assert len(placed) == len(list(label.walk()))
    assert all(p.outcome for p in placed)
    boxed = next((s for s in label.sections if s.code == "34066-1"), None)
    if boxed is not None:
        box = _section(result.text, "most-important", "clinician")
        assert "Serious infections" in box or "SERIOUS INFECTIONS" in box
        assert section_words(boxed) > 100
    patient = [s for s in label.sections if s.code in ("42231-1", "42230-3")]
    assert result.report.patient_words == sum(section_words(s) for s in patient)


def test_an_image_beside_the_label_becomes_a_figure(tmp_path):
    from PIL import Image

    text = (SPL / "testamab.xml").read_text().replace("pinch.jpg", "pinch.png")
    (tmp_path / "testamab.xml").write_text(text)
    Image.new("RGB", (20, 10), "white").save(tmp_path / "pinch.png")
    result = draft(read_label(tmp_path / "testamab.xml"))
    assert "![A hand pinching the skin](figures/testamab-pinch.png)" in result.text
    assert result.figures == ((tmp_path / "pinch.png", "testamab-pinch.png"),)
    assert not any("pinch" in n.message for n in result.report.notes)


def test_characters_the_fonts_lack_are_named(tmp_path):
    text = (SPL / "testamab.xml").read_text().replace("Keep it in the fridge.",
                                                      "Keep it in the fridge \U0001F9CA.")
    (tmp_path / "testamab.xml").write_text(text)
    result = draft(read_label(tmp_path / "testamab.xml"))
    assert "Keep it in the fridge [U+1F9CA]." in result.text
    assert any("U+1F9CA" in n.message for n in result.report.notes)


@pytest.mark.parametrize("fields, expected", [
    ('label: {set_id: "608d4f0d-b19f", version: "1560", effective_date: 2013-09-30}\n'
     'codes: {ndc: ["0074-3799", "0074-3799-02"], rxnorm: ["1234"]}', None),
    ('codes: {ndc: ["0074 3799"]}', "codes"),
    ('label: {set_id: "x", colour: "red"}', "colour"),
    ('label: {effective_date: "30/09/2013"}', "effective_date"),
])
def test_schema_takes_the_label_and_codes_fields(tmp_path, fields, expected):
    from tests.conftest import monograph_text

    text = monograph_text().replace("---\n\n", fields + "\n---\n\n", 1)
    path = tmp_path / "testamol.md"
    path.write_text(text, encoding="utf-8")
    errors = [str(p) for p in leafletgen.check([path]) if p.severity == "error"]
    if expected is None:
        assert errors == []
    else:
        assert errors and expected in errors[0]
