"""Patient files: the shipped example, every kind of bad input, and that no value leaks."""

import datetime as dt
import textwrap

import pytest

from leafletgen.errors import ContentError
from leafletgen.source.patient import load_patient, read_patient

from .conftest import ROOT

NAME = "Quentina Zephyrine Oddlyname"

PATIENT = textwrap.dedent(f"""\
    patient:
      name: {NAME}
      date_of_birth: 1950-02-03
      record_number: 4711
    date: 2026-03-15
    prescriber: {{name: Dr Ada Example}}
    contact: {{name: Ward 9 pharmacy, phone: 555 0100}}
    medicines:
      - monograph: testamol
        dose: 2 tablets (20 mg)
        timing: Every morning
        directions: Take 2 tablets (20 mg) every morning with food.
        taper:
          columns: [Week, Dose]
          rows:
            - [1, 20 mg]
            - [2, 10 mg]
    """)


def write(tmp_path, text: str = PATIENT):
    path = tmp_path / "patient.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path, text: str) -> list[str]:
    patient, problems = read_patient(write(tmp_path, text))
    assert patient is None
    return [str(p) for p in problems]


def test_shipped_example_is_valid():
    patient = load_patient(ROOT / "examples" / "patient.yaml")
    assert [m.monograph for m in patient.medicines] == ["baclofen"]
    assert patient.medicines[0].dose and patient.medicines[0].timing
    assert patient.contact.phone


def test_fields_become_the_model(tmp_path):
    patient = load_patient(write(tmp_path))
    assert patient.name == NAME
    assert patient.date == dt.date(2026, 3, 15)
    assert patient.date_of_birth == dt.date(1950, 2, 3)
    assert patient.record_number == "4711"  # a number in YAML, text in the packet
    assert patient.contact.phone == "555 0100"
    [medicine] = patient.medicines
    assert (medicine.monograph, medicine.dose, medicine.timing) == (
        "testamol", "2 tablets (20 mg)", "Every morning")
    assert medicine.line == 9
    assert medicine.taper.columns == ("Week", "Dose")
    assert medicine.taper.rows == (("1", "20 mg"), ("2", "10 mg"))
    assert patient.prescription("testamol") is medicine
    assert patient.prescription("other") is None


def test_repr_shows_no_patient_data(tmp_path):
    patient = load_patient(write(tmp_path))
    shown = repr(patient) + repr(patient.medicines) + repr(patient.contact)
    for value in (NAME, "Zephyrine", "1950", "4711", "20 mg", "Ward 9", "555 0100"):
        assert value not in shown
    assert "1 medicines" in repr(patient)


def test_missing_name_names_the_field_and_line(tmp_path):
    text = PATIENT.replace(f"  name: {NAME}\n", "")
    assert problems_of(tmp_path, text) == [
        f"{tmp_path / 'patient.yaml'}:1: missing required field 'name' in patient; "
        "add 'name: ...' (see examples/patient.yaml)"]


@pytest.mark.parametrize("old,new,line,field,value", [
    ("date: 2026-03-15", "date: 2026-02-30", 5, "date is not a valid date", "2026-02-30"),
    ("date_of_birth: 1950-02-03", "date_of_birth: 3 Feb 1950", 3,
     "patient.date_of_birth is not a valid date", "Feb"),
    ("monograph: testamol", "monograph: Testamol Forte", 9,
     "medicines.0.monograph is not a monograph slug", "Forte"),
    ("dose: 2 tablets (20 mg)", "dose: [20 mg]", 10,
     "medicines.0.dose: expected string, found list", "20"),
    ("dose: 2 tablets (20 mg)", "dose: {20 mg: twice}", 10,
     "medicines.0.dose: expected string, found dict", "twice"),
    ("timing: Every morning", "timing:", 11, "medicines.0.timing must not be empty", "None"),
    (f"name: {NAME}", "name: ''", 2, "patient.name must not be empty", "''"),
    ("contact: {name: Ward 9 pharmacy, phone: 555 0100}", "contact: {name: Ward 9 pharmacy}", 7,
     "missing required field 'phone' in contact", "Ward"),
    ("        - [2, 10 mg]", "        - [2, 10 mg, 5 mg]", 17,
     "medicines.0.taper.rows.1 has 3 cells but there are 2 columns", "5 mg"),
])
def test_bad_values_are_located_but_never_repeated(tmp_path, old, new, line, field, value):
    assert old in PATIENT
    [problem] = problems_of(tmp_path, PATIENT.replace(old, new))
    where = f"{tmp_path / 'patient.yaml'}:{line}: "
    assert problem.startswith(f"{where}{field}")
    assert value not in problem.removeprefix(where)  # the temp path may hold the digits too


