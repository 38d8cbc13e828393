"""The import and export commands, through the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from leafletgen.cli import cli, main
from tests.conftest import LEAFLETS

from .conftest import SPL


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_import_spl_writes_a_draft_and_the_report(tmp_path):
    report = tmp_path / "report.txt"
    result = run("import", "spl", str(SPL / "testamab.xml"), "-o", str(tmp_path / "out"),
                 "--report", str(report))
    assert result.exit_code == 0, result.output
    written = (tmp_path / "out" / "testamab.md").read_text()
    assert "status: draft" in written
    assert "Label sections:" in result.output
    assert report.read_text() == result.output


def test_reimport_never_overwrites_and_shows_changes(tmp_path):
    out = tmp_path / "out"
    assert run("import", "spl", str(SPL / "testamab.xml"), "-o", str(out)).exit_code == 0
    monograph = out / "testamab.md"
    edited = monograph.read_text().replace("Keep it in the fridge.",
                                           "Keep it in the fridge, in its box.")
    monograph.write_text(edited)
    result = run("import", "spl", str(SPL / "testamab-v4.xml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert monograph.read_text() == edited  # the pharmacist's edit is kept
    assert "exists and was not changed" in result.output
    assert "most-important (clinician): changed" in result.output
    assert "+Test for latent tuberculosis and hepatitis B before starting treatment." in \
        result.output
    assert "storage (patient): changed" in result.output
    # against the monograph, the edit shows too; against the old label, only the label's change
    assert "-Keep it in the fridge, in its box." in result.output
    result = run("import", "spl", str(SPL / "testamab-v4.xml"), "-o", str(out), "--previous",
                 str(SPL / "testamab.xml"))
    assert "in its box" not in result.output
    assert "+Keep it in the fridge. Do not freeze it." in result.output
    assert "uses (patient)" not in result.output  # unchanged sections are not listed


def test_reimport_finds_a_renamed_monograph_by_set_id(tmp_path):
    out = tmp_path / "out"
    run("import", "spl", str(SPL / "testamab.xml"), "-o", str(out))
    (out / "testamab.md").rename(out / "testamab-injection.md")
    result = run("import", "spl", str(SPL / "testamab-v4.xml"), "-o", str(out))
    assert "testamab-injection.md exists and was not changed" in result.output
    assert not (out / "testamab.md").exists()


def test_a_label_with_entities_is_refused_without_traceback(tmp_path, capsys):
    code = main(["import", "spl", str(SPL / "entities.xml"), "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "entities.xml:2: the label declares a DOCTYPE or entities" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_export_and_import_fhir(tmp_path):
    epi = tmp_path / "epi"
    result = run("export", "fhir", str(LEAFLETS / "baclofen.md"), "-o", str(epi))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in epi.iterdir()) == ["baclofen-clinician.epi.json",
                                                    "baclofen-patient.epi.json"]
    bundle = json.loads((epi / "baclofen-patient.epi.json").read_text())
    assert bundle["type"] == "document"
    result = run("import", "fhir", *map(str, sorted(epi.iterdir())), "-o",
                 str(tmp_path / "back"))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and (tmp_path / "back" / "baclofen.md").is_file()
    again = run("import", "fhir", str(epi / "baclofen-patient.epi.json"), "-o",
                str(tmp_path / "back"))
    assert again.exit_code == 1 and "is not overwritten" in again.output


def test_export_reports_a_broken_monograph_and_exports_the_rest(tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_text("---\nname: x\n---\n")
    result = run("export", "fhir", str(broken), str(LEAFLETS / "baclofen.md"), "-o",
                 str(tmp_path / "epi"))
    assert result.exit_code == 1
    assert "broken.md:" in result.output
    assert (tmp_path / "epi" / "baclofen-patient.epi.json").is_file()


@pytest.mark.parametrize("args", [["import", "spl"], ["import", "fhir"], ["export", "fhir"]])
def test_help_has_an_example(args):
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output
