"""The documents service: generic leaflets, handouts and packets of one project.

The one path for every document a person asks for: ``leafletgen.handout()`` and
``leafletgen.packet()``, the ``handout`` and ``packet`` commands and the server's render
workers all call a ``Documents``. It decides which leaflet each medicine gets (the patient's
language, the variant), whether it may be printed (approved, or a draft proof), and then lays
the document out (packet.py), verified before it is returned.

A ``Documents`` keeps what it has loaded (styles, renderers, the monographs it read) for its
own lifetime: a server's worker makes one and keeps it; a library call makes one per call.
Patient data stays in memory: nothing here logs it, caches it or writes it; errors name
fields of the patient data (``Problem.field``), never their values.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from leafletgen.checks.plan import Plan, find_monographs, plan
from leafletgen.errors import ContentError, Problem, UsageError, display_path, errors_in
from leafletgen.i18n.packets import (
    file_slug,
    in_language,
    language_of_slug,
    missing_translation,
    source_slug,
    translation_file,
    wanted_slug,
)
from leafletgen.model import Job, Patient, Prescription, Variant, check_paper
from leafletgen.personal.attachments import Attachment, read_attachments
from leafletgen.personal.discharge import first_page, prepare, summary_variant
from leafletgen.personal.packet import assemble
from leafletgen.project import Project
from leafletgen.render.environment import TemplateFeatures
from leafletgen.render.renderer import Renderer
from leafletgen.render.styles import Styles, load_styles
from leafletgen.source.patient import load_patient

DEFAULT_VARIANT = "patient"
APPROVED = "approved"
DRAFT = "draft"


def printable(status: str, draft: bool) -> bool:
    """Whether a monograph of ``status`` may be printed: approved ones always, a draft only
    as a proof (``draft``), anything else (withdrawn, ...) never."""
    return status == APPROVED or (draft and status == DRAFT)


class Documents:
    """Leaflets, handouts and packets for ``project``, with what they share loaded once."""

    def __init__(self, project: Project, features: TemplateFeatures | None = None):
        self.project = project
        self.styles: Styles = load_styles(project.styles, features)
        self._renderers: dict[str | None, Renderer] = {}
        self._catalogue: Plan | None = None

    # -- what is loaded ---------------------------------------------------------------------

    def preload(self) -> Plan:
        """Read and check every monograph of the project now, and keep them: a server's
        worker does, so a request reads no file."""
        if self._catalogue is None:
            # every variant: the counselling summaries too, which packets print by default
            self._catalogue = plan((self.project.leaflets,), self.project.styles,
                                   tuple(self.styles.variants) or None)
        return self._catalogue

    def renderer(self, paper: str | None = None) -> Renderer:
        check_paper(paper)
        if paper not in self._renderers:
            self._renderers[paper] = Renderer(self.styles, paper)
        return self._renderers[paper]

    def variant(self, patient: Patient, wanted: str | None = None) -> Variant:
        """The variant named by the caller, else by the patient data, else ``patient``."""
        if errors_in(self.styles.problems):
            raise ContentError(errors_in(self.styles.problems))
        variants = self.styles.variants
        usable = [v.name for v in variants.values() if v.audience == "patient"]
        if wanted is not None:
            if wanted not in usable:
                raise UsageError(f"unknown patient variant {wanted}; available: "
                                 f"{', '.join(usable)}")
            return variants[wanted]
        if patient.variant is None:
            if DEFAULT_VARIANT not in usable:
                raise UsageError(f"no '{DEFAULT_VARIANT}' variant in "
                                 f"{self.styles.path / 'variants'}; name one with --variant")
            return variants[DEFAULT_VARIANT]
        if patient.variant not in usable:
            raise ContentError([Problem(patient.path, patient.variant_line,
                                        "variant: there is no patient variant with this name; "
                                        f"use one of: {', '.join(usable)}", field="variant")])
        return variants[patient.variant]

    # -- the documents ----------------------------------------------------------------------

    def leaflet(self, slug: str, variant: str, *, paper: str | None = None,
                draft: bool = False) -> bytes:
        """The generic leaflet ``slug`` (a translation's: ``baclofen.es``) in ``variant``,
        rendered and verified as a build does. Raises ContentError or UsageError."""
        from leafletgen.verification.checked import checked_pdf

        the_plan = self._catalogue or plan((self.project.leaflets,), self.project.styles,
                                           (variant,))
        job = next((j for j in the_plan.jobs
                    if j.monograph.slug == slug and j.variant.name == variant), None)
        if job is None:
            raise UsageError(f"no valid monograph '{slug}' with a '{variant}' leaflet in "
                             f"{display_path(self.project.leaflets)}")
        if not printable(job.monograph.status, draft):
            raise UsageError(f"the monograph '{slug}' is a {job.monograph.status}; only "
                             "approved leaflets are given out (a draft as a marked proof)")
        checked = checked_pdf(self.renderer(paper), job, Path(f"{job.stem}.pdf"))
        if not checked.ok or checked.data is None:
            raise ContentError(errors_in(checked.problems))
        return checked.data

    def handout(self, medicine: str | Path, patient: Patient, *, variant: str | None = None,
                paper: str | None = None, draft: bool = False,
                language: str | None = None) -> bytes:
        """One personalised leaflet as PDF bytes. ``medicine`` is a slug of the project
        (``baclofen``, or a translation's ``baclofen.es``) or a monograph file."""
        if isinstance(medicine, Path):
            return self._handout_file(medicine, patient, variant, paper, draft, language)
        person = _with_language(patient, language, medicine)
        base = medicine.partition(".")[0]
        prescription = person.prescription(base)
        if prescription is None:
            raise ContentError([_not_prescribed(person, base)])
        chosen = self.variant(person, variant)
        pairs = self._match(person, [prescription], chosen, draft)
        return assemble(self.renderer(paper), person, pairs, cover=False)

    def packet(self, patient: Patient, *, variant: str | None = None,
               paper: str | None = None, draft: bool = False, language: str | None = None,
               attach: Sequence[Attachment | Path] = (), allergy_decisions: Sequence[str] = (),
               full: bool = False, notices: list[Problem] | None = None) -> bytes:
        """A discharge packet as PDF bytes: "My medicines" (personal/discharge.py), then each
        medicine's counselling summary (``full``: its full leaflet), personalised, with
        ``attach`` before (``first``) or after them.

        A FHIR record's medicines are matched to the monographs by code or name; one that
        none answers to stays on the schedule, with a warning in ``notices``. A medicine
        whose monograph matches a recorded allergy stops the packet unless
        ``allergy_decisions`` names it (the prescriber's decision, printed on page 1)."""
        person, warnings = prepare(patient, self.project.leaflets)
        if notices is not None:
            notices.extend(warnings)
        person = in_language(person, language)
        chosen = self.variant(person, variant)
        if not full:
            chosen = summary_variant(chosen, self.styles.variants)
        pairs = self._match(person, list(person.medicines), chosen, draft)
        page = first_page(person, pairs, self.project.leaflets, allergy_decisions)
        attachments = read_attachments(attach)
        try:
            return assemble(self.renderer(paper), person, pairs, cover=True,
                            attachments=attachments, variant=chosen, first=page)
        finally:
            for _, opened in attachments:
                opened.close()

    # -- which leaflet for which medicine ---------------------------------------------------

    def _handout_file(self, monograph: Path, patient: Patient, variant: str | None,
                      paper: str | None, draft: bool, language: str | None) -> bytes:
        person = _with_language(patient, language, file_slug(monograph))
        chosen = self.variant(person, variant)
        the_plan = plan((translation_file(monograph, person),), self.project.styles,
                        (chosen.name,))
        if not the_plan.jobs:
            raise ContentError(errors_in(the_plan.problems))
        job = the_plan.jobs[0]
        slug = source_slug(job.monograph)
        prescription = person.prescription(slug)
        if prescription is None:
            raise ContentError([_not_prescribed(person, slug)])
        field = f"medicines.{person.medicines.index(prescription)}.monograph"
        problems = approval_problems(person, prescription, job, field, draft)
        if problems:
            raise ContentError(problems)
        return assemble(self.renderer(paper), person, [(job, prescription)], cover=False)

    def _plan_for(self, patient: Patient, prescriptions: Sequence[Prescription],
                  variant: Variant) -> Plan:
        """The monographs these prescriptions need, read and checked: from the preloaded
        catalogue, else only their own files (found by name), so a broken monograph of
        another medicine cannot stop this patient's documents. A monograph may set its own
        'slug:'; only when a medicine has no file of its name is every monograph read."""
        if self._catalogue is not None:
            return self._catalogue
        leaflets = self.project.leaflets
        files, _ = find_monographs((leaflets,))  # a missing monograph is reported per medicine
        wanted = {wanted_slug(m.monograph, patient) for m in prescriptions}
        the_plan = plan([f for f in files if file_slug(f) in wanted], self.project.styles,
                        (variant.name,))
        if wanted <= {job.monograph.slug for job in the_plan.jobs} | _broken(the_plan):
            return the_plan
        return plan((leaflets,), self.project.styles, (variant.name,))

    def _match(self, patient: Patient, prescriptions: Sequence[Prescription],
               variant: Variant, draft: bool) -> list[tuple[Job, Prescription]]:
        """Each prescription with its leaflet in ``variant``; problems name the field."""
        the_plan = self._plan_for(patient, prescriptions, variant)
        leaflets = self.project.leaflets
        by_slug = {job.monograph.slug: job for job in the_plan.jobs
                   if job.variant.name == variant.name}
        approved = sorted(slug for slug, job in by_slug.items()
                          if job.monograph.status == APPROVED and "." not in slug)
        broken = _broken(the_plan)
        pairs: list[tuple[Job, Prescription]] = []
        problems: list[Problem] = []
        for prescription in prescriptions:
            i = patient.medicines.index(prescription)
            field = prescription.field or f"medicines.{i}.monograph" if patient.record \
                else f"medicines.{i}.monograph"
            slug = wanted_slug(prescription.monograph, patient)
            job = by_slug.get(slug)
            if job is not None:
                problems += approval_problems(patient, prescription, job, field, draft)
                pairs.append((job, prescription))
            elif slug in broken:
                problems.append(Problem(patient.path, prescription.line,
                                        f"{field}: the monograph for this medicine has errors; "
                                        "run 'leafletgen check' to see them", field=field))
            elif (untranslated := missing_translation(prescription.monograph, patient, by_slug,
                                                      field, prescription.line, leaflets)):
                problems.append(untranslated)
            else:
                problems.append(Problem(patient.path, prescription.line,
                                        f"{field}: there is no monograph with this slug in "
                                        f"{display_path(leaflets)}; available: "
                                        + (", ".join(approved) or "none"), field=field))
        if problems:
            raise ContentError(problems)
        return pairs


def approval_problems(patient: Patient, prescription: Prescription, job: Job, field: str,
                      draft: bool = False) -> list[Problem]:
    """Why ``job``'s leaflet may not be printed for this prescription (none: it may)."""
    if printable(job.monograph.status, draft):
        return []
    return [Problem(patient.path, prescription.line,
                    f"{field}: this medicine's monograph is a {job.monograph.status}; only "
                    "approved leaflets are given to patients (--draft prints a proof marked "
                    "DRAFT on every page, for review)", field=field)]


def _with_language(patient: Patient, language: str | None, slug: str) -> Patient:
    """The patient in the language asked for, else the one a translation's slug names
    (``baclofen.es``), else their own."""
    return in_language(patient, language or language_of_slug(slug))


def _not_prescribed(patient: Patient, slug: str) -> Problem:
    return Problem(patient.path, patient.medicines_line,
                   f"medicines: no entry has 'monograph: {slug}'; add this medicine with the "
                   "patient's dose, timing and directions", field="medicines")


def _broken(the_plan: Plan) -> set[str]:
    """The slugs (by file name) of the monographs that could not be read or had errors."""
    usable = {job.monograph.path for job in the_plan.jobs}
    return {file_slug(path) for path in the_plan.files if path not in usable}


# -- the library's functions -------------------------------------------------------------------

def packet(patient: Path | Patient, *, leaflets: Path | None = None, styles: Path | None = None,
           variant: str | None = None, attach: Sequence[Attachment | Path] = (),
           paper: str | None = None, draft: bool = False, language: str | None = None,
           allergy_decisions: Sequence[str] = (), full: bool = False,
           notices: list[Problem] | None = None) -> bytes:
    """A discharge packet as PDF bytes: "My medicines", then each medicine's counselling
    summary (``full``: its full leaflet), personalised.

    ``patient`` is a patient file (YAML), a FHIR record (JSON: a Bundle) or a Patient.
    ``leaflets`` and ``styles`` default to the project in the working directory. Only
    approved monographs are given to patients; ``draft`` allows draft ones for proofing
    (every page then says DRAFT — not for patient use). ``allergy_decisions`` names the
    medicines the prescriber decided to give despite a recorded allergy; warnings (a
    medicine with no monograph) are appended to ``notices``.
    Raises ContentError (problems located in the patient file) or UsageError.
    """
    project = Project.at(leaflets=leaflets, styles=styles)
    person = _patient(patient, project)
    return Documents(project).packet(person, variant=variant, paper=paper, draft=draft,
                                     language=language, attach=attach,
                                     allergy_decisions=allergy_decisions, full=full,
                                     notices=notices)


def handout(monograph: Path, patient: Path | Patient, *, styles: Path | None = None,
            variant: str | None = None, paper: str | None = None, draft: bool = False,
            language: str | None = None) -> bytes:
    """One personalised leaflet as PDF bytes: ``monograph`` with the patient's directions.

    ``draft`` allows a draft monograph, for proofing (DRAFT on every page)."""
    project = Project.at(leaflets=monograph.parent, styles=styles)
    person = _patient(patient, project)
    return Documents(project).handout(monograph, person, variant=variant, paper=paper, draft=draft,
                             language=language)


def _patient(patient: Path | Patient, project: Project) -> Patient:
    """The patient, read before anything else is loaded: its problems come first."""
    if isinstance(patient, Patient):
        return patient
    return load_patient(patient, project.styles)
