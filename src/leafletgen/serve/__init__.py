"""``leafletgen serve``: the counter web app and the HTTP API (Starlette, uvicorn).

``create_app(ServeConfig(...))`` is the ASGI application; ``run`` serves it. See README.md
("The counter and the ward: leafletgen serve") and ``openapi.yaml``.
"""

from .app import ServeConfig, asgi, create_app
from .server import run

__all__ = ["ServeConfig", "asgi", "create_app", "run"]
