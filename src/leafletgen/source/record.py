"""Read a patient's record as HL7 FHIR JSON into the same checked ``Patient`` a patient file gives.

A ward's record system sends one of:

- an International Patient Summary (IPS): a ``document`` Bundle (Composition, Patient,
  MedicationStatement / MedicationRequest with their Medication, AllergyIntolerance,
  Condition, Observation);
- a Bundle (``collection``, ``transaction``, ``searchset``...) of MedicationRequest or
  MedicationStatement resources with the Patient, AllergyIntolerance, Condition and
  Observation resources that go with them.

FHIR R4 (what hospitals send; read with the R4B models, which R4 resources validate against)
and R5 are both read, by the ``fhir.resources`` models: every resource is validated before a
value is used. What it gives:

- each current medicine as a ``Prescription`` whose ``dosing`` is the schedule its Dosage
  says (``timing.repeat`` frequency, period, ``when``, ``timeOfDay``, ``dayOfWeek``, bounds;
  ``doseAndRate``; ``asNeeded`` and ``maxDosePerPeriod``; ``patientInstruction`` and
  ``text``). A dosage the schedule cannot express is ``unscheduled``: printed as written.
  Several dosages with their own dates (a taper) are ``steps``. The medicine's ``monograph``
  is "" here: it is matched to a monograph by code or name when the packet is made
  (personal/record.py);
- stopped medicines (status ``stopped`` or ``cancelled``), and a changed dose
  (``priorPrescription``, the old dose as ``previous``); a MedicationRequest for a medicine
  the patient's statements do not list is ``new``;
- allergies (active, not refuted), pregnancy (Observation LOINC 82810-3 or an active
  Condition SNOMED CT 77386006), the latest eGFR (Observation LOINC 33914-3, 62238-1,
  98979-8, 48642-3, 48643-1, 50044-7, 88293-6, 88294-4, 69405-9, 77147-7).

The file is size-limited before it is read. Errors are ``file: field path: message``, naming
the field (``entry.5.resource.dosage.0.timing.repeat.count``), never its value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from leafletgen.errors import Problem
from leafletgen.limits import TooLarge, kilobytes, read_limited
from leafletgen.model import (
    Allergy,
    Code,
    Contact,
    Dosing,
    Patient,
    Prescription,
    Stopped,
)

MAX_RECORD_BYTES = 4 * 1024 * 1024  # an IPS with its narratives is a few hundred KB

SYSTEMS = {
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "http://hl7.org/fhir/sid/ndc": "ndc",
    "http://snomed.info/sct": "snomed",
    "http://www.whocc.no/atc": "atc",
    "http://fdasis.nlm.nih.gov": "unii",
}
LOINC = "http://loinc.org"
PREGNANCY_STATUS = "82810-3"
PREGNANT, NOT_PREGNANT = "77386006", "60001007"
EGFR = {"33914-3", "62238-1", "98979-8", "48642-3", "48643-1", "50044-7", "88293-6",
        "88294-4", "69405-9", "77147-7"}

# timing.repeat.when (EventTiming) -> the schedule's time of day
WHEN = {
    "MORN": "morning", "MORN.early": "morning", "MORN.late": "morning", "WAKE": "morning",
    "ACM": "morning", "CM": "morning", "PCM": "morning",
    "NOON": "midday", "ACD": "midday", "CD": "midday", "PCD": "midday",
    "AFT": "midday", "AFT.early": "midday", "AFT.late": "midday",
    "EVE": "evening", "EVE.early": "evening", "EVE.late": "evening", "ACV": "evening",
    "CV": "evening", "PCV": "evening", "NIGHT": "bedtime", "PHS": "bedtime", "HS": "bedtime",
}
MEALS = {"AC": "before food", "PC": "after food", "C": "with food"}
# times a day with no time named -> the times of day they are taken at
DAILY = {2: ("morning", "evening"), 3: ("morning", "midday", "evening"),
         4: ("morning", "midday", "evening", "bedtime")}
COUNTED = ("tablet", "capsule", "puff", "drop", "sachet", "patch", "spray", "inhalation",
           "suppository", "pessary", "lozenge", "injection")
CURRENT_REQUEST = {"active", "on-hold", "draft"}
STOPPED = {"stopped", "cancelled"}
CURRENT_STATEMENT = {"active", "intended", "on-hold", "unknown", "recorded", "draft"}


def _problem(path: Path, message: str) -> Problem:
    """A problem whose message starts with the field it is about ("entry.5.resource: ...");
    ``field`` carries it for callers that answer in another form (HTTP)."""
    field = message.split(": ", 1)[0] if ": " in message else None
    field = field if field and " " not in field else None
    return Problem(path, 0, message, field=field)


class RecordError(Exception):
    """The record cannot be used; ``problems`` name the fields."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def is_record(text: str) -> bool:
    """Whether a patient file's text is a FHIR resource (JSON with a resourceType)."""
    start = text.lstrip("\ufeff \t\r\n")[:4096]
    return start.startswith("{") and '"resourceType"' in start


