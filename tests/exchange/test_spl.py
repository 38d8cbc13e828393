"""Reading SPL files into the typed label model."""

from __future__ import annotations

import datetime as dt

import pytest

from leafletgen.errors import ContentError
from leafletgen.exchange.spl import Figure, ListBlock, Paragraph, Table, read_label, words

from .conftest import SPL


def test_document_and_product_data():
    label = read_label(SPL / "testamab.xml")
    assert label.set_id == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    assert label.version == "3"
    assert label.effective == dt.date(2024, 1, 15)
    assert label.organization == "Example Pharma Inc."
    (product,) = label.products
    assert (product.name, product.generic_name, product.form) == \
        ("Testamab", "testamab", "INJECTION, SOLUTION")
    assert product.strengths == ("40 mg/0.8 mL",)
    assert product.route == "SUBCUTANEOUS"
    assert [(c.system, c.code) for c in product.codes] == [
        ("ndc", "12345-678"), ("ndc", "12345-678-01"), ("unii", "ABC123DEF4")]


def test_sections_nest_and_keep_their_highlights():
    label = read_label(SPL / "testamab.xml")
    codes = [s.code for s in label.sections]
    assert codes[:3] == ["48780-1", "34066-1", "34067-9"]
    uses = label.sections[2]
    assert uses.title == "1 INDICATIONS AND USAGE"
    assert "blocker" in " ".join(words(uses.highlights))
    warnings = next(s for s in label.sections if s.code == "43685-7")
    assert [c.xml_id for c in warnings.children] == ["S5.1"]
    assert label.by_xml_id()["S5.1"].title == "5.1 Serious Infections"


def test_tables_keep_spans_captions_and_footnotes():
    dosage = next(s for s in read_label(SPL / "testamab.xml").sections if s.code == "34068-7")
    table = next(b for b in dosage.blocks if isinstance(b, Table))
    assert "".join(r.text for r in table.caption) == "Table 1. Dose by body weight"
    assert [row.header for row in table.rows] == [True, True, False, False, False, False]
    assert (table.rows[0].cells[0].rowspan, table.rows[0].cells[1].colspan) == (2, 2)
    assert [("".join(r.text for r in n.runs)) for n in table.footnotes] == \
        ["Given as two injections."]
    cell = table.rows[2].cells[1].blocks[0]
    assert [r.kind for r in cell.runs] == ["text", "note"]


def test_lists_styles_inline_styles_and_figures():
    dosage = next(s for s in read_label(SPL / "testamab.xml").sections if s.code == "34068-7")
    first = dosage.blocks[0]
    assert isinstance(first, Paragraph)
    assert [r.text for r in first.runs if "sub" in r.styles] == ["max"]
    assert [r.text for r in first.runs if "sup" in r.styles] == ["3", "2"]
    assert any(r.kind == "break" for r in first.runs)
    outer = next(b for b in dosage.blocks if isinstance(b, ListBlock))
    assert outer.ordered and outer.style == "Arabic"
    inner = outer.items[1][1]
    assert isinstance(inner, ListBlock) and not inner.ordered
    figure = next(b for b in dosage.blocks if isinstance(b, Figure))
    assert (figure.alt, figure.src) == ("A hand pinching the skin", "pinch.jpg")
    # the image's description is not text of the section
    assert "pinching" not in " ".join(words(dosage.blocks))


def test_entity_declarations_are_refused_before_parsing():
    with pytest.raises(ContentError) as caught:
        read_label(SPL / "entities.xml")
    (problem,) = caught.value.problems
    assert problem.line == 2
    assert "DOCTYPE or entities" in problem.message


@pytest.mark.parametrize("text, line, words_", [
    ("<document xmlns='urn:hl7-org:v3'>\n<title>x</document>", 2, "not well-formed"),
    ("<html><body/></html>", 1, "not an SPL document"),
    ("<document xmlns='urn:hl7-org:v3'><title>x</title></document>", 1, "no structured body"),
])
def test_other_xml_is_refused_with_its_line(tmp_path, text, line, words_):
    path = tmp_path / "x.xml"
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        read_label(path)
    (problem,) = caught.value.problems
    assert (problem.line, words_ in problem.message) == (line, True)


def test_real_labels_read(label_path):
    label = read_label(label_path)
    assert label.set_id and label.version and label.effective
    assert label.products and all(p.codes for p in label.products)
    assert any(s.code in ("42231-1", "42230-3") for s in label.sections)


def test_a_doctype_in_another_encoding_is_refused(tmp_path):
    path = tmp_path / "utf16.xml"
    text = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE document [<!ENTITY a "b">]>\n'
            '<document xmlns="urn:hl7-org:v3"><title>&a;</title></document>')
    path.write_bytes(text.encode("utf-16"))
    with pytest.raises(ContentError) as caught:
        read_label(path)
    assert "DOCTYPE" in str(caught.value)
