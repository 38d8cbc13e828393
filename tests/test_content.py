"""Every shipped monograph and the awkward test corpus: check --strict passes, every variant
builds and verifies, and every sentence written for patients is in the patient PDFs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

import leafletgen
from leafletgen.checks.gates import check_report
from leafletgen.i18n import direction, is_translation
from leafletgen.i18n import load_leaflet as load
from leafletgen.source.markup import plain_units

from .conftest import CORPUS, LEAFLETS, STYLES

MONOGRAPHS = sorted(LEAFLETS.glob("*.md")) + sorted(CORPUS.glob("*.md"))


@pytest.fixture(scope="module")
def catalogue(catalogue_build: Path) -> Path:
    """Every monograph built once in every variant (the corpus beside its figures), without
    a problem (tests/conftest.py)."""
    return catalogue_build


def test_there_are_monographs_of_several_shapes():
    assert len(list(LEAFLETS.glob("*.md"))) >= 5


def test_every_monograph_passes_check_strict():
    report = check_report([LEAFLETS, CORPUS], STYLES, strict=True)
    assert [str(p) for p in report.problems] == []


def test_every_monograph_builds_in_every_variant(catalogue):
    # counselling summaries (summary: true) are built for packets, or when named
    variants = [p.stem for p in (STYLES / "variants").glob("*.yaml")
                if "\nsummary: true\n" not in p.read_text(encoding="utf-8")]
    assert len(variants) >= 3
    for path in MONOGRAPHS:
        monograph, _ = load(path)
        for variant in variants:
            if is_translation(monograph) and variant == "clinician":
                # a translation is patient text: its patient leaflets only
                assert not (catalogue / f"{monograph.slug}-{variant}.pdf").exists(), path
                continue
            assert (catalogue / f"{monograph.slug}-{variant}.pdf").is_file(), (path, variant)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+|[0-9]+", text.casefold())


def in_order(needle: list[str], haystack: list[str], slack: int = 40) -> bool:
    """``needle`` appears in ``haystack`` in order, within a window (running headers and
    footers, the draft mark and printed references may come in between). A word longer than
    a line is printed over several lines: it matches the printed pieces that make it up."""
    def found(word: str, at: int) -> int | None:
        """Where the pieces of ``word`` printed from ``at`` end, if they make it up."""
        text = ""
        for end in range(at, min(len(haystack), at + len(word))):
            text += haystack[end]
            if text == word:
                return end
            if not word.startswith(text):
                return None
        return None

    for start in (i for i in range(len(haystack)) if found(needle[0], i) is not None):
        j = found(needle[0], start)
        for word in needle[1:]:
            j = next((end for i in range(j + 1, min(len(haystack), start + len(needle) + slack))
                      if (end := found(word, i)) is not None), None)
            if j is None:
                break
        else:
            return True
    return False


@pytest.mark.parametrize("path", MONOGRAPHS, ids=lambda p: p.stem)
def test_every_patient_text_unit_is_printed_in_every_patient_leaflet(catalogue, path):
    monograph, _ = load(path)
    for variant in ("patient", "patient-large"):
        printed = words(" ".join(page.extract_text() for page in
                                 PdfReader(catalogue / f"{monograph.slug}-{variant}.pdf").pages))
        for section in monograph.sections:
            for block in section.blocks_for("patient"):
                for unit in plain_units(block.text, block.line):
                    unit_words = words(unit.text)
                    if direction(monograph.language) == "rtl":
                        # text extraction gives right-to-left lines in visual order: the
                        # digits and Latin words of a line come out in another order
                        assert set(unit_words) <= set(printed), (path.name, unit.line)
                        continue
                    assert not unit_words or in_order(unit_words, printed), (
                        f"{path.name}:{unit.line} not in the {variant} leaflet: {unit.text}")


def test_a_wide_table_is_reflowed_not_cut_in_large_print(catalogue):
    text = " ".join(p.extract_text() for p in
                    PdfReader(catalogue / "awkward-patient-large.pdf").pages)
    assert "Saturday" in text and "Sunday" in text


def test_the_corpus_is_independent_of_the_repository_layout(tmp_path):
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    result = leafletgen.build([copy], tmp_path / "out", STYLES, variants=["patient"])
    assert result.ok, [str(p) for p in result.problems]


def test_sub_sections_are_nested_in_the_outline(catalogue):
    outline = PdfReader(catalogue / "awkward-patient.pdf").outline

    def nested(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from nested(item, depth + 1)
            else:
                yield depth, item.title

    entries = list(nested(outline))
    side_effects = next(i for i, (_, t) in enumerate(entries) if "side effects" in t)
    assert entries[side_effects + 1] == (entries[side_effects][0] + 1,
                                         "Common (up to 1 in 10 people)")