def read_record(path: Path) -> tuple[Patient | None, list[Problem]]:
    """Read a FHIR record file; the patient is None when any error was found."""
    try:
        data = read_limited(path, MAX_RECORD_BYTES)
    except TooLarge as exc:
        return None, [Problem(path, 0, f"the record is {kilobytes(exc.size)}, over the "
                              f"{kilobytes(MAX_RECORD_BYTES)} a record may be; send one "
                              "patient's summary only")]
    except OSError as exc:
        return None, [Problem(path, 0, f"cannot read the record: {exc.strerror}")]
    try:
        return parse_record(path, data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, [Problem(path, 0, "the record is not UTF-8 text")]


def parse_record(path: Path, text: str | bytes | dict[str, Any]
                 ) -> tuple[Patient | None, list[Problem]]:
    """Check a FHIR record held in memory (JSON text, or already parsed); ``path`` only names
    it in problems."""
    if isinstance(text, dict):
        data: Any = text
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return None, [Problem(path, exc.lineno, "not valid JSON: "
                                  f"{exc.msg.lower()} at column {exc.colno}")]
        except RecursionError:
            return None, [Problem(path, 0, "the JSON is nested too deeply")]
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        return None, [_problem(path, "resourceType: missing; a FHIR record is a JSON object "
                              "with a resourceType (a Bundle)")]
    if data["resourceType"] != "Bundle":
        return None, [_problem(path, "resourceType: a record for a packet is a Bundle (an "
                              "International Patient Summary, or a Bundle of "
                              "MedicationRequest with its Patient)")]
    version = _version(data)
    bundle, problems = _validate(path, data, version)
    if bundle is None:
        return None, problems
    try:
        return _Reader(path, bundle, version).patient()
    except RecordError as exc:
        return None, exc.problems


def _version(data: dict[str, Any]) -> str:
    """R5 when a medication resource uses R5's ``medication`` (CodeableReference) or the
    Bundle says so; else R4 (read with the R4B models)."""
    declared = str((data.get("meta") or {}).get("profile") or "")
    if "/R5/" in declared or "5.0" in str(data.get("fhirVersion") or ""):
        return "R5"
    for entry in data.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") in (
                "MedicationRequest", "MedicationStatement"):
            if "medication" in resource:
                return "R5"
            if "medicationCodeableConcept" in resource or "medicationReference" in resource:
                return "R4"
    return "R4"


def _validate(path: Path, data: dict[str, Any], version: str) -> tuple[Any, list[Problem]]:
    import importlib

    from pydantic import ValidationError

    module = "fhir.resources.bundle" if version == "R5" else "fhir.resources.R4B.bundle"
    bundle: Any = importlib.import_module(module).Bundle
    try:
        return bundle.model_validate(data), []
    except ValidationError as exc:
        problems = [_problem(path, f"{_field(error['loc'])}: {_message(dict(error))} "
                            f"(FHIR {version})") for error in exc.errors()[:20]]
        return None, problems
    except (ValueError, TypeError, KeyError, RecursionError):
        return None, [Problem(path, 0, f"the Bundle is not valid FHIR {version}")]


def _field(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc if not str(part).startswith("function-")) \
        or "Bundle"


