"""FHIR records (R4 and R5 Bundles) read into the patient value: medicines and their schedule,
changes, allergies, pregnancy and eGFR; errors that name fields, never values.

The HL7 IPS examples are read from ../shared/fhir (never copied into the repository)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from leafletgen.limits import TooLarge
from leafletgen.source import record
from leafletgen.source.patient import load_patient, read_patient
from leafletgen.source.record import MAX_RECORD_BYTES, parse_record

from .conftest import ROOT

SHARED = ROOT.parent / "shared" / "fhir"
IPS = SHARED / "ips-bundle-minimal.json"
EXAMPLES = ROOT / "examples" / "fhir"
needs_shared = pytest.mark.skipif(not IPS.exists(), reason="the shared HL7 examples are absent")

PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Ida"], "family": "Zorb"}],
           "birthDate": "1950-01-02"}
ORGANIZATION = {"resourceType": "Organization", "id": "o1", "name": "Ward 1",
                "telecom": [{"system": "phone", "value": "555 0100"}]}


def bundle(*resources: dict, version: str = "R4") -> dict:
    entries = [PATIENT, ORGANIZATION, *resources]
    if version == "R5":
        organization = copy.deepcopy(ORGANIZATION)
        organization["contact"] = [{"telecom": organization.pop("telecom")}]
        entries = [PATIENT, organization, *resources]
    return {"resourceType": "Bundle", "type": "collection", "timestamp": "2026-12-07T09:00:00Z",
            "entry": [{"fullUrl": f"urn:uuid:{r['resourceType']}-{i}", "resource": r}
                      for i, r in enumerate(entries)]}


def request(dosage: dict | list, name: str = "Methotrexate", code: str = "6851", **extra) -> dict:
    return {"resourceType": "MedicationRequest", "id": f"rq-{code}", "status": "active",
            "intent": "order", "subject": {"reference": "Patient/p1"},
            "medicationCodeableConcept": {"coding": [{
                "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code,
                "display": name}]},
            "dosageInstruction": dosage if isinstance(dosage, list) else [dosage], **extra}


def read(data: dict):
    patient, problems = parse_record(Path("record.json"), json.dumps(data))
    assert patient is not None, problems
    return patient


def dosing(data: dict):
    return read(bundle(request(data))).medicines[0]


@needs_shared
def test_the_ips_example_gives_its_patient_medicine_and_allergy():
    patient = load_patient(IPS)
    assert patient.record and patient.name == "Martha DeLarosa"
    assert patient.date_of_birth == dt.date(1972, 5, 1) and patient.date == dt.date(2020, 12, 11)
    [medicine] = patient.medicines
    assert medicine.name == "anastrozole" and medicine.monograph == ""
    assert ("atc", "L02BG03") in [(c.system, c.code) for c in medicine.codes]
    assert medicine.dose == "1 tablet" and medicine.timing == "once a day"
    [allergy] = patient.allergies
    assert "penicillin" in allergy.substance and "(substance)" not in allergy.substance
    assert allergy.criticality == "high"
    assert patient.contact.phone and patient.prescriber.name == "Beetje van Hulp"


def test_schedule_from_when_and_dose():
    medicine = dosing({"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d",
                                             "when": ["MORN", "HS"]}},
                       "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "tablet"}}]})
    assert medicine.dosing.times == (("morning", "2 tablets"), ("bedtime", "2 tablets"))
    assert medicine.timing == "in the morning and at bedtime"


def test_a_weekly_medicine_is_on_its_weekday_only():
    medicine = dosing({"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk",
                                             "dayOfWeek": ["mon"]}},
                       "doseAndRate": [{"doseQuantity": {"value": 4, "unit": "tablet"}}]})
    assert medicine.dosing.weekdays == ("mon",) and "Monday only" in medicine.timing


def test_clock_times_go_to_their_time_of_day():
    medicine = dosing({"timing": {"repeat": {"timeOfDay": ["08:00:00", "20:00:00"],
                                             "frequency": 2, "period": 1, "periodUnit": "d"}},
                       "doseAndRate": [{"doseQuantity": {"value": 5, "unit": "mg"}}]})
    assert medicine.dosing.times == (("morning", "5 mg"), ("evening", "5 mg"))
    assert dict(medicine.dosing.clock) == {"morning": "08:00", "evening": "20:00"}


def test_as_needed_with_the_most_a_day():
    medicine = dosing({"asNeededBoolean": True,
                       "doseAndRate": [{"doseQuantity": {"value": 2, "unit": "puff"}}],
                       "maxDosePerPeriod": {"numerator": {"value": 8, "unit": "puff"},
                                            "denominator": {"value": 1, "code": "d"}}})
    assert medicine.dosing.as_needed and medicine.dosing.max_per_day == "8 puffs"


def test_what_the_schedule_cannot_express_is_kept_as_written():
    medicine = dosing({"text": "Every 8 hours, with water",
                       "timing": {"repeat": {"frequency": 1, "period": 8, "periodUnit": "h"}},
                       "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "capsule"}}]})
    assert medicine.dosing.unscheduled and medicine.directions == "Every 8 hours, with water"


def test_dated_dosages_are_a_taper():
    steps = [{"sequence": i, "timing": {"repeat": {
        "boundsPeriod": {"start": start, **({"end": end} if end else {})},
        "frequency": 1, "period": 1, "periodUnit": "d", "when": ["MORN"]}},
        "doseAndRate": [{"doseQuantity": {"value": dose, "unit": "mg"}}]}
        for i, (start, end, dose) in enumerate([("2026-12-07", "2026-12-13", 20),
                                                ("2026-12-14", None, 10)], 1)]
    medicine = dosing(steps)
    assert [s.dose_at("morning") for s in medicine.dosing.steps] == ["20 mg", "10 mg"]
    assert medicine.dosing.steps[0].end == dt.date(2026, 12, 13)


def test_changes_stopped_and_new():
    old = request({"doseAndRate": [{"doseQuantity": {"value": 5, "unit": "mg"}}],
                   "timing": {"repeat": {"when": ["MORN"]}}}, name="Baclofen", code="1292",
                  status="stopped")
    old["id"] = "old"
    new = request({"doseAndRate": [{"doseQuantity": {"value": 10, "unit": "mg"}}],
                   "timing": {"repeat": {"when": ["MORN"]}}}, name="Baclofen", code="1292",
                  priorPrescription={"reference": "MedicationRequest/old"})
    stopped = {"resourceType": "MedicationStatement", "status": "stopped",
               "subject": {"reference": "Patient/p1"},
               "medicationCodeableConcept": {"text": "Ibuprofen"}}
    home = {"resourceType": "MedicationStatement", "status": "active",
            "subject": {"reference": "Patient/p1"},
            "medicationCodeableConcept": {"text": "Methotrexate"}}
    extra = request({"doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}]},
                    name="Folic acid", code="4511")
    patient = read(bundle(old, new, stopped, home, extra))
    by_name = {m.name: m for m in patient.medicines}
    assert by_name["Baclofen"].change == "changed"
    assert by_name["Baclofen"].previous.startswith("5 mg")
    assert by_name["Folic acid"].change == "new"
    assert by_name["Methotrexate"].change is None
    assert [s.name for s in patient.stopped] == ["Ibuprofen"]


def test_pregnancy_and_the_latest_egfr():
    def observation(code, when, **value):
        return {"resourceType": "Observation", "status": "final", "effectiveDateTime": when,
                "code": {"coding": [{"system": "http://loinc.org", "code": code}]}, **value}
    pregnant = observation("82810-3", "2026-12-01", valueCodeableConcept={"coding": [{
        "system": "http://snomed.info/sct", "code": "77386006"}]})
    egfrs = [observation("62238-1", day, valueQuantity={"value": value, "unit": "mL/min"})
             for day, value in (("2026-12-05", 25), ("2026-11-01", 70))]
    patient = read(bundle(request({}), pregnant, *egfrs))
    assert patient.pregnant is True and patient.egfr == 25
    plain = read(bundle(request({})))
    assert plain.pregnant is None and plain.egfr is None


def test_r5_bundles_are_read_with_the_r5_models():
    medicine = {"resourceType": "MedicationRequest", "status": "active", "intent": "order",
                "subject": {"reference": "Patient/p1"},
                "medication": {"concept": {"text": "Salbutamol inhaler"}},
                "dosageInstruction": [{"asNeeded": True,
                                       "doseAndRate": [{"doseQuantity": {"value": 2,
                                                                         "unit": "puff"}}]}]}
    patient = read(bundle(medicine, version="R5"))
    assert patient.medicines[0].name == "Salbutamol inhaler"
    assert patient.medicines[0].dosing.as_needed


@pytest.mark.parametrize("name", ["discharge-r4.json", "discharge-r5.json"])
def test_the_shipped_example_records_read(name):
    patient = load_patient(EXAMPLES / name)
    assert patient.record and len(patient.medicines) >= 3


def test_errors_name_the_field_never_the_value():
    data = bundle(request({"timing": {"repeat": {"count": "SECRETVALUE"}}}))
    patient, problems = parse_record(Path("record.json"), json.dumps(data))
    assert patient is None
    [problem] = problems
    assert "entry.2.resource.dosageInstruction.0.timing.repeat.count" in str(problem)
    assert str(problem).startswith("record.json: ")
    assert "SECRETVALUE" not in str(problem)


def test_a_bundle_without_a_patient_or_a_phone_is_refused():
    data = bundle(request({}))
    data["entry"] = data["entry"][2:]
    patient, problems = parse_record(Path("r.json"), json.dumps(data))
    assert patient is None and "no Patient" in str(problems[0])
    data = bundle(request({}))
    del data["entry"][1]
    patient, problems = parse_record(Path("r.json"), json.dumps(data))
    assert patient is None and "phone" in str(problems[0])


def test_the_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text('{"resourceType": "Bundle", "entry": []}' + " " * 64)
    monkeypatch.setattr(record, "MAX_RECORD_BYTES", 32)
    read_bytes = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read_bytes.append(self) or b"")
    patient, problems = read_patient(path)
    assert patient is None and "over the" in str(problems[0]) and not read_bytes
    assert MAX_RECORD_BYTES >= 1024 * 1024
    assert issubclass(TooLarge, Exception)


def test_a_yaml_patient_file_is_not_taken_for_a_record(tmp_path):
    assert not record.is_record("patient:\n  name: '{\"resourceType\"'\n")
    assert record.is_record('\ufeff {"resourceType": "Bundle"}')
