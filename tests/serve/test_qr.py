"""With a public address, the leaflets a server prints carry a QR code to their web page."""

from __future__ import annotations

import pytest

from leafletgen.serve import pool, qr

from .conftest import STYLES, patient_data
from .test_api import pdf_text
from .test_pool import _patient

URL = "https://leaflets.example.org"


def test_qr_svg_has_a_title_for_the_tagged_pdf():
    svg = str(qr.qr_svg(URL + "/leaflets/baclofen/patient"))
    assert svg.startswith("<svg") and "<title>QR code of this leaflet" in svg
    assert svg != str(qr.qr_svg(URL + "/leaflets/baclofen/clinician"))


@pytest.mark.slow
def test_served_leaflets_carry_the_code_and_address_and_still_verify(leaflets):
    pool.load_state(leaflets, STYLES)
    plain = pool.generic_pdf("baclofen", "patient", None)
    pool.load_state(leaflets, STYLES, URL)  # a documents service with the QR feature
    generic = pool.generic_pdf("baclofen", "clinician", None)  # verified inside
    handout = pool.handout_pdf("baclofen", _patient(patient_data("baclofen")), None, None,
                               False)
    pool.load_state(leaflets, STYLES)
    squeezed = "".join(pdf_text(generic).split())
    assert "leaflets.example.org/leaflets/baclofen/clinician" in squeezed
    assert "leaflets.example.org/leaflets/baclofen/patient" in "".join(
        pdf_text(handout).split())
    assert "leaflets.example.org" not in pdf_text(plain)  # not without a public address
    assert pool.generic_pdf("baclofen", "patient", None) == plain  # and off again
