"""Read a patient file (``patient.yaml``) into a validated ``Patient``.

A patient file holds protected health information. Everything here is written so that none of
it leaks: error messages name the field and its line but never repeat a value, and the
model's ``repr`` shows no personal data (a ``Patient`` that ends up in a log or a traceback
says only how many medicines it lists). The format is shown by ``examples/patient.yaml``::

    patient: {name: ..., date_of_birth: YYYY-MM-DD, record_number: ...}
    date: YYYY-MM-DD
    prescriber: {name: ..., phone: ...}
    contact: {name: ..., phone: ...}
    medicines:
      - {monograph: baclofen, dose: ..., timing: ..., directions: ..., taper: ...}
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from leafletgen.errors import ContentError, Problem, errors_in
from leafletgen.limits import MAX_YAML_BYTES, TooLarge, kilobytes, read_limited
from leafletgen.model import (
    TIMES_OF_DAY,
    Allergy,
    Code,
    Contact,
    Dosing,
    Patient,
    Prescription,
    Stopped,
    Table,
)
from leafletgen.source.yamlsource import YamlDoc, parse_yaml, schema_problems

DOCS = "examples/patient.yaml"
CHARACTER_MESSAGE = ("a character in this field is not in the leaflet fonts; write it with "
                     "characters they have (emoji and some rare scripts cannot be printed; "
                     "styles/fonts.yaml lists the scripts covered)")


def load_patient(path: Path, styles: Path | None = None) -> Patient:
    """Read and check a patient file; raise ContentError listing every problem in it.

    ``styles`` is the folder whose ``fonts.yaml`` says which characters can be printed
    (default: see ``charset.default_styles``).
    """
    patient, problems = read_patient(path, styles)
    if patient is None:
        raise ContentError(problems)
    return patient


def read_patient(path: Path, styles: Path | None = None
                 ) -> tuple[Patient | None, list[Problem]]:
    """Read and check a patient file. The patient is None when any error was found.

    A FHIR record (JSON with a ``resourceType``) is read by ``source.record`` instead."""
    if _is_record(path):
        from leafletgen.source.record import read_record  # the FHIR models: only when needed

        return read_record(path)
    try:
        # never more than the limit in memory, whatever the file holds
        text = read_limited(path, MAX_YAML_BYTES).decode("utf-8")
    except TooLarge as exc:
        return None, [Problem(path, 1, f"the patient file is {kilobytes(exc.size)}, over the "
                              f"{kilobytes(MAX_YAML_BYTES)} a patient file may be; it should "
                              "hold one patient's medicines only")]
    except FileNotFoundError:
        return None, [Problem(path, 1, "no such patient file")]
    except UnicodeDecodeError:
        return None, [Problem(path, 1, "the patient file is not UTF-8 text; save it with "
                              "UTF-8 encoding")]
    except OSError as exc:
        return None, [Problem(path, 1, f"cannot read the patient file: {exc.strerror}")]
    return parse_patient(path, text, styles)


def _is_record(path: Path) -> bool:
    from leafletgen.source.record import is_record

    try:
        with path.open("rb") as file:
            start = file.read(4096)
    except OSError:
        return False  # reported when the file is read
    return is_record(start.decode("utf-8", errors="replace"))


def parse_patient(path: Path, text: str, styles: Path | None = None
                  ) -> tuple[Patient | None, list[Problem]]:
    """Check the text of a patient file (YAML, or JSON, which is YAML too) held in memory;
    ``path`` only names it in problems. The patient is None when any error was found."""
    # every value is text as written: YAML 1.1 would read record 00123 as the octal number 83
    # private: no message quotes the file (the parser's own wording may quote the text
    # around an error); the limits (aliases, nesting, size) say what is wrong in their words
    doc, problems = parse_yaml(path, text.removeprefix("\ufeff"), what="the patient file",
                               as_text=True, private=True)
    if doc is None:
        return None, problems
    problems = schema_problems(doc, "patient.schema.json", DOCS, private=True)
    problems += _table_problems(doc)
    problems += _duplicate_problems(doc)
    if not errors_in(problems):
        # only a file that follows the schema: its field names are the schema's, not data
        problems += _character_problems(doc, text, styles)
    if errors_in(problems):
        return None, problems
    return _to_patient(doc), problems


def _table_problems(doc: YamlDoc) -> list[Problem]:
    problems: list[Problem] = []
    for i, medicine in enumerate(doc.data.get("medicines") or []):
        taper = medicine.get("taper") if isinstance(medicine, dict) else None
        if not isinstance(taper, dict) or not isinstance(taper.get("columns"), list):
            continue
        width = len(taper["columns"])
        for r, row in enumerate(taper.get("rows") or []):
            if isinstance(row, list) and len(row) != width:
                problems.append(Problem(
                    doc.path, doc.line(("medicines", i, "taper", "rows", r)),
                    f"medicines.{i}.taper.rows.{r} has {len(row)} cells but there are {width} "
                    "columns; give every row one cell per column",
                    field=f"medicines.{i}.taper.rows.{r}"))
    return problems


def _character_problems(doc: YamlDoc, text: str, styles: Path | None) -> list[Problem]:
    """A field with a character no leaflet font has (an emoji, a script leafletgen has no font
    for) is an error, before anything is rendered: printed, it would be an empty box, and
    PDF/UA refuses the file. The message names the field and the line the character is on
    (in a value of several lines, such as a note, that line), never the character or the
    value."""
    from leafletgen.fonts.charset import (
        missing_characters,  # reads fonts: only when a patient file is read
    )

    file_lines = text.split("\n")
    key_lines = sorted(set(doc.lines.values()))
    problems = []
    for key, value in _texts(doc.data, ()):
        missing = missing_characters(value, styles, entities=False)
        if missing:
            line = _line_with(doc.line(key), missing, file_lines, key_lines)
            problems.append(Problem(doc.path, line,
                                    f"{'.'.join(map(str, key))}: {CHARACTER_MESSAGE}",
                                    field=".".join(map(str, key))))
    return problems


def _line_with(start: int, chars: list[str], file_lines: list[str], key_lines: list[int]) -> int:
    """The first line from ``start`` (a field's line) up to the next key's line that holds
    one of ``chars``; else ``start`` (the character was written as an escape, "\\U0001F48A")."""
    end = next((n for n in key_lines if n > start), len(file_lines) + 1)
    return next((n for n in range(start, end)
                 if any(c in file_lines[n - 1] for c in chars)), start)


def _texts(value: object, key: tuple[str | int, ...]):
    """Every text value in ``value``, with the key path where it is."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, (*key, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _texts(v, (*key, i))


def _duplicate_problems(doc: YamlDoc) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, medicine in enumerate(doc.data.get("medicines") or []):
        slug = medicine.get("monograph") if isinstance(medicine, dict) else None
        if not isinstance(slug, str):
            continue
        line = doc.line(("medicines", i, "monograph"))
        if slug in seen:
            problems.append(Problem(doc.path, line, f"medicines.{i}.monograph: this medicine is "
                                    f"already listed on line {seen[slug]}; list each medicine "
                                    "once, with all its directions",
                                    field=f"medicines.{i}.monograph"))
        else:
            seen[slug] = line
    return problems


def _contact(data: dict) -> Contact:
    return Contact(data["name"], data.get("role"), data.get("phone"), data.get("hours"),
                   data.get("address"))


def _to_patient(doc: YamlDoc) -> Patient:
    data = doc.data
    person = data["patient"]
    medicines = tuple(
        Prescription(
            monograph=m["monograph"],
            dose=m["dose"],
            timing=m["timing"],
            directions=m["directions"],
            line=doc.line(("medicines", i, "monograph")),
            purpose=m.get("purpose"),
            taper=Table(tuple(m["taper"]["columns"]),
                        tuple(tuple(row) for row in m["taper"]["rows"]),
                        m["taper"].get("title")) if "taper" in m else None,
            dosing=_dosing(m["schedule"]) if "schedule" in m else None,
            change=m.get("change"),
            previous=m.get("previous"),
            allergy_decision=m.get("allergy_decision"),
            field=f"medicines.{i}",
        )
        for i, m in enumerate(data["medicines"])
    )
    birth = person.get("date_of_birth")
    return Patient(
        path=doc.path,
        name=person["name"],
        date=dt.date.fromisoformat(data["date"]),
        prescriber=_contact(data["prescriber"]),
        contact=_contact(data["contact"]),
        medicines=medicines,
        date_of_birth=dt.date.fromisoformat(birth) if birth else None,
        record_number=person.get("record_number"),
        note=data.get("note"),
        variant=data.get("variant"),
        variant_line=doc.line(("variant",)),
        medicines_line=doc.line(("medicines",)),
        language=data.get("language"),
        language_line=doc.line(("language",)),
        allergies=tuple(
            Allergy(a["substance"], tuple(Code(system, code) for system, codes
                                          in (a.get("codes") or {}).items() for code in codes),
                    a.get("severity"), a.get("reaction"), doc.line(("allergies", i)))
            for i, a in enumerate(data.get("allergies") or ())),
        stopped=tuple(Stopped(s["medicine"], s.get("reason"), doc.line(("stopped", i)))
                      for i, s in enumerate(data.get("stopped") or ())),
        pregnant={"yes": True, "no": False}.get(data.get("pregnant", "")),
        breastfeeding={"yes": True, "no": False}.get(data.get("breastfeeding", "")),
        egfr=float(data["egfr"]) if "egfr" in data else None,
        emergency=data.get("emergency"),
    )


def _dosing(schedule: dict) -> Dosing:
    """A medicine's ``schedule:`` (the first page's row)."""
    return Dosing(times=tuple((time, schedule[time]) for time in TIMES_OF_DAY
                              if time in schedule),
                  weekdays=tuple(schedule.get("days", ())),
                  as_needed=schedule.get("as_needed") == "yes",
                  max_per_day=schedule.get("max_per_day"))
