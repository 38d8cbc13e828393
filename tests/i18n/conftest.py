"""Helpers for the translation tests: a copy of baclofen.md and its translations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import LEAFLETS


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """tmp_path/leaflets with baclofen.md and its Spanish and Arabic translations."""
    folder = tmp_path / "leaflets"
    folder.mkdir()
    for name in ("baclofen.md", "baclofen.es.md", "baclofen.ar.md"):
        shutil.copy(LEAFLETS / name, folder / name)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
                if text in line)
