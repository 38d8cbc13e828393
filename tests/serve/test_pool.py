"""The warm render workers: a bounded queue and a per-request timeout (real processes)."""

from __future__ import annotations

import asyncio
import time

import pytest

from leafletgen.serve.pool import Busy, PoolOptions, RenderPool, TimedOut, handout_pdf

from .conftest import PATIENT_NAME, STYLES, patient_data
from .test_api import pdf_text


@pytest.fixture(scope="module")
def small_pool(leaflets):
    pool = RenderPool(PoolOptions(leaflets, STYLES, workers=1, queue=1, timeout=1.5))
    pool.warm_up()
    yield pool
    pool.close()


@pytest.mark.slow
def test_requests_over_workers_plus_queue_are_refused_at_once(small_pool):
    async def three() -> list:
        return await asyncio.gather(*(small_pool.run(time.sleep, 0.6) for _ in range(3)),
                                    return_exceptions=True)

    started = time.perf_counter()
    results = asyncio.run(three())
    assert sum(isinstance(r, Busy) for r in results) == 1
    assert sum(r is None for r in results) == 2  # one ran, one waited for it, then ran
    assert time.perf_counter() - started >= 1.2  # in turn, on one worker
    assert small_pool.pending == 0


@pytest.mark.slow
def test_a_slow_render_times_out_but_keeps_its_slot_until_done(small_pool):
    async def slow() -> None:
        await small_pool.run(time.sleep, 3)

    with pytest.raises(TimedOut):
        asyncio.run(slow())
    assert small_pool.pending == 1  # the worker is still busy with it
    deadline = time.monotonic() + 10
    while small_pool.pending and time.monotonic() < deadline:
        time.sleep(0.1)
    assert small_pool.pending == 0


@pytest.mark.slow
def test_a_warm_worker_renders_a_handout(small_pool):
    import json
    from pathlib import Path

    from leafletgen.serve.core import parse_patient

    patient, _ = parse_patient(Path("request"), json.dumps(patient_data("baclofen")), STYLES)
    pool = RenderPool(PoolOptions(small_pool.options.leaflets, STYLES, workers=1, timeout=60))
    try:
        data = asyncio.run(pool.run(handout_pdf, "baclofen", patient, None, None, False))
    finally:
        pool.close()
    assert PATIENT_NAME in pdf_text(data)


@pytest.mark.slow
def test_workers_make_the_same_bytes_as_the_public_api(leaflets):
    """The workers keep the monographs read; their handouts and packets must be exactly
    what leafletgen.handout() and leafletgen.packet() make."""
    import leafletgen
    from leafletgen.serve import pool as pool_module
    from leafletgen.serve.pool import packet_pdf

    pool_module.load_state(leaflets, STYLES)
    one = _patient(patient_data("baclofen"))
    assert handout_pdf("baclofen", one, None, None, False) == leafletgen.handout(
        leaflets / "baclofen.md", one, styles=STYLES)
    two = _patient(patient_data("baclofen", "amoxicillin"))
    assert packet_pdf(two, "patient-large", "letter", False) == leafletgen.packet(
        two, leaflets=leaflets, styles=STYLES, variant="patient-large", paper="letter")


@pytest.mark.slow
def test_workers_refuse_a_draft_unless_asked(leaflets):
    from leafletgen.errors import ContentError
    from leafletgen.serve import pool as pool_module

    pool_module.load_state(leaflets, STYLES)
    with pytest.raises(ContentError, match="medicines.0.monograph"):
        handout_pdf("methotrexate", _patient(patient_data("methotrexate")), None, None, False)


@pytest.mark.slow
def test_stopping_the_server_stops_its_workers(tmp_path, leaflets):
    from pathlib import Path

    from .conftest import start_server, stop_server

    server = start_server(tmp_path, leaflets, workers=2)
    children = [int(c) for task in Path(f"/proc/{server.process.pid}/task").iterdir()
                for c in (task / "children").read_text().split()]
    assert len(children) >= 2
    stop_server(server)
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{c}").exists() for c in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{c}").exists() for c in children)


def _patient(data):
    import json
    from pathlib import Path

    from leafletgen.serve.core import parse_patient

    patient, problems = parse_patient(Path("request"), json.dumps(data), STYLES)
    assert patient is not None, problems
    return patient


@pytest.mark.slow
def test_workers_are_replaced_after_so_many_renders_without_refusing_work(leaflets):
    import os

    pool = RenderPool(PoolOptions(leaflets, STYLES, workers=1, queue=4, timeout=60,
                                  recycle_after=3))
    try:
        pool.warm_up()

        async def pids(count: int) -> list[int]:
            return [await pool.run(os.getpid) for _ in range(count)]

        first = asyncio.run(pids(3))
        deadline = time.monotonic() + 60
        later = first
        while set(later) <= set(first) and time.monotonic() < deadline:
            later = asyncio.run(pids(1))  # served by the old worker until the new one is warm
            time.sleep(0.2)
    finally:
        pool.close()
    assert len(set(first)) == 1
    assert not set(later) & set(first)
