"""Focus a packet on its patient: match the record's medicines to monographs, and compare what
the monographs declare (``focus:`` front matter, docs/focus.md) with the patient's record.

- ``match_medicines``: each medicine read from a FHIR record is matched to a monograph by
  code (RxNorm, NDC, SNOMED CT, ATC, or any system a monograph's ``codes:`` names), then by
  generic name. A medicine no monograph answers to stays on the schedule (``unlisted``),
  with a warning naming it.
- ``focus``: a medicine whose monograph lists a recorded allergy stops the packet (an error
  naming the medicine and the allergy) unless the prescriber's decision is given; then the
  decision is printed on the first page. Cross-reactions, interactions between this patient's
  medicines, and the population warnings that apply (pregnant, breastfeeding, eGFR under a
  threshold, age) are ``Concern`` values, printed under "Check with your pharmacist".

Messages here name the medicine and the allergy (the prescriber must know which), never
other values of the record.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from leafletgen.errors import ContentError, Problem, Severity
from leafletgen.model import Allergy, Code, Monograph, Patient, Prescription, SubstanceClass

NO_LEAFLET = "ask your pharmacist for its leaflet"


@dataclass(frozen=True, repr=False)
class Concern:
    """One thing to check with the pharmacist, on the first page."""

    medicine: str
    kind: str  # interaction, cross-reaction, pregnancy, breastfeeding, kidney, age-...
    text: str
    action: str = ""

    def __repr__(self) -> str:
        return f"Concern({self.kind})"


@dataclass(frozen=True, repr=False)
class Decision:
    """A medicine given despite a recorded allergy, by the prescriber's decision."""

    medicine: str
    allergy: str
    note: str | None = None

    def __repr__(self) -> str:
        return "Decision(...)"


@dataclass(frozen=True, repr=False)
class Focused:
    """What the first page says about this patient beyond the schedule."""

    concerns: tuple[Concern, ...] = ()
    decisions: tuple[Decision, ...] = ()

    def __repr__(self) -> str:
        return f"Focused({len(self.concerns)} concerns, {len(self.decisions)} decisions)"


# -- matching ---------------------------------------------------------------------------------

def _code_set(monograph: Monograph) -> set[Code]:
    return {Code(system, code) for system, codes in monograph.codes for code in codes}


def _generic(monograph: Monograph) -> str:
    """The ingredient's name: the first word of the generic name ("amoxicillin")."""
    return re.split(r"[\s(,]", monograph.generic_name.strip(), maxsplit=1)[0].lower()


def _mentions(text: str, term: str) -> bool:
    """Whether ``term`` is a whole word (or words) in ``text``, singular or plural."""
    stem = term.lower().removesuffix("s")
    return re.search(rf"(?<![\w-]){re.escape(stem)}(s|es)?(?![\w-])", text.lower()) is not None


def match_medicines(patient: Patient, monographs: Sequence[Monograph]
                    ) -> tuple[Patient, list[Problem]]:
    """The patient with each record medicine's ``monograph`` set to the slug that answers to
    it (by code, then generic name); the others moved to ``unlisted``, each with a warning."""
    matched: list[Prescription] = []
    unlisted = list(patient.unlisted)
    warnings: list[Problem] = []
    for prescription in patient.medicines:
        if prescription.monograph:
            matched.append(prescription)
            continue
        found = _find(prescription, monographs)
        if found is None:
            unlisted.append(prescription)
            warnings.append(Problem(
                patient.path, prescription.line,
                f"{prescription.where}: no monograph for {prescription.display_name}: it is on "
                f"the schedule with '{NO_LEAFLET}'", Severity.WARNING,
                field=prescription.where))
        else:
            matched.append(dataclasses.replace(prescription, monograph=found.slug))
    slugs = [m.monograph for m in matched]
    problems = [Problem(patient.path, m.line, f"{m.where}: {m.display_name} is listed twice "
                        f"(as {slugs[:i].count(m.monograph) + 1} entries for one monograph); "
                        "the record should list each medicine once", field=m.where)
                for i, m in enumerate(matched) if m.monograph in slugs[:i]]
    if problems:
        raise ContentError(problems)
    return dataclasses.replace(patient, medicines=tuple(matched),
                               unlisted=tuple(unlisted)), warnings


def _find(prescription: Prescription, monographs: Sequence[Monograph]) -> Monograph | None:
    codes = set(prescription.codes)
    by_code = [m for m in monographs if codes & _code_set(m)]
    if by_code:
        return by_code[0]
    name = prescription.display_name
    return next((m for m in monographs if _mentions(name, _generic(m))), None)


# -- focus ------------------------------------------------------------------------------------

def _code_hit(recorded: Iterable[Code], declared: Iterable[Code]) -> bool:
    """A recorded code is a declared one; an ATC code also falls under its group's code."""
    declared = tuple(declared)
    for code in recorded:
        for other in declared:
            if code.system != other.system:
                continue
            if code.code == other.code or (code.system == "atc"
                                           and code.code.startswith(other.code)):
                return True
    return False


def _allergy_hits(allergy: Allergy, klass: SubstanceClass) -> bool:
    return _code_hit(allergy.codes, klass.codes) or any(
        _mentions(allergy.substance, term) for term in (klass.name, *klass.terms))


