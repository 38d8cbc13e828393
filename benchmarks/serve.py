"""Load benchmark of ``leafletgen serve``: latency and throughput on loopback, and memory.

    python benchmarks/serve.py                      # about 10 minutes on 2 cores
    python benchmarks/serve.py --memory-requests 200 --quick

Starts ``leafletgen serve`` on a free loopback port (127.0.0.1 only; it never talks to
another host) with the shipped leaflets, then with a bounded httpx client (at most C
requests in flight) measures, at concurrency C = 1, 4 and 16:

- a cached generic leaflet: ``GET /api/leaflets/baclofen/patient.pdf`` (after one warming
  request, answered from memory);
- a personalised handout: ``POST /api/handout?draft=true`` with examples/patient.yaml's
  details (the shipped monographs are drafts; a draft handout costs the same).

and, in this process, the floor: bare WeasyPrint rendering the same handout HTML warm (one
FontConfiguration, the same PDF options), as ``bare_weasyprint.py`` does for builds.

Then it sends ``--memory-requests`` handouts at concurrency 4 and samples the resident
memory of the server and its workers every 10% of them. Requests refused with 503 (the
bounded queue) are counted, not timed. Prints a Markdown table for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
STYLES = ROOT / "styles"
LEAFLETS = ROOT / "leaflets"


def patient() -> dict:
    data = yaml.safe_load((ROOT / "examples" / "patient.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def load(url: str, concurrency: int, total: int, method: str, path: str,
               body: dict | None) -> dict:
    """``total`` requests with at most ``concurrency`` in flight; latencies of the 200s."""
    latencies: list[float] = []
    refused = failed = 0
    slots = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        async def one() -> None:
            nonlocal refused, failed
            async with slots:
                started = time.perf_counter()
                response = await client.request(method, path, json=body)
                elapsed = time.perf_counter() - started
                if response.status_code == 200:
                    latencies.append(elapsed)
                elif response.status_code == 503:
                    refused += 1
                else:
                    failed += 1

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(total)))
        wall = time.perf_counter() - started
    return {"n": len(latencies), "refused": refused, "failed": failed,
            "p50": percentile(latencies, 50) * 1000, "p95": percentile(latencies, 95) * 1000,
            "p99": percentile(latencies, 99) * 1000, "per_s": len(latencies) / wall}


def memory(pid: int) -> dict[str, float]:
    """Resident MB of the server and of each process below it."""
    found = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss = next(int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:"))
            found[str(current)] = rss / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                todo += [int(c) for c in children]
        except (OSError, StopIteration):
            continue
    return found


def bare_handout(runs: int) -> dict:
    """Bare WeasyPrint rendering the handout's own HTML, warm: the floor."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from leafletgen.build import Renderer, plan
    from leafletgen.packet import PacketLeaflet, Personal, _leaflet_body, _packet_html
    from leafletgen.patient import parse_patient

    person, _ = parse_patient(Path("bench"), json.dumps(patient()), STYLES)
    job = plan((LEAFLETS / "baclofen.md",), STYLES, ("patient",)).jobs[0]
    renderer = Renderer(STYLES)
    prescription = person.prescription("baclofen")
    parts = [PacketLeaflet(job, prescription, "leaflet-baclofen",
                           _leaflet_body(renderer, job, Personal(person, prescription)))]
    html = _packet_html(renderer, person, job.variant, parts, cover=False)
    fonts = FontConfiguration()
    times = []
    for i in range(runs + 2):
        started = time.perf_counter()
        document = weasyprint.HTML(string=html, base_url=STYLES.as_uri() + "/").render(
            font_config=fonts, pdf_tags=True, pdf_variant="pdf/ua-1")
        document.write_pdf(pdf_tags=True, pdf_variant="pdf/ua-1")
        if i >= 2:  # two to warm up
            times.append(time.perf_counter() - started)
    return {"n": runs, "p50": percentile(times, 50) * 1000,
            "p95": percentile(times, 95) * 1000, "p99": percentile(times, 99) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queue", type=int, default=8)
    parser.add_argument("--memory-requests", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="fewer requests per level")
    args = parser.parse_args()
    generic_total = {1: 200, 4: 400, 16: 800} if not args.quick else {1: 50, 4: 100, 16: 200}
    handout_total = {1: 30, 4: 40, 16: 48} if not args.quick else {1: 8, 4: 12, 16: 16}

    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    baseline = bare_handout(20 if not args.quick else 6)
    print(f"bare WeasyPrint, handout HTML, warm: p50 {baseline['p50']:.0f} ms, "
          f"p95 {baseline['p95']:.0f} ms", flush=True)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "server.log"
        with log.open("wb") as sink:
            server = subprocess.Popen(
                [sys.executable, "-c", "import sys; from leafletgen.cli import main; "
                 "sys.exit(main())", "serve", "--port", str(port), "--workers",
                 str(args.workers), "--queue", str(args.queue), "--out", scratch],
                cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start:\n" + log.read_text())
                time.sleep(0.3)
            generic = "/api/leaflets/baclofen/patient.pdf?draft=true"
            httpx.get(url + generic, timeout=120).raise_for_status()  # now cached
            rows = []
            for concurrency in (1, 4, 16):
                result = asyncio.run(load(url, concurrency, generic_total[concurrency], "GET",
                                          generic, None))
                rows.append(("cached generic leaflet", concurrency, result))
                print(rows[-1], flush=True)
            body = patient()
            for concurrency in (1, 4, 16):
                result = asyncio.run(load(url, concurrency, handout_total[concurrency], "POST",
                                          "/api/handout?draft=true", body))
                rows.append(("personalised handout", concurrency, result))
                print(rows[-1], flush=True)
            samples = []
            step = max(1, args.memory_requests // 10)
            before = memory(server.pid)
            for done in range(step, args.memory_requests + 1, step):
                asyncio.run(load(url, 4, step, "POST", "/api/handout?draft=true", body))
                samples.append((done, memory(server.pid)))
                print(done, {k: round(v) for k, v in samples[-1][1].items()}, flush=True)
        finally:
            server.terminate()
            server.wait(timeout=60)

    print("\n| request | concurrency | requests | p50 ms | p95 ms | p99 ms | per s | 503 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, concurrency, r in rows:
        print(f"| {name} | {concurrency} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | "
              f"{r['p99']:.1f} | {r['per_s']:.1f} | {r['refused']} |")
    print(f"| bare WeasyPrint, same handout HTML (in-process, warm) | 1 | {baseline['n']} | "
          f"{baseline['p50']:.1f} | {baseline['p95']:.1f} | {baseline['p99']:.1f} | - | - |")
    handout_1 = next(r for name, c, r in rows if name == "personalised handout" and c == 1)
    print(f"\nhandout p95 / bare p95 at concurrency 1: "
          f"{handout_1['p95'] / baseline['p95']:.2f}x (target <= 1.3x)")
    total = [sum(m.values()) for _, m in samples]
    print("memory, server + workers (MB): before " + f"{sum(before.values()):.0f}; "
          + ", ".join(f"after {done}: {t:.0f}" for (done, _), t in zip(samples, total)))


if __name__ == "__main__":
    main()
