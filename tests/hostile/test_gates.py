"""The gates read only the text a reader sees on the page: a key-fact phrase in a link's
address, or hidden by an invisible character, does not carry the fact."""

from __future__ import annotations

import pytest

import leafletgen
from leafletgen.errors import Severity
from tests.conftest import BODY, STYLES, monograph_text

FACTS = ('[{fact: "Avoid alcohol", carried_by: {patient: "Do not drink alcohol", '
         'clinician: "Do not drink alcohol"}}]')


def _errors(write_monograph, sentence: str) -> list[str]:
    body = BODY.replace("Testamol treats test pain.", f"Testamol treats test pain. {sentence}")
    path = write_monograph(text=monograph_text(body=body, key_facts=FACTS))
    report = leafletgen.check_report([path], STYLES)
    return [p.message for p in report.problems if p.severity is Severity.ERROR]


def test_the_phrase_in_plain_text_carries_the_fact(write_monograph):
    assert _errors(write_monograph, "Do not drink alcohol.") == []


def test_markup_around_the_words_does_not_hide_them(write_monograph):
    assert _errors(write_monograph, "Do **not** drink alcohol.") == []


@pytest.mark.parametrize("sentence", [
    "See [our advice](https://example.org/Do-not-drink-alcohol).",
    "See [our advice](https://example.org/?q=Do%20not%20drink%20alcohol).",
    "Do not drink alcoh\u200bol.",  # refused as invisible, and never read as the phrase
    "Do not drink\u202e alcohol.",
])
def test_text_a_reader_does_not_see_carries_nothing(write_monograph, sentence):
    errors = _errors(write_monograph, sentence)
    assert any("Avoid alcohol" in e or "U+200B" in e or "U+202E" in e for e in errors)
