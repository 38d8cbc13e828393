"""Fixtures for ``leafletgen serve``: an approved catalogue, an in-process app, a live server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from starlette.testclient import TestClient

from leafletgen.serve import ServeConfig, create_app
from leafletgen.serve import pool as pool_module

ROOT = Path(__file__).resolve().parents[2]
STYLES = ROOT / "styles"
# a made-up name no leaflet, template or test data holds elsewhere: the privacy tests look
# for it in every log, temporary and cache folder
PATIENT_NAME = "Quillon Zephyrine-Testpatient"
TEST_NDC = "12345-678-90"  # a made-up NDC, only in the test catalogue


def approve(path: Path, ndc: str | None = None) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nstatus: draft\n", "\nstatus: approved\nreviewer: Test Reviewer\n"
                        "review_date: 2026-11-30\n", 1)
    if ndc:
        text = text.replace("\ncodes:\n", f"\ncodes:\n  ndc: [\"{ndc}\"]\n", 1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def leaflets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped monographs, with baclofen and amoxicillin approved (the others drafts)."""
    folder = tmp_path_factory.mktemp("catalogue") / "leaflets"
    shutil.copytree(ROOT / "leaflets", folder)
    approve(folder / "baclofen.md", ndc=TEST_NDC)
    approve(folder / "amoxicillin.md")
    return folder


def patient_data(*slugs: str, name: str = PATIENT_NAME) -> dict[str, Any]:
    """A patient file's fields as JSON, with one medicine per slug."""
    data = yaml.safe_load((ROOT / "examples" / "patient.yaml").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(data, default=str))  # dates as text
    data["patient"]["name"] = name
    template = data["medicines"][0]
    data["medicines"] = [{**template, "monograph": slug} if slug == "baclofen" else
                         {"monograph": slug, "dose": "1 capsule (500 mg)",
                          "timing": "3 times a day", "directions": "Take 1 capsule 3 times "
                          "a day for 5 days."} for slug in slugs]
    return data


class InlinePool:
    """The render pool's interface, rendering in this process: for API tests, without
    starting worker processes (the real pool has its own tests)."""

    def __init__(self, leaflets: Path, styles: Path, capacity: int = 100):
        self.options = pool_module.PoolOptions(leaflets, styles, retry_after=3)
        self.capacity = capacity
        self.pending = 0
        self.calls: list[str] = []
        self.documents = pool_module.load_state(leaflets, styles)

    async def run(self, function: Any, *args: Any) -> Any:
        if self.pending >= self.capacity:
            raise pool_module.Busy
        self.pending += 1
        self.calls.append(function.__name__)
        # this process stands for the pool's worker: it renders with this pool's catalogue
        pool_module._state["documents"] = self.documents
        try:
            return await asyncio.to_thread(function, *args)
        finally:
            self.pending -= 1

    def close(self) -> None:
        pass


@pytest.fixture(scope="session")
def inline_pool(leaflets: Path) -> InlinePool:
    return InlinePool(leaflets, STYLES)


def make_client(leaflets: Path, pool: Any, **config: Any) -> TestClient:
    app = create_app(ServeConfig(leaflets=leaflets, styles=STYLES, out=leaflets.parent / "out",
                                 **config), pool)
    return TestClient(app.state.asgi, base_url="http://127.0.0.1")


@pytest.fixture(scope="session")
def client(leaflets: Path, inline_pool: InlinePool) -> Iterator[TestClient]:
    with make_client(leaflets, inline_pool) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def drafts_client(leaflets: Path, inline_pool: InlinePool) -> Iterator[TestClient]:
    """The app of a server started with --drafts: the web app lists drafts too."""
    with make_client(leaflets, inline_pool, drafts=True) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log: Path
    folders: dict[str, Path]

    def text_of_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(where: Path, leaflets: Path, *extra: str, workers: int = 1) -> LiveServer:
    """``leafletgen serve`` on a free loopback port, with its own HOME, temporary and cache
    folders (under ``where``), its log in ``where/server.log``; waits until it answers."""
    folders = {name: where / name for name in ("home", "tmp", "cache", "out")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(folders["home"]), "TMPDIR": str(folders["tmp"]),
           "XDG_CACHE_HOME": str(folders["cache"]), "PYTHONDONTWRITEBYTECODE": "1"}
    port = free_port()
    log = where / "server.log"
    command = [sys.executable, "-c", "import sys; from leafletgen.cli import main; "
               "sys.exit(main())", "serve", "--port", str(port), "--workers", str(workers),
               "--leaflets", str(leaflets), "--styles", str(STYLES), "--out",
               str(folders["out"]), *extra]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env,
                                   cwd=where)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("leafletgen serve stopped:\n" + log.read_text())
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return LiveServer(url, process, log, folders)
        except httpx.HTTPError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("leafletgen serve did not answer within 120 s:\n" + log.read_text())


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, leaflets: Path
                ) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("server"), leaflets)
    try:
        yield server
    finally:
        stop_server(server)