# pydantic's messages for these say what is wrong without quoting the value
_SAFE = ("missing", "extra_forbidden", "int_parsing", "int_type", "float_parsing",
         "float_type", "bool_parsing", "bool_type", "string_type", "list_type", "dict_type",
         "model_type", "date_parsing", "date_from_datetime_parsing", "datetime_parsing",
         "decimal_parsing", "decimal_type", "string_too_short", "too_short", "literal_error",
         "enum")


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "is required here"
    if kind == "extra_forbidden":
        return "is not a field of this resource; check its name and the FHIR version"
    if kind in _SAFE:
        return str(error.get("msg", "is not valid")).replace("Input", "the value").rstrip(".")
    return "is not valid FHIR here (wrong form or value); check it against the FHIR resource"


def _text(concept: Any) -> str | None:
    """A CodeableConcept as a person reads it: its text, else an ATC, RxNorm or any display."""
    if concept is None:
        return None
    if getattr(concept, "text", None):
        return concept.text
    codings = list(getattr(concept, "coding", None) or [])
    for system in ("http://www.whocc.no/atc", "http://www.nlm.nih.gov/research/umls/rxnorm"):
        for coding in codings:
            if coding.system == system and coding.display:
                return coding.display
    return next((c.display for c in codings if c.display), None)


# SNOMED CT's semantic tag at the end of a display: "Penicillin (substance)"
_SEMANTIC_TAG = re.compile(r"\s*\((substance|finding|disorder|product|medicinal product|"
                           r"clinical drug|observable entity)\)$")


def _readable(text: str | None) -> str | None:
    return _SEMANTIC_TAG.sub("", text).strip() or text if text else text


def _codes(concept: Any) -> tuple[Code, ...]:
    found = []
    for coding in getattr(concept, "coding", None) or []:
        if coding.code and coding.system:
            system = SYSTEMS.get(coding.system, coding.system.removeprefix("urn:oid:"))
            found.append(Code(system, coding.code))
    return tuple(found)


def _has(concept: Any, system: str, code: str) -> bool:
    return any(c.system == system and c.code == code
               for c in getattr(concept, "coding", None) or [])


def _status(concept: Any) -> str | None:
    codings = getattr(concept, "coding", None) or []
    return codings[0].code if codings else None


def _number(value: Decimal | float | int) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def _quantity(quantity: Any) -> str | None:
    if quantity is None or quantity.value is None:
        return None
    unit = quantity.unit or quantity.code or ""
    unit = unit.strip("{}")
    if unit in COUNTED and quantity.value != 1:
        unit += "s"
    return f"{_number(quantity.value)} {unit}".strip()


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value))
    return dt.date(*map(int, match.groups())) if match else None


