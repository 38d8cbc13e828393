"""Focusing a packet on its patient: matching a record's medicines to monographs, the allergy
refusal, cross-reactions, interactions and population warnings. Each rule with a record that
triggers it and one that must not. Uses the shipped monographs' ``focus:`` data; renders
nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from leafletgen.errors import ContentError, Severity
from leafletgen.model import Allergy, Code, Contact, Patient, Prescription
from leafletgen.personal.discharge import source_monographs
from leafletgen.personal.focus import focus, match_medicines

from .conftest import LEAFLETS

MONOGRAPHS = {m.slug: m for m in source_monographs(LEAFLETS)}
PENICILLIN = Allergy("Substance with penicillin structure and antibacterial mechanism of action",
                     (Code("snomed", "373270004"),), "high")


def medicine(name: str, *codes: Code, monograph: str = "") -> Prescription:
    return Prescription(monograph=monograph, dose="1", timing="daily", directions="as told",
                        line=0, name=name, codes=codes, field="entry.1.resource")


def patient(*medicines: Prescription, **fields) -> Patient:
    return Patient(path=Path("record.json"), name="Ida Zorb", date=dt.date(2026, 12, 7),
                   prescriber=Contact("Dr A"), contact=Contact("Ward", phone="1"),
                   medicines=medicines, record=True, **fields)


def focused(person: Patient, decided=()):
    person, _ = match_medicines(person, list(MONOGRAPHS.values()))
    pairs = [(MONOGRAPHS[p.monograph], p) for p in person.medicines]
    return focus(person, pairs, decided)


# -- matching ---------------------------------------------------------------------------------

def test_matched_by_code_then_by_name_and_the_rest_listed_without_leaflet():
    person = patient(medicine("Amoxil 500", Code("rxnorm", "723")),
                     medicine("Salbutamol 100 micrograms inhaler"),
                     medicine("anastrozole", Code("atc", "L02BG03")))
    matched, warnings = match_medicines(person, list(MONOGRAPHS.values()))
    assert [m.monograph for m in matched.medicines] == ["amoxicillin", "salbutamol-inhaler"]
    assert [m.name for m in matched.unlisted] == ["anastrozole"]
    [warning] = warnings
    assert warning.severity is Severity.WARNING
    assert "anastrozole" in warning.message and "ask your pharmacist" in warning.message


def test_a_name_only_matches_a_whole_word():
    person = patient(medicine("Methotrexatex"))
    matched, _ = match_medicines(person, list(MONOGRAPHS.values()))
    assert not matched.medicines and len(matched.unlisted) == 1


# -- allergies --------------------------------------------------------------------------------

def test_a_recorded_allergy_refuses_the_medicine_naming_both():
    with pytest.raises(ContentError) as caught:
        focused(patient(medicine("amoxicillin", Code("rxnorm", "723")),
                        allergies=(PENICILLIN,)))
    message = str(caught.value)
    assert "Amoxicillin" in message and "penicillin structure" in message
    assert "--allergy-decision amoxicillin" in message


def test_an_allergy_named_only_in_words_refuses_too():
    with pytest.raises(ContentError):
        focused(patient(medicine("amoxicillin"), allergies=(Allergy("Penicillins"),)))


def test_the_prescribers_decision_lets_it_through_and_is_kept():
    result = focused(patient(medicine("amoxicillin"), allergies=(PENICILLIN,)),
                     decided=["Amoxicillin"])
    [decision] = result.decisions
    assert decision.medicine == "Amoxicillin" and "penicillin" in decision.allergy
    noted = dataclasses.replace(medicine("amoxicillin"), allergy_decision="Mild rash only")
    [decision] = focused(patient(noted, allergies=(PENICILLIN,))).decisions
    assert decision.note == "Mild rash only"


def test_an_unrelated_allergy_does_not_refuse():
    result = focused(patient(medicine("amoxicillin"),
                             allergies=(Allergy("Codeine", (Code("snomed", "387494007"),)),)))
    assert not result.decisions and not result.concerns


def test_a_cross_reaction_is_to_check_not_a_refusal():
    result = focused(patient(medicine("amoxicillin"), allergies=(Allergy("Cefalexin"),)))
    [concern] = result.concerns
    assert concern.kind == "cross-reaction" and concern.medicine == "Amoxicillin"


# -- interactions -----------------------------------------------------------------------------

def test_interaction_between_the_patients_medicines_listed_once():
    result = focused(patient(medicine("methotrexate"), medicine("amoxicillin")))
    [concern] = [c for c in result.concerns if c.kind == "interaction"]
    assert "Methotrexate" in concern.medicine and "Amoxicillin" in concern.medicine


def test_interaction_with_a_medicine_without_monograph():
    result = focused(patient(medicine("methotrexate"), medicine("Ibuprofen 400 mg tablets")))
    [concern] = result.concerns
    assert "NSAIDs" in concern.text and "Ibuprofen" in concern.medicine


def test_no_interaction_between_unrelated_medicines():
    result = focused(patient(medicine("methotrexate"), medicine("baclofen")))
    assert not [c for c in result.concerns if c.kind == "interaction"]


# -- populations ------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "kinds"), [
    ({"pregnant": True}, ["pregnancy"]),
    ({"pregnant": False}, []),
    ({"breastfeeding": True}, ["breastfeeding"]),
    ({"egfr": 25.0}, ["kidney"]),
    ({"egfr": 45.0}, []),
    ({}, []),
])
def test_population_warnings_for_methotrexate(fields, kinds):
    result = focused(patient(medicine("methotrexate"), **fields))
    assert [c.kind for c in result.concerns] == kinds


def test_a_kidney_threshold_is_per_medicine():
    result = focused(patient(medicine("baclofen"), egfr=45.0))
    assert [c.kind for c in result.concerns] == ["kidney"]


def test_age_is_counted_on_the_packets_date():
    child = dict(date_of_birth=dt.date(2019, 12, 8))  # 6 the day after the packet
    assert not focused(patient(medicine("paracetamol"), **child)).concerns
    older = dict(date_of_birth=dt.date(2019, 12, 6))
    [concern] = focused(patient(medicine("paracetamol"), **older)).concerns
    assert concern.kind == "age-over"


def test_each_leaflet_gets_its_own_concerns_and_the_sections_to_highlight():
    from leafletgen.personal.focus import concerns_for

    result = focused(patient(medicine("methotrexate"), medicine("amoxicillin"),
                             medicine("baclofen"), egfr=45.0))
    concerns, sections = concerns_for(result, "Baclofen")
    assert [c.kind for c in concerns] == ["kidney"] and sections == {"special-populations"}
    concerns, sections = concerns_for(result, "Amoxicillin")
    assert [c.kind for c in concerns] == ["interaction"] and sections == {"interactions"}
    assert concerns_for(result, "Salbutamol inhaler") == ((), frozenset())
