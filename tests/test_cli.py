import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leafletgen import cli
from leafletgen.cli import main
from leafletgen.errors import display_path

from .conftest import BACLOFEN, ROOT, STYLES, monograph_text


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_build_reports_bad_file_and_builds_the_good_one(tmp_path, capsys):
    (tmp_path / "bad.md").write_text(monograph_text(last_revised="2026-02-30"), encoding="utf-8")
    shutil.copy(BACLOFEN, tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "build", str(tmp_path), "-o", str(out),
                               "--styles", str(STYLES), "--variant", "clinician")
    assert code == 1
    assert f"{tmp_path / 'bad.md'}:8: last_revised: '2026-02-30' is not a valid date; " \
           "write it as YYYY-MM-DD" in stderr
    assert "Traceback" not in stderr
    assert "wrote" in stdout and "baclofen-clinician.pdf" in stdout
    # and the manifest of an incremental build (see test_catalogue.py)
    assert sorted(p.name for p in out.iterdir()) == ["baclofen-clinician.pdf", "manifest.json"]


def test_check_passes_on_the_shipped_monograph(capsys):
    code, stdout, stderr = run(capsys, "check", str(BACLOFEN), "--styles", str(STYLES))
    assert (code, stderr) == (0, "")
    assert "valid" in stdout


def test_check_fails_without_rendering(tmp_path, capsys):
    path = tmp_path / "x.md"
    path.write_text(monograph_text(body="## usage\n\nText.\n"), encoding="utf-8")
    code, _, stderr = run(capsys, "check", str(path), "--styles", str(STYLES))
    assert code == 1
    assert f"{path}:" in stderr and "unknown section id 'usage'" in stderr
    assert not list(tmp_path.glob("*.pdf"))


@pytest.mark.parametrize("args,message", [
    (["build", "--variant", "poster"], "unknown variant poster"),
    (["build", "--paper", "A3"], "Invalid value for '--paper'"),
    (["frobnicate"], "No such command"),
])
def test_usage_errors_exit_2(capsys, args, message, tmp_path):
    code, _, stderr = run(capsys, *args, "--styles", str(STYLES)) if args[0] == "build" \
        else run(capsys, *args)
    assert code == 2
    assert message in stderr


def test_html_option_writes_the_intermediate_html(tmp_path, capsys):
    code, _, _ = run(capsys, "build", str(BACLOFEN), "-o", str(tmp_path), "--styles",
                     str(STYLES), "--variant", "patient", "--html")
    assert code == 0
    # and what the next build with nothing to do reads instead of the sources (snapshot.py)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".leafletgen-snapshot.json",
                                                           "baclofen-patient.html",
                                                           "baclofen-patient.pdf",
                                                           "manifest.json"]


