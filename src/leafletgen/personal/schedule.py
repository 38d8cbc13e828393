"""The "My medicines" first page of a packet, as values a template prints.

A schedule with a row per medicine and a column per time of day (morning, midday, evening,
bedtime; a clock time in the cell when the record gives one), the dose in each cell; a tick
grid for each dose on each day of the first week (a weekly medicine on its weekday only);
as-needed medicines with their most a day; directions the schedule cannot express, as
written; a taper as its own dated table; what changed since admission; allergies; and what
the packet's focus found (personal/focus.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from leafletgen.model import TIMES_OF_DAY, WEEKDAYS, Dosing, Patient, Prescription, Table
from leafletgen.personal.focus import Focused

TIME_LABELS = {"morning": "Morning", "midday": "Midday", "evening": "Evening",
               "bedtime": "Bedtime"}
WEEK = 7


@dataclass(frozen=True, repr=False)
class Row:
    """One medicine on the schedule."""

    name: str
    prescription: Prescription
    cells: tuple[str | None, ...]  # one per column; None: nothing then
    span: str | None  # the dose and when, across the columns, when no column applies
    until: dt.date | None
    anchor: str | None  # its leaflet in the packet; None: no monograph


@dataclass(frozen=True, repr=False)
class Tick:
    """One dose to tick on each day of the first week (``time``: its time of day, if any):
    ``due`` per day."""

    name: str
    time: str | None
    due: tuple[bool, ...]


@dataclass(frozen=True, repr=False)
class MyMedicines:
    columns: tuple[tuple[str, str], ...]  # (time of day, label)
    days: tuple[dt.date, ...]
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    as_needed: tuple[Row, ...]
    as_written: tuple[Row, ...]
    tapers: tuple[tuple[str, Table], ...]
    changes: tuple[Prescription, ...]
    focused: Focused

    def __repr__(self) -> str:
        return f"MyMedicines({len(self.rows)} rows)"


def my_medicines(patient: Patient, anchors: dict[str, str], focused: Focused) -> MyMedicines:
    """The first page for ``patient``; ``anchors`` maps a monograph slug to its leaflet's id."""
    days = tuple(patient.date + dt.timedelta(days=i) for i in range(WEEK))
    medicines = [*patient.medicines, *patient.unlisted]
    rows: list[Row] = []
    as_needed: list[Row] = []
    as_written: list[Row] = []
    tapers: list[tuple[str, Table]] = []
    for prescription in medicines:
        dosing = prescription.dosing
        anchor = anchors.get(prescription.monograph) if prescription.monograph else None
        name = _name(prescription, anchors)
        if dosing is None:
            continue  # a patient file's medicine without 'schedule:': its directions only
        if dosing.unscheduled:
            as_written.append(Row(name, prescription, (), None, None, anchor))
        elif dosing.as_needed:
            as_needed.append(Row(name, prescription, (), None, dosing.end, anchor))
        elif dosing.steps:
            tapers.append((name, _taper(dosing.steps)))
        else:
            rows.append(_row(name, prescription, dosing, anchor))
    used = [t for t in TIMES_OF_DAY if any(r.cells and r.cells[TIMES_OF_DAY.index(t)]
                                           for r in rows)]
    keep = [TIMES_OF_DAY.index(t) for t in used]
    rows = [Row(r.name, r.prescription, tuple(r.cells[i] for i in keep) if r.cells else (),
                r.span, r.until, r.anchor) for r in rows]
    ticks = tuple(tick for row in rows for tick in _ticks(row, used, days))
    return MyMedicines(
        # no medicine with a time of day: one column, "When"
        columns=tuple((t, TIME_LABELS[t]) for t in used) or (("when", "When"),),
        days=days,
        rows=tuple(rows),
        ticks=ticks,
        as_needed=tuple(as_needed),
        as_written=tuple(as_written),
        tapers=tuple(tapers),
        changes=tuple(m for m in medicines if m.change),
        focused=focused,
    )


def _name(prescription: Prescription, anchors: dict[str, str]) -> str:
    return prescription.name or prescription.monograph


def _row(name: str, prescription: Prescription, dosing: Dosing, anchor: str | None) -> Row:
    clocks = dict(dosing.clock)
    cells = tuple((f"{clocks[t]}: {dose}" if t in clocks else dose)
                  if (dose := dosing.dose_at(t)) else None for t in TIMES_OF_DAY)
    span = None
    if not any(cells):
        span = f"{prescription.dose}, {prescription.timing}"
        cells = ()
    return Row(name, prescription, cells, span, dosing.end, anchor)


def _ticks(row: Row, used: Sequence[str], days: tuple[dt.date, ...]) -> list[Tick]:
    dosing = row.prescription.dosing
    assert dosing is not None
    due = tuple(_due(dosing, day) for day in days)
    if not row.cells:
        return [Tick(row.name, None, due)]
    return [Tick(row.name, time, due)
            for time, cell in zip(used, row.cells, strict=True) if cell]


def _due(dosing: Dosing, day: dt.date) -> bool:
    if dosing.start and day < dosing.start or dosing.end and day > dosing.end:
        return False
    return not dosing.weekdays or WEEKDAYS[day.weekday()] in dosing.weekdays


def _taper(steps: Sequence[Dosing]) -> Table:
    used = [t for t in TIMES_OF_DAY if any(s.dose_at(t) for s in steps)]
    rows = []
    for step in steps:
        if step.start and step.end:
            dates = f"{_day(step.start)} to {_day(step.end)}"
        elif step.start:
            dates = f"From {_day(step.start)}"
        else:
            dates = f"Until {_day(step.end)}" if step.end else "Then"
        rows.append((dates, *(step.dose_at(t) or "-" for t in used)))
    return Table(("Dates", *(TIME_LABELS[t] for t in used)), tuple(rows))


def _day(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""
