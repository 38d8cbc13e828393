"""Load benchmark of ``leafletgen serve``: latency and throughput on loopback, and memory.

    python benchmarks/serve.py                      # about 10 minutes on 2 cores
    python benchmarks/serve.py --memory-requests 200 --quick
    python benchmarks/serve.py --counter            # the counter's figures only

Starts ``leafletgen serve`` on a free loopback port (127.0.0.1 only; it never talks to
another host) with the shipped leaflets, then measures, at concurrency C = 1, 4 and 16:

- a cached generic leaflet: ``GET /api/leaflets/baclofen/patient.pdf`` (after one warming
  request, answered from memory), with wrk (Debian's package ``wrk``: C connections, each
  sending its next request when the last is answered, for ``--seconds``). wrk is written in
  C and costs the shared cores little; without it (``--client python``, or wrk not
  installed), a bounded httpx client (at most C requests in flight) sends a fixed number of
  requests, and on a 2-core machine that Python client's own work is most of what it
  measures;
- a personalised handout: ``POST /api/handout?draft=true`` with examples/patient.yaml's
  details (the shipped monographs are drafts; a draft handout costs the same).

and, in this process, the floor: bare WeasyPrint rendering the same handout HTML warm (one
FontConfiguration, the same PDF options), as ``bare_weasyprint.py`` does for builds. At
concurrency 1 the two run in turn (bare, handout, bare, handout, ...), so a shared
machine's other load hits both alike.

and the counter's route: a handout previewed in the web app (``POST
/medicine/baclofen/preview``), then downloaded again and again from the preview cache
(``GET /preview/{id}.pdf?download=1``): no second render.

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
import shutil
import signal
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


WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "non2xx": %d, "socket_errors": %d, "seconds": %f, '
    .. '"p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3))
end
"""


def wrk_load(url: str, concurrency: int, seconds: float, path: str) -> dict:
    """GET ``path`` with wrk on ``concurrency`` connections for ``seconds``; the latencies
    in ms of all its requests. Every answer must be a 200 (wrk counts others as errors)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        result = subprocess.run(
            ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:g}s", "--timeout", "10s",
             "-s", script.name, url + path], capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["non2xx"] or figures["socket_errors"]:
        raise SystemExit(f"wrk: {figures['non2xx']} answers were not 200 and "
                         f"{figures['socket_errors']} connections failed:\n{result.stdout}")
    return {"n": figures["requests"], "refused": 0, "failed": 0, "p50": figures["p50"],
            "p95": figures["p95"], "p99": figures["p99"],
            "per_s": figures["requests"] / figures["seconds"]}


def generic_load(url: str, concurrency: int, total: int, path: str, client: str,
                 seconds: float) -> dict:
    """The cached generic leaflet at ``concurrency``, with the client asked for."""
    if client == "wrk":
        return wrk_load(url, concurrency, seconds, path)
    return asyncio.run(load(url, concurrency, total, "GET", path, None))


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


class BareHandout:
    """Bare WeasyPrint rendering the handout's own HTML, warm: the floor. Built from the
    same pieces ``leafletgen.handout`` uses, then rendered with nothing around it."""

    def __init__(self, variant: str = "patient") -> None:
        from weasyprint.text.fonts import FontConfiguration

        from leafletgen.checks.plan import plan
        from leafletgen.personal.packet import (
            PacketLeaflet,
            Personal,
            _leaflet_body,
            _packet_html,
        )
        from leafletgen.render.renderer import Renderer
        from leafletgen.source.patient import parse_patient

        person, _ = parse_patient(Path("bench"), json.dumps(patient()), STYLES)
        job = plan((LEAFLETS / "baclofen.md",), STYLES, (variant,)).jobs[0]
        renderer = Renderer(STYLES)
        prescription = person.prescription("baclofen")
        parts = [PacketLeaflet(job, prescription, "leaflet-baclofen",
                               _leaflet_body(renderer, job, Personal(person, prescription)))]
        self.html = _packet_html(renderer, person, job.variant, parts, cover=False)
        self.fonts = FontConfiguration()
        for _ in range(2):
            self.render()  # warm

    def render(self) -> float:
        import weasyprint

        started = time.perf_counter()
        document = weasyprint.HTML(string=self.html, base_url=STYLES.as_uri() + "/").render(
            font_config=self.fonts, pdf_tags=True, pdf_variant="pdf/ua-1")
        document.write_pdf(pdf_tags=True, pdf_variant="pdf/ua-1")
        return time.perf_counter() - started


def after_preview(url: str, previews: int, downloads: int) -> dict:
    """The counter's route: ``previews`` handouts previewed in the web app, each then
    downloaded ``downloads`` times from the preview cache; the downloads' latencies."""
    import re

    data = patient()
    rx = data["medicines"][0]
    form = {"name": data["patient"]["name"], "date": str(data["date"]),
            "dose-0": rx["dose"], "timing-0": rx["timing"], "directions-0": rx["directions"],
            "prescriber": data["prescriber"]["name"], "contact": data["contact"]["name"],
            "contact_phone": data["contact"]["phone"]}
    latencies = []
    with httpx.Client(base_url=url, timeout=120) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/packet").text)[1]
        for _ in range(previews):
            made = client.post("/medicine/baclofen/preview", data={**form, "csrf": csrf})
            if made.status_code != 303:
                raise SystemExit(f"the preview failed: {made.status_code}")
            path = made.headers["location"] + ".pdf?download=1"
            for _ in range(downloads):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                latencies.append(time.perf_counter() - started)
    return {"n": len(latencies), "refused": 0, "failed": 0,
            "p50": percentile(latencies, 50) * 1000, "p95": percentile(latencies, 95) * 1000,
            "p99": percentile(latencies, 99) * 1000, "per_s": len(latencies) / sum(latencies)}


