import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

import leafletgen
from leafletgen.checks.plan import plan
from leafletgen.checks.review import add_months, approval_problems
from leafletgen.render.renderer import Renderer
from leafletgen.source.monograph import load

from .conftest import BACLOFEN, STYLES

DRAFT_MARK = "DRAFT — not for patient use"


def line_of(path: Path, start: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1)
                if line.startswith(start))


@pytest.mark.parametrize("drop", [("reviewer",), ("review_date",), ("reviewer", "review_date")])
def test_approved_needs_reviewer_and_review_date(write_monograph, drop):
    path = write_monograph(**{name: None for name in drop})
    monograph, problems = load(path)
    assert monograph is None
    status = line_of(path, "status:")
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (status, f"an approved monograph needs '{name}'") for name in drop]
    assert problems[0].message.endswith("add '" + drop[0] + ": ...' or set 'status: draft' "
                                        "until it is reviewed")


def test_draft_needs_no_reviewer(write_monograph):
    monograph, problems = load(write_monograph(status="draft", reviewer=None, review_date=None))
    assert problems == ()
    assert monograph.status == "draft"


def test_expired_review_is_a_warning_at_review_date(write_monograph):
    path = write_monograph(review_date="2024-01-15", last_revised="2024-01-10")
    monograph, _ = load(path)
    (problem,) = approval_problems(monograph, 24, today=dt.date(2026, 1, 16))
    assert problem.severity.value == "warning"
    assert problem.line == line_of(path, "review_date:")
    assert problem.message == (
        "review overdue: approved on 2024-01-15, more than 24 months ago (due 2026-01-15); "
        "have it reviewed again and update reviewer and review_date")


def test_review_within_the_allowed_age_passes(write_monograph):
    monograph, _ = load(write_monograph(review_date="2024-01-15", last_revised="2024-01-10"))
    assert approval_problems(monograph, 24, today=dt.date(2026, 1, 15)) == []
    assert approval_problems(monograph, 12, today=dt.date(2026, 1, 15)) != []
    draft, _ = load(write_monograph(status="draft", review_date="2000-01-01"))
    assert approval_problems(draft, 1, today=dt.date(2026, 1, 15)) == []


def test_review_date_in_the_future_is_an_error(write_monograph):
    path = write_monograph(review_date="2031-01-01")
    monograph, _ = load(path)
    (problem,) = approval_problems(monograph, 24, today=dt.date(2026, 11, 24))
    assert problem.severity.value == "error"
    assert problem.line == line_of(path, "review_date:")
    assert problem.message == ("review_date 2031-01-01 is in the future; write the date the "
                               "review actually happened")


def test_text_revised_after_its_approval_is_a_warning(write_monograph):
    path = write_monograph(review_date="2025-06-01", last_revised="2026-01-15")
    monograph, _ = load(path)
    (problem,) = approval_problems(monograph, 24, today=dt.date(2026, 2, 1))
    assert problem.severity.value == "warning"
    assert problem.message.startswith("the text was revised on 2026-01-15, after its approval "
                                      "on 2025-06-01")
    same_day, _ = load(write_monograph(review_date="2026-01-15", last_revised="2026-01-15"))
    assert approval_problems(same_day, 24, today=dt.date(2026, 2, 1)) == []


def test_check_report_takes_the_allowed_age(write_monograph):
    path = write_monograph(review_date="2025-01-15")
    today = dt.date(2026, 2, 1)
    relaxed = leafletgen.check_report([path], STYLES, today=today)
    strict = leafletgen.check_report([path], STYLES, today=today, review_max_age_months=12)
    assert not any("review overdue" in p.message for p in relaxed.problems)
    assert [p.line for p in strict.problems if "review overdue" in p.message] == [
        line_of(path, "review_date:")]


@pytest.mark.parametrize("start,months,end", [
    ("2024-01-31", 1, "2024-02-29"),
    ("2024-01-31", 13, "2025-02-28"),
    ("2024-11-24", 24, "2026-11-24"),
    ("2024-12-01", 1, "2025-01-01"),
])
def test_add_months(start, months, end):
    assert add_months(dt.date.fromisoformat(start), months) == dt.date.fromisoformat(end)


@pytest.fixture(scope="module")
def draft_pdfs(tmp_path_factory) -> dict[str, PdfReader]:
    folder = tmp_path_factory.mktemp("draft")
    source = folder / "baclofen.md"
    text = BACLOFEN.read_text(encoding="utf-8")
    source.write_text(re.sub(r"(?m)^status: approved$", "status: draft", text),
                      encoding="utf-8")
    result = leafletgen.build([source], folder / "out", STYLES)
    assert [str(p) for p in result.problems] == []
    return {p.stem.split("-")[1]: PdfReader(p) for p in result.written}


@pytest.mark.parametrize("variant", ["patient", "clinician"])
def test_draft_leaflet_is_marked_on_every_page(draft_pdfs, variant):
    reader = draft_pdfs[variant]
    assert len(reader.pages) >= 2  # the mark must repeat, not only open the leaflet
    for page in reader.pages:
        assert DRAFT_MARK in page.extract_text()


def test_approved_leaflet_has_no_draft_mark():
    the_plan = plan([BACLOFEN], STYLES)
    renderer = Renderer(STYLES)
    for job in the_plan.jobs:
        assert job.monograph.status == "approved"
        html = renderer.html(job)
        assert "DRAFT" not in html and "draft-mark" not in html
