"""check_report(), its text and JSON reports, and the `leafletgen check` command."""

import json

import pytest

import leafletgen
from leafletgen.checks.report import as_json, as_text
from leafletgen.cli import main

from .conftest import BACLOFEN, BODY, LEAFLETS, STYLES, monograph_text
from .test_readability import LONG, with_stopping

JARGON = BODY.replace("::: both\nTestamol treats test pain.\n:::",
                      "::: both\nTestamol helps with spasticity.\n:::")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def long_sentence(write_monograph):
    return write_monograph(text=monograph_text(body=with_stopping(LONG)))


def test_shipped_monographs_pass_strict_check(capsys):
    # CI's gate: every monograph in leaflets/ passes `leafletgen check --strict`
    code, stdout, stderr = run(capsys, "check", "--strict", str(LEAFLETS), "--styles",
                               str(STYLES))
    assert (code, stderr) == (0, "")
    assert stdout.rstrip().endswith("all monographs are valid")
    report = leafletgen.check_report([BACLOFEN], STYLES, strict=True)
    assert report.ok and report.problems == ()
    patient = next(r for r in report.leaflets if r.variant.name == "patient")
    assert all(not s.over for s in patient.sections) and not patient.over
    assert patient.grades.flesch_kincaid <= 7


def test_text_report_lists_sections_grades_and_the_whole_leaflet():
    report = leafletgen.check_report([BACLOFEN], STYLES)
    text = as_text(report)
    assert text.startswith("tests/fixtures/baclofen.md: Baclofen version 1.0, approved ") or \
        text.startswith(f"{BACLOFEN}: Baclofen version 1.0, approved ")
    assert "  patient leaflet: each section at most 8, whole leaflet at most 7 " \
           "(Flesch-Kincaid)" in text
    assert "  clinician leaflet: no reading grade limit" in text
    patient = next(r for r in report.leaflets if r.variant.name == "patient")
    for section in (*patient.sections, None):
        name = section.id if section else "whole leaflet"
        words = section.words if section else patient.words
        grades = section.grades if section else patient.grades
        row = next(line.split() for line in text.splitlines()
                   if line.strip().startswith(name + " ") and f" {words} " in line)
        assert row[-4:] == [str(words), f"{grades.flesch_kincaid:.1f}",
                            f"{grades.coleman_liau:.1f}", f"{grades.smog:.1f}"]


def test_report_shows_the_hardest_sentence_of_a_section_over_its_limit(long_sentence, capsys):
    code, stdout, stderr = run(capsys, "check", str(long_sentence), "--styles", str(STYLES))
    assert code == 0  # a warning, not an error
    rows = stdout.splitlines()
    patient = next(i for i, r in enumerate(rows) if r.startswith("  patient leaflet:"))
    over = next(i for i, r in enumerate(rows) if i > patient and r.strip().startswith("stopping"))
    assert rows[over].endswith("over the limit of 8")
    line = long_sentence.read_text().splitlines().index(LONG) + 1
    assert rows[over + 1].strip().startswith(f"line {line}, 40 words, grade ")
    assert rows[over + 1].endswith(LONG)
    assert "warning: 'patient' leaflet, section 'stopping': reading grade" in stderr
    assert "1 warning(s); no errors" in stdout


def test_strict_makes_warnings_errors(long_sentence, capsys):
    code, _, stderr = run(capsys, "check", "--strict", str(long_sentence), "--styles",
                          str(STYLES))
    assert code == 1
    assert "warning:" not in stderr
    assert f"{long_sentence}:" in stderr and "section 'stopping': reading grade" in stderr
    assert stderr.rstrip().endswith("1 error(s) (--strict: warnings count as errors); "
                                    "leaflets of files with errors are not built")
    report = leafletgen.check_report([long_sentence], STYLES, strict=True)
    assert not report.ok
    assert {p.severity.value for p in report.problems} == {"error"}


def test_content_error_exits_1(write_monograph, capsys):
    path = write_monograph(status="approved", reviewer=None)
    code, _, stderr = run(capsys, "check", str(path), "--styles", str(STYLES))
    assert code == 1
    assert "an approved monograph needs 'reviewer'" in stderr


@pytest.mark.parametrize("args,message", [
    (["--review-max-age", "0"], "Invalid value for '--review-max-age'"),
    (["--format", "xml"], "Invalid value for '--format'"),
    (["--variant", "poster"], "unknown variant poster"),
])
def test_check_usage_errors_exit_2(capsys, args, message):
    code, _, stderr = run(capsys, "check", str(BACLOFEN), "--styles", str(STYLES), *args)
    assert code == 2
    assert message in stderr


