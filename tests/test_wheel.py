"""leafletgen installed as a wheel (not editable) builds a project folder it was not built in,
with the styles and fonts it ships as package data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import LEAFLETS, ROOT

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with leafletgen's wheel installed; its dependencies are
    those of the test environment (on its path), not leafletgen itself."""
    where = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                where / "dist", ROOT)
    assert built.returncode == 0, built.stderr
    (wheel,) = (where / "dist").glob("leafletgen-*.whl")
    venv = where / "venv"
    made = run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
               "--no-deps", "--no-index", wheel)
    assert done.returncode == 0, done.stderr
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
                    ).stdout.strip())
    # the dependencies: this environment's packages, after the wheel's own
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n",
                                           encoding="utf-8")
    return venv


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    python = installed / "bin" / "python"
    found = run(python, "-c", "import leafletgen, leafletgen.project as p; "
                "print(leafletgen.__file__); print(p.shipped_styles())", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    package, styles = found.stdout.split()
    assert Path(package).is_relative_to(installed)
    assert Path(styles).is_relative_to(installed)
    assert (Path(styles) / "fonts.yaml").is_file()
    assert (Path(styles) / "templates" / "packet.html.j2").is_file()


def test_a_project_folder_without_styles_builds_with_the_shipped_ones(installed, tmp_path):
    project = tmp_path / "pharmacy"
    (project / "leaflets").mkdir(parents=True)
    shutil.copy(LEAFLETS / "amoxicillin.md", project / "leaflets")
    built = run(installed / "bin" / "leafletgen", "build", "--variant", "patient",
                cwd=project)
    assert built.returncode == 0, built.stderr
    pdf = project / "out" / "amoxicillin-patient.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert not (project / "styles").exists()
