"""The ward's route: a packet from a FHIR record, end to end (renders three small packets).

The HL7 IPS example is read from ../shared/fhir (never copied into the repository)."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

import leafletgen
from leafletgen.cli import main
from leafletgen.errors import ContentError, Severity

from .conftest import LEAFLETS, ROOT, STYLES

IPS = ROOT.parent / "shared" / "fhir" / "ips-bundle-minimal.json"
pytestmark = pytest.mark.skipif(not IPS.exists(), reason="the shared HL7 examples are absent")

AMOXICILLIN = {"fullUrl": "urn:uuid:0b7c1c1e-8a55-4a10-9a39-4f0a7d1e2a01", "resource": {
    "resourceType": "MedicationRequest", "id": "0b7c1c1e-8a55-4a10-9a39-4f0a7d1e2a01",
    "status": "active", "intent": "order",
    "medicationCodeableConcept": {"coding": [{
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "723",
        "display": "amoxicillin"}]},
    "subject": {"reference": "urn:uuid:7685713c-e29e-4a75-8a90-45be7ba3be94"},
    "dosageInstruction": [{"timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d",
                                                 "when": ["MORN", "NOON", "EVE"]}},
                           "doseAndRate": [{"doseQuantity": {"value": 1,
                                                             "unit": "capsule"}}]}]}}


@pytest.fixture(scope="module")
def with_amoxicillin(tmp_path_factory):
    data = json.loads(IPS.read_text(encoding="utf-8"))
    data["entry"].append(AMOXICILLIN)
    path = tmp_path_factory.mktemp("record") / "bundle.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def first_page(data: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def test_the_ips_example_lists_anastrozole_without_leaflet_and_the_allergy():
    notices: list = []
    data = leafletgen.packet(IPS, leaflets=LEAFLETS, styles=STYLES, draft=True,
                             notices=notices)
    page = first_page(data)
    assert "Anastrozole" in page and "No leaflet here: ask your pharmacist" in page
    assert "Your allergies" in page and "penicillin" in page
    [notice] = notices
    assert notice.severity is Severity.WARNING and "anastrozole" in notice.message


def test_amoxicillin_with_the_penicillin_allergy_is_refused(with_amoxicillin, tmp_path, capsys):
    with pytest.raises(ContentError) as caught:
        leafletgen.packet(with_amoxicillin, leaflets=LEAFLETS, styles=STYLES, draft=True)
    assert "Amoxicillin" in str(caught.value) and "penicillin" in str(caught.value)
    out = tmp_path / "packet.pdf"
    code = main(["packet", "--patient", str(with_amoxicillin), "-o", str(out), "--draft",
                 "--leaflets", str(LEAFLETS), "--styles", str(STYLES)])
    assert code == 1 and not out.exists()
    assert "Amoxicillin matches the recorded allergy" in capsys.readouterr().err


def test_amoxicillin_is_printed_with_the_prescribers_decision(with_amoxicillin):
    data = leafletgen.packet(with_amoxicillin, leaflets=LEAFLETS, styles=STYLES, draft=True,
                             allergy_decisions=["amoxicillin"])
    page = first_page(data)
    assert "Your prescriber knows this and decided that you should still take Amoxicillin" \
        in page
    assert "Anastrozole" in page and "Tick each dose" in page


THREE = """\
patient: {name: Ida Zorbfield, date_of_birth: 1956-09-14}
date: 2026-12-07
prescriber: {name: Dr Sam Placeholder}
contact: {name: Ward 7 pharmacy, phone: 01234 567 890}
medicines:
  - monograph: methotrexate
    dose: 4 tablets (10 mg)
    timing: Once a week, on Mondays
    directions: Take 4 tablets (10 mg) once a week, on Mondays only.
    schedule: {morning: 4 tablets, days: [mon]}
  - monograph: baclofen
    dose: 1 tablet (10 mg)
    timing: 3 times a day
    directions: Take 1 tablet 3 times a day.
    schedule: {morning: 10 mg, midday: 10 mg, bedtime: 10 mg}
  - monograph: salbutamol-inhaler
    dose: 1 or 2 puffs
    timing: When needed
    directions: Take 1 or 2 puffs when you are short of breath.
    schedule: {as_needed: "yes", max_per_day: 8 puffs}
"""


def words(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


@pytest.mark.parametrize(("variant", "most"), [(None, 6), ("patient-large", 12)])
def test_three_medicines_summarised_in_few_pages_with_every_key_fact(tmp_path, variant, most):
    from leafletgen.source.monograph import load

    path = tmp_path / "patient.yaml"
    path.write_text(THREE, encoding="utf-8")
    data = leafletgen.packet(path, leaflets=LEAFLETS, styles=STYLES, draft=True,
                             variant=variant)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) <= most
    text = words(" ".join(page.extract_text() for page in reader.pages))
    assert "MONDAY only" in text and "8 puffs" in text
    for slug in ("methotrexate", "baclofen", "salbutamol-inhaler"):
        monograph, _ = load(LEAFLETS / f"{slug}.md")
        assert monograph is not None
        for fact in monograph.key_facts:
            carrier = next(c for c in fact.carried_by if c.key == "patient")
            for phrase in carrier.phrases:
                assert words(phrase) in text, (slug, phrase)