class _Reader:
    def __init__(self, path: Path, bundle: Any, version: str):
        self.path = path
        self.version = version
        self.entries: list[tuple[str, Any]] = []  # (field, resource)
        self.by_reference: dict[str, Any] = {}
        for i, entry in enumerate(bundle.entry or []):
            resource = entry.resource
            if resource is None:
                continue
            kind = resource.get_resource_type()
            self.entries.append((f"entry.{i}.resource", resource))
            if entry.fullUrl:
                self.by_reference[entry.fullUrl] = resource
            if resource.id:
                self.by_reference[f"{kind}/{resource.id}"] = resource
                self.by_reference[f"urn:uuid:{resource.id}"] = resource
        self.timestamp = _date(bundle.timestamp)

    def of(self, kind: str) -> list[tuple[str, Any]]:
        return [(f, r) for f, r in self.entries if r.get_resource_type() == kind]

    def resolve(self, reference: Any) -> Any:
        target = getattr(reference, "reference", None)
        return self.by_reference.get(target) if target else None

    def fail(self, field: str, message: str) -> RecordError:
        return RecordError([_problem(self.path, f"{field}: {message}")])

    # -- the patient ----------------------------------------------------------------------

    def patient(self) -> tuple[Patient | None, list[Problem]]:
        people = self.of("Patient")
        if not people:
            raise self.fail("entry", "the Bundle has no Patient resource; the packet needs the "
                            "patient's name")
        field, person = people[0]
        name = self._name(person)
        if not name:
            raise self.fail(f"{field}.name", "the patient has no name to print on the packet")
        composition = next((r for _, r in self.of("Composition")), None)
        problems: list[Problem] = []
        medicines, stopped = self._medicines(problems)
        if not medicines and not stopped:
            problems.append(_problem(self.path, "entry: the Bundle has no current "
                                    "MedicationRequest or MedicationStatement; a packet lists "
                                    "at least one medicine"))
        contact = self._contact(composition)
        if contact is None:
            problems.append(_problem(self.path, "entry: no Organization with a phone number "
                                    "(Composition.custodian, else any Organization with "
                                    "telecom system 'phone'): the packet must say who to call"))
        if problems:
            return None, problems
        assert contact is not None
        record_number = next((i.value for i in person.identifier or [] if i.value), None)
        return Patient(
            path=self.path,
            name=name,
            date=_date(getattr(composition, "date", None)) or self.timestamp
            or dt.date.today(),
            prescriber=self._prescriber(composition) or Contact(contact.name),
            contact=contact,
            medicines=tuple(medicines),
            date_of_birth=_date(person.birthDate),
            record_number=record_number,
            allergies=self._allergies(),
            stopped=tuple(stopped),
            pregnant=self._pregnant(),
            egfr=self._egfr(),
            record=True,
        ), []

    @staticmethod
    def _name(resource: Any) -> str | None:
        names = getattr(resource, "name", None)
        if isinstance(names, str):
            return names.strip() or None
        for name in names or []:
            if name.text:
                return name.text
            parts = [*(name.prefix or []), *(name.given or []), name.family or ""]
            joined = " ".join(p for p in parts if p).strip()
            if joined:
                return joined
        return None

    @staticmethod
    def _phone(resource: Any) -> str | None:
        """Its phone number (R5 Organizations keep theirs in ``contact``)."""
        telecoms = list(getattr(resource, "telecom", None) or [])
        for contact in getattr(resource, "contact", None) or []:
            telecoms += list(getattr(contact, "telecom", None) or [])
        return next((t.value for t in telecoms if t.system == "phone" and t.value), None)

    def _contact(self, composition: Any) -> Contact | None:
        custodian = self.resolve(getattr(composition, "custodian", None))
        organizations = [custodian] if custodian is not None else []
        organizations += [r for _, r in self.of("Organization")]
        for organization in organizations:
            phone = self._phone(organization)
            name = self._name(organization)
            if phone and name:
                return Contact(name, phone=phone)
        return None

    def _prescriber(self, composition: Any) -> Contact | None:
        candidates = list(getattr(composition, "author", None) or [])
        for kind in ("MedicationRequest",):
            candidates += [r.requester for _, r in self.of(kind) if r.requester]
        for reference in candidates:
            who = self.resolve(reference)
            if who is not None and who.get_resource_type() == "PractitionerRole":
                who = self.resolve(who.practitioner)
            if who is not None and who.get_resource_type() == "Practitioner":
                name = self._name(who)
                if name:
                    return Contact(name, phone=self._phone(who))
        return None

    # -- medicines ------------------------------------------------------------------------

    def _medication(self, resource: Any) -> Any:
        """The medicine's CodeableConcept, following a reference to a Medication."""
        if self.version == "R5":
            reference = resource.medication
            if reference is None:
                return None
            if reference.concept is not None:
                return reference.concept
            found = self.resolve(reference.reference)
        else:
            if resource.medicationCodeableConcept is not None:
                return resource.medicationCodeableConcept
            found = self.resolve(resource.medicationReference)
            if found is None and resource.medicationReference is not None \
                    and resource.medicationReference.display:
                from fhir.resources.R4B.codeableconcept import CodeableConcept
                return CodeableConcept(text=resource.medicationReference.display)
        return getattr(found, "code", None)

    def _medicines(self, problems: list[Problem]) -> tuple[list[Prescription], list[Stopped]]:
        requests = self.of("MedicationRequest")
        statements = self.of("MedicationStatement")
        replaced = {getattr(p, "reference", None) for _, r in requests
                    for p in (r.priorPrescription if isinstance(r.priorPrescription, list)
                              else [r.priorPrescription] if r.priorPrescription else [])}
        medicines: list[Prescription] = []
        stopped: list[Stopped] = []
        at_home: set[str] = set()
        for field, statement in statements:
            concept = self._medication(statement)
            name = _readable(_text(concept))
            if name is None:
                problems.append(_problem(self.path, f"{field}.medication: the medicine has no "
                                        "name or code display to print"))
                continue
            if statement.status in STOPPED:
                stopped.append(Stopped(name, _text((statement.reasonCode or [None])[0])
                                       if self.version != "R5" else None))
                continue
            if statement.status not in CURRENT_STATEMENT:
                continue
            at_home.add(name.lower())
            medicines.append(self._prescription(field, "dosage", name, _codes(concept),
                                                statement.dosage or [], problems))
        for field, request in requests:
            concept = self._medication(request)
            name = _readable(_text(concept))
            ids = {f"MedicationRequest/{request.id}", f"urn:uuid:{request.id}"}
            if name is None:
                problems.append(_problem(self.path, f"{field}.medication: the medicine has no "
                                        "name or code display to print"))
                continue
            if ids & replaced:
                continue  # the old dose of a changed medicine: shown as its 'previous'
            if request.status in STOPPED or getattr(request, "doNotPerform", False):
                stopped.append(Stopped(name))
                continue
            if request.status not in CURRENT_REQUEST:
                continue
            prescription = self._prescription(field, "dosageInstruction", name,
                                              _codes(concept), request.dosageInstruction or [],
                                              problems)
            prior = request.priorPrescription
            prior = prior[0] if isinstance(prior, list) and prior else prior
            old = self.resolve(prior) if prior else None
            if old is not None:
                before = self._prescription(field, "dosageInstruction", name, (),
                                            old.dosageInstruction or [], [])
                prescription = _replace(prescription, change="changed",
                                        previous=f"{before.dose}, {before.timing}")
            elif statements and name.lower() not in at_home:
                prescription = _replace(prescription, change="new")
            # the request replaces a statement of the same medicine
            medicines = [m for m in medicines if (m.name or "").lower() != name.lower()]
            medicines.append(prescription)
        return medicines, stopped

    def _prescription(self, field: str, key: str, name: str, codes: tuple[Code, ...],
                      dosages: Sequence[Any], problems: list[Problem]) -> Prescription:
        dosing, dose, timing, directions = dosing_of(dosages)
        return Prescription(monograph="", dose=dose, timing=timing, directions=directions,
                            line=0, name=name, codes=codes, dosing=dosing, field=field)

    # -- allergies, pregnancy, kidneys ----------------------------------------------------

    def _allergies(self) -> tuple[Allergy, ...]:
        found = []
        for _, allergy in self.of("AllergyIntolerance"):
            if _status(allergy.clinicalStatus) in ("inactive", "resolved") or \
                    _status(allergy.verificationStatus) in ("refuted", "entered-in-error"):
                continue
            substance = _readable(_text(allergy.code))
            if substance is None:
                continue
            reaction = None
            for event in allergy.reaction or []:
                manifestation = (event.manifestation or [None])[0]
                concept = getattr(manifestation, "concept", manifestation)
                reaction = _text(concept) if concept is not None else None
                if reaction:
                    break
            found.append(Allergy(substance, _codes(allergy.code), allergy.criticality,
                                 reaction))
        return tuple(found)

    def _pregnant(self) -> bool | None:
        answer: bool | None = None
        for _, condition in self.of("Condition"):
            if _has(condition.code, "http://snomed.info/sct", PREGNANT) and \
                    _status(condition.clinicalStatus) in (None, "active", "recurrence"):
                answer = True
        for _, observation in self._observations(lambda o: _has(o.code, LOINC,
                                                                PREGNANCY_STATUS)):
            value = observation.valueCodeableConcept
            if _has(value, "http://snomed.info/sct", PREGNANT):
                answer = True
            elif _has(value, "http://snomed.info/sct", NOT_PREGNANT):
                answer = False
        return answer

    def _egfr(self) -> float | None:
        found = self._observations(lambda o: any(c.system == LOINC and c.code in EGFR
                                                 for c in o.code.coding or []))
        values = [o.valueQuantity.value for _, o in found
                  if o.valueQuantity is not None and o.valueQuantity.value is not None]
        return float(values[-1]) if values else None

    def _observations(self, wanted: Any) -> list[tuple[str, Any]]:
        """Observations that ``wanted`` accepts, oldest first (the latest last)."""
        found = [(f, o) for f, o in self.of("Observation")
                 if o.status not in ("entered-in-error", "cancelled") and wanted(o)]
        return sorted(found, key=lambda fo: str(getattr(fo[1], "effectiveDateTime", "") or ""))


