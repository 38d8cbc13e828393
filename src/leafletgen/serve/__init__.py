"""``leafletgen serve``: the counter web app and the HTTP API (Starlette, uvicorn).

``create_app(ServeConfig(...))`` is the ASGI application; ``run`` serves it. See README.md
("The counter and the ward: leafletgen serve") and ``openapi.yaml``. Names are imported on
first use: the command line loads none of this until ``leafletgen serve`` runs.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {"ServeConfig": "leafletgen.serve.app", "asgi": "leafletgen.serve.app",
         "create_app": "leafletgen.serve.app", "run": "leafletgen.serve.server",
         "Settings": "leafletgen.serve.settings", "load_settings": "leafletgen.serve.settings"}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'leafletgen.serve' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
