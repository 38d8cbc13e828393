"""Catalogue builds: incremental decisions, --check, shards, failures, interrupted builds."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

import leafletgen
import leafletgen.catalogue.survey
from leafletgen import Shard, build, status
from leafletgen.cli import main
from leafletgen.files import sha256_file

from .conftest import STYLES, monograph_text
from .test_workers import crashing

MEDICINES = ("alpha", "bravo", "charlie")
VARIANTS = ("clinician", "patient", "patient-large")
PATIENT_VARIANTS = ("patient", "patient-large")  # both use patient.css and patient.html.j2


def make_catalogue(root: Path, names=MEDICINES) -> Path:
    """root/leaflets/<name>.md for each name, and root/styles (a copy)."""
    (root / "leaflets").mkdir(parents=True)
    for name in names:
        (root / "leaflets" / f"{name}.md").write_text(
            monograph_text(name=name.title(), generic_name=name), encoding="utf-8")
    shutil.copytree(STYLES, root / "styles")
    return root


def catalogue_build(**options) -> leafletgen.BuildResult:
    """Build leaflets/ into out/ from the current folder, as `leafletgen build` does."""
    return build([Path("leaflets")], Path("out"), Path("styles"), incremental=True, **options)


def catalogue_status(variants=None, **options) -> leafletgen.Status:
    return status([Path("leaflets")], Path("out"), Path("styles"), variants,
                  options=leafletgen.BuildOptions(**options))


def stale_names(found: leafletgen.Status) -> set[str]:
    return {leaflet.pdf.name for leaflet in found.stale}


def every_pdf(names=MEDICINES, variants=VARIANTS) -> set[str]:
    return {f"{n}-{v}.pdf" for n in names for v in variants}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A catalogue of 3 monographs built once, in 2 workers."""
    root = make_catalogue(tmp_path_factory.mktemp("built"))
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = catalogue_build(jobs=2)
    finally:
        os.chdir(cwd)
    assert result.ok, [str(p) for p in result.problems]
    return root


