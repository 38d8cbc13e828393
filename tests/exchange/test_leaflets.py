"""Real FDA labels imported, built in every variant and verified (slow: renders PDFs)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest

import leafletgen
from leafletgen.exchange.importer import import_spl
from leafletgen.exchange.spl import read_label, words
from leafletgen.exchange.to_monograph import patient_blocks
from tests.conftest import STYLES

from .conftest import real_label

pytestmark = pytest.mark.slow


def pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(path)
    try:
        pages = []
        for page in document:
            text_page = page.get_textpage()
            pages.append(text_page.get_text_range())
            text_page.close()
            page.close()
        return "\n".join(pages)
    finally:
        document.close()


def tokens(text: str) -> list[str]:
    # a word the layout hyphenated at a line end is one word
    text = re.sub(r"[-\u00ad\u2010]\s*\r?\n\s*", "", text)
    return [w for w in re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))]


def coverage(source: list[str], printed: list[str]) -> float:
    """The share of the source's words (counted with repeats) that the printed text has."""
    want, have = Counter(source), Counter(printed)
    return sum(min(n, have[w]) for w, n in want.items()) / sum(want.values())


@pytest.fixture(scope="module", params=["humira.xml", "lipitor-orig.xml"])
def imported(request, tmp_path_factory):
    label = real_label(request.param)
    folder = tmp_path_factory.mktemp("imported")
    report = import_spl(label, folder / "leaflets", styles=STYLES)
    result = leafletgen.build([Path(report.monograph)], folder / "out", STYLES)
    return label, report, result


def test_imports_check_and_build_in_every_variant(imported):
    label, report, result = imported
    assert report.check_errors == ()
    assert [str(p) for p in result.problems if p.severity == "error"] == []
    assert sorted(p.name.rsplit("-", 1)[-1] if "large" not in p.name else "patient-large.pdf"
                  for p in result.written) == ["clinician.pdf", "patient-large.pdf",
                                               "patient.pdf"]


def test_patient_leaflet_carries_the_patient_text(imported):
    label, report, result = imported
    source = read_label(label)
    guide = next(s for s in source.sections if s.code in ("42231-1", "42230-3"))
    words_ = tokens(" ".join(words(patient_blocks(guide))))
    for pdf in result.written:
        if "patient" in pdf.name:
            share = coverage(words_, tokens(pdf_text(pdf)))
            assert share >= 0.90, f"{pdf.name}: {share:.1%} of the patient text printed"


def test_boxed_warning_is_in_the_clinician_box(imported):
    label, report, result = imported
    boxed = next((s for s in read_label(label).sections if s.code == "34066-1"), None)
    if boxed is None:
        pytest.skip("this label has no boxed warning")
    clinician = next(p for p in result.written if p.name.endswith("-clinician.pdf"))
    text = " ".join(pdf_text(clinician).split())
    box_start = text.index("Key safety information")
    next_heading = text.index("Indications", box_start)
    box = text[box_start:next_heading]
    assert coverage(tokens(" ".join(words(boxed.blocks))), tokens(box)) >= 0.95
