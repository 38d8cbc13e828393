"""Run the application with uvicorn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from leafletgen.serve.app import ServeConfig, asgi
from leafletgen.serve.guards import MAX_HEADER_BYTES
from leafletgen.serve.pool import PoolOptions, RenderPool

log = logging.getLogger(__name__)

# what uvicorn reads of one request before the application sees it (guards.py)
SERVER_LIMITS: dict[str, Any] = {"http": "h11", "h11_max_incomplete_event_size": MAX_HEADER_BYTES}


def run(config: ServeConfig, host: str = "127.0.0.1", port: int = 8000,
        ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted. The workers are warm before the first request is taken;
    ``ready`` is called with the address once the socket accepts connections."""
    import uvicorn

    pool = RenderPool(PoolOptions(config.leaflets, config.styles, config.workers,
                                  config.queue, config.timeout, public_url=config.public_url,
                                  recycle_after=config.recycle_after))

    class Server(uvicorn.Server):
        async def startup(self, sockets: list | None = None) -> None:
            await super().startup(sockets)
            if ready is not None and self.started and not self.should_exit:
                bound = [s.getsockname() for server in self.servers
                         for s in (server.sockets or ())]
                shown = bound[0][1] if bound else port  # --port 0: the port it was given
                ready(f"http://{host if ':' not in host else f'[{host}]'}:{shown}/")

    try:
        pool.warm_up()
        # access_log off: uvicorn's would show query strings; ours (app.py) never does.
        # The application closes the pool when uvicorn stops it. h11, not httptools: it
        # refuses a request whose head is over MAX_HEADER_BYTES while reading it, where
        # httptools would buffer headers of any size before the application could say no.
        server = Server(uvicorn.Config(
            asgi(config, pool, own_pool=True), host=host, port=port, access_log=False,
            log_config=None, server_header=False, proxy_headers=False,
            timeout_graceful_shutdown=int(config.timeout), **SERVER_LIMITS))
        server.run()
    except BaseException:
        pool.close()
        raise
