"""The discharge packet's steps beyond the leaflets: match a record's medicines to monographs,
focus on the patient (allergies, interactions, populations), and the "My medicines" page.

The documents service's packet (personal/service.py) calls ``prepare`` after reading the
patient and ``first_page`` once each medicine has its leaflet.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from leafletgen.checks.plan import find_monographs
from leafletgen.errors import Problem
from leafletgen.i18n.packets import file_slug
from leafletgen.model import Job, Monograph, Patient, Prescription, Variant
from leafletgen.personal.focus import focus, match_medicines
from leafletgen.personal.schedule import MyMedicines, my_medicines
from leafletgen.source.monograph import load


def source_monographs(leaflets: Path) -> list[Monograph]:
    """The readable monographs in ``leaflets`` written in their own language (translations,
    ``name.xx.md``, answer to the same codes as their source)."""
    files, _ = find_monographs((leaflets,))
    found = []
    for path in files:
        if "." in file_slug(path):
            continue
        monograph, _problems = load(path)
        if monograph is not None:
            found.append(monograph)
    return found


def prepare(patient: Patient, leaflets: Path) -> tuple[Patient, list[Problem]]:
    """A record's medicines matched to the monographs in ``leaflets`` (the others listed as
    having no leaflet, with a warning each). A patient file names its monographs already."""
    if not patient.record:
        return patient, []
    return match_medicines(patient, source_monographs(leaflets))


def first_page(patient: Patient, pairs: Sequence[tuple[Job, Prescription]], leaflets: Path,
               decided: Collection[str] = ()) -> MyMedicines:
    """The "My medicines" page. Raises ContentError when a medicine matches a recorded
    allergy without the prescriber's decision (``decided`` or the patient file's)."""
    sources = {m.slug: m for m in source_monographs(leaflets)}
    medicines = [(sources.get(prescription.monograph, job.monograph), prescription)
                 for job, prescription in pairs]
    focused = focus(patient, medicines, decided)
    anchors = {prescription.monograph: f"leaflet-{job.monograph.slug}"
               for job, prescription in pairs}
    return my_medicines(patient, anchors, focused)


def summary_variant(chosen: Variant, variants: Mapping[str, Variant]) -> Variant:
    """The counselling summary of ``chosen`` (``<name>-summary`` in styles/variants/, e.g.
    patient-large-summary), which packets print by default; ``chosen`` itself when it is a
    summary or has none."""
    if chosen.summary:
        return chosen
    return variants.get(f"{chosen.name}-summary", chosen)
