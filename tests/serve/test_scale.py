"""Several servers behind a load balancer, as far as one machine can show it: two servers on
two ports. Each is stateless but for its preview cache, so a preview is printed or
downloaded from the server that made it (sticky sessions, README.md); the other answers the
documented 404, and neither renders anything again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import PATIENT_NAME, STYLES, LiveServer, stop_server
from .test_api import pdf_text

pytestmark = pytest.mark.slow


def start_and_wait_for_ready(where: Path, leaflets: Path) -> tuple[LiveServer, float]:
    """``leafletgen serve --port 0`` until it says it is ready; its address, read from what
    it printed, and the time it said so."""
    where.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(where), "TMPDIR": str(where),
           "PYTHONDONTWRITEBYTECODE": "1"}
    log = where / "server.log"
    command = [sys.executable, "-c", "import sys; from leafletgen.cli import main; "
               "sys.exit(main())", "serve", "--port", "0", "--workers", "1", "--drafts",
               "--leaflets", str(leaflets), "--styles", str(STYLES), "--out", str(where)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env,
                                   cwd=where)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = re.search(r"ready at (http://\S+)/", log.read_text(errors="replace"))
        if found:
            return LiveServer(found[1], process, log, {}), time.monotonic()
        if process.poll() is not None:
            raise RuntimeError("leafletgen serve stopped:\n" + log.read_text())
        time.sleep(0.05)
    process.terminate()
    raise RuntimeError("leafletgen serve never said it was ready:\n" + log.read_text())


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory, leaflets: Path
                ) -> Iterator[tuple[LiveServer, LiveServer]]:
    where = tmp_path_factory.mktemp("replicas")
    first, _ = start_and_wait_for_ready(where / "a", leaflets)
    try:
        second, _ = start_and_wait_for_ready(where / "b", leaflets)
        try:
            yield first, second
        finally:
            stop_server(second)
    finally:
        stop_server(first)


def test_serve_says_it_is_ready_only_when_it_accepts_connections(two_servers):
    for server in two_servers:
        text = server.text_of_log()
        assert "warming up" in text.split("ready at")[0]  # said first, without an address
        # at once, without waiting or trying again: the address answers
        assert httpx.get(server.url + "/health", timeout=5).json()["status"] == "ok"


def test_a_preview_is_kept_by_the_server_that_made_it(two_servers):
    first, second = two_servers
    with httpx.Client(base_url=first.url, timeout=120) as browser:
        page = browser.get("/medicine/methotrexate")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
        made = browser.post("/medicine/methotrexate/preview", data={
            "csrf": csrf, "name": PATIENT_NAME, "date": "2026-11-30", "dose-0": "1 tablet",
            "timing-0": "once a week", "directions-0": "Take 1 tablet once a week.",
            "prescriber": "Dr A", "contact": "Ward 7", "contact_phone": "0123"})
        assert made.status_code == 303
        pdf_path = made.headers["location"] + ".pdf?download=1"
        # the same browser's next request sent to the other server: not there
        elsewhere = httpx.get(second.url + pdf_path, cookies=browser.cookies, timeout=30)
        assert elsewhere.status_code == 404
        assert "only by the server that made it" in elsewhere.text
        assert PATIENT_NAME not in elsewhere.text
        # sent to the server that made it (sticky): the previewed PDF
        kept = browser.get(pdf_path)
        assert kept.status_code == 200 and PATIENT_NAME in pdf_text(kept.content)
