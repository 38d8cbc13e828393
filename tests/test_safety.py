from pathlib import Path

import pytest

import leafletgen
from leafletgen.checks.plan import plan
from leafletgen.checks.safety import normalise
from leafletgen.source.monograph import load

from .conftest import BACLOFEN, STYLES

ALCOHOL = ("**Do not drink alcohol** while you take it.",
           "Do not drink alcohol while you take baclofen.")


def errors(problems) -> list[str]:
    return [f"{p.line}: {p.message}" for p in problems if p.severity.value == "error"]


def baclofen_copy(tmp_path: Path, *remove: str) -> Path:
    path = tmp_path / "baclofen.md"
    text = BACLOFEN.read_text(encoding="utf-8")
    for old in remove:
        assert old in text
        text = text.replace(old, "")
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_baclofen_names_its_key_facts_and_every_leaflet_carries_them():
    monograph, _ = load(BACLOFEN)
    facts = " | ".join(f.fact.lower() for f in monograph.key_facts)
    for needed in ("do not stop suddenly", "driving", "alcohol"):
        assert needed in facts
    for fact in monograph.key_facts:
        assert {c.key for c in fact.carried_by} == {"patient", "clinician"}
    assert errors(plan([BACLOFEN], STYLES).problems) == []


def test_removed_key_fact_fails_check_naming_fact_and_variant(tmp_path):
    path = baclofen_copy(tmp_path, *ALCOHOL)
    the_plan = plan([path], STYLES)
    line = line_of(path, 'patient: "Do not drink alcohol"')
    # both patient-audience leaflets (patient and its large-print twin) lose the fact
    assert errors(the_plan.problems) == [
        f"{line}: key fact 'Avoid alcohol' is missing from the '{variant}' leaflet: none of its "
        "sections says 'Do not drink alcohol'; put the text back, or update carried_by if the "
        "fact is now worded differently" for variant in ("patient-large", "patient")]
    assert the_plan.jobs == ()  # neither leaflet of this monograph is built
    assert any("Avoid alcohol" in str(p) for p in leafletgen.check([path], STYLES))


def test_build_refuses_a_leaflet_that_lost_a_key_fact(tmp_path):
    path = baclofen_copy(tmp_path, *ALCOHOL)
    out = tmp_path / "out"
    result = leafletgen.build([path], out, STYLES)
    assert not result.ok
    assert result.written == ()
    assert not out.exists() or not any(out.iterdir())
    assert "key fact 'Avoid alcohol' is missing from the 'patient' leaflet" in "\n".join(
        str(p) for p in result.problems)


def test_variant_that_stops_showing_the_section_loses_the_fact(tmp_path, styles):
    variant = styles / "variants" / "patient.yaml"
    text = variant.read_text()
    start = text.index("  - id: most-important")
    variant.write_text(text[:start] + text[text.index("  - id: uses"):])
    found = errors(plan([BACLOFEN], styles).problems)
    where = line_of(BACLOFEN, "**Do not stop taking baclofen suddenly.**")
    carrier = line_of(BACLOFEN, 'patient: "Do not stop taking baclofen suddenly"')
    assert f"{carrier}: key " \
           "fact 'Do not stop suddenly: stopping all at once can be life-threatening' is " \
           "missing from the 'patient' leaflet: none of its sections says 'Do not stop taking " \
           f"baclofen suddenly' (it is in section 'most-important' on line {where}, for " \
           "'patient', which this leaflet does not show); put the text back, or update " \
           "carried_by if the fact is now worded differently" in found
    # sleepiness is also in 'before-taking'; the driving advice only in the dropped section
    assert any("'Do not drive or use machines until you know how it affects you'" in m
               for m in found)
    assert not any("'Baclofen can make you sleepy'" in m for m in found)


KEY_FACT = '[{{fact: "Do not stop suddenly", carried_by: {carriers}}}]'


@pytest.mark.parametrize("carriers", [
    '{patient: "do not STOP taking testamol suddenly", clinician: "Taper over 1–2 weeks"}',
    '{patient: "**Do not stop** taking testamol", clinician: ["Taper", "1-2 weeks"]}',
])
def test_fact_text_is_compared_without_markup_case_or_dash_kind(write_monograph, carriers):
    path = write_monograph(key_facts=KEY_FACT.format(carriers=carriers))
    assert errors(plan([path], STYLES).problems) == []


def test_a_variant_name_wins_over_its_audience(write_monograph, styles):
    patient = (styles / "variants" / "patient.yaml").read_text()
    (styles / "variants" / "large-print.yaml").write_text(
        patient.replace("name: patient", "name: large-print"))
    path = write_monograph(key_facts=KEY_FACT.format(
        carriers='{patient: "Do not stop", clinician: "Taper", large-print: "Stop at once"}'))
    found = errors(plan([path], styles).problems)
    assert [m.split(": ", 1)[1].split(";")[0] for m in found] == [
        "key fact 'Do not stop suddenly' is missing from the 'large-print' leaflet: none of its "
        "sections says 'Stop at once'"]


def test_every_variant_must_say_which_text_carries_the_fact(write_monograph):
    path = write_monograph(key_facts=KEY_FACT.format(carriers='{patient: "Do not stop"}'))
    assert errors(plan([path], STYLES).problems) == [
        f"{line_of(path, 'key_facts:')}: key fact 'Do not stop suddenly' does not say which "
        "text carries it in the 'clinician' leaflet; add 'clinician: <text>' under its "
        "carried_by"]


def test_unknown_carrier_key_is_an_error(write_monograph):
    path = write_monograph(key_facts=KEY_FACT.format(
        carriers='{patient: "Do not stop", clinician: "Taper", patinet: "x"}'))
    (message,) = errors(plan([path], STYLES).problems)
    assert message.endswith("key fact 'Do not stop suddenly': 'patinet' is neither a variant "
                            "nor an audience; use one of: clinician, patient-large-summary, "
                            "patient-large, patient-summary, patient")


def test_key_facts_must_be_well_formed(write_monograph):
    path = write_monograph(key_facts='[{fact: "Do not stop suddenly"}]')
    monograph, problems = load(path)
    assert monograph is None
    assert [p.message.split(";")[0] for p in problems] == [
        "missing required field 'carried_by' in key_facts.0"]


def test_normalise():
    assert normalise("**Taper** over 1\u20132   weeks\n\u2018slowly\u2019") == \
        "taper over 1-2 weeks 'slowly'"
