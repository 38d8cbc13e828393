"""Text that prints differently from what it says: bidi controls, invisible characters and
digits that only look like digits, refused in every reader with the line or field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from leafletgen.errors import ContentError
from leafletgen.exchange.fhir import export_monograph, import_bundles
from leafletgen.exchange.spl import read_label
from leafletgen.source.monograph import load
from leafletgen.source.patient import parse_patient
from leafletgen.textcheck import first_problem, normalize, printable, problems
from tests.conftest import LEAFLETS, ROOT, monograph_text

SPL = ROOT / "tests" / "fixtures" / "spl"
ARABIC = "\u062e\u0630 \u0642\u0631\u0635\u0627"  # "take a tablet"

BIDI = [
    "Take \u202e02\u202c tablets",  # right-to-left override: prints "20"
    "Dose: \u202d5\u202c0 mg",
    "Take \u2067 10 mg \u2069 daily",  # isolates
    "Take 1\u200f0 mg",  # a right-to-left mark between digits
    "Take 1\u200e-\u200e2 tablets",  # marks in text with no right-to-left letter
    f"{ARABIC} 5\u061c0",  # Arabic letter mark inside a number
]
INVISIBLE = [
    "Take 1\u200b0 mg",  # zero-width space
    "Avoid alco\u2060hol",  # word joiner
    "Do not\ufeff stop",  # a byte order mark inside the text
    "Take 10 mg\U000e0041\U000e0042",  # tag characters
    "Take 5\u0338 mg",  # a slash drawn over the digit
    "Take 1\u00ad000 units",  # a soft hyphen next to a digit
    "Take \u200d5 mg",  # a joiner next to a digit
    "Take 5 mg\u2028then 10 mg",  # a line separator
]
DIGITS = [
    "Take 1\u0661 mg",  # ASCII and Arabic-Indic digits in one number
    "Take \uff15 mg",  # fullwidth five
    "Take \U0001d7d3 mg",  # mathematical bold five
    "Take \u09ea tablets",  # a Bengali four (looks like 8) in English text
    "Take 1O0 mg",  # a Latin O between digits
    "Take 2l5 mg",
    "Take 1\u041e0 mg",  # a Cyrillic O between digits
]
FINE = [
    "Take 10 mg twice a day",
    f"{ARABIC} 10 \u0645\u0644\u063a\u200f.",  # RLM after a number in Arabic text
    f"{ARABIC} \u0661\u0660",  # Arabic-Indic digits in Arabic text
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian zero-width non-joiner
    "war\u00adfarin",  # a soft hyphen inside a word
    "UNII 94255I6E2T",  # a code, not a number
    "H2O and CO2",
    "\u4e0d\u8981\u996e\u9152 5 mg",  # Chinese
]


@pytest.mark.parametrize("text", BIDI + INVISIBLE + DIGITS)
def test_spoofing_text_is_found(text):
    assert first_problem(text) is not None


@pytest.mark.parametrize("text", FINE)
def test_text_of_every_script_passes(text):
    assert first_problem(text) is None


def test_each_class_is_named_in_its_message():
    assert "bidirectional control" in first_problem(BIDI[0])
    assert "direction mark inside a number" in first_problem(BIDI[3])
    assert "prints as nothing" in first_problem(INVISIBLE[0])
    assert "drawn on the digit" in first_problem(INVISIBLE[4])
    assert "mixes the digits of different scripts" in first_problem(DIGITS[0])
    assert "only looks like the digit 5; write it as 5" in first_problem(DIGITS[1])
    assert "looks like a digit but is not one" in first_problem(DIGITS[4])


def test_lines_are_counted_as_editors_count_them():
    text = "fine\nalso fine\nTake \u202e02 tablets\nfine\n1\u200b0"
    assert [line for line, _ in problems(text)] == [2, 4]


def test_text_is_compared_in_nfc():
    assert normalize("e\u0301") == "\u00e9"


def test_values_print_without_python_escapes():
    assert printable("a\nb\x1b[2J\u202e") == "a\\nb\\x1b[2J\\u202e"


@pytest.mark.parametrize("text", [BIDI[0], INVISIBLE[0], DIGITS[1], DIGITS[4]])
def test_a_monograph_with_spoofing_text_is_refused_at_its_line(write_monograph, text):
    body = f"## most-important\n\n::: patient\nDo not stop.\n{text}\n:::\n"
    path = write_monograph(text=monograph_text(body=body))
    monograph, found = load(path)
    assert monograph is None
    lines = path.read_text(encoding="utf-8").split("\n")
    assert [p.line for p in found] == [lines.index(text) + 1]


def test_a_front_matter_field_written_as_a_yaml_escape_is_refused(write_monograph):
    path = write_monograph(text=monograph_text(name='"Testa\\u202emol"'))
    monograph, found = load(path)
    assert monograph is None
    assert any(p.message.startswith("name: character U+202E") for p in found)


def test_a_translation_with_a_bidi_override_is_refused(tmp_path):
    for name in ("baclofen.md", "baclofen.ar.md"):
        (tmp_path / name).write_text((LEAFLETS / name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    translation = tmp_path / "baclofen.ar.md"
    text = translation.read_text(encoding="utf-8")
    translation.write_text(text.replace("\u0628\u0627\u0643\u0644\u0648\u0641\u064a\u0646",
                                        "\u202e\u0628\u0627\u0643\u0644\u0648\u0641\u064a\u0646",
                                        1), encoding="utf-8")
    monograph, found = load(translation)
    assert monograph is None
    assert any("U+202E" in p.message for p in found)


def test_the_shipped_leaflets_pass_in_every_script():
    for path in sorted(LEAFLETS.glob("*.md")):
        assert list(problems(path.read_text(encoding="utf-8"))) == [], path


@pytest.mark.parametrize("field,value", [
    ("dose", "Take \u202e02 tablets"),
    ("directions", "Take 1\u200b0 mg"),
    ("timing", "\uff13 times a day"),
])
def test_patient_data_with_spoofing_text_names_the_field_not_the_value(field, value):
    data = yaml.load((ROOT / "examples" / "patient.yaml").read_text(), Loader=yaml.BaseLoader)
    data["medicines"][0][field] = value
    patient, found = parse_patient(Path("request"), json.dumps(data, ensure_ascii=False))
    assert patient is None
    assert [p.message.split(":")[0] for p in found] == [f"medicines.0.{field}"]
    assert value not in " ".join(p.message for p in found)


def test_an_spl_label_with_a_bidi_override_is_refused_at_its_line(tmp_path):
    lines = (SPL / "testamab.xml").read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if "Do not start TESTAMAB" in line)
    lines[index] = lines[index].replace("Do not start", "Do not \u202estart")
    label = tmp_path / "label.xml"
    label.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_label(label)
    assert [(p.line, "U+202E" in p.message) for p in caught.value.problems] == [
        (index + 1, True)]


def test_an_epi_narrative_with_invisible_characters_is_refused_naming_the_field(tmp_path):
    (patient, _) = export_monograph(LEAFLETS / "baclofen.md")
    bundle = patient.bundle
    section = bundle["entry"][0]["resource"]["section"][0]
    section["text"]["div"] = section["text"]["div"].replace("baclofen", "bac\u200blofen", 1)
    path = tmp_path / "x.epi.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        import_bundles([path])
    message = str(caught.value)
    assert "entry[0].resource.section[0].text.div: character U+200B" in message