def test_values_of_the_patient_never_appear_in_errors(tmp_path):
    text = PATIENT.replace("date: 2026-03-15", f"date: {NAME}").replace(
        "dose: 2 tablets (20 mg)", f"dose: [{NAME}]").replace(
        "monograph: testamol", f"monograph: {NAME}")
    problems = problems_of(tmp_path, text)
    assert len(problems) == 3
    assert all("Zephyrine" not in p for p in problems)
    assert any("medicines.0.dose: expected string, found list" in p for p in problems)


def test_a_medicine_listed_twice_is_an_error(tmp_path):
    text = PATIENT + textwrap.indent(textwrap.dedent("""\
        - monograph: testamol
          dose: 1 tablet
          timing: At night
          directions: Take 1 tablet at night.
        """), "  ")
    assert problems_of(tmp_path, text) == [
        f"{tmp_path / 'patient.yaml'}:18: medicines.1.monograph: this medicine is already "
        "listed on line 9; list each medicine once, with all its directions"]


@pytest.mark.parametrize("old,new,line,message", [
    ("date: 2026-03-15", "date: 2026-03-15\nward: 9", 6,
     "a field that is not part of the patient file; known fields: allergies, breastfeeding, "
     "contact, date, egfr, emergency, language, medicines, note, patient, pregnant, "
     "prescriber, stopped, variant"),
    ("  record_number: 4711", "  record_number: 4711\n  Jordan Smith: allergic to penicillin", 5,
     "patient: a field that is not part of the patient file; known fields: date_of_birth, "
     "name, record_number"),
    ("    timing: Every morning", "    timing: Every morning\n    Jordan Smith: x\n"
     "    Jordan Smyth: y", 12,
     "medicines.0: 2 fields that are not part of the patient file; known fields: "
     "allergy_decision, change, directions, dose, monograph, previous, purpose, schedule, "
     "taper, timing"),
])
def test_unknown_field_is_located_but_never_repeated(tmp_path, old, new, line, message):
    """A stray key may itself be patient data: its line is given, its text never."""
    assert old in PATIENT
    [problem] = problems_of(tmp_path, PATIENT.replace(old, new))
    assert problem == f"{tmp_path / 'patient.yaml'}:{line}: {message}"
    assert "Jordan" not in problem and "ward" not in problem


@pytest.mark.parametrize("written", ["0012345", "01234567", "0x10", "1_0", "1e3", "yes", "no",
                                     "null", "~", "12:30", "1.50", "2026-03-15"])
def test_every_value_is_the_text_as_written(tmp_path, written):
    """YAML 1.1 would read 0012345 as the octal 5349, 12:30 as 750, yes as True, ~ as None."""
    text = (PATIENT.replace("record_number: 4711", f"record_number: {written}")
            .replace("phone: 555 0100", f"phone: {written}")
            .replace("dose: 2 tablets (20 mg)", f"dose: {written}")
            .replace("[1, 20 mg]", f"[{written}, 20 mg]"))
    patient = load_patient(write(tmp_path, text))
    [medicine] = patient.medicines
    assert patient.record_number == written
    assert patient.contact.phone == written
    assert medicine.dose == written
    assert medicine.taper.rows[0] == (written, "20 mg")


def test_taper_cells_are_never_numbers(tmp_path):
    text = PATIENT.replace("columns: [Week, Dose]", "columns: [01, 010, 1_0, 0x10]").replace(
        "- [1, 20 mg]", "- [01, 010, 1_0, 0x10]").replace("- [2, 10 mg]", "- [2, 3, 4, 5]")
    [medicine] = load_patient(write(tmp_path, text)).medicines
    assert medicine.taper.columns == ("01", "010", "1_0", "0x10")
    assert medicine.taper.rows == (("01", "010", "1_0", "0x10"), ("2", "3", "4", "5"))


