"""Writing outputs: interrupted and concurrent writes, full disks, unwritable manifests,
personalised output and the repository, what the terminal and the metadata show, and
WeasyPrint's temporary font folders."""

from __future__ import annotations

import errno
import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pikepdf
import pytest

import leafletgen
from leafletgen import files
from leafletgen.catalogue.survey import _remove_leftovers
from leafletgen.cli import main

from .conftest import BACLOFEN, STYLES, monograph_text

NAME = "Quentina Zephyrine Oddlyname"
PATIENT = textwrap.dedent(f"""\
    patient:
      name: {NAME}
    date: 2026-03-15
    prescriber: {{name: Dr Ada Example}}
    contact: {{name: Ward 9 pharmacy, phone: 555 0100}}
    medicines:
      - monograph: testamol
        dose: 2 tablets (20 mg)
        timing: Every morning
        directions: Take 2 tablets every morning with food.
    """)
DATA = b"%PDF-1.7 " + NAME.encode() * 1000


def unnamed_files_work(folder: Path) -> bool:
    """Whether this system lets write_atomic use unnamed files (O_TMPFILE) in ``folder``."""
    files.write_atomic(folder / ".probe", b"probe")
    (folder / ".probe").unlink()
    return getattr(files, "_link_ways", None) != []


def named_only(monkeypatch) -> None:
    """write_atomic as on a system without unnamed files: named temporary files only."""
    monkeypatch.setattr(files, "_link_ways", [], raising=False)


