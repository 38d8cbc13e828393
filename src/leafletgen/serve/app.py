"""``leafletgen serve``: the counter web app and the HTTP API as one ASGI application.

Safe by default: it binds to the loopback interface; on any other interface every request
needs the bearer token (``--token-file``) unless ``--insecure-no-auth`` says otherwise. Every
response carries security headers (a CSP without inline script, no sniffing, no framing, no
referrer); personalised responses are never stored by a cache (``Cache-Control: no-store``).
The access log names method, path, status and time only: never a query string or a body.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leafletgen.serve.catalogue import Catalogue, load_catalogue
from leafletgen.serve.core import DEFAULT_STYLES
from leafletgen.serve.dispensing import DispensingRecord
from leafletgen.serve.guards import RequestLimits, printable
from leafletgen.serve.pool import PoolOptions, RenderPool
from leafletgen.serve.previews import PreviewStore
from leafletgen.serve.settings import Settings
from leafletgen.serve.web import TOKEN_COOKIE

access_log = logging.getLogger("leafletgen.serve.access")
HERE = Path(__file__).parent
LOOPBACK = ("127.0.0.1", "::1", "localhost")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
MAX_BODY = 64 * 1024  # a patient file is at most 64 KB (limits.MAX_YAML_BYTES)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; "
       "base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


@dataclass(frozen=True)
class ServeConfig:
    leaflets: Path = Path("leaflets")
    styles: Path = DEFAULT_STYLES
    out: Path = Path("out")
    workers: int = 2
    queue: int = 8
    timeout: float = 30.0
    max_body: int = MAX_BODY
    token: str | None = field(default=None, repr=False)  # required on every request when set
    public_url: str | None = None  # where patients can reach the HTML leaflets
    # Host headers answered (None: any). On loopback only the loopback names, so a web page
    # elsewhere cannot reach the service by pointing a name of its own at 127.0.0.1.
    allowed_hosts: tuple[str, ...] | None = None
    preview_width: int = 640  # pixels, page images
    recycle_after: int = 0  # renders after which fresh workers replace the old (0: never)
    settings: Settings = field(default_factory=Settings)  # the configuration file's
    drafts: bool = False  # the web app lists draft leaflets too (proofs marked DRAFT)


def create_app(config: ServeConfig, pool: RenderPool | None = None,
               own_pool: bool | None = None) -> Starlette:
    """The application; ``pool`` (default: one from ``config``) renders the PDFs. The
    application shuts down a pool it owns (by default the one it made) when it stops."""
    from leafletgen.serve import api, infobutton, web

    catalogue = load_catalogue(config.leaflets, config.styles, config.out)
    if own_pool is None:
        own_pool = pool is None
    the_pool = pool or RenderPool(PoolOptions(config.leaflets, config.styles, config.workers,
                                              config.queue, config.timeout,
                                              public_url=config.public_url,
                                              recycle_after=config.recycle_after))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # closed here, not after the server returns: uvicorn re-raises SIGTERM once it has
        # shut down, which would end this process before a `finally` after it runs
        try:
            yield
        finally:
            if own_pool:
                the_pool.close()

    routes = [*api.routes, Route("/infobutton", api.handles_refusal(infobutton.infobutton)),
              *web.routes,
              Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: web.http_error})
    app.state.config = config
    app.state.catalogue = catalogue
    app.state.pool = the_pool
    app.state.pdfs = {}  # generic leaflets: (slug, variant, paper) -> (bytes, etag)
    app.state.pages = {}  # their page images
    settings = config.settings
    app.state.previews = PreviewStore(settings.preview_minutes, settings.preview_count,
                                      settings.preview_megabytes)
    app.state.dispensing = (DispensingRecord(settings.record, settings.counter)
                            if settings.record is not None else None)
    wrapped: ASGIApp = TokenGuard(app, config.token)
    if config.allowed_hosts is not None:
        wrapped = TrustedHostMiddleware(wrapped, allowed_hosts=list(config.allowed_hosts))
    wrapped = RequestLimits(wrapped, config.max_body)
    wrapped = SecurityHeaders(wrapped)
    app.state.asgi = wrapped
    return app


def asgi(config: ServeConfig, pool: RenderPool | None = None,
         own_pool: bool | None = None) -> ASGIApp:
    """The application with its middleware, as the server runs it."""
    return create_app(config, pool, own_pool).state.asgi


class SecurityHeaders:
    """Security headers on every response, and one access-log line without query or body."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in SECURITY_HEADERS if h[0] not in names)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            access_log.info("%s %s %d %.0fms", printable(scope["method"]),
                            printable(scope["path"]), status,
                            (time.perf_counter() - started) * 1000)


class TokenGuard:
    """With a token configured, every request but static files, fonts and /health must carry it:
    ``Authorization: Bearer TOKEN``, or the cookie the /login form sets for a browser."""

    OPEN = ("/static/", "/fonts/", "/health", "/login")

    def __init__(self, app: ASGIApp, token: str | None):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.token is None or scope["type"] != "http"
                or scope["path"].startswith(self.OPEN) or self._allowed(Request(scope))):
            await self.app(scope, receive, send)
            return
        response: Response
        if scope["path"].startswith(("/api/", "/infobutton", "/openapi")):
            response = JSONResponse({"errors": [{"field": "Authorization", "message":
                                     "send the service token: Authorization: Bearer TOKEN"}]},
                                    status_code=401, headers={"WWW-Authenticate": "Bearer"})
        else:
            response = RedirectResponse("/login", status_code=303)
        await response(scope, receive, send)

    def _allowed(self, request: Request) -> bool:
        assert self.token is not None
        header = request.headers.get("authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else (
            request.cookies.get(TOKEN_COOKIE) or "")
        return hmac.compare_digest(given.encode(), self.token.encode())


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def loopback_hosts(host: str) -> tuple[str, ...]:
    """The Host headers a service bound to the loopback address ``host`` answers: the
    loopback names and ``host`` itself (any 127.x.y.z), with and without brackets."""
    extra = (f"[{host}]",) if ":" in host else (host,)
    return tuple(dict.fromkeys((*LOOPBACK_HOSTS, *extra)))


def read_token(path: Path) -> str:
    """The token in ``path`` (its first line); raise ValueError saying what is wrong."""
    try:
        with path.open("rb") as file:  # a token is one short line: never read more
            token = file.read(4096).decode("utf-8").strip().splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError):
        raise ValueError(f"{path}: cannot read a token from this file; put one line of at "
                         "least 32 random characters in it (e.g. openssl rand -hex 32)") from None
    if len(token) < 32:
        raise ValueError(f"{path}:1: the token is shorter than 32 characters; use a longer, "
                         "random one (e.g. openssl rand -hex 32)")
    return token


def state(request: Request) -> Any:
    return request.app.state


def catalogue_of(request: Request) -> Catalogue:
    return request.app.state.catalogue