def _replace(prescription: Prescription, **changes: Any) -> Prescription:
    import dataclasses
    return dataclasses.replace(prescription, **changes)


# -- Dosage -> schedule -----------------------------------------------------------------------

def dosing_of(dosages: Sequence[Any]) -> tuple[Dosing, str, str, str]:
    """A medicine's Dosage list as (schedule, dose, timing, directions) texts."""
    if not dosages:
        return Dosing(unscheduled=True), "as directed", "as directed", \
            "Directions were not given in the record: ask your pharmacist."
    steps = [_one_dosing(d) for d in sorted(dosages, key=lambda d: d.sequence or 0)]
    written = " ".join(_written(d) for d in dosages if _written(d))
    dated = len(steps) > 1 and all(s[0].start or s[0].end for s in steps)
    if len(steps) > 1 and not dated:
        # several dosages at once with no dates (e.g. 2 in the morning, 1 at night): one
        # schedule if they fit together, else as written
        times: list[tuple[str, str]] = []
        for dosing, *_ in steps:
            if dosing.unscheduled or dosing.as_needed or dosing.weekdays or not dosing.times:
                return Dosing(unscheduled=True), "see directions", "see directions", \
                    written or "; ".join(s[3] for s in steps)
            times += dosing.times
        if len({t for t, _ in times}) != len(times):
            return Dosing(unscheduled=True), "see directions", "see directions", \
                written or "; ".join(s[3] for s in steps)
        merged = Dosing(times=tuple(sorted(times, key=lambda t: _ORDER[t[0]])))
        doses = ", ".join(f"{dose} {_TIME_WORDS[time]}" for time, dose in merged.times)
        return merged, doses, "; ".join(s[2] for s in steps), written or doses
    if dated:
        first = steps[0]
        taper = Dosing(steps=tuple(s[0] for s in steps), start=first[0].start,
                       end=steps[-1][0].end)
        return taper, "changing doses", "on the dates in its table", \
            written or "; ".join(f"{_dates(s[0])}: {s[1]}, {s[2]}" for s in steps)
    dosing, dose, timing, directions = steps[0]
    return dosing, dose, timing, written or directions


