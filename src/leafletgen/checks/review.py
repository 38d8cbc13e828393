"""Review status: who approved a monograph, when, and whether that approval is too old.

- ``status: draft`` builds leaflets marked "DRAFT — not for patient use" on every page
  (the templates in styles/ show the mark);
- ``status: approved`` needs ``reviewer`` and ``review_date``;
- an approval older than the allowed age (24 months unless told otherwise) is a warning,
  "review overdue", from ``leafletgen check``;
- an approval must cover the current text: a review date in the future is an error, and a
  text revised after its approval (``last_revised`` later than ``review_date``) is a warning.
"""

from __future__ import annotations

import calendar
import datetime as dt

from leafletgen.errors import Problem, Severity
from leafletgen.model import REVIEW_MAX_AGE_MONTHS, Monograph

DEFAULT_MAX_AGE_MONTHS = REVIEW_MAX_AGE_MONTHS



def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def approval_problems(monograph: Monograph, max_age_months: int = DEFAULT_MAX_AGE_MONTHS,
                     today: dt.date | None = None) -> list[Problem]:
    """Problems with ``monograph``'s approval: too old, in the future, or older than the text."""
    if monograph.status != "approved" or monograph.review_date is None:
        return []
    today = today or dt.date.today()
    reviewed = monograph.review_date
    line = monograph.line_of("review_date")
    if reviewed > today:
        return [Problem(monograph.path, line,
                        f"review_date {reviewed.isoformat()} is in the future; write the date "
                        "the review actually happened")]
    problems = []
    if monograph.last_revised > reviewed:
        problems.append(Problem(
            monograph.path, line,
            f"the text was revised on {monograph.last_revised.isoformat()}, after its approval "
            f"on {reviewed.isoformat()}; have the revision reviewed and update reviewer and "
            "review_date", Severity.WARNING))
    due = add_months(reviewed, max_age_months)
    if today <= due:
        return problems
    return [*problems, Problem(
        monograph.path, line,
        f"review overdue: approved on {reviewed.isoformat()}, more than {max_age_months} "
        f"months ago (due {due.isoformat()}); have it reviewed again and update reviewer and "
        "review_date", Severity.WARNING)]