def test_yaml_syntax_error_gives_the_line_without_the_text(tmp_path):
    text = PATIENT.replace(f"  name: {NAME}", f"  name: {NAME}: {NAME}")
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"{tmp_path / 'patient.yaml'}:2: the patient file is not valid YAML")
    assert "Zephyrine" not in problem


def test_load_patient_raises_with_every_problem(tmp_path):
    text = PATIENT.replace("date: 2026-03-15\n", "").replace(f"  name: {NAME}\n", "")
    with pytest.raises(ContentError) as caught:
        load_patient(write(tmp_path, text))
    assert len(caught.value.problems) == 2


def test_missing_file(tmp_path):
    patient, [problem] = read_patient(tmp_path / "nope.yaml")
    assert patient is None
    assert "no such patient file" in str(problem)


def test_an_alias_bomb_is_refused_in_the_limits_words_without_quoting_the_file(tmp_path):
    bomb = PATIENT + 'x1: &secretanchor ["lol", "lol"]\nx2: [*secretanchor, *secretanchor]\n'
    patient, problems = read_patient(write(tmp_path, bomb))
    assert patient is None
    messages = " ".join(p.message for p in problems)
    assert "alias" in messages.casefold()
    assert "secretanchor" not in messages and "lol" not in messages


def test_a_huge_patient_file_is_refused_before_it_is_read(tmp_path):
    patient, problems = read_patient(write(tmp_path, PATIENT + "#" * 100_000 + "\n"))
    assert patient is None
    [problem] = problems
    assert "over the 64 KB a patient file may be" in problem.message


FOCUSED = PATIENT.replace("medicines:\n", textwrap.dedent("""\
    allergies:
      - {substance: Penicillin, reaction: Hives, severity: high, codes: {snomed: ["373270004"]}}
    stopped:
      - {medicine: Ibuprofen 400 mg, reason: It upset your stomach.}
    pregnant: "no"
    breastfeeding: "yes"
    egfr: "42.5"
    emergency: Call the ward on 555 0199 at any time.
    medicines:
    """)).replace("    directions: Take 2 tablets (20 mg) every morning with food.\n",
                  "    directions: Take 2 tablets (20 mg) every morning with food.\n"
                  "    schedule: {morning: 2 tablets, days: [mon, thu]}\n"
                  "    change: changed\n"
                  "    previous: 1 tablet (10 mg)\n"
                  "    allergy_decision: Tolerated before.\n")


def test_the_first_pages_fields_become_the_model(tmp_path):
    patient = load_patient(write(tmp_path, FOCUSED))
    [allergy] = patient.allergies
    assert (allergy.substance, allergy.reaction, allergy.criticality) == ("Penicillin", "Hives",
                                                                          "high")
    assert [(c.system, c.code) for c in allergy.codes] == [("snomed", "373270004")]
    assert [(s.name, s.reason) for s in patient.stopped] == [("Ibuprofen 400 mg",
                                                              "It upset your stomach.")]
    assert (patient.pregnant, patient.breastfeeding, patient.egfr) == (False, True, 42.5)
    assert patient.emergency.startswith("Call the ward")
    [medicine] = patient.medicines
    assert medicine.dosing.times == (("morning", "2 tablets"),)
    assert medicine.dosing.weekdays == ("mon", "thu")
    assert (medicine.change, medicine.previous) == ("changed", "1 tablet (10 mg)")
    assert medicine.allergy_decision == "Tolerated before." and medicine.where == "medicines.0"
    assert not patient.record


@pytest.mark.parametrize(("old", "new"), [
    ('egfr: "42.5"', "egfr: lots"),
    ('pregnant: "no"', "pregnant: maybe"),
    ("days: [mon, thu]", "days: [monday]"),
])
def test_the_first_pages_fields_are_checked(tmp_path, old, new):
    [problem] = problems_of(tmp_path, FOCUSED.replace(old, new))
    assert new.split(": ")[1].strip("[]") not in problem