@pytest.fixture
def catalogue(built: Path, tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the built catalogue, as the working folder."""
    root = tmp_path / "catalogue"
    shutil.copytree(built, root)
    monkeypatch.chdir(root)
    return root


def test_first_build_writes_every_pdf_and_records_it(catalogue: Path):
    assert {p.name for p in Path("out").glob("*.pdf")} == every_pdf()
    manifest = json.loads(Path("out/manifest.json").read_text())
    assert set(manifest["pdfs"]) == every_pdf()
    for name, entry in manifest["pdfs"].items():
        assert entry["sha256"] == sha256_file(Path("out") / name)
        assert entry["source"] == f"leaflets/{name.split('-')[0]}.md"
        assert name == f"{name.split('-')[0]}-{entry['variant']}.pdf"
        assert entry["inputs"]["monograph"] == sha256_file(Path(entry["source"]))
        assert entry["inputs"]["leafletgen"] == leafletgen.__version__
        assert entry["inputs"]["variant"] == sha256_file(
            Path("styles/variants") / f"{entry['variant']}.yaml")
    patient = manifest["pdfs"]["alpha-patient.pdf"]["inputs"]
    # the template, what it extends and what they include; not the clinician template
    assert {k for k in patient if k.startswith("template:")} == {
        "template:patient.html.j2", "template:base.html.j2", "template:_section.html.j2",
        "template:_personal.html.j2", "template:_schedule.html.j2"}
    assert {k for k in patient if k.startswith("stylesheet:")} == {
        "stylesheet:leaflet.css", "stylesheet:patient.css"}
    assert "asset:fonts.yaml" in patient
    assert any(k.startswith("font:AtkinsonHyperlegible") for k in patient)
    assert not any(k.split(":", 1)[-1].startswith("/") for k in patient), "no absolute paths"
    reader = PdfReader("out/alpha-patient.pdf")
    assert "Alpha" in reader.pages[0].extract_text()


def test_nothing_changed_renders_nothing(catalogue: Path):
    result = catalogue_build(jobs=2)
    assert result.written == ()
    assert {p.name for p in result.skipped} == every_pdf()
    assert catalogue_status().current


def test_touching_a_monograph_rebuilds_its_pdfs_only(catalogue: Path):
    path = Path("leaflets/bravo.md")
    path.write_text(path.read_text() + "\nStore below 25 °C.\n")
    assert stale_names(catalogue_status()) == every_pdf(["bravo"])
    before = sha256_file(Path("out/alpha-patient.pdf"))
    result = catalogue_build(jobs=1, variants=["patient"])
    assert [p.name for p in result.written] == ["bravo-patient.pdf"]
    text = "".join(p.extract_text() for p in PdfReader("out/bravo-patient.pdf").pages)
    assert "25 °C" in text.replace("\N{NO-BREAK SPACE}", " ")
    assert sha256_file(Path("out/alpha-patient.pdf")) == before
    # the other variants were not asked for, so they are still stale
    assert stale_names(catalogue_status()) == {"bravo-clinician.pdf", "bravo-patient-large.pdf"}


def test_touching_a_template_rebuilds_exactly_the_pdfs_that_use_it(catalogue: Path):
    template = Path("styles/templates/clinician.html.j2")
    template.write_text(template.read_text() + "{# reviewed #}\n")
    found = catalogue_status()
    assert stale_names(found) == every_pdf(variants=["clinician"])
    assert {leaflet.reason for leaflet in found.stale} == {
        "changed: template clinician.html.j2"}
    # a template both variants include
    shared = Path("styles/templates/_section.html.j2")
    shared.write_text(shared.read_text() + "{# shared #}\n")
    assert stale_names(catalogue_status()) == every_pdf()


def test_a_variants_stylesheet_and_a_shared_asset(catalogue: Path):
    sheet = Path("styles/patient.css")
    sheet.write_text(sheet.read_text() + "\n/* darker */\n")
    assert stale_names(catalogue_status()) == every_pdf(variants=PATIENT_VARIANTS)
    fonts = Path("styles/fonts.yaml")
    fonts.write_text(fonts.read_text() + "\n# reviewed\n")
    assert stale_names(catalogue_status()) == every_pdf()


def test_a_new_leafletgen_version_rebuilds_everything(catalogue: Path, monkeypatch):
    monkeypatch.setattr("leafletgen.catalogue.manifest.__version__", "99.0")
    found = catalogue_status()
    assert stale_names(found) == every_pdf()
    assert all("leafletgen " in leaflet.reason and "-> 99.0" in leaflet.reason
               for leaflet in found.stale)


def test_paper_option_is_an_input(catalogue: Path):
    assert stale_names(catalogue_status(paper="letter")) == every_pdf()
    assert catalogue_status().current


def test_a_changed_or_missing_pdf_is_stale_and_repaired(catalogue: Path):
    Path("out/alpha-patient.pdf").write_bytes(b"%PDF-1.7\ntruncated")
    Path("out/charlie-clinician.pdf").unlink()
    found = catalogue_status()
    reasons = {leaflet.pdf.name: leaflet.reason for leaflet in found.stale}
    assert reasons == {"alpha-patient.pdf": "the PDF is not the one that was built "
                       "(changed or damaged since)", "charlie-clinician.pdf": "missing"}
    events = []
    result = catalogue_build(jobs=2, on_progress=events.append)
    assert {p.name for p in result.written} == set(reasons)
    assert [(e.done, e.total) for e in events] == [(0, 2), (1, 2), (2, 2)]
    assert {e.pdf.name for e in events[1:]} == set(reasons)
    assert catalogue_status().current
    assert len(PdfReader("out/alpha-patient.pdf").pages) >= 1


def test_check_exit_codes(catalogue: Path, capsys):
    assert main(["build", "--check"]) == 0
    assert "all 9 PDF(s) are current" in capsys.readouterr().out
    Path("out/bravo-patient.pdf").unlink()
    assert main(["build", "--check"]) == 1
    out = capsys.readouterr().out
    assert "stale out/bravo-patient.pdf: missing" in out
    assert "1 of 9 PDF(s) missing or stale" in out
    assert not Path("out/bravo-patient.pdf").exists(), "--check renders nothing"
    shutil.rmtree("out")
    assert main(["build", "--check"]) == 1
    assert main(["build", "--check", "--shard", "0/2"]) == 2


def test_check_fails_on_a_broken_monograph(catalogue: Path, capsys):
    Path("leaflets/broken.md").write_text("---\nname: Broken\n---\n")
    assert main(["build", "--check"]) == 1
    captured = capsys.readouterr()
    assert "leaflets/broken.md:2: missing required field 'generic_name'" in captured.err


def test_shards_split_the_catalogue_exactly_once(catalogue: Path):
    everything = {leaflet.pdf.name for leaflet in catalogue_status().leaflets}
    assert everything == every_pdf()
    for count in (1, 2, 3, 7):
        parts = [{leaflet.pdf.name for leaflet in catalogue_status(shard=Shard(k, count)).leaflets}
                 for k in range(1, count + 1)]
        assert sum(len(part) for part in parts) == len(everything)
        assert set().union(*parts) == everything


def test_shard_assignment_is_stable_when_files_are_added():
    names = [f"med{i:04d}-patient.pdf" for i in range(1000)]
    before = {name: next(k for k in range(1, 5) if Shard(k, 4).owns(name)) for name in names}
    assert all(sum(Shard(k, 4).owns(name) for k in range(1, 5)) == 1 for name in names)
    assert min(list(before.values()).count(k) for k in range(1, 5)) > 150  # roughly even
    more = names + [f"new{i:04d}-patient.pdf" for i in range(100)]
    after = {name: next(k for k in range(1, 5) if Shard(k, 4).owns(name)) for name in more}
    assert all(after[name] == before[name] for name in names)


def test_shard_parse_rejects_nonsense():
    assert Shard.parse("2/3") == Shard(2, 3)
    for bad in ("3/2", "0/1", "1", "a/b", "1/0"):
        with pytest.raises(leafletgen.UsageError):
            Shard.parse(bad)


def test_one_failing_monograph_does_not_stop_the_others(tmp_path: Path, monkeypatch, capsys):
    root = make_catalogue(tmp_path, names=("good", "other"))
    # a draft needs no reviewer yet
    (root / "leaflets" / "unreviewed.md").write_text(
        monograph_text(name="Unreviewed", status="draft", reviewer=None, review_date=None),
        encoding="utf-8")
    (root / "leaflets" / "broken.md").write_text("---\nname: Broken\n---\n", encoding="utf-8")
    # a template bug that only this monograph triggers, at render time in a worker
    template = root / "styles" / "templates" / "patient.html.j2"
    template.write_text(template.read_text().replace(
        "{% block content %}", "{% block content %}<p>{{ medicine.reviewer.upper() }}</p>", 1))
    monkeypatch.chdir(root)
    code = main(["build", "-j", "2", "--variant", "patient"])
    captured = capsys.readouterr()
    assert code == 1
    assert {p.name for p in Path("out").glob("*.pdf")} == {"good-patient.pdf",
                                                           "other-patient.pdf"}
    assert ("leaflets/unreviewed.md: patient leaflet: undefined name at "
            "styles/templates/patient.html.j2:2: ") in captured.err
    assert "leaflets/broken.md:2: missing required field" in captured.err
    assert "wrote out/good-patient.pdf" in captured.out
    assert "failed out/unreviewed-patient.pdf" in captured.out
    lines = captured.out.splitlines()
    table = lines.index("built  skipped  failed  seconds")
    assert lines[table + 1].split()[:3] == ["2", "0", "2"]
    assert set(lines[table + 2:]) == {"failed: leaflets/broken.md",
                                      "failed: leaflets/unreviewed.md"}
    manifest = json.loads(Path("out/manifest.json").read_text())
    assert set(manifest["pdfs"]) == {"good-patient.pdf", "other-patient.pdf"}


def test_a_worker_that_dies_fails_only_the_leaflet_it_was_rendering(catalogue: Path,
                                                                     monkeypatch, capsys):
    path = Path("leaflets/bravo.md")
    path.write_text(path.read_text() + "\nStore below 25 °C.\n")
    attempts = catalogue / "attempts"
    real_plan = leafletgen.catalogue.survey.plan_files

    def plan_with_a_crash(*args, **kwargs):
        for found in real_plan(*args, **kwargs):
            yield dataclasses.replace(found, jobs=tuple(
                crashing(job, attempts) if job.stem == "bravo-patient" else job
                for job in found.jobs))

    monkeypatch.setattr(leafletgen.catalogue.survey, "plan_files", plan_with_a_crash)
    assert main(["build", "-j", "2"]) == 1
    captured = capsys.readouterr()
    assert len(attempts.read_text().splitlines()) == 2
    assert ("leaflets/bravo.md:1: patient leaflet: the process rendering it was killed by "
            "SIGKILL") in captured.err
    assert "wrote out/bravo-clinician.pdf" in captured.out
    assert "wrote out/bravo-patient-large.pdf" in captured.out
    assert "failed out/bravo-patient.pdf" in captured.out
    lines = captured.out.splitlines()
    table = lines.index("built  skipped  failed  seconds")
    assert lines[table + 1].split()[:3] == ["2", "6", "1"]
    assert lines[table + 2:] == ["failed: leaflets/bravo.md"]
    assert stale_names(catalogue_status()) == {"bravo-patient.pdf"}
    # the next build renders what is left
    monkeypatch.setattr(leafletgen.catalogue.survey, "plan_files", real_plan)
    assert [p.name for p in catalogue_build(jobs=2).written] == ["bravo-patient.pdf"]
    assert catalogue_status().current


def test_an_oversized_monograph_is_refused_without_being_read(catalogue: Path,
                                                              monkeypatch):
    huge = Path("leaflets/huge.md")
    with huge.open("wb") as file:
        file.truncate(20 * 1024 * 1024)  # 20 MB (of zeros, none of them stored)
    opened = []
    real_open = Path.open

    def watched_open(self, *args, **kwargs):
        if self.name == huge.name:
            opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", watched_open)  # read_bytes and read_text open too
    for found in (catalogue_status().problems, catalogue_build(jobs=1).problems):
        assert [str(p) for p in found] == [
            "leaflets/huge.md:1: the file is 20,480 KB; a monograph may be at most 256 KB "
            "(see 'Limits' in README.md): split it, or move long tables and text out of it"]
    assert opened == [], "the size is checked before anything is read"
    assert catalogue_status().stale == ()


def test_personal_builds_without_catalogue_options_leave_no_manifest(tmp_path: Path,
                                                                   monkeypatch):
    root = make_catalogue(tmp_path, names=("alpha",))
    monkeypatch.chdir(root)
    result = build([Path("leaflets")], Path("out"), Path("styles"), variants=["patient"])
    assert [p.name for p in result.written] == ["alpha-patient.pdf"]
    assert not Path("out/manifest.json").exists()
    # and --force renders what is current, recording it
    assert catalogue_status(variants=["patient"]).stale
    forced = catalogue_build(variants=["patient"], force=True)
    assert [p.name for p in forced.written] == ["alpha-patient.pdf"]
    assert catalogue_status(variants=["patient"]).current


def _default_sigint() -> None:
    """In the child, before it runs Python: SIGINT does what it does in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_after_first_pdf(sig: int) -> subprocess.CompletedProcess:
    """Run `leafletgen build -j 2` here and send it ``sig`` once the first PDF is written."""
    # a suite run in the background (`pytest &`) ignores SIGINT, and so would the build it
    # starts: Python only turns SIGINT into KeyboardInterrupt when it starts with the default
    process = subprocess.Popen([sys.executable, "-m", "leafletgen.cli", "build", "-j", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_default_sigint)
    deadline = time.monotonic() + 120  # a bound on waiting, not a timing assertion
    while not list(Path("out").glob("*.pdf")) and process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(sig)
    # its workers must die with it: they hold its output open, so this would wait for them
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_ctrl_c_lets_workers_finish_and_records_every_pdf_written(tmp_path: Path,
                                                                   monkeypatch):
    names = ("c1", "c2", "c3", "c4")
    monkeypatch.chdir(make_catalogue(tmp_path, names=names))
    stopped = interrupt_after_first_pdf(signal.SIGINT)
    assert stopped.returncode == 130, stopped.stderr
    assert "aborted" in stopped.stderr
    on_disk = {p.name for p in Path("out").glob("*.pdf")}
    assert 1 <= len(on_disk) < len(every_pdf(names)), "the build finished before Ctrl-C"
    recorded = json.loads(Path("out/manifest.json").read_text())["pdfs"]
    assert set(recorded) == on_disk
    for name in on_disk:
        assert sha256_file(Path("out") / name) == recorded[name]["sha256"]
    assert not [p.name for p in Path("out").iterdir() if p.name.endswith(".tmp")]
    assert stale_names(catalogue_status()) == every_pdf(names) - on_disk


def test_a_killed_build_is_repaired_by_the_next(tmp_path: Path, monkeypatch):
    names = ("k1", "k2", "k3", "k4")
    root = make_catalogue(tmp_path, names=names)
    monkeypatch.chdir(root)
    killed = interrupt_after_first_pdf(signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL, "the build finished before it was killed"
    written = list(Path("out").glob("*.pdf"))
    assert 1 <= len(written) < len(every_pdf(names))
    # what the killed build left: whole PDFs, and a manifest that vouches only for PDFs on disk
    for pdf in written:
        assert len(PdfReader(pdf).pages) >= 1
    manifest = Path("out/manifest.json")
    if manifest.exists():
        for name, entry in json.loads(manifest.read_text())["pdfs"].items():
            assert sha256_file(Path("out") / name) == entry["sha256"]
    assert catalogue_status().stale

    result = catalogue_build(jobs=2)
    assert result.ok
    assert {p.name for p in Path("out").glob("*.pdf")} == every_pdf(names)
    assert not [p.name for p in Path("out").iterdir() if p.name.endswith(".tmp")]
    recorded = json.loads(manifest.read_text())["pdfs"]
    assert set(recorded) == every_pdf(names)
    for name in every_pdf(names):
        assert sha256_file(Path("out") / name) == recorded[name]["sha256"]
        reader = PdfReader(Path("out") / name)
        assert name.split("-")[0].title() in reader.pages[0].extract_text()
    assert catalogue_status().current


def test_html_files_are_part_of_a_build_that_asks_for_them(catalogue: Path):
    found = catalogue_status(html=True)
    assert stale_names(found) == every_pdf()
    assert {leaflet.reason for leaflet in found.stale} == {"its HTML is missing or changed"}


def pdf_files() -> dict[str, tuple[int, int]]:
    """Each PDF in out/ with its inode and modification time: changed when it is written."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in Path("out").glob("*.pdf")}


def html_names() -> set[str]:
    return {p.name for p in Path("out").glob("*.html")}


def test_html_of_current_pdfs_is_written_without_rendering_them(catalogue: Path, capsys,
                                                                 tmp_path: Path):
    before = pdf_files()
    assert main(["build", "--html", "-j", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert pdf_files() == before, "no PDF was rendered again"
    assert html_names() == {n.replace(".pdf", ".html") for n in every_pdf()}
    assert any(re.fullmatch(r"wrote out/alpha-patient\.html \(\d+\.\d s; alpha-patient\.pdf "
                            r"is current\)", line) for line in lines)
    table = lines.index("built  skipped  failed  seconds")
    assert lines[table + 1].split()[:3] == ["0", "9", "0"]
    assert lines[table + 2:] == ["html: 9 written"]
    recorded = json.loads(Path("out/manifest.json").read_text())["pdfs"]
    for name, entry in recorded.items():
        assert entry["html_sha256"] == sha256_file(Path("out") / name.replace(".pdf", ".html"))
    assert catalogue_status(html=True).current
    # the same page a build rendering the PDF writes
    build([Path("leaflets/alpha.md")], tmp_path / "full", Path("styles"), ["patient"], html=True)
    assert Path("out/alpha-patient.html").read_bytes() == (
        tmp_path / "full" / "alpha-patient.html").read_bytes()
    # nothing left to write; a changed HTML is written again, still without its PDF
    assert catalogue_build(jobs=2, html=True).html == ()
    Path("out/bravo-clinician.html").write_text("edited")
    again = catalogue_build(jobs=2, html=True)
    assert (again.written, [p.name for p in again.html]) == ((), ["bravo-clinician.html"])
    assert pdf_files() == before
    # a PDF that must be rendered gets its HTML with it, and says so
    path = Path("leaflets/charlie.md")
    path.write_text(path.read_text() + "\nStore below 25 °C.\n")
    assert main(["build", "--html", "-j", "2", "--variant", "patient"]) == 0
    out = capsys.readouterr().out
    assert "wrote out/charlie-patient.pdf and out/charlie-patient.html" in out
    assert "html: 1 written" in out
    assert "25" in Path("out/charlie-patient.html").read_text()


def test_a_build_without_html_removes_the_html_it_wrote(catalogue: Path, capsys):
    assert catalogue_build(jobs=2, html=True).ok
    Path("out/notes.html").write_text("mine")  # not leafletgen's: never removed
    path = Path("leaflets/charlie.md")
    path.write_text(path.read_text() + "\nStore below 25 °C.\n")
    # only the leaflets this build is about: the patient variant
    result = catalogue_build(jobs=2, variants=["patient"])
    assert [p.name for p in result.written] == ["charlie-patient.pdf"]
    assert sorted(p.name for p in result.removed) == [
        "alpha-patient.html", "bravo-patient.html", "charlie-patient.html"]
    assert html_names() == {"notes.html"} | {
        f"{n}-{v}.html" for n in MEDICINES for v in ("clinician", "patient-large")}
    recorded = json.loads(Path("out/manifest.json").read_text())["pdfs"]
    assert {name for name, entry in recorded.items() if "html_sha256" in entry} == {
        f"{n}-{v}.pdf" for n in MEDICINES for v in ("clinician", "patient-large")}
    assert main(["build", "-j", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "html: 6 removed (this build was not asked for HTML)" in lines
    assert html_names() == {"notes.html"}
    assert catalogue_status().current
    assert stale_names(catalogue_status(html=True)) == every_pdf()
    assert catalogue_build(jobs=2).removed == ()


def test_editor_scratch_files_change_nothing(catalogue: Path):
    Path("styles/.patient.css.swp").write_bytes(b"swap")
    Path("styles/leaflet.css~").write_text("backup")
    assert catalogue_status().current


def test_a_template_edited_between_two_builds_in_one_process(tmp_path: Path, monkeypatch):
    root = make_catalogue(tmp_path, names=("alpha",))
    monkeypatch.chdir(root)
    assert catalogue_build(jobs=1, variants=["patient"]).ok
    template = Path("styles/templates/patient.html.j2")
    template.write_text(template.read_text().replace(
        "Keep this leaflet.", "Keep this leaflet somewhere safe.", 1))
    result = catalogue_build(jobs=1, variants=["patient"])
    assert [p.name for p in result.written] == ["alpha-patient.pdf"]
    text = PdfReader("out/alpha-patient.pdf").pages[0].extract_text()
    assert "somewhere safe" in " ".join(text.split())


def test_editing_a_figure_rebuilds_the_leaflets_that_show_it(catalogue: Path):
    figures = Path("leaflets/figures")
    figures.mkdir()
    (figures / "pack.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="20mm" height="10mm" viewBox="0 0 20 10">'
        '<rect width="20" height="10" fill="#000"/></svg>')
    path = Path("leaflets/bravo.md")
    path.write_text(path.read_text() + "\n## contents\n\n![A black box](figures/pack.svg)\n")
    result = catalogue_build(jobs=1, variants=["patient"])
    assert result.ok, [str(p) for p in result.problems]
    assert catalogue_status(variants=["patient"]).stale == ()
    (figures / "pack.svg").write_text((figures / "pack.svg").read_text().replace("#000", "#333"))
    assert stale_names(catalogue_status(variants=["patient"])) == {"bravo-patient.pdf"}


def test_a_new_monograph_taking_a_current_leaflets_name_is_refused_by_the_same_rule(
        catalogue: Path):
    """The incremental build does not parse current monographs, yet reports the clash as the
    plan does, and keeps the current PDFs."""
    before = sha256_file(Path("out/alpha-patient.pdf"))
    Path("leaflets/zulu.md").write_text(
        monograph_text(name="Zulu", generic_name="zulu").replace("---\n", "---\nslug: alpha\n", 1),
        encoding="utf-8")
    result = catalogue_build()
    clashes = [p for p in result.problems if p.path.name == "zulu.md"]
    assert clashes and all("already writes; set a different 'slug:'" in p.message
                           for p in clashes)
    assert "leaflets/alpha.md" in clashes[0].message
    assert clashes[0].line == 2  # the slug line
    assert sha256_file(Path("out/alpha-patient.pdf")) == before


def test_a_current_translation_is_not_parsed_again(tmp_path: Path, monkeypatch):
    """A translation has leaflets of the patient variants only: with those current, a
    rebuild reads its bytes and parses nothing."""
    root = Path(__file__).resolve().parents[1]
    (tmp_path / "leaflets").mkdir()
    for name in ("baclofen.md", "baclofen.es.md"):
        shutil.copy(root / "leaflets" / name, tmp_path / "leaflets" / name)
    shutil.copytree(STYLES, tmp_path / "styles")
    monkeypatch.chdir(tmp_path)
    first = catalogue_build(jobs=2)
    assert first.ok and {p.name for p in first.written} >= {
        "baclofen.es-patient.pdf", "baclofen.es-patient-large.pdf"}

    def no_parsing(*args, **kwargs):
        raise AssertionError("a current monograph or translation was parsed")

    monkeypatch.setattr(leafletgen.catalogue.survey, "plan_files", no_parsing)
    again = catalogue_build(jobs=2)
    assert again.written == () and len(again.skipped) == len(first.written)


def _age(root: Path, seconds: float = 60.0) -> None:
    """Every file and folder of the catalogue as if last changed a minute ago: older than
    what the no-op check distrusts as too recent (its filesystem times may be coarse)."""
    past = time.time() - seconds
    for path in [*root.rglob("*"), root]:
        os.utime(path, (past, past))


def test_a_build_with_nothing_to_do_reads_only_file_metadata(catalogue: Path, monkeypatch):
    """After a build, a build with nothing changed is decided from the snapshot of file
    metadata, without the survey (nothing parsed, hashed or imported); any change to what
    it lists (a monograph, a style file, a PDF) or to the request takes the full path."""
    _age(catalogue)
    assert catalogue_build(jobs=1).written == ()  # the full path, which records the snapshot
    surveys = []
    full = leafletgen.catalogue.survey.build_catalogue
    monkeypatch.setattr(leafletgen.catalogue.survey, "build_catalogue",
                        lambda *args, **kwargs: surveys.append(1) or full(*args, **kwargs))
    result = catalogue_build(jobs=1)
    assert surveys == [] and result.written == () and result.problems == ()
    assert {p.name for p in result.skipped} == every_pdf()
    # a new process imports nothing of the pipeline for it
    script = ("import sys, leafletgen; from pathlib import Path; r = leafletgen.build("
              "[Path('leaflets')], Path('out'), Path('styles'), incremental=True); "
              "print(len(r.skipped), sorted(m for m in ('weasyprint', 'jinja2', 'yaml', "
              "'jsonschema', 'pikepdf', 'leafletgen.catalogue.survey') if m in sys.modules))")
    # (the request names the folder it was made in: the same for the child)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    assert run.stdout.split("\n")[0] == "9 []", run.stdout + run.stderr
    assert catalogue_build(jobs=1, paper="letter").written  # another request: rendered
    assert len(surveys) == 1
    catalogue_build(jobs=1)  # back to A4
    changes = {
        "a monograph": lambda: Path("leaflets/bravo.md").write_text(
            Path("leaflets/bravo.md").read_text() + "\nStore below 25 °C.\n"),
        "a new style file": lambda: Path("styles/extra.css").write_text("p { }\n"),
        "a PDF removed": lambda: Path("out/alpha-patient.pdf").unlink(),
    }
    for what, change in changes.items():
        _age(catalogue)
        catalogue_build(jobs=1)  # nothing changed: the full path records the snapshot
        count = len(surveys)
        assert catalogue_build(jobs=1).written == () and len(surveys) == count, what
        change()
        result = catalogue_build(jobs=1)
        assert len(surveys) == count + 1 and result.ok, what
    assert {p.name for p in result.written} == {"alpha-patient.pdf"}
