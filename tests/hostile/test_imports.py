"""Importers: inputs bounded before they are read, hostile XML and JSON refused with a clear
error, and imported text kept as data that never opens or closes a block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leafletgen.errors import ContentError
from leafletgen.exchange import fhir
from leafletgen.exchange.fhir import export_monograph, import_bundles
from leafletgen.exchange.spl import MAX_LABEL_BYTES, read_label
from leafletgen.exchange.to_monograph import draft
from leafletgen.source.monograph import load
from tests.conftest import LEAFLETS, ROOT

SPL = ROOT / "tests" / "fixtures" / "spl"
WARNING = "Do not start TESTAMAB during an active infection."


def _problem(call) -> str:
    with pytest.raises(ContentError) as caught:
        call()
    return str(caught.value)


# --- sizes ------------------------------------------------------------------------------------

def test_a_huge_label_is_refused_from_its_size_without_reading_it(tmp_path):
    label = tmp_path / "huge.xml"
    with label.open("wb") as file:
        file.truncate(3 * 1024 ** 3)  # sparse: 3 GB that take no disk
    assert "a label may be at most 20 MB" in _problem(lambda: read_label(label))


def test_an_endless_label_is_refused_after_its_limit(tmp_path):
    assert "or more; a label may be at most" in _problem(lambda: read_label(Path("/dev/zero")))


def test_a_label_just_over_the_limit_is_refused(tmp_path):
    label = tmp_path / "big.xml"
    label.write_bytes(b" " * (MAX_LABEL_BYTES + 1))
    assert "at most 20 MB" in _problem(lambda: read_label(label))


def test_an_endless_bundle_is_refused_after_its_limit():
    message = _problem(lambda: import_bundles([Path("/dev/zero")]))
    assert "an ePI Bundle may be at most" in message


def _bundle(tmp_path: Path, change=None, name: str = "x.epi.json") -> Path:
    (patient, _) = export_monograph(LEAFLETS / "baclofen.md")
    bundle = patient.bundle
    if change is not None:
        change(bundle)
    path = tmp_path / name
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def _sections(bundle: dict) -> list[dict]:
    return bundle["entry"][0]["resource"]["section"]


def _from_narrative(bundle: dict) -> None:
    """A Bundle from elsewhere: its sections are read from their XHTML narrative."""
    del bundle["entry"][0]["resource"]["extension"]
    for section in _sections(bundle):
        del section["extension"]


def test_a_narrative_larger_than_a_monograph_is_refused(tmp_path):
    def swell(bundle: dict) -> None:
        _from_narrative(bundle)
        _sections(bundle)[0]["text"]["div"] = (
            '<div xmlns="http://www.w3.org/1999/xhtml">'
            + "<p>Take your medicine as your doctor says.</p>" * 8000 + "</div>")

    message = _problem(lambda: import_bundles([_bundle(tmp_path, swell)]))
    assert "more than the 256 KB a monograph may be" in message


# --- hostile XML and JSON ---------------------------------------------------------------------

@pytest.mark.parametrize("div", [
    '<!DOCTYPE div [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<div xmlns="http://www.w3.org/1999/xhtml"><p>&x;</p></div>',
    '<!DOCTYPE div [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    '<div xmlns="http://www.w3.org/1999/xhtml"><p>&b;</p></div>',
    '<div xmlns="http://www.w3.org/1999/xhtml">' + "<div>" * 5000 + "</div>" * 5000 + "</div>",
    '<div xmlns="http://www.w3.org/1999/xhtml"><p>not closed</div>',
])
def test_a_hostile_narrative_is_a_clear_error(tmp_path, div):
    def poison(bundle: dict) -> None:
        _from_narrative(bundle)
        _sections(bundle)[0]["text"]["div"] = div

    message = _problem(lambda: import_bundles([_bundle(tmp_path, poison)]))
    assert "narrative" in message and "internal" not in message
    assert "root:" not in message  # nothing of /etc/passwd


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_refused(tmp_path, depth):
    path = tmp_path / "deep.json"
    path.write_text("[" * depth + "]" * depth)
    assert f"nests more than {fhir.MAX_JSON_DEPTH} levels" in _problem(
        lambda: import_bundles([path]))


def test_a_bundle_that_is_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_bytes(b'{"a": "\xff"}')
    assert "not UTF-8" in _problem(lambda: import_bundles([path]))


def test_a_label_declaring_entities_is_refused(tmp_path):
    label = tmp_path / "x.xml"
    label.write_text('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><document/>')
    assert "DOCTYPE or entities" in _problem(lambda: read_label(label))


# --- imported text is data ------------------------------------------------------------------

def _label(tmp_path: Path, replacement: str) -> Path:
    text = (SPL / "testamab.xml").read_text(encoding="utf-8")
    assert WARNING in text
    label = tmp_path / "label.xml"
    label.write_text(text.replace(WARNING, replacement), encoding="utf-8")
    return label


def _blocks(tmp_path: Path, text: str) -> list[tuple[str, str, str]]:
    path = tmp_path / "imported.md"
    path.write_text(text, encoding="utf-8")
    monograph, problems = load(path)
    assert monograph is not None, [str(p) for p in problems]
    return [(s.id, b.audience, b.text) for s in monograph.sections for b in s.blocks]


@pytest.mark.parametrize("markup", [
    "Warning.<br/>:::<br/>::: patient<br/>Take twice the dose.",
    "Warning.<br/>  :::  <br/>Take twice the dose.",
    "Warning.<br/>## uses<br/>Take twice the dose.",
    "Warning.<br/>---<br/>Take twice the dose.",
])
def test_label_text_that_reads_as_markup_stays_in_its_block(tmp_path, markup):
    label = read_label(_label(tmp_path, markup))
    blocks = _blocks(tmp_path, draft(label).text)
    holding = [b for b in blocks if "Take twice the dose" in b[2]]
    assert len(holding) == 1
    assert holding[0][:2] == next(b for b in blocks if "Warning." in b[2])[:2]


@pytest.mark.parametrize("paragraph", [
    "::: clinician", ":::", "## uses", "- a list?", "1. a list?", "---", "+ plus",
])
def test_narrative_text_that_reads_as_markup_is_escaped(tmp_path, paragraph):
    def poison(bundle: dict) -> None:
        _from_narrative(bundle)
        _sections(bundle)[0]["text"]["div"] = (
            '<div xmlns="http://www.w3.org/1999/xhtml"><p>Never stop suddenly.</p>'
            f"<p>{paragraph}</p><p>Take twice the dose.</p></div>")

    imported = import_bundles([_bundle(tmp_path, poison)])
    blocks = _blocks(tmp_path, imported.text)
    holding = [b for b in blocks if "Take twice the dose" in b[2]]
    assert len(holding) == 1 and holding[0][1] == "patient"
    assert any(paragraph.lstrip(":-+#1") in b[2] for b in holding)


def test_markdown_carried_in_a_bundle_cannot_open_a_block_or_a_section(tmp_path):
    def poison(bundle: dict) -> None:
        extension = _sections(bundle)[0]["extension"][0]
        extension["valueMarkdown"] = ("Never stop suddenly.\n\n:::\n\n::: clinician\n\n"
                                      "## uses\n\nTake twice the dose.")

    imported = import_bundles([_bundle(tmp_path, poison)])
    blocks = _blocks(tmp_path, imported.text)
    holding = [b for b in blocks if "Take twice the dose" in b[2]]
    assert len(holding) == 1 and holding[0][1] == "patient"
    assert holding[0][0] == _sections(json.loads(
        export_monograph(LEAFLETS / "baclofen.md")[0].json()))[0]["code"]["coding"][-1]["code"]

