"""A translation is held to the same key facts as its source, phrase by phrase: a phrase that
carries nothing (the medicine's name, a word) is an error, and so is a file whose name and
language disagree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import leafletgen
from leafletgen.errors import Severity
from leafletgen.i18n.translation import words_in
from tests.conftest import LEAFLETS, STYLES


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    folder = tmp_path / "leaflets"
    folder.mkdir()
    for name in ("baclofen.md", "baclofen.es.md", "baclofen.ar.md", "baclofen.zh.md"):
        shutil.copy(LEAFLETS / name, folder / name)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(path: Path) -> list[str]:
    report = leafletgen.check_report([path], STYLES)
    return [p.message for p in report.problems if p.severity is Severity.ERROR]


@pytest.mark.parametrize("file,old,new", [
    ("baclofen.es.md", 'carried_by: "No beba alcohol"', 'carried_by: "baclofeno"'),
    ("baclofen.es.md", 'carried_by: "No beba alcohol"', 'carried_by: "alcohol"'),
    ("baclofen.es.md", 'carried_by: "No beba alcohol"', 'carried_by: "Baclofeno."'),
    ("baclofen.zh.md", 'carried_by: "不要饮酒"', 'carried_by: "巴氯芬"'),
    ("baclofen.ar.md", 'carried_by: "لا تشرب الكحول"', 'carried_by: "الكحول"'),
])
def test_a_phrase_that_carries_nothing_is_an_error(catalogue, file, old, new):
    path = catalogue / file
    _edit(path, old, new)
    assert any("key fact 'Avoid alcohol'" in m and "too short to carry it" in m
               for m in _errors(path))


def test_phrases_far_shorter_than_the_source_s_are_an_error(catalogue):
    path = catalogue / "baclofen.es.md"
    _edit(path, '''      - "El baclofeno puede darle sueño"
      - "No conduzca ni use máquinas hasta que sepa cómo le afecta"''',
          '''      - "puede darle"''')
    assert any("key fact 'Drowsiness" in m and "far less than the source" in m
               for m in _errors(path))


def test_text_that_turns_a_fact_round_fails_even_with_its_phrase_kept(catalogue):
    path = catalogue / "baclofen.es.md"
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4)
    path.write_text(text[:end] + text[end:].replace("No beba alcohol", "Beba alcohol"),
                    encoding="utf-8")
    assert any("No beba alcohol" in m and "missing from the 'patient' leaflet" in m
               for m in _errors(path))


@pytest.mark.parametrize("name,wanted", [
    ("baclofen.fr.md", "language: 'es' but the file name says 'fr'; rename the file to "
                       "baclofen.es.md"),
    ("baclofen-es.md", "a translation's file name ends in its language"),
])
def test_a_file_name_and_language_that_disagree_are_an_error(catalogue, name, wanted):
    path = catalogue / name
    (catalogue / "baclofen.es.md").rename(path)
    assert any(wanted in m for m in _errors(path))


def test_the_shipped_translations_pass(catalogue):
    for name in ("baclofen.es.md", "baclofen.ar.md", "baclofen.zh.md"):
        assert _errors(catalogue / name) == [], name


def test_words_are_counted_in_every_script_without_the_name():
    assert words_in("No beba alcohol") == 3
    assert words_in("不要饮酒") == 2
    assert words_in("Baclofeno, baclofeno", ("Baclofeno",)) == 0
    assert words_in("No deje de tomar baclofeno", ("baclofeno",)) == 4