def paired(url: str, bare: BareHandout, runs: int, body: dict,
           variant: str = "patient") -> tuple[dict, dict, float]:
    """Concurrency 1, in turn: a bare render, then a handout request (A B A B), so the
    machine's other load hits both alike. Returns both summaries and the median ratio."""
    served, floor, ratios = [], [], []
    with httpx.Client(base_url=url, timeout=120) as client:
        for _ in range(runs):
            a = bare.render()
            started = time.perf_counter()
            client.post(f"/api/handout?draft=true&variant={variant}", json=body
                        ).raise_for_status()
            b = time.perf_counter() - started
            floor.append(a)
            served.append(b)
            ratios.append(b / a)

    def summary(values: list[float]) -> dict:
        return {"n": len(values), "refused": 0, "failed": 0,
                "p50": percentile(values, 50) * 1000, "p95": percentile(values, 95) * 1000,
                "p99": percentile(values, 99) * 1000, "per_s": 1 / statistics.mean(values)}

    return summary(served), summary(floor), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queue", type=int, default=8)
    parser.add_argument("--memory-requests", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="fewer requests per level")
    parser.add_argument("--counter", action="store_true",
                        help="only the counter's figures: download after preview, the "
                             "handout against its bare render, a cached generic leaflet at "
                             "concurrency 16")
    parser.add_argument("--variant", default="patient",
                        help="the handout's variant (e.g. a counselling summary)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                        help="load client for the cached generic leaflet (auto: wrk when "
                             "installed)")
    parser.add_argument("--seconds", type=float, default=20,
                        help="how long wrk loads each level (--quick: a quarter)")
    args = parser.parse_args()
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    elif args.client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk, or --client python")
    if args.quick:
        args.seconds /= 4
    generic_total = {1: 200, 4: 400, 16: 800} if not args.quick else {1: 50, 4: 100, 16: 200}
    handout_total = {1: 40, 4: 40, 16: 48} if not args.quick else {1: 8, 4: 12, 16: 16}

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the server is stopped too
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}; cached leaflets loaded by "
          f"{'wrk' if args.client == 'wrk' else 'an httpx client in Python'}", flush=True)
    bare = BareHandout(args.variant)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "server.log"
        with log.open("wb") as sink:
            server = subprocess.Popen(
                [sys.executable, "-c", "import sys; from leafletgen.cli import main; "
                 "sys.exit(main())", "serve", "--port", str(port), "--workers",
                 str(args.workers), "--queue", str(args.queue), "--out", scratch,
                 "--drafts"],
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
            if args.counter:
                counter(url, bare, args, generic)
                return
            for concurrency in (1, 4, 16):
                result = generic_load(url, concurrency, generic_total[concurrency], generic,
                                      args.client, args.seconds)
                rows.append(("cached generic leaflet", concurrency, result))
                print(rows[-1], flush=True)
            body = patient()
            client_post = httpx.post(url + "/api/handout?draft=true", json=body, timeout=120)
            client_post.raise_for_status()  # warm
            served, baseline, ratio = paired(url, bare, handout_total[1], body)
            rows.append(("personalised handout", 1, served))
            print(rows[-1], baseline, ratio, flush=True)
            for concurrency in (4, 16):
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
    print(f"| bare WeasyPrint, same handout HTML (in turn with the above) | 1 | "
          f"{baseline['n']} | {baseline['p50']:.1f} | {baseline['p95']:.1f} | "
          f"{baseline['p99']:.1f} | {baseline['per_s']:.1f} | - |")
    print(f"\nhandout / bare at concurrency 1: p95 {served['p95'] / baseline['p95']:.2f}x, "
          f"p50 {served['p50'] / baseline['p50']:.2f}x, median of pair ratios {ratio:.2f}x "
          "(target: p95 <= 1.3x)")
    total = [sum(m.values()) for _, m in samples]
    after = ", ".join(f"after {done}: {t:.0f}"
                      for (done, _), t in zip(samples, total, strict=True))
    print(f"memory, server + workers (MB): before {sum(before.values()):.0f}; {after}")


def counter(url: str, bare: BareHandout, args: argparse.Namespace, generic: str) -> None:
    """The counter's three figures, side by side in one run."""
    body = patient()
    httpx.post(url + f"/api/handout?draft=true&variant={args.variant}", json=body,
               timeout=120).raise_for_status()  # warm
    rows = [("download after preview", 1, after_preview(url, 10 if not args.quick else 3,
                                                          20))]
    print(rows[-1], flush=True)
    served, baseline, ratio = paired(url, bare, 40 if not args.quick else 10, body,
                                     args.variant)
    rows.append((f"personalised handout ({args.variant})", 1, served))
    print(rows[-1], baseline, ratio, flush=True)
    rows.append((f"cached generic leaflet ({args.client} client)", 16, generic_load(
        url, 16, 800 if not args.quick else 200, generic, args.client, args.seconds)))
    print(rows[-1], flush=True)
    print("\n| request | concurrency | requests | p50 ms | p95 ms | p99 ms | per s |")
    print("|---|---|---|---|---|---|---|")
    for name, concurrency, r in rows:
        print(f"| {name} | {concurrency} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | "
              f"{r['p99']:.1f} | {r['per_s']:.1f} |")
    print(f"| bare WeasyPrint, same handout HTML (in turn with the handouts) | 1 | "
          f"{baseline['n']} | {baseline['p50']:.1f} | {baseline['p95']:.1f} | "
          f"{baseline['p99']:.1f} | {baseline['per_s']:.1f} |")
    print(f"\nhandout / bare at concurrency 1: p95 {served['p95'] / baseline['p95']:.2f}x, "
          f"p50 {served['p50'] / baseline['p50']:.2f}x, median of pair ratios {ratio:.2f}x; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
