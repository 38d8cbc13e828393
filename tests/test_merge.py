"""Sharded builds on separate machines, merged: the single-machine result, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from leafletgen.catalogue.merge import merge
from leafletgen.catalogue.snapshot import SNAPSHOT

from .conftest import STYLES, monograph_text

LEAFLETGEN = Path(sys.executable).with_name("leafletgen")
NAMES = ("alpha", "bravo", "charlie", "delta")


def leafletgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    styles = () if args[0] == "merge" else ("--styles", str(STYLES))
    return subprocess.run([str(LEAFLETGEN), *args, *styles], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> Path:
    """A catalogue built once on 'one machine' and as 3 shards, each its own process."""
    root = tmp_path_factory.mktemp("sharded")
    (root / "leaflets").mkdir()
    for name in NAMES:
        (root / "leaflets" / f"{name}.md").write_text(
            monograph_text(name=name.title(), generic_name=name), encoding="utf-8")
    assert leafletgen("build", "-o", "single", "leaflets", cwd=root).returncode == 0
    running = [subprocess.Popen([str(LEAFLETGEN), "build", "--shard", f"{k}/3", "-o",
                                 f"part-{k}", "leaflets", "--styles", str(STYLES)], cwd=root,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for k in (1, 2, 3)]
    assert [p.wait(timeout=600) for p in running] == [0, 0, 0]
    return root


def files(folder: Path) -> dict[str, bytes]:
    """The build's outputs in ``folder``: leaflets and manifest, without the no-op snapshot
    (a record of this folder's own file times, which a merge does not copy)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and p.name != SNAPSHOT}


def test_merged_shards_are_the_single_machine_build_byte_for_byte(shards):
    parts = [shards / f"part-{k}" for k in (1, 2, 3)]
    assert all(files(p) for p in parts) and sum(len(files(p)) - 1 for p in parts) == 12
    done = leafletgen("merge", *map(str, parts), "-o", "merged", cwd=shards)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "merged 12 file(s) from 3 shard(s) into merged\n"
    assert files(shards / "merged") == files(shards / "single")
    check = leafletgen("build", "--check", "-o", "merged", "leaflets", cwd=shards)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_damaged_shard_file_is_reported_and_the_rest_merged(shards, tmp_path):
    damaged = tmp_path / "part-1"
    damaged.mkdir()
    for name, data in files(shards / "part-1").items():
        (damaged / name).write_bytes(data)
    victim = next(name for name in files(damaged) if name.endswith(".pdf"))
    (damaged / victim).write_bytes(b"%PDF-1.7 not what was built")
    result = merge([damaged, shards / "part-2"], tmp_path / "out")
    assert [(p.path.name, p.message.split(";")[0]) for p in result.problems] == [
        (victim, "its bytes do not match the shard's manifest (damaged or edited)")]
    assert not (tmp_path / "out" / victim).exists()
    assert len(result.copied) == len(files(damaged)) - 2 + len(files(shards / "part-2")) - 1


def test_a_folder_that_is_not_a_build_output_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    result = merge([tmp_path / "empty"], tmp_path / "out")
    assert [p.message.split(";")[0] for p in result.problems] == [
        "no manifest.json here: not the output of 'leafletgen build'"]