def test_unexpected_errors_hide_the_traceback_unless_debug(monkeypatch, capsys, tmp_path):
    def explode(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("leafletgen.catalogue.build.build", explode)
    code, _, stderr = run(capsys, "build", str(BACLOFEN), "-o", str(tmp_path))
    assert code == 1
    assert "internal error: RuntimeError: kaboom" in stderr
    assert "Traceback" not in stderr
    with pytest.raises(RuntimeError, match="kaboom"):
        main(["--debug", "build", str(BACLOFEN), "-o", str(tmp_path)])


def test_every_command_has_help_with_an_example(capsys):
    for name, command in cli.cli.commands.items():
        code, stdout, _ = run(capsys, name, "--help")
        assert code == 0, name
        assert "Example" in stdout, f"'leafletgen {name} --help' has no example"
        assert command.help and command.help.strip(), name
    code, stdout, _ = run(capsys, "--help")
    assert "Exit codes" in stdout


def test_installed_command_builds_the_example_project(tmp_path):
    # the project's layout with one monograph: every shipped one builds in every variant in
    # tests/test_content.py (and on Letter in tests/test_verify.py)
    (tmp_path / "leaflets").mkdir()
    shutil.copy(ROOT / "leaflets" / "baclofen.md", tmp_path / "leaflets")
    shutil.copytree(STYLES, tmp_path / "styles")
    exe = Path(sys.executable).with_name("leafletgen")
    done = subprocess.run([str(exe), "build"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert {"baclofen-patient.pdf", "baclofen-clinician.pdf"} <= {
        p.name for p in (tmp_path / "out").iterdir()}



def test_weasyprint_errors_fail_the_build_through_the_command_line(styles, tmp_path, capsys):
    """The CLI silences WeasyPrint's log; its errors must still fail the leaflet."""
    template = styles / "templates" / "patient.html.j2"
    template.write_text(template.read_text().replace(
        "{% block content %}", '{% block content %}\n<img src="missing-logo.png" alt="Logo">'))
    out = tmp_path / "out"
    code, _, stderr = run(capsys, "build", str(BACLOFEN), "-o", str(out), "--styles",
                          str(styles), "--variant", "patient")
    assert code == 1
    assert "missing-logo.png" in stderr
    assert not (out / "baclofen-patient.pdf").exists()


def test_template_error_names_the_template_and_the_other_variants_build(styles, tmp_path,
                                                                        capsys):
    template = styles / "templates" / "clinician.html.j2"
    template.write_text(template.read_text().replace(
        "{% block content %}", "{% block content %}\n<p>{{ medicine.nmae }}</p>"))
    out = tmp_path / "out"
    code, _, stderr = run(capsys, "build", str(BACLOFEN), "-o", str(out), "--styles",
                          str(styles), "--variant", "clinician", "--variant", "patient")
    assert code == 1
    line = template.read_text().splitlines().index("<p>{{ medicine.nmae }}</p>") + 1
    assert (f"{display_path(BACLOFEN)}: clinician leaflet: undefined name at "
            f"{display_path(template)}:{line}: " in stderr)
    assert "Traceback" not in stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == ["baclofen-patient.pdf"]


def test_missing_path_is_reported_and_the_other_files_still_build(tmp_path, capsys):
    out = tmp_path / "out"
    code, _, stderr = run(capsys, "build", str(tmp_path / "nope.md"), str(BACLOFEN), "-o",
                          str(out), "--styles", str(STYLES), "--variant", "clinician")
    assert code == 1
    assert f"{tmp_path / 'nope.md'}: no such file or folder; check the path" in stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == ["baclofen-clinician.pdf"]


def test_empty_folder_is_an_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, _, stderr = run(capsys, "check", str(tmp_path / "empty"), "--styles", str(STYLES))
    assert code == 1
    assert "no monograph files (*.md) in this folder" in stderr


def test_unwritable_output_is_reported_per_file(tmp_path, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    code, _, stderr = run(capsys, "build", str(BACLOFEN), "-o", str(blocker / "sub"),
                          "--styles", str(STYLES), "--variant", "clinician")
    assert code == 1
    assert "cannot create the output folder: Not a directory" in stderr
    assert "Traceback" not in stderr and "internal error" not in stderr


def test_two_leaflets_never_write_the_same_file(styles, tmp_path, capsys):
    text = (styles / "variants" / "patient-large.yaml").read_text()
    (styles / "variants" / "large.yaml").write_text(text.replace("name: patient-large",
                                                                 "name: large"))
    clash = tmp_path / "other.md"
    clash.write_text(BACLOFEN.read_text().replace("name: Baclofen\n",
                                                  "name: Baclofen\nslug: baclofen-patient\n"))
    out = tmp_path / "out"
    code, _, stderr = run(capsys, "build", str(BACLOFEN), str(clash), "-o", str(out),
                          "--styles", str(styles), "--variant", "patient-large",
                          "--variant", "large", "--no-verify")
    assert code == 1
    assert "would be written to baclofen-patient-large.pdf" in stderr