def test_json_report_shape(long_sentence, capsys):
    code, stdout, stderr = run(capsys, "check", "--format", "json", str(long_sentence),
                               "--styles", str(STYLES))
    assert (code, stderr) == (0, "")
    data = json.loads(stdout)
    assert {k: data[k] for k in ("version", "ok", "strict", "errors", "warnings")} == {
        "version": 1, "ok": True, "strict": False, "errors": 0, "warnings": 1}
    (problem,) = data["problems"]
    assert set(problem) == {"path", "line", "severity", "message"}
    assert problem["severity"] == "warning" and problem["path"].endswith("testamol.md")
    assert [(x["variant"], x["audience"]) for x in data["leaflets"]] == [
        ("clinician", "clinician"), ("patient-large", "patient"), ("patient", "patient")]
    patient = data["leaflets"][2]
    assert patient["limits"] == {"formula": "flesch-kincaid", "section_max": 8,
                                 "leaflet_max": 7, "min_words": 20}
    assert (patient["status"], patient["review_date"]) == ("approved", "2026-01-15")
    stopping = next(s for s in patient["sections"] if s["id"] == "stopping")
    assert set(stopping) == {"id", "line", "words", "grades", "judged", "over_limit",
                             "hardest_sentences"}
    assert set(stopping["grades"]) == {"flesch-kincaid", "coleman-liau", "smog"}
    assert stopping["over_limit"] is True and stopping["words"] == 40
    (hardest,) = stopping["hardest_sentences"]
    assert (hardest["text"], hardest["words"]) == (LONG, 40)
    assert set(patient["overall"]) == {"words", "grades", "over_limit", "hardest_sentences"}
    assert patient["overall"]["words"] == sum(s["words"] for s in patient["sections"])


def test_json_report_matches_the_library_report(long_sentence):
    report = leafletgen.check_report([long_sentence], STYLES, strict=True)
    data = json.loads(as_json(report))
    assert data["ok"] is False and data["strict"] is True
    assert data["errors"] == len(report.problems) and data["warnings"] == 0
    assert [p["message"] for p in data["problems"]] == [p.message for p in report.problems]


def test_glossary_warning_reaches_the_report_once(write_monograph, styles):
    patient = (styles / "variants" / "patient.yaml").read_text()
    (styles / "variants" / "large-print.yaml").write_text(
        patient.replace("name: patient", "name: large-print"))
    path = write_monograph(text=monograph_text(body=JARGON))
    report = leafletgen.check_report([path], styles)
    jargon = [p for p in report.problems if "'spasticity'" in p.message]
    assert len(jargon) == 1  # shown in two patient variants, reported once
    assert report.ok


def test_check_api_returns_the_gate_warnings(write_monograph):
    path = write_monograph(text=monograph_text(body=JARGON))
    problems = leafletgen.check([path], STYLES)
    assert [p.severity.value for p in problems] == ["warning"]
    assert "muscle stiffness" in problems[0].message


def test_every_variant_and_monograph_is_reported(write_monograph, capsys):
    other = write_monograph("othermol", text=monograph_text(body=BODY, name="Othermol"))
    code, stdout, _ = run(capsys, "check", str(BACLOFEN), str(other), "--styles", str(STYLES))
    assert code == 0
    headers = [line.split(":")[0] for line in stdout.splitlines()
               if line and not line.startswith(" ") and line.endswith(("review)", "Pharmacist"))]
    assert len(headers) == 2
    assert stdout.count(" leaflet: ") == 6  # two monographs, three variants


def test_quiet_check_prints_one_line_per_monograph(write_monograph):
    from click.testing import CliRunner

    from leafletgen.cli import cli

    first = write_monograph("first")
    write_monograph("second", text=monograph_text(name="Second"))
    run = CliRunner().invoke(cli, ["check", "--quiet", str(first.parent), "--styles",
                                   str(STYLES)], obj={"debug": False})
    lines = run.output.strip().splitlines()
    assert run.exit_code == 0, run.output
    assert len(lines) == 3 and lines[-1] == "all monographs are valid"
    assert "first.md: Testamol 1.0, approved 15 January 2026 by A. Pharmacist; grade " \
        "clinician " in lines[0]
    assert "second.md: Second 1.0" in lines[1]
    assert " patient " in lines[0] and "section" not in run.output
