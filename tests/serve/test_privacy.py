"""Patient data stays in memory: after a server has made handouts, packets and previews for
a patient, their name is in no log, temporary file or cache the server could write."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from .conftest import PATIENT_NAME, patient_data, start_server, stop_server
from .test_api import pdf_text


def files_holding(folder: Path, needle: bytes) -> list[Path]:
    return [path for path in folder.rglob("*")
            if path.is_file() and not path.is_symlink() and needle in path.read_bytes()]


@pytest.mark.slow
def test_no_trace_of_the_patient_in_logs_temporary_or_cache_folders(tmp_path, leaflets):
    where = tmp_path / "server"
    where.mkdir()
    config = where / "serve.toml"  # a dispensing record kept in the server's folder
    config.write_text('[dispensing]\nrecord = "dispensed.jsonl"\n', encoding="utf-8")
    server = start_server(where, leaflets, "--config", str(config), workers=2)
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            handout = client.post("/api/handout", json=patient_data("baclofen"))
            packet = client.post("/api/packet", json=patient_data("baclofen", "amoxicillin"))
            bad = patient_data("baclofen")
            bad["date"] = PATIENT_NAME
            refused = client.post("/api/handout", json=bad)
            client.get("/", params={"q": PATIENT_NAME})
            page = client.get("/medicine/baclofen")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
            form = {"csrf": csrf, "name": PATIENT_NAME, "date": "2026-11-30",
                    "dose-0": "1 tablet (10 mg)", "timing-0": "3 times a day",
                    "directions-0": "Take 1 tablet 3 times a day.", "prescriber": "Dr A",
                    "contact": "Ward 7", "contact_phone": "01234 567 890"}
            preview = client.post("/medicine/baclofen/preview", data=form,
                                  follow_redirects=True)
            previewed = client.get(preview.url.path + ".pdf?download=1")
            download = client.post("/medicine/baclofen/handout.pdf", data=form)
    finally:
        stop_server(server)
    # the test would prove nothing if the name never reached the server's output
    assert handout.status_code == packet.status_code == download.status_code == 200
    assert PATIENT_NAME in pdf_text(handout.content)
    assert PATIENT_NAME in pdf_text(packet.content)
    assert PATIENT_NAME in pdf_text(download.content)
    assert preview.status_code == 200 and PATIENT_NAME in pdf_text(previewed.content)
    assert refused.status_code == 422 and PATIENT_NAME not in refused.text
    assert len((where / "dispensed.jsonl").read_text().splitlines()) == 5  # 1+2+1+1 leaflets
    for response in (handout, packet, preview, previewed, download, refused):
        assert response.headers["cache-control"] == "no-store"

    log = server.text_of_log()
    assert "POST /api/handout 200" in log  # the access log was written
    assert PATIENT_NAME not in log and "Quillon" not in log
    needle = PATIENT_NAME.encode("utf-8")
    assert files_holding(where, needle) == []  # home, TMPDIR, XDG cache, out, working folder
    assert files_holding(leaflets.parent, needle) == []
    assert not list(server.folders["tmp"].rglob("*.pdf"))
