"""Packets and handouts in the patient's language."""

from __future__ import annotations

import io
import shutil

import pypdf
import pytest

import leafletgen
from leafletgen.errors import ContentError, UsageError

from ..conftest import LEAFLETS, ROOT, STYLES

pytestmark = pytest.mark.slow
PATIENT = ROOT / "examples" / "patient.yaml"
ARABIC_PATIENT = ROOT / "examples" / "patient-ar.yaml"


def text_of(data: bytes) -> str:
    # one space between words: table cells wrap lines anywhere
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_a_packet_in_spanish_keeps_the_directions_as_typed():
    data = leafletgen.packet(PATIENT, leaflets=LEAFLETS, styles=STYLES, draft=True,
                             language="es")
    text = text_of(data)
    assert "Sus medicamentos" in text and "Página 1 de" in text
    assert "No deje de tomar baclofeno de repente" in text  # the Spanish leaflet
    assert "From 7 December, lower the dose as the schedule shows." in text  # as typed
    assert pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "es"


def test_the_patient_file_language_picks_the_translation():
    data = leafletgen.handout(LEAFLETS / "baclofen.md", ARABIC_PATIENT, styles=STYLES,
                              draft=True)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "ar"


def test_a_medicine_without_a_translation_is_an_error_naming_the_field(tmp_path):
    folder = tmp_path / "leaflets"
    folder.mkdir()
    shutil.copy(LEAFLETS / "baclofen.md", folder / "baclofen.md")
    with pytest.raises(ContentError) as caught:
        leafletgen.packet(ARABIC_PATIENT, leaflets=folder, styles=STYLES, draft=True)
    (problem,) = caught.value.problems
    assert problem.path == ARABIC_PATIENT
    assert problem.message.startswith("medicines.0.monograph: this medicine's leaflet has no "
                                      "translation into the patient's language")
    assert "سلمى" not in problem.message and "'ar'" not in problem.message


def test_a_bad_language_option_is_a_usage_error():
    with pytest.raises(UsageError):
        leafletgen.packet(PATIENT, leaflets=LEAFLETS, styles=STYLES, draft=True,
                          language="Spanish")
