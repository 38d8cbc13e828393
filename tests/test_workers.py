"""Rendering in worker processes: the same PDFs as in this process; a worker that dies."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from leafletgen.catalogue.workers import default_workers, render_all
from leafletgen.checks.plan import plan
from leafletgen.errors import Severity
from leafletgen.files import sha256_file
from leafletgen.model import Job

from .conftest import STYLES, monograph_text


def test_workers_render_the_same_bytes_as_one_process(tmp_path: Path):
    for name in ("alpha", "bravo"):
        (tmp_path / f"{name}.md").write_text(monograph_text(name=name.title()))
    jobs = plan([tmp_path], STYLES, ["patient"]).jobs
    assert len(jobs) == 2
    pooled = list(render_all(jobs, tmp_path / "pool", STYLES, None, False, workers=2))
    single = list(render_all(jobs, tmp_path / "single", STYLES, None, False, workers=1))
    assert sorted(o.index for o in pooled) == [0, 1]
    for outcome in pooled + single:
        assert outcome.problems == ()
        assert outcome.written.pdf_sha256 == sha256_file(outcome.written.pdf)
    for job in jobs:
        name = f"{job.stem}.pdf"
        assert sha256_file(tmp_path / "pool" / name) == sha256_file(tmp_path / "single" / name)
        assert job.monograph.name in PdfReader(tmp_path / "pool" / name).pages[0].extract_text()


def test_default_workers_is_at_least_one():
    assert default_workers() >= 1


@dataclass(frozen=True)
class CrashingJob(Job):
    """A job whose worker dies as it receives it (a render that segfaults or is killed by
    the out-of-memory killer), the first ``times`` times; each attempt is a line in ``log``."""

    log: str = ""
    times: int = 99

    def __reduce__(self):
        return _arrive, (self.log, self.times, self.monograph, self.variant, self.sections)


def _arrive(log: str, times: int, *fields) -> Job:
    """Unpickled in the worker: log the attempt, then die or hand over the real job."""
    with open(log, "a") as file:
        file.write(f"{os.getpid()}\n")
    if len(Path(log).read_text().splitlines()) <= times:
        os.kill(os.getpid(), signal.SIGKILL)
    return Job(*fields)


def crashing(job: Job, log: Path, times: int = 99) -> CrashingJob:
    return CrashingJob(job.monograph, job.variant, job.sections, str(log), times)


def four_jobs(folder: Path) -> list[Job]:
    for name in ("alpha", "bravo", "charlie", "delta"):
        (folder / f"{name}.md").write_text(monograph_text(name=name.title()))
    return list(plan([folder], STYLES, ["patient"]).jobs)


def test_a_dying_worker_fails_only_its_leaflet_after_one_retry(tmp_path: Path):
    jobs = four_jobs(tmp_path)
    attempts = tmp_path / "attempts"
    jobs[1] = crashing(jobs[1], attempts)
    outcomes = {o.index: o for o in render_all(jobs, tmp_path / "out", STYLES, None, False,
                                               workers=2)}
    assert sorted(outcomes) == [0, 1, 2, 3]
    assert len(attempts.read_text().splitlines()) == 2, "tried once more, not again"
    crashed = outcomes[1]
    assert crashed.written is None
    [problem] = crashed.problems
    assert problem.path == jobs[1].monograph.path and problem.line == 1
    assert problem.severity is Severity.ERROR
    assert "patient leaflet: the process rendering it was killed by SIGKILL" in problem.message
    assert ("patient leaflet: the process rendering it was killed by SIGKILL (out of memory?), "
            "and so was the one that tried again; it was not built") in problem.message
    # the other leaflets, some of them rendered while the worker died, are not disturbed
    for index in (0, 2, 3):
        assert outcomes[index].problems == ()
        assert outcomes[index].written.pdf_sha256 == sha256_file(outcomes[index].written.pdf)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "alpha-patient.pdf", "charlie-patient.pdf", "delta-patient.pdf"]


def test_a_leaflet_whose_worker_died_once_is_rendered_again(tmp_path: Path):
    jobs = four_jobs(tmp_path)[:2]
    jobs[0] = crashing(jobs[0], tmp_path / "attempts", times=1)
    outcomes = {o.index: o for o in render_all(jobs, tmp_path / "out", STYLES, None, False,
                                               workers=2)}
    retried = outcomes[0]
    assert retried.written is not None
    assert sha256_file(tmp_path / "out" / "alpha-patient.pdf") == retried.written.pdf_sha256
    [warning] = retried.problems
    assert warning.severity is Severity.WARNING
    assert "killed by SIGKILL" in warning.message and "rendered again" in warning.message
    assert outcomes[1].problems == ()


def test_workers_that_cannot_start_fail_their_leaflets_without_end(tmp_path: Path):
    jobs = four_jobs(tmp_path)[:2]
    outcomes = list(render_all(jobs, tmp_path / "out", tmp_path / "no-styles", None, False,
                               workers=2))
    assert sorted(o.index for o in outcomes) == [0, 1]
    for outcome in outcomes:
        assert outcome.written is None
        assert "no rendering process could start" in outcome.problems[0].message


def test_workers_are_recycled_after_their_share_without_counting_it_as_a_crash(
        tmp_path: Path):
    """A worker stops after ``recycle_after`` leaflets and a fresh one takes its place: each
    leaflet here is rendered by a process of its own, and none is reported as crashed."""
    from leafletgen.catalogue.workers import Workers

    pids = tmp_path / "pids"
    jobs = [crashing(job, pids, times=0) for job in four_jobs(tmp_path)]  # logs, never dies
    with Workers(STYLES, None, False, True, 2, recycle_after=1) as pool:
        outcomes = {o.index: o for o in pool.render(jobs, tmp_path / "out", False)}
        assert pool.recycled == 4
    assert sorted(outcomes) == [0, 1, 2, 3]
    for outcome in outcomes.values():
        assert outcome.problems == ()  # no "the process rendering it ..." warning
        assert outcome.written.pdf_sha256 == sha256_file(outcome.written.pdf)
    assert len(set(pids.read_text().split())) == 4


def test_workers_take_jobs_as_they_are_made_while_rendering_the_first(tmp_path: Path):
    """A build hands its workers each leaflet as soon as its monograph is checked: the
    workers render the first jobs while the rest are still being made, and every job made
    is rendered, once."""
    from leafletgen.catalogue.workers import Workers

    jobs = four_jobs(tmp_path)
    jobs.append(jobs[0])  # five jobs for two workers: four are taken ahead, then one more
    seen: list[int] = []  # outcomes received when each job was taken
    outcomes = []

    def made():
        for job in jobs:
            seen.append(len(outcomes))
            yield job

    with Workers(STYLES, None, False, True, 2) as pool:
        pool.start(len(jobs))
        for outcome in pool.render(made(), tmp_path / "out", False):
            outcomes.append(outcome)
    assert sorted(o.index for o in outcomes) == [0, 1, 2, 3, 4]
    assert all(o.problems == () for o in outcomes)
    assert seen[:4] == [0, 0, 0, 0] and seen[4] >= 1, seen



# Ctrl-C at the worst moment, in a process of its own: SIGINT reaches the main thread only,
# and a test may run in another (pytest-xdist)
CTRL_C = """
import os, signal, sys
from collections import deque
from types import SimpleNamespace
from pathlib import Path
from leafletgen.catalogue import workers as w