_ORDER = {"morning": 0, "midday": 1, "evening": 2, "bedtime": 3}
_TIME_WORDS = {"morning": "in the morning", "midday": "at midday", "evening": "in the evening",
               "bedtime": "at bedtime"}
_DAY_NAMES = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
              "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}


def _dates(dosing: Dosing) -> str:
    def day(value: dt.date) -> str:
        return f"{value.day} {value:%B %Y}"
    if dosing.start and dosing.end:
        return f"{day(dosing.start)} to {day(dosing.end)}"
    if dosing.start:
        return f"from {day(dosing.start)}"
    return f"until {day(dosing.end)}" if dosing.end else "then"


def _written(dosage: Any) -> str:
    parts = [p for p in (dosage.patientInstruction, dosage.text) if p]
    return " ".join(dict.fromkeys(p.strip() for p in parts))


def _dose(dosage: Any) -> str | None:
    for dose_rate in dosage.doseAndRate or []:
        if dose_rate.doseQuantity is not None:
            return _quantity(dose_rate.doseQuantity)
        if dose_rate.doseRange is not None:
            low, high = _quantity(dose_rate.doseRange.low), _quantity(dose_rate.doseRange.high)
            if low and high:
                return f"{low.split(' ')[0]} to {high}"
    return None


def _as_needed(dosage: Any) -> bool:
    value = getattr(dosage, "asNeeded", None)  # R5
    if value is None:
        value = getattr(dosage, "asNeededBoolean", None)
    return bool(value) or bool(getattr(dosage, "asNeededCodeableConcept", None)) \
        or bool(getattr(dosage, "asNeededFor", None))


def _max_per_day(dosage: Any) -> str | None:
    ratios = dosage.maxDosePerPeriod
    ratio = ratios[0] if isinstance(ratios, list) and ratios else ratios
    if ratio is None or ratio.numerator is None:
        return None
    amount = _quantity(ratio.numerator)
    denominator = ratio.denominator
    if amount is None:
        return None
    if denominator is None or (denominator.value in (1, None) and
                               (denominator.code or denominator.unit) in ("d", "day", "days")):
        return amount
    return f"{amount} in {_quantity(denominator)}"