def crash_while_writing(target: Path, at: str, named: bool = False) -> None:
    """Write ``target`` as the packet command does, in a process that dies (no clean-up
    runs) when it calls ``os.<at>``."""
    script = textwrap.dedent(f"""\
        import os
        from pathlib import Path
        import leafletgen
        from leafletgen import files
        if {named}:
            files._link_ways = []  # as on a system without unnamed files
        setattr(os, {at!r}, lambda *args, **kwargs: os._exit(9))
        leafletgen.write_private(Path({str(target)!r}), {DATA!r})
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120,
                          check=False)
    assert done.returncode == 9, done.stderr.decode()


# --- interrupted writes --------------------------------------------------------------------

def test_a_packet_killed_before_its_file_is_complete_leaves_nothing(tmp_path):
    if not unnamed_files_work(tmp_path):
        pytest.skip("this system has no unnamed files (O_TMPFILE and linkat)")
    crash_while_writing(tmp_path / "discharge.pdf", "fsync")  # the data is written by then
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("named,at", [(True, "fsync"), (False, "replace")])
def test_what_a_killed_packet_left_is_removed_by_the_next(tmp_path, named, at):
    target = tmp_path / "discharge.pdf"
    target.write_bytes(b"an older packet")
    crash_while_writing(target, at, named)
    left = [p for p in tmp_path.iterdir() if p != target]
    if not left:
        pytest.skip("nothing was left to remove")
    assert [p.stat().st_mode & 0o777 for p in left] == [0o600]
    assert target.read_bytes() == b"an older packet"

    leafletgen.write_private(target, b"%PDF-1.7 the next packet")

    assert list(tmp_path.iterdir()) == [target]
    assert target.read_bytes() == b"%PDF-1.7 the next packet"


def test_leftovers_of_other_files_are_kept(tmp_path):
    other = tmp_path / ".letter.pdf.abcd1234.tmp"
    other.write_bytes(b"someone else's")
    leafletgen.write_private(tmp_path / "discharge.pdf", b"%PDF-1.7")
    assert other.exists()


@pytest.mark.parametrize("mode", ["unnamed", "named"])
def test_a_build_keeps_the_temporary_files_of_another_build(tmp_path, monkeypatch, mode):
    """Two builds into one folder: the second's clean-up ran while the first was renaming its
    temporary file into place, deleted it, and the first failed."""
    if mode == "named":
        named_only(monkeypatch)
    target = tmp_path / "x-patient.pdf"
    target.write_bytes(b"the previous build's")  # so even an unnamed file gets a temp name
    renaming, go_on = threading.Event(), threading.Event()
    real_replace = os.replace

    def slow_replace(source, destination):
        renaming.set()
        go_on.wait(30)
        return real_replace(source, destination)

    monkeypatch.setattr(os, "replace", slow_replace)
    failures: list[BaseException] = []

    def first_build() -> None:
        try:
            files.write_atomic(target, b"%PDF-1.7 new")
        except BaseException as exc:  # noqa: BLE001  (reported below)
            failures.append(exc)

    writer = threading.Thread(target=first_build)
    writer.start()
    assert renaming.wait(30)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")], \
        "expected the first build's temporary file"
    _remove_leftovers(tmp_path, {"x-patient"})  # what the second build does first
    go_on.set()
    writer.join(30)
    assert failures == []
    assert target.read_bytes() == b"%PDF-1.7 new"
    assert list(tmp_path.iterdir()) == [target]


# --- full disks and unwritable manifests ---------------------------------------------------

def disk_full(fd):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("mode", ["unnamed", "named"])
def test_a_full_disk_is_reported_plainly_and_leaves_nothing(tmp_path, monkeypatch, mode):
    if mode == "named":
        named_only(monkeypatch)
    monkeypatch.setattr(os, "fsync", disk_full)  # the data is written, but not all to disk
    with pytest.raises(leafletgen.OutputError) as caught:
        leafletgen.write_private(tmp_path / "discharge.pdf", DATA)
    assert str(caught.value) == ("cannot write the output file: the disk is full (no space "
                                 "left on device); choose another path with -o")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def catalogue(tmp_path, monkeypatch) -> Path:
    (tmp_path / "leaflets").mkdir()
    (tmp_path / "leaflets" / "baclofen.md").write_bytes(BACLOFEN.read_bytes())
    shutil.copytree(STYLES, tmp_path / "styles")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_manifest_that_is_a_folder_is_a_problem_not_an_internal_error(catalogue, capsys):
    (catalogue / "out" / "manifest.json").mkdir(parents=True)
    code = main(["build", "leaflets", "--variant", "patient", "-j", "1"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "internal error" not in err
    assert ("out/manifest.json: cannot save the manifest: it is a folder (remove or rename "
            "it); the PDFs written are complete, and the next build renders them again"
            in err)
    assert "built  skipped  failed" in out
    assert (catalogue / "out" / "baclofen-patient.pdf").is_file()


def test_a_full_disk_while_saving_the_manifest_is_reported_plainly(catalogue, monkeypatch):
    real_write, real_fsync = leafletgen.catalogue.manifest.write_atomic, os.fsync

    def full(path, data, mode=0o644):
        os.fsync = disk_full  # the manifest only: the PDFs are written
        try:
            real_write(path, data, mode)
        finally:
            os.fsync = real_fsync

    monkeypatch.setattr(leafletgen.catalogue.manifest, "write_atomic", full)
    result = leafletgen.build([Path("leaflets")], Path("out"), Path("styles"), ["patient"],
                              incremental=True)
    assert [str(p) for p in result.problems] == [
        "out/manifest.json: cannot save the manifest: the disk is full (no space left on "
        "device); the PDFs written are complete, and the next build renders them again"]
    assert result.written == (Path("out/baclofen-patient.pdf"),)
    assert sorted(p.name for p in Path("out").iterdir()) == ["baclofen-patient.pdf"]


# --- personalised output -------------------------------------------------------------------

@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("outputs")
    (root / "leaflets").mkdir()
    (root / "leaflets" / "testamol.md").write_text(monograph_text(), encoding="utf-8")
    (root / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def handout(project) -> bytes:
    return leafletgen.handout(project / "leaflets" / "testamol.md", project / "patient.yaml",
                              styles=STYLES)


def test_the_title_and_metadata_carry_no_date(handout):
    with pikepdf.open(io.BytesIO(handout)) as pdf:
        assert dict(pdf.docinfo) == {"/Creator": pdf.docinfo["/Creator"],
                                     "/Producer": pdf.docinfo["/Producer"],
                                     "/Title": "Medicine information"}
        xmp = pdf.Root.Metadata.read_bytes()
    assert b"Medicine information" in xmp
    for date in (b"2026", b"CreateDate", b"ModifyDate"):
        assert date not in xmp


@pytest.mark.parametrize("command", ["packet", "handout"])
def test_the_commands_do_not_print_the_output_path(project, tmp_path, capsys, command):
    target = tmp_path / f"{NAME}.pdf"
    args = (["packet", "--patient", str(project / "patient.yaml"), "--leaflets",
             str(project / "leaflets")] if command == "packet" else
            ["handout", str(project / "leaflets" / "testamol.md"), "--for",
             str(project / "patient.yaml")])
    code = main([*args, "--styles", str(STYLES), "-o", str(target)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == f"wrote the {command} (readable by you only)\n"
    assert target.is_file()


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_personalised_output_never_lands_in_a_repository_unless_ignored(tmp_path, capsys,
                                                                         project):
    repository = tmp_path / "checkout"
    repository.mkdir()
    git(repository, "init", "-q")
    (repository / ".gitignore").write_text("/private/\n", encoding="utf-8")
    refused = "the output file would be inside a git repository, which does not ignore it"
    for path in (repository / "discharge.pdf", repository / "new" / "folder" / "x.pdf"):
        with pytest.raises(leafletgen.OutputError, match=refused):
            leafletgen.write_private(path, DATA)
    assert sorted(p.name for p in repository.iterdir()) == [".git", ".gitignore"]
    leafletgen.write_private(repository / "private" / "discharge.pdf", DATA)
    assert (repository / "private" / "discharge.pdf").read_bytes() == DATA

    code = main(["handout", str(project / "leaflets" / "testamol.md"), "--for",
                 str(project / "patient.yaml"), "--styles", str(STYLES), "-o",
                 str(repository / f"{NAME}.pdf")])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.startswith(f"leafletgen: {refused}")
    assert NAME not in err


# --- WeasyPrint's temporary font folders ---------------------------------------------------

RENDER = textwrap.dedent("""\
    import os, signal, sys
    from pathlib import Path
    import leafletgen
    result = leafletgen.build([Path({monograph!r})], Path(sys.argv[1]), Path({styles!r}),
                              ["patient"])
    assert result.ok, result.problems
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    """).format(monograph=str(BACLOFEN), styles=str(STYLES))


def render(tmp_path: Path, how: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    return subprocess.run([sys.executable, "-c", RENDER, str(tmp_path / "out"), how],
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_a_killed_render_leaves_its_temporary_fonts_for_the_next_to_remove(tmp_path):
    (tmp_path / "tmp").mkdir()
    killed = render(tmp_path, "kill")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = [p.relative_to(tmp_path) for p in (tmp_path / "tmp").rglob("*") if p.is_dir()]
    assert left, "expected the killed process's font folder"
    assert not [p for p in left if p.name.startswith("weasyprint-")]

    done = render(tmp_path, "exit")
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "tmp").iterdir()) == []


COMMAND = "import sys; from leafletgen.cli import main; sys.exit(main(sys.argv[1:]))"
EXAMPLE = STYLES.parent / "examples" / "patient.yaml"
LEAFLETS = STYLES.parent / "leaflets"


@pytest.mark.parametrize("shared", ["private", "untrusted"])
def test_no_weasyprint_folder_is_left_by_a_build_a_handout_or_a_packet(tmp_path, shared):
    """WeasyPrint copies the fonts into /tmp/weasyprint-XXXXXXXX and removes the folder only
    when its font configuration is collected. Each command, run as a user runs it, leaves
    nothing in the temporary folder: leafletgen's own folder is removed at exit, and where it
    cannot be used (a link put in its place), WeasyPrint's is removed too."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    if shared == "untrusted":
        (tmp_path / "elsewhere").mkdir()
        (temp / f"leafletgen-{os.getuid()}").symlink_to(tmp_path / "elsewhere")
    kept = set(temp.iterdir())
    env = {**os.environ, "TMPDIR": str(temp)}
    runs = {
        "build": ["build", str(BACLOFEN), "--styles", str(STYLES), "-o", str(tmp_path / "out"),
                  "-j", "2"],
        "handout": ["handout", str(LEAFLETS / "baclofen.md"), "--for", str(EXAMPLE), "--styles",
                    str(STYLES), "-o", str(tmp_path / "handout.pdf"), "--draft"],
        "packet": ["packet", "--patient", str(EXAMPLE), "--leaflets", str(LEAFLETS), "--styles",
                   str(STYLES), "-o", str(tmp_path / "packet.pdf"), "--draft"],
    }
    for name, argv in runs.items():
        done = subprocess.run([sys.executable, "-c", COMMAND, *argv], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, (name, done.stderr)
        left = [p for p in temp.rglob("*") if p.name.startswith("weasyprint-")]
        assert left == [], name
        assert set(temp.iterdir()) == kept, name
    assert (tmp_path / "out" / "baclofen-patient.pdf").is_file()
    assert (tmp_path / "handout.pdf").is_file() and (tmp_path / "packet.pdf").is_file()
    if shared == "untrusted":
        assert list((tmp_path / "elsewhere").iterdir()) == []  # nothing written through it
