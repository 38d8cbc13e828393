import dataclasses

from leafletgen.source.monograph import load
from leafletgen.source.variants import load_variants, select

from .conftest import BACLOFEN, STYLES, monograph_text


def test_shipped_variants_load():
    variants, problems = load_variants(STYLES)
    assert problems == []
    assert {"patient", "clinician"} <= set(variants)
    assert variants["patient"].audience == "patient"
    assert variants["patient"].min_body_pt >= 12
    assert variants["clinician"].min_body_pt >= 8


def test_patient_selection_follows_the_variant_order_with_question_headings():
    variants, _ = load_variants(STYLES)
    monograph, _ = load(BACLOFEN)
    patient = variants["patient"]
    sections, problems = select(monograph, patient)
    assert problems == []
    wanted = [s.id for s in patient.sections if monograph.section(s.id)
              and monograph.section(s.id).blocks_for("patient")]
    assert [s.id for s in sections] == wanted
    assert sections[0].id == "most-important" and sections[0].box
    assert sections[0].number is None
    assert [s.number for s in sections[1:]] == list(range(1, len(sections)))
    assert all(s.heading.endswith("?") for s in sections)
    assert "Baclofen" in sections[1].heading and "{medicine}" not in sections[1].heading
    # clinician-only text never reaches the patient leaflet
    counselling = monograph.section("counselling")
    assert counselling is not None and not counselling.blocks_for("patient")
    assert "counselling" not in [s.id for s in sections]


def test_required_section_without_patient_text_is_reported(write_monograph):
    body = monograph_text().split("---\n\n", 1)[1].replace(
        "::: both\nYou may feel sleepy.\n:::", "::: clinician\nSedation.\n:::")
    monograph, problems = load(write_monograph(text=monograph_text(body=body)))
    assert problems == ()
    variants, _ = load_variants(STYLES)
    _, missing = select(monograph, variants["patient"])
    assert [p.message for p in missing] == [
        "section 'side-effects' has no patient text, which the 'patient' variant requires; "
        "add a '::: patient' or '::: both' block"]
    assert missing[0].line == monograph.section("side-effects").line
    _, clinician_missing = select(monograph, variants["clinician"])
    assert clinician_missing == []


def test_bad_variant_definition_is_reported_with_its_line(styles):
    path = styles / "variants" / "broken.yaml"
    path.write_text("name: broken\naudience: nurse\ntitle: x\ntemplate: nope.html.j2\n"
                    "stylesheets: [leaflet.css]\nmin_body_pt: 10\n"
                    "sections:\n  - id: uses\n    heading: Uses\n")
    variants, problems = load_variants(styles)
    assert "broken" not in variants and "patient" in variants
    assert [(p.line, p.message) for p in problems] == [
        (2, "audience: 'nurse' is not allowed; use one of: patient, clinician")]


def test_variant_with_unknown_section_and_missing_template(styles):
    path = styles / "variants" / "odd.yaml"
    path.write_text("name: odd\naudience: patient\ntitle: x\ntemplate: nope.html.j2\n"
                    "stylesheets: [leaflet.css, gone.css]\nmin_body_pt: 12\n"
                    "sections:\n  - id: dosing\n    heading: Dose\n")
    _, problems = load_variants(styles)
    assert sorted((p.line, p.message.split(";")[0]) for p in problems) == [
        (4, "template 'nope.html.j2' not found in styles/templates/"),
        (5, "stylesheet 'gone.css' not found in styles/"),
        (8, "unknown section id 'dosing'"),
    ]


def test_variant_is_a_plain_value():
    variants, _ = load_variants(STYLES)
    assert dataclasses.is_dataclass(variants["patient"])
    assert isinstance(variants["patient"].sections, tuple)


def test_variants_are_read_once_per_content(tmp_path):
    import shutil

    from leafletgen.source.variants import load_variants

    styles = tmp_path / "styles"
    shutil.copytree(STYLES, styles)
    first, _ = load_variants(styles)
    again, _ = load_variants(styles)
    assert first["patient"] is again["patient"] and first is not again
    sheet = styles / "variants" / "patient.yaml"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("min_body_pt: 12", "min_body_pt: 13"), encoding="utf-8")
    changed, _ = load_variants(styles)
    assert changed["patient"].min_body_pt == 13
    (styles / "templates" / "patient.html.j2").unlink()  # a listing change is seen too
    _, problems = load_variants(styles)
    assert any("patient.html.j2" in p.message for p in problems)
