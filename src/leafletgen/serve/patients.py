"""A patient's details from a request (JSON body or web form) to a checked ``Patient``.

The details are checked exactly as a patient file is (``leafletgen.patient``): the same
schema, limits and font coverage. Errors name the field and never repeat a value, so they
can be returned to the caller and logged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leafletgen.serve.core import Patient, Problem, errors_in, parse_patient

WHERE = Path("request")  # how problems name the request: never a file
MAX_ROWS = 24  # rows of a taper schedule: the patient schema's limit (maxItems), one page


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InputError(Exception):
    """The request's data cannot be used; ``errors`` name each field."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def field_of(problem: Problem) -> str:
    """The field a patient-data problem is about ("body" when it is about the whole text)."""
    return problem.field or "body"


def errors_of(problems: list[Problem]) -> list[FieldError]:
    return [FieldError(field_of(p), p.message) for p in errors_in(problems)]


def patient_from_data(data: Any, styles: Path) -> Patient:
    """Check the patient file's fields given as a JSON object; raise InputError."""
    if not isinstance(data, Mapping):
        raise InputError([FieldError("body", "send a JSON object with the patient file's "
                                     "fields (see examples/patient.yaml)")])
    # JSON is YAML: the patient file's own reader checks it, so both accept the same things
    text = json.dumps(data, ensure_ascii=False)
    patient, problems = parse_patient(WHERE, text, styles)
    if patient is None:
        raise InputError(errors_of(problems) or [FieldError("body", "cannot be read")])
    return patient


MAX_DEPTH = 20  # JSON nesting: a patient file nests 4 levels (limits.MAX_YAML_DEPTH)


def parse_json(body: bytes) -> Any:
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError([FieldError("body", "the body is not UTF-8 text")]) from None
    except json.JSONDecodeError as exc:
        # the position only: the parser's message could quote the text
        raise InputError([FieldError("body", f"not valid JSON (line {exc.lineno}, column "
                                     f"{exc.colno})")]) from None
    except RecursionError:
        data = None
    if data is None or _too_deep(data):
        raise InputError([FieldError("body", f"the JSON nests values more than {MAX_DEPTH} "
                                     "levels deep; send the patient file's fields "
                                     "(see examples/patient.yaml)")])
    return data


def _too_deep(data: Any) -> bool:
    """Whether ``data`` nests more than MAX_DEPTH levels (without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def form_to_data(form: Mapping[str, str], rows: list[tuple[int, str]]) -> dict[str, Any]:
    """The patient file's fields from the counter's form, for the medicines ``rows``: (row of
    the form, slug) pairs.

    ``language`` (optional) is the language the leaflets are printed in. Per medicine row
    ``i`` the form has ``dose-i``, ``timing-i``, ``directions-i``,
    ``purpose-i`` and ``taper-i`` (a schedule: a header line, then one line per row, cells
    separated by ``|``). Empty optional fields are left out; the checks say what is missing.
    """
    def text(name: str) -> str:
        return (form.get(name) or "").strip()

    data: dict[str, Any] = {
        "patient": {"name": text("name")},
        "date": text("date") or dt.date.today().isoformat(),
        "prescriber": {"name": text("prescriber")},
        "contact": {"name": text("contact")},
        "medicines": [],
    }
    for key, name in (("date_of_birth", "date_of_birth"), ("record_number", "record_number")):
        if text(name):
            data["patient"][key] = text(name)
    for key in ("phone", "hours", "address"):
        if text(f"contact_{key}"):
            data["contact"][key] = text(f"contact_{key}")
    if text("note"):
        data["note"] = text("note")
    if text("language"):  # the leaflets' language: their translations are printed
        data["language"] = text("language")
    for i, slug in rows:
        medicine: dict[str, Any] = {"monograph": slug, "dose": text(f"dose-{i}"),
                                    "timing": text(f"timing-{i}"),
                                    "directions": text(f"directions-{i}")}
        if text(f"purpose-{i}"):
            medicine["purpose"] = text(f"purpose-{i}")
        taper = text(f"taper-{i}")
        if taper:
            lines = [line for line in taper.splitlines() if line.strip()]
            if len(lines) > MAX_ROWS + 1:  # never dropped: refused, and said why
                raise InputError([FieldError(f"taper-{i}", f"the schedule has {len(lines) - 1} "
                                             f"rows; a leaflet prints at most {MAX_ROWS}: "
                                             "split it, or give the dates as ranges")])
            cells = [[c.strip() for c in line.split("|")] for line in lines]
            medicine["taper"] = {"columns": cells[0], "rows": cells[1:]}
        data["medicines"].append(medicine)
    return data


def form_field(field: str, rows: list[tuple[int, str]]) -> str:
    """The web form's input a patient-file field is typed into, for error messages."""
    names = {"patient.name": "name", "prescriber.name": "prescriber", "contact.name": "contact",
             "contact.phone": "contact_phone", "contact.hours": "contact_hours",
             "contact.address": "contact_address",
             "patient.date_of_birth": "date_of_birth",
             "patient.record_number": "record_number"}
    if field in names:
        return names[field]
    found = re.match(r"^medicines\.(\d+)\.(\w+)", field)
    if found:
        index = int(found[1])
        row = rows[index][0] if index < len(rows) else index
        return f"{found[2]}-{row}" if found[2] != "monograph" else f"medicine-{row}"
    return field
