"""Keep-together: no line break inside a number and its unit, a range, a comparator, a date or
a Chinese number and its unit, wherever a leaflet prints text; and the verify measure that
finds one split in a PDF."""

from __future__ import annotations

import pytest

from leafletgen.source.markup import NBSP, WJ, keep_together
from leafletgen.verification.units import split_between

N, J = NBSP, WJ


@pytest.mark.parametrize(("text", "kept"), [
    ("120 mg in 5 mL", f"120{N}mg in 5{N}mL"),
    ("100 units/mL pen", f"100{N}units/{J}mL pen"),
    ("12.5–25 micrograms", f"12.5–{J}25{N}micrograms"),
    ("0.1–0.5 mU/L", f"0.1–{J}0.5{N}mU/{J}L"),
    ("0.1 – 0.5", f"0.1{N}–{J}{N}0.5"),
    ("≥ 70 years", f"≥{N}70{N}years"),
    ("70 mg/dL", f"70{N}mg/{J}dL"),
    ("mg/5 mL", f"mg/{J}5{N}mL"),
    ("2 micrograms/kg", f"2{N}micrograms/{J}kg"),
    ("1 to 2 weeks", f"1{N}to{N}2{N}weeks"),
    ("30 November 2026", f"30{N}November{N}2026"),
    ("30 de noviembre de 2026", f"30{N}de{N}noviembre{N}de{N}2026"),
    ("30 نوفمبر 2026", f"30{N}نوفمبر{N}2026"),
    ("1 到 2 周", f"1{N}到{N}2{N}{J}周"),
    ("2026年11月30日", f"2026{J}年{J}11{J}月{J}30{J}日"),
])
def test_every_kind_of_unit_is_kept_together(text, kept):
    assert keep_together(text) == kept


@pytest.mark.parametrize("text", ["and/or", "Taper over 1-2", "2026-11-30", "steps 5, 6 and 7",
                                  "yellowcard.mhra.gov.uk/report", "Take 3 of them"])
def test_text_without_units_is_left_as_it_is(text):
    assert keep_together(text) == text


@pytest.mark.parametrize(("before", "after", "split"), [
    ("Paracetamol 120 mg in 5", "mL oral suspension", True),
    ("100", "units/mL pen", True),
    ("12.5–", "25 micrograms", True),
    ("aged ≥", "70 years", True),
    ("70 mg/", "dL", True),
    ("Last revised 30 de noviembre", "de 2026", True),
    ("这需要 1 到", "2 周。", True),
    ("Take", "1 tablet", False),
    ("Week 1", "Week 2", False),
])
def test_a_line_break_inside_a_unit_is_found(before, after, split):
    assert split_between(before, after) is split


def test_verify_reports_a_number_split_from_its_unit_in_a_pdf():
    import weasyprint

    from leafletgen.verification.units import split_units

    def pdf(text: str) -> bytes:
        html = f'<p style="width: 42mm; font-size: 12pt">{text}</p>'
        return weasyprint.HTML(string=html).write_pdf()

    raw = "Give 120 mg in 5 mL to the child"
    # the line ends between the number and its unit whatever fonts the machine has
    found = split_units(pdf(raw.replace("5 mL", "5<br>mL")))
    assert [(f.page, f.before.strip()[-1:], f.after.strip()[:2]) for f in found] == \
        [(1, "5", "mL")]
    assert split_units(pdf(keep_together(raw))) == ()
    assert "5\" | \"mL" in found[0].message(quote=True)
