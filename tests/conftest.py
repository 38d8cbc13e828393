"""Shared test helpers: a copy of the project in a temp folder, and monograph factories."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STYLES = ROOT / "styles"
LEAFLETS = ROOT / "leaflets"
# The approved baclofen monograph as first published (format 1, without a format line): the
# tests about layout, tags, metadata and review pin their expectations to this fixed text,
# and it keeps proving that format 1 files build unchanged. leaflets/ holds the current
# catalogue, which tests/test_content.py checks as a whole.
BACLOFEN = ROOT / "tests" / "fixtures" / "baclofen.md"
# the awkward test corpus: monographs of shapes the shipped ones do not have
CORPUS = ROOT / "tests" / "corpus"

FRONT = {
    "name": "Testamol",
    "generic_name": "testamol",
    "drug_class": "Test class",
    "forms": '["Tablets"]',
    "status": "approved",
    "version": '"1.0"',
    "last_revised": "2026-01-15",
    "reviewer": "A. Pharmacist",
    "review_date": "2026-01-15",
    "sources": '[{id: label, title: "Testamol label"}]',
}

# The sections the shipped patient and clinician variants require, with text for both.
BODY = """\
## most-important

::: patient
Do not stop taking testamol suddenly.
:::

::: clinician
Taper over 1-2 weeks.
:::

## uses

::: both
Testamol treats test pain.
:::

## how-to-take

Take 1 tablet in the morning.

## stopping

::: both
Your doctor lowers the dose slowly.
:::

## side-effects

::: both
You may feel sleepy.
:::
"""


# Modules that render many PDFs or start processes: `make test-fast` leaves them out (the whole
# suite, `make test`, runs them all).
SLOW_MODULES = frozenset({
    "test_attachments", "test_build", "test_catalogue", "test_cli", "test_content",
    "test_discharge",
    "test_finish", "test_layout_reader", "test_merge", "test_outputs", "test_packet",
    "test_print_quality", "test_reproducible", "test_scripts", "test_verify", "test_workers",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def monograph_text(body: str = BODY, drop: tuple[str, ...] = (), **fields: str) -> str:
    """A valid monograph, with front-matter fields overridden (None drops) and a body."""
    front = {**FRONT, **fields}
    lines = [f"{k}: {v}" for k, v in front.items() if v is not None and k not in drop]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + textwrap.dedent(body)


@pytest.fixture
def write_monograph(tmp_path: Path):
    """Write a monograph into tmp_path/leaflets/<name>.md and return its path."""

    def write(name: str = "testamol", text: str | None = None, **fields: str) -> Path:
        folder = tmp_path / "leaflets"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.md"
        path.write_text(monograph_text(**fields) if text is None else text, encoding="utf-8")
        return path

    return write


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str,
                  make: Callable[[Path], None]) -> Path:
    """A folder made once for the whole test run by ``make``, even when pytest-xdist runs
    the tests in several processes: the first to ask makes it in the run's common temporary
    folder, the others wait for it and read it. Tests only read it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the folder the run's workers share
    folder = base / name
    with _locked(base / f"{name}.lock"):
        if not (base / f"{name}.done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (base / f"{name}.done").touch()
    return folder


def _build_baclofen(out: Path) -> None:
    import leafletgen
    from leafletgen.source.variants import load_variants

    # every variant, the counselling summaries too (a build makes those only when named)
    variants, _ = load_variants(STYLES)
    result = leafletgen.build([BACLOFEN], out, STYLES, variants=sorted(variants))
    assert [str(p) for p in result.problems] == []


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """Every variant of the shipped baclofen leaflet, built once for the whole test run (and
    shared by its parallel processes).

    Tests only read these files; a test that changes a leaflet builds its own.
    """
    return shared_folder(tmp_path_factory, "built-baclofen", _build_baclofen)


def _build_catalogue(out: Path) -> None:
    import leafletgen

    # each variant on its own paper (A4 for all the shipped ones), in 2 build workers
    result = leafletgen.build([LEAFLETS, CORPUS], out, STYLES, jobs=2)
    assert [str(p) for p in result.problems] == []


@pytest.fixture(scope="session")
def catalogue_build(tmp_path_factory) -> Path:
    """Every monograph in leaflets/ and tests/corpus/ built in every variant a build makes by
    default, once for the whole test run (and shared by its parallel processes); the build
    had no problem. Tests only read these files."""
    return shared_folder(tmp_path_factory, "built-catalogue", _build_catalogue)


@pytest.fixture
def styles(tmp_path: Path) -> Path:
    """A private copy of styles/, for tests that change variants or stylesheets."""
    target = tmp_path / "styles"
    shutil.copytree(STYLES, target)
    return target