def _clock_slot(clock: dt.time) -> str:
    hour = clock.hour
    return "morning" if hour < 11 else "midday" if hour < 15 else \
        "evening" if hour < 21 else "bedtime"


def _one_dosing(dosage: Any) -> tuple[Dosing, str, str, str]:
    """One Dosage as (schedule, dose, timing, directions)."""
    dose = _dose(dosage) or "as directed"
    written = _written(dosage)
    repeat = dosage.timing.repeat if dosage.timing is not None else None
    start = end = None
    if repeat is not None and repeat.boundsPeriod is not None:
        start, end = _date(repeat.boundsPeriod.start), _date(repeat.boundsPeriod.end)
    if _as_needed(dosage):
        most = _max_per_day(dosage)
        timing = "when needed" + (f", at most {most} a day" if most else "")
        return (Dosing(as_needed=True, max_per_day=most, start=start, end=end), dose, timing,
                written or f"{dose} {timing}")
    unscheduled = Dosing(unscheduled=True, start=start, end=end)
    if repeat is None:
        return unscheduled, dose, "as directed", written or f"{dose} as directed"
    when = [str(w) for w in repeat.when or []]
    meal = next((MEALS[w[:2]] if w[:2] in MEALS else MEALS.get(w[:1]) for w in when
                 if w[:2] in ("AC", "PC") or w[:1] == "C"), None)
    slots = [WHEN[w] for w in when if w in WHEN]
    clocks = [(_clock_slot(t), t.strftime("%H:%M")) for t in repeat.timeOfDay or []
              if isinstance(t, dt.time)]
    if clocks:
        slots += [slot for slot, _ in clocks]
    unknown_when = [w for w in when if w not in WHEN]
    weekdays = tuple(str(d) for d in repeat.dayOfWeek or [])
    frequency = repeat.frequency or 1
    unit = repeat.periodUnit
    period = Decimal(str(repeat.period)) if repeat.period is not None else Decimal(1)
    if repeat.frequencyMax or repeat.periodMax or unknown_when or repeat.offset or \
            len(set(slots)) != len(slots):
        return unscheduled, dose, "as directed", written or f"{dose} as directed"
    expressible = (
        # on the weekdays named, once each
        (unit == "wk" and period == 1 and bool(weekdays) and frequency == len(weekdays))
        # every day, at the times named (or 2 to 4 times with none named)
        or (unit == "d" and period == 1
            and (frequency == len(slots) or (not slots and frequency in (1, *DAILY))))
        or (unit is None and bool(slots)))
    if not expressible:
        words = _timing_words(repeat) or "as directed"
        return unscheduled, dose, words, written or f"{dose} {words}"
    if not slots and frequency in DAILY:
        slots = list(DAILY[frequency])
    ordered = sorted(slots, key=_ORDER.__getitem__)
    dosing = Dosing(times=tuple((slot, dose) for slot in ordered), weekdays=weekdays,
                    clock=tuple(clocks), start=start, end=end)
    day_words = " and ".join(_DAY_NAMES[d] for d in weekdays)
    timing = " and ".join(_TIME_WORDS[s] for s in ordered) if ordered else "once a day"
    if clocks:
        timing = " and ".join(f"at {c}" for _, c in clocks)
    if weekdays:
        timing = f"on {day_words} only" + (f", {timing}" if ordered else "")
    if meal:
        timing += f", {meal}"
    return dosing, dose, timing, written or f"Take {dose} {timing}."


def _timing_words(repeat: Any) -> str | None:
    if repeat.period is None or repeat.periodUnit is None:
        return None
    units = {"h": "hours", "d": "days", "wk": "weeks", "mo": "months", "min": "minutes"}
    period = _number(repeat.period)
    every = f"every {period} {units.get(repeat.periodUnit, repeat.periodUnit)}"
    if (repeat.frequency or 1) > 1:
        return f"{repeat.frequency} times {every}"
    return every.replace("every 1 ", "every ").replace("days", "day") \
        if period == "1" else every

