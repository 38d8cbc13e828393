"""A render past its deadline frees its worker; a worker that dies does not fail every
request in flight (real worker processes: slow)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from leafletgen.serve.pool import PoolOptions, RenderPool, TimedOut
from tests.serve.conftest import STYLES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pool(leaflets):
    the_pool = RenderPool(PoolOptions(leaflets, STYLES, workers=1, queue=2, timeout=1.0))
    the_pool.warm_up()
    yield the_pool
    the_pool.close()


def _wait_until_free(pool: RenderPool, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while pool.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    return pool.pending == 0


def test_a_render_past_its_deadline_is_stopped_and_frees_its_worker(pool):
    with pytest.raises(TimedOut):
        asyncio.run(pool.run(time.sleep, 60))
    assert _wait_until_free(pool, 10)  # long before the minute the render asked for
    assert asyncio.run(pool.run(os.getpid)) > 0  # and the worker takes new work


def test_a_cancelled_request_frees_its_worker(pool):
    async def cancel() -> None:
        task = asyncio.ensure_future(pool.run(time.sleep, 60))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel())
    assert _wait_until_free(pool, 10)


def test_requests_in_flight_when_a_worker_dies_are_run_again(leaflets):
    pool = RenderPool(PoolOptions(leaflets, STYLES, workers=1, queue=2, timeout=120))
    pool.warm_up()
    try:
        worker = asyncio.run(pool.run(os.getpid))

        async def two_and_a_kill() -> list:
            running = [asyncio.ensure_future(pool.run(time.sleep, 0.5)) for _ in range(2)]
            await asyncio.sleep(0.2)
            os.kill(worker, signal.SIGKILL)
            return await asyncio.gather(*running, return_exceptions=True)

        assert asyncio.run(two_and_a_kill()) == [None, None]
    finally:
        pool.close()
