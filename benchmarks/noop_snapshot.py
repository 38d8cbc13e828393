"""The cost of a no-op build decided from the snapshot of file metadata, for N PDFs.

    python benchmarks/noop_snapshot.py [--pdfs 300] [--runs 5]

A no-op build that takes the snapshot path only stats the files it lists, so this measures
it without rendering: it makes a project in benchmarks/work/noop/ (N/3 monographs of 20 kB,
a copy of styles/, N stand-in PDFs of 80 kB and a manifest, all dated a minute ago), records
a snapshot as a build would, and then times, in turn:

- ``snapshot.current`` in this process (CPU time);
- ``leafletgen build`` in a new process (wall and CPU time, from ``/usr/bin/time``-like
  ``resource`` figures), with ``leafletgen.catalogue.survey`` made unimportable so that the
  full path (which would render the stand-ins) cannot run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from leafletgen.catalogue import snapshot
from leafletgen.model import BuildOptions

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "noop"
GUARD = ("import sys; sys.modules['leafletgen.catalogue.survey'] = None; "
         "from leafletgen.cli import main; main()")


def make(pdfs: int) -> list[Path]:
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "leaflets").mkdir(parents=True)
    (WORK / "out").mkdir()
    shutil.copytree(HERE.parent / "styles", WORK / "styles")
    for i in range(max(1, pdfs // 3)):
        (WORK / "leaflets" / f"med{i:03}.md").write_text("x" * 20000)
    made = []
    for i in range(pdfs):
        path = WORK / "out" / f"med{i // 3:03}-{i % 3}.pdf"
        path.write_bytes(b"%PDF" + b"x" * 80000)
        made.append(Path("out") / path.name)
    (WORK / "out" / "manifest.json").write_text("{}")
    past = time.time() - 60
    for path in [*WORK.rglob("*"), WORK]:
        os.utime(path, (past, past))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    pdfs = make(args.pdfs)
    os.chdir(WORK)
    paths, out, styles = [Path("leaflets")], Path("out"), Path("styles")
    asked = snapshot.request(paths, out, styles, None, BuildOptions(incremental=True))
    looked = snapshot.now()
    snapshot.record(out, asked, snapshot.look(paths, styles), looked, pdfs,
                    snapshot.installed())
    checks = []
    for _ in range(args.runs * 4):
        start = time.process_time()
        assert snapshot.current(out, asked) is not None
        checks.append(time.process_time() - start)
    walls, cpus = [], []
    command = [sys.executable, "-c", GUARD, "build", "leaflets", "--styles", "styles", "-o",
               "out"]
    for _ in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"| no-op build, {args.pdfs} PDFs, snapshot path | snapshot check "
          f"{statistics.median(checks) * 1000:.1f} ms CPU | `leafletgen build` "
          f"{statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU "
          f"(load {os.getloadavg()[0]:.1f}) |")


if __name__ == "__main__":
    main()
