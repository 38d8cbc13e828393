"""Every YAML input is read no further than its limit: a file that claims or holds gigabytes,
or a device that never ends, is one clear problem, in bounded memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from leafletgen.checks.glossary import load_glossary
from leafletgen.source.monograph import load
from leafletgen.source.patient import read_patient
from leafletgen.source.variants import load_variant
from tests.conftest import STYLES


def _huge(path: Path) -> Path:
    with path.open("wb") as file:
        file.truncate(2 * 1024 ** 3)  # sparse: takes no disk
    return path


def _endless(path: Path) -> Path:
    path.symlink_to("/dev/zero")
    return path


@pytest.mark.parametrize("make", [_huge, _endless])
@pytest.mark.parametrize("reader,name", [
    (lambda path: load_variant(path, STYLES), "big.yaml"),
    (load_glossary, "glossary.yaml"),
    (read_patient, "patient.yaml"),
    (load, "big.md"),
])
def test_an_input_too_large_to_read_is_one_clear_problem(tmp_path, make, reader, name):
    value, problems = reader(make(tmp_path / name))
    assert value is None
    assert len(problems) == 1
    assert "KB" in problems[0].message and problems[0].line == 1