def _own_class(monograph: Monograph) -> SubstanceClass:
    return SubstanceClass(monograph.name, (_generic(monograph),),
                          tuple(_code_set(monograph)))


def focus(patient: Patient, medicines: Sequence[tuple[Monograph, Prescription]],
          decided: Collection[str] = ()) -> Focused:
    """Compare the monographs of this patient's medicines with their record.

    Raises ContentError when a medicine matches a recorded allergy and neither ``decided``
    (medicine slugs or names, from the caller) nor the prescription's ``allergy_decision``
    says the prescriber decided to give it."""
    wanted = {d.strip().lower() for d in decided}
    problems: list[Problem] = []
    decisions: list[Decision] = []
    concerns: list[Concern] = []
    for monograph, prescription in medicines:
        name = monograph.name
        for allergy in patient.allergies:
            klass = next((k for k in (*monograph.focus.allergy, _own_class(monograph))
                          if _allergy_hits(allergy, k)), None)
            if klass is not None:
                given = {prescription.monograph.lower(), name.lower(),
                         prescription.display_name.lower()} & wanted
                if given or prescription.allergy_decision:
                    decisions.append(Decision(name, allergy.substance,
                                              prescription.allergy_decision))
                else:
                    problems.append(Problem(
                        patient.path, prescription.line,
                        f"{prescription.where}: {name} matches the recorded allergy to "
                        f"{allergy.substance} ({klass.name}); no packet is made. If the "
                        f"prescriber has decided to give it, say so with --allergy-decision "
                        f"{prescription.monograph} (or 'allergy_decision' on this medicine in "
                        "the patient file)", field=prescription.where))
                continue
            for cross, advice in monograph.focus.cross_reactions:
                if _allergy_hits(allergy, cross):
                    concerns.append(Concern(name, "cross-reaction",
                                            f"Recorded allergy: {allergy.substance}.", advice))
                    break
    if problems:
        raise ContentError(problems)
    concerns += _interactions(patient, medicines)
    concerns += _populations(patient, medicines)
    return Focused(tuple(concerns), tuple(decisions))


def _words(prescription: Prescription, monograph: Monograph | None) -> list[str]:
    words = [prescription.display_name]
    if monograph is not None:
        words += [monograph.name, monograph.generic_name, monograph.slug,
                  *monograph.focus.classes]
    return words


def _interactions(patient: Patient, medicines: Sequence[tuple[Monograph, Prescription]]
                  ) -> list[Concern]:
    everyone: list[tuple[Monograph | None, Prescription]] = [
        *medicines, *((None, p) for p in patient.unlisted)]
    found: list[Concern] = []
    pairs: set[frozenset[str]] = set()
    for monograph, prescription in medicines:
        for interaction in monograph.focus.interactions:
            other = interaction.other
            for their_monograph, theirs in everyone:
                if theirs is prescription:
                    continue
                codes = [*theirs.codes, *(_code_set(their_monograph) if their_monograph
                                          else ())]
                words = _words(theirs, their_monograph)
                if not (_code_hit(codes, other.codes) or any(
                        _mentions(word, term) for word in words
                        for term in (other.name, *other.terms))):
                    continue
                their_name = their_monograph.name if their_monograph else theirs.display_name
                pair = frozenset((monograph.name, their_name))
                if pair in pairs:
                    continue
                pairs.add(pair)
                found.append(Concern(f"{monograph.name} and {their_name}", "interaction",
                                     interaction.effect, interaction.action))
    return found


def _age(patient: Patient) -> int | None:
    born = patient.date_of_birth
    if born is None:
        return None
    on = patient.date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _populations(patient: Patient, medicines: Sequence[tuple[Monograph, Prescription]]
                 ) -> list[Concern]:
    age = _age(patient)
    found = []
    for monograph, _ in medicines:
        for population in monograph.focus.populations:
            applies = {
                "pregnancy": patient.pregnant is True,
                "breastfeeding": patient.breastfeeding is True,
                "kidney": patient.egfr is not None and population.threshold is not None
                and patient.egfr < population.threshold,
                "age-under": age is not None and population.threshold is not None
                and age < population.threshold,
                "age-over": age is not None and population.threshold is not None
                and age > population.threshold,
            }.get(population.kind, False)
            if applies:
                found.append(Concern(monograph.name, population.kind, population.advice))
    return found


# where a leaflet says more about each kind of concern (sections.yaml ids)
SECTIONS_OF = {"interaction": ("interactions",), "cross-reaction": ("who-should-not-take",),
               "pregnancy": ("pregnancy",), "breastfeeding": ("pregnancy",),
               "kidney": ("special-populations",), "age-under": ("special-populations",),
               "age-over": ("special-populations",)}


def concerns_for(focused: Focused, name: str, source: str = ""
                 ) -> tuple[tuple[Concern, ...], frozenset[str]]:
    """The concerns about the medicine ``name`` (a monograph's name, or its source's slug
    ``source`` for a translation), and the ids of the sections that say more about them."""
    names = {name.lower(), source.lower()} - {""}
    mine = tuple(c for c in focused.concerns
                 if any(_mentions(c.medicine, n) for n in names))
    return mine, frozenset(s for c in mine for s in SECTIONS_OF.get(c.kind, ()))
