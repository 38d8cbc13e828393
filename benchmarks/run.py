"""Run leafletgen's build benchmarks and print a table of medians.

    .venv/bin/python benchmarks/run.py                 # everything, ~30 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --only noop single --runs 7

Measures, with the same worker count (-j, default: one per processor) for both sides:

throughput  leafletgen build --force -j N over the catalogue vs bare WeasyPrint rendering
            leafletgen's own HTML in a pool of N processes (bare_weasyprint.py): PDFs/s
single      cold `leafletgen build leaflets/baclofen.md --variant patient --force` in a new
            process vs the `weasyprint` command on the same HTML with the same PDF options
noop        `leafletgen build` over the whole catalogue with nothing changed
memory      each worker's resident memory while `leafletgen build --force` renders the
            catalogue: after its first renders, at the end, and its peak
handout     warm handouts through the library against a bare WeasyPrint render of the same
            HTML, in one process (handout.py)
tests       `make test` and `make test-fast`, once each, wall and CPU time (a developer's
            checkout: the venv is set up and mypy's cache is warm)

Whole-process wall times, median of --runs runs (the two sides of a comparison alternate,
A B A B, so drift of a shared machine hits both). The catalogue (make_catalogue.py) goes to
benchmarks/work/, which git ignores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
BIN = Path(sys.executable).parent
LEAFLETGEN = str(BIN / "leafletgen")
WEASYPRINT = str(BIN / "weasyprint")
PDF_OPTIONS = ["--pdf-variant", "pdf/ua-1", "--pdf-tags"]  # what leafletgen writes


def wall(command: list[str], cwd: Path) -> float:
    """Seconds one run of ``command`` takes, start to exit; it must succeed."""
    return timed(command, cwd)[0]


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its children) of one run of ``command``."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    after = os.times()
    return seconds, (after.children_user - before.children_user
                     + after.children_system - before.children_system)


def paired_cpu(a: list[str], b: list[str], cwd: Path,
               runs: int) -> tuple[float, float, float, tuple[float, float, float]]:
    """Median wall seconds of A, of B, the median of the A/B ratios taken pair by pair, and
    the same three medians of CPU time."""
    timed(a, cwd), timed(b, cwd)  # warm-up, not counted
    pairs = [(timed(a, cwd), timed(b, cwd)) for _ in range(runs)]
    cpu = (statistics.median(p[0][1] for p in pairs), statistics.median(p[1][1] for p in pairs),
           statistics.median(p[0][1] / p[1][1] for p in pairs))
    return (statistics.median(p[0][0] for p in pairs), statistics.median(p[1][0] for p in pairs),
            statistics.median(p[0][0] / p[1][0] for p in pairs), cpu)


def throughput(catalogue: Path, jobs: int, runs: int) -> list[str]:
    count = len(list((catalogue / "html").glob("*.html")))
    a = [LEAFLETGEN, "build", "--force", "-j", str(jobs), "-o", "out"]
    b = [sys.executable, str(HERE / "bare_weasyprint.py"), "html", "bare", "-j", str(jobs)]
    seconds_a, seconds_b, ratio, cpu = paired_cpu(a, b, catalogue, runs)
    return [f"| throughput, {count} PDFs, -j {jobs} | leafletgen {count / seconds_a:.2f} PDFs/s "
            f"({seconds_a:.1f} s) | bare WeasyPrint pool {count / seconds_b:.2f} PDFs/s "
            f"({seconds_b:.1f} s) | leafletgen/bare throughput {1 / ratio:.2f}x |",
            f"| throughput, CPU time | leafletgen {cpu[0]:.1f} s | bare pool {cpu[1]:.1f} s "
            f"| leafletgen/bare {1 / cpu[2]:.2f}x |"]


def single(runs: int) -> list[str]:
    folder = WORK / "single"
    shutil.rmtree(folder, ignore_errors=True)
    base = [LEAFLETGEN, "build", "leaflets/baclofen.md", "--variant", "patient", "--force"]
    # the HTML in a folder of its own: a build without --html removes the HTML it recorded
    subprocess.run([*base, "--html", "-o", str(folder / "html")], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    a = [*base, "-o", str(folder)]
    b = [WEASYPRINT, *PDF_OPTIONS, str(folder / "html" / "baclofen-patient.html"),
         str(folder / "weasyprint.pdf")]
    seconds_a, seconds_b, ratio, cpu = paired_cpu(a, b, ROOT, runs)
    return [f"| cold single leaflet | leafletgen {seconds_a:.2f} s | weasyprint command "
            f"{seconds_b:.2f} s | ratio {ratio:.2f}x |",
            f"| cold single leaflet, CPU time | leafletgen {cpu[0]:.2f} s | weasyprint command "
            f"{cpu[1]:.2f} s | ratio {cpu[2]:.2f}x |"]


def noop(catalogue: Path, jobs: int, runs: int) -> list[str]:
    """The first no-op after a build takes the full path (content hashes) and records the
    snapshot of file metadata; the later ones decide from the snapshot (catalogue/snapshot.py).
    Files changed within 2 s of a build are not trusted, hence the pause."""
    command = [LEAFLETGEN, "build", "-j", str(jobs), "-o", "out"]
    wall(command, catalogue)  # brings out/ up to date
    time.sleep(2.5)
    full = wall(command, catalogue)
    seconds = statistics.median(wall(command, catalogue) for _ in range(runs))
    snapshot = (catalogue / "out" / ".leafletgen-snapshot.json").is_file()
    count = len(list((catalogue / "out").glob("*.pdf")))
    return [f"| no-op rebuild, {count} PDFs, first after a build (full path) | {full:.2f} s "
            "| | |",
            f"| no-op rebuild, {count} PDFs, later ({'snapshot' if snapshot else 'NO snapshot'})"
            f" | {seconds:.2f} s | | |"]


def memory(catalogue: Path, jobs: int) -> list[str]:
    """Sample each worker's memory from /proc while a forced build renders the catalogue."""
    process = subprocess.Popen([LEAFLETGEN, "build", "--force", "-j", str(jobs), "-o", "out"],
                               cwd=catalogue, stdout=subprocess.PIPE, text=True)
    done = 0

    def count_lines() -> None:
        nonlocal done
        for line in process.stdout:
            done += line.startswith(("wrote ", "failed "))

    reader = threading.Thread(target=count_lines, daemon=True)
    reader.start()
    samples: dict[int, list[tuple[int, int, int]]] = {}  # pid -> (done, rss kB, peak kB)
    while process.poll() is None:
        for pid in _children(process.pid):
            status = _status(pid)
            if status:
                samples.setdefault(pid, []).append((done, status["VmRSS"], status["VmHWM"]))
        time.sleep(0.25)
    reader.join()
    total = done
    rows = []
    for number, (_, series) in enumerate(sorted(samples.items()), 1):
        # a worker's own life: from its first sample (a replacement starts mid-build) to its
        # last; "settled" is its memory once it has rendered a few leaflets
        started, ended = series[0][0], series[-1][0]
        settled = [r for d, r, _ in series if d >= started + 2 * jobs]
        rows.append(f"| worker {number} resident memory, alive from render {started} to "
                    f"{ended} of {total} | settled {settled[0] / 1024 if settled else 0:.0f} "
                    f"MB, last {series[-1][1] / 1024:.0f} MB | | peak "
                    f"{max(s[2] for s in series) / 1024:.0f} MB |")
    return rows