class Pipe:  # a worker's end of the pipe; Ctrl-C arrives while it is used
    def __init__(self, message=None):
        self.message, self.sent = message, []
    def ctrl_c(self):
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # Python raises KeyboardInterrupt at one of these steps
            pass
    def send(self, message):
        self.sent.append(message)  # all of it is in the pipe
        self.ctrl_c()
    def poll(self):
        return self.message is not None
    def recv(self):
        message, self.message = self.message, None
        self.ctrl_c()
        return message

def workers_with(pipe):
    workers = w.Workers(Path(sys.argv[1]), None, False, True, 1)
    worker = w._Worker(SimpleNamespace(sentinel=None, exitcode=None), pipe)
    worker.ready = True
    workers._workers, workers._jobs = [worker], ["a job"]
    return workers, worker

def interrupted(step):
    try:
        step()
    except KeyboardInterrupt:
        return True
    return False

pipe = Pipe()
workers, worker = workers_with(pipe)
workers._pending = deque([0])
print("send", interrupted(workers._dispatch), len(pipe.sent), worker.job)
outcome = w.Outcome(0, None, (), 1.0)
workers, worker = workers_with(Pipe(outcome))
worker.job = 0
print("receive", interrupted(lambda: workers._receive(worker)), list(workers._done) == [outcome],
      worker.job)
"""


def test_ctrl_c_while_a_job_is_handed_over_or_its_result_read_loses_neither():
    """A job sent to a worker is in its hand, or ``close`` would not wait for it and the PDF
    it writes after Ctrl-C would be on disk but not in the manifest; a result read from the
    pipe is kept, for the same reason."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", CTRL_C, str(STYLES)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["send True 1 0", "receive True True None"], \
        done.stdout


def test_a_result_the_caller_was_interrupted_on_is_handed_back_by_close(monkeypatch):
    """Ctrl-C while the build records a result (its PDF is on disk): ``close`` returns it,
    so the build records it then."""
    from leafletgen.catalogue import workers as workers_module

    outcome = workers_module.Outcome(0, None, (), 1.0)
    workers = workers_module.Workers(STYLES, None, False, True, 2)
    workers._started = True  # as if its processes were running
    monkeypatch.setattr(workers, "_dispatch", lambda: None)
    monkeypatch.setattr(workers, "_wait", lambda busy, retry=True: workers._done.append(outcome))
    results = workers.render(["a job", "another"], Path("out"), False)
    assert next(results) == outcome
    results.close()  # what a KeyboardInterrupt in the caller's loop does to the generator
    assert workers.close() == [outcome]
