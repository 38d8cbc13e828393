"""Helpers of the exchange tests: the SPL fixtures and the real FDA labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT

SPL = ROOT / "tests" / "fixtures" / "spl"
# Real FDA labels, shared read-only beside the project and never copied into it
LABELS = ROOT.parent / "shared" / "labels"


def real_label(name: str) -> Path:
    """A real FDA label, or skip the test when the shared folder is not there."""
    path = LABELS / name
    if not path.is_file():
        pytest.skip(f"the real FDA labels are not in {LABELS} (see tests/exchange/README.md)")
    return path


@pytest.fixture(params=["humira.xml", "lipitor-orig.xml"])
def label_path(request) -> Path:
    return real_label(request.param)
