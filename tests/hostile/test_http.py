"""Every HTTP request is bounded before work starts: headers, body (chunked too), nesting,
field lengths, medicines per packet; the access log and links are never the caller's to
write."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time

import pytest
from starlette.testclient import TestClient

from leafletgen.serve import ServeConfig, create_app
from leafletgen.serve.app import loopback_hosts
from leafletgen.serve.guards import MAX_HEADER_BYTES
from leafletgen.serve.patients import form_to_data
from leafletgen.serve.server import SERVER_LIMITS
from tests.serve.conftest import PATIENT_NAME, STYLES, patient_data


def _fields(answer) -> list[str]:
    return [e["field"] for e in answer.json()["errors"]]


def test_a_chunked_body_over_the_limit_is_413(client):
    def chunks():
        for _ in range(100):
            yield b"x" * 1024

    answer = client.post("/api/handout", content=chunks(),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert _fields(answer) == ["body"]


def test_a_body_that_says_it_is_too_long_is_413_before_it_is_read(client):
    answer = client.post("/api/packet", content=b"{}",
                         headers={"content-type": "application/json",
                                  "content-length": str(10 ** 9)})
    assert answer.status_code == 413


def test_headers_over_the_limit_are_431_before_the_token_check(leaflets, inline_pool):
    app = create_app(ServeConfig(leaflets=leaflets, styles=STYLES, token="t" * 40),
                     inline_pool)
    with TestClient(app.state.asgi, base_url="http://127.0.0.1") as guarded:
        answer = guarded.get("/api/leaflets", headers={"x-big": "a" * (MAX_HEADER_BYTES + 1)})
        assert answer.status_code == 431
        assert guarded.get("/api/leaflets").status_code == 401


@pytest.mark.parametrize("depth", [50, 5000])
def test_deeply_nested_json_is_422_naming_the_body(client, depth):
    body = b'{"patient": ' + b"[" * depth + b"]" * depth + b"}"
    answer = client.post("/api/handout", content=body,
                         headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert _fields(answer) == ["body"]


@pytest.mark.parametrize("field,value", [
    (("patient", "name"), "x" * 201),
    (("medicines", 0, "dose"), "1 tablet " * 40),
    (("medicines", 0, "directions"), "Take it. " * 200),
    (("note",), "n" * 2001),
])
def test_fields_over_their_length_are_422_naming_them(client, field, value):
    data = patient_data("baclofen")
    holder = data
    for part in field[:-1]:
        holder = holder[part]
    holder[field[-1]] = value
    answer = client.post("/api/handout", json=data)
    assert answer.status_code == 422
    assert _fields(answer) == [".".join(map(str, field))]
    assert "longer than the" in answer.text and value not in answer.text


def test_medicines_per_packet_are_capped(client):
    answer = client.post("/api/packet", json=patient_data(*["baclofen"] * 21))
    assert answer.status_code == 422
    assert "medicines" in _fields(answer)


def test_a_taper_over_the_printable_rows_is_refused_not_cut(client):
    data = patient_data("baclofen")
    taper = data["medicines"][0]["taper"]
    taper["rows"] = [[f"Week {i}", "5 mg", "5 mg", "5 mg"] for i in range(30)]
    answer = client.post("/api/handout", json=data)
    assert answer.status_code == 422
    assert _fields(answer) == ["medicines.0.taper.rows"]


def test_a_taper_typed_into_the_form_over_the_rows_is_refused_not_cut():
    from leafletgen.serve.patients import InputError

    taper = "Dates | Dose\n" + "\n".join(f"Week {i} | 5 mg" for i in range(41))
    with pytest.raises(InputError) as caught:
        form_to_data({"taper-0": taper, "name": "x"}, [(0, "baclofen")])
    assert [e.field for e in caught.value.errors] == ["taper-0"]


def test_control_characters_from_the_url_are_escaped_in_the_access_log(client, caplog):
    with caplog.at_level(logging.INFO, logger="leafletgen.serve.access"):
        client.get("/no-such-page%1b%5b2J%0a%e2%80%ae")
    lines = [r.getMessage() for r in caplog.records if r.name == "leafletgen.serve.access"]
    assert any("/no-such-page\\x1b[2J\\n\\u202e" in line for line in lines)
    assert not any(c in line for line in lines for c in "\x1b\n\u202e")


@pytest.mark.parametrize("host", ["127.0.0.2", "127.1.2.3", "::1"])
def test_any_loopback_address_the_service_is_bound_to_is_an_allowed_host(leaflets,
                                                                         inline_pool, host):
    app = create_app(ServeConfig(leaflets=leaflets, styles=STYLES,
                                 allowed_hosts=loopback_hosts(host)), inline_pool)
    name = f"[{host}]" if ":" in host else host
    with TestClient(app.state.asgi, base_url=f"http://{name}") as bound:
        assert bound.get("/health").status_code == 200
        assert bound.get("/health", headers={"host": "evil.example"}).status_code == 400


def test_the_host_header_never_reaches_infobutton_links(client):
    answer = client.get("/infobutton", params={
        "mainSearchCriteria.v.c": "1292", "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.88"},
        headers={"host": "evil.example"})
    assert answer.status_code == 200
    assert "evil.example" not in answer.text
    links = [link["href"] for entry in answer.json()["feed"]["entry"] for link in entry["link"]]
    assert links and all(link.startswith("/") for link in links)


def test_the_server_refuses_a_huge_head_while_reading_it():
    """uvicorn as leafletgen runs it (SERVER_LIMITS) answers a 1 MB header with an error
    without passing it on: the application never sees the request."""
    import uvicorn

    seen: list[object] = []

    async def app(scope, receive, send):
        if scope["type"] == "http":
            seen.append(scope["path"])
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           lifespan="off", **SERVER_LIMITS))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
            try:
                for _ in range(1024):
                    conn.sendall(b"a" * 1024)
            except OSError:
                pass  # the server closed the connection: what is wanted
            answer = conn.recv(1024)
        assert answer == b"" or answer.startswith(b"HTTP/1.1 4")
        assert seen == []
    finally:
        server.should_exit = True
        thread.join(10)


def test_the_patient_name_never_appears_in_a_refusal(client):
    data = patient_data("baclofen", name=PATIENT_NAME + "\u202e")
    answer = client.post("/api/handout", json=data)
    assert answer.status_code == 422
    assert _fields(answer) == ["patient.name"]
    assert PATIENT_NAME not in answer.text


@pytest.mark.parametrize("other", ["amoxicillin", "no-such-medicine"])
def test_form_details_for_another_medicine_than_the_page_are_ignored(client, other):
    """A page's form makes that page's medicine only: a patient file smuggled in as one
    field (as the preview page once sent it back) is no field of the form."""
    import json

    client.get("/")  # the CSRF cookie
    csrf = client.cookies.get("leafletgen_csrf")
    details = json.dumps(patient_data(other))
    answer = client.post("/medicine/baclofen/handout.pdf",
                         data={"csrf": csrf, "details": details})
    assert answer.status_code == 422  # the form's own fields are missing
    assert 'href="#name"' in answer.text and 'href="#dose-0"' in answer.text
    assert answer.headers["content-type"].startswith("text/html")