def handout(runs: int) -> list[str]:
    """handout.py's figures, in a process of their own."""
    result = subprocess.run([sys.executable, str(HERE / "handout.py"), "--runs", str(runs),
                             "--memory", "0"], cwd=ROOT, check=True, capture_output=True,
                            text=True)
    return [line for line in result.stdout.splitlines()
            if line.startswith("| ") and not line.startswith(("| measure", "|---"))]


def tests() -> list[str]:
    """The test suite as CI runs it (``make test``) and the edit loop (``make test-fast``)."""
    rows = []
    for target in ("test", "test-fast"):
        before = os.times()
        started = time.perf_counter()
        done = subprocess.run(["make", target], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        after = os.times()
        cpu = (after.children_user - before.children_user
               + after.children_system - before.children_system)
        rows.append(f"| `make {target}` | {seconds:.0f} s wall, {cpu:.0f} s CPU"
                    f"{'' if done.returncode == 0 else ' (FAILED)'} | | |")
    return rows


def _children(pid: int) -> list[int]:
    """The worker processes of ``pid`` (not multiprocessing's resource tracker)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    workers = []
    for child in (int(p) for p in text.split()):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command:
            workers.append(child)
    return workers


def _status(pid: int) -> dict[str, int]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in lines)
            if k in ("VmRSS", "VmHWM")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="monographs (x 3 variants)")
    parser.add_argument("-j", "--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--runs", type=int, default=5, help="counted runs per figure")
    parser.add_argument("--throughput-runs", type=int, default=3)
    steps_in_order = ["memory", "noop", "single", "throughput", "handout", "tests"]
    parser.add_argument("--only", nargs="+", default=steps_in_order, choices=steps_in_order)
    parser.add_argument("--handout-runs", type=int, default=9)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from make_catalogue import make

    catalogue = WORK / "catalogue"
    make(args.count, catalogue)
    print(f"machine: {os.cpu_count()} processors, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; -j {args.jobs}; "
          f"medians of {args.runs} runs ({args.throughput_runs} for throughput)\n")
    print("| measure | leafletgen | baseline | comparison |\n|---|---|---|---|")
    steps = {"memory": lambda: memory(catalogue, args.jobs),
             "noop": lambda: noop(catalogue, args.jobs, args.runs),
             "single": lambda: single(args.runs),
             "throughput": lambda: throughput(catalogue, args.jobs, args.throughput_runs),
             "handout": lambda: handout(args.handout_runs),
             "tests": tests}
    for name in steps_in_order:
        if name in args.only:
            for row in steps[name]():
                print(row, flush=True)
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
