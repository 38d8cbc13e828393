"""Limits on every HTTP request, enforced before any other work (and before the token check).

- headers: the server reads at most ``MAX_HEADER_BYTES`` of a request's head (uvicorn's h11
  parser, ``server.py``); an application run by another server still refuses a request whose
  headers add up to more (431);
- body: at most the configured limit, whether the request says its length (Content-Length)
  or sends it in chunks; over it the answer is 413, never 500. The body is read here, whole
  and bounded, before the application sees the request;
- the access log names method and path with control characters escaped (``printable``), so a
  URL cannot forge or hide log lines.

Limits on what a body holds (field lengths, medicines per packet, nesting) are the patient
schema's and the JSON reader's (patients.py): a 422 naming the field.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leafletgen.textcheck import printable

__all__ = ["MAX_HEADER_BYTES", "RequestLimits", "printable", "refusal", "too_large"]

MAX_HEADER_BYTES = 32 * 1024  # names and values of all headers, and the request line


class RequestLimits:
    """Refuse a request whose headers are over ``MAX_HEADER_BYTES`` (431) or whose body is
    over ``max_body`` bytes (413), before the application (or the token check) runs."""

    def __init__(self, app: ASGIApp, max_body: int, max_header: int = MAX_HEADER_BYTES):
        self.app = app
        self.max_body = max_body
        self.max_header = max_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        size = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") + sum(
            len(name) + len(value) for name, value in headers)
        if size > self.max_header:
            await refusal(431, "headers", f"the request's headers are over "
                          f"{self.max_header // 1024} KB; send fewer or shorter ones"
                          )(scope, receive, send)
            return
        length = dict(headers).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await too_large(self.max_body)(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_body:
                await too_large(self.max_body)(scope, _disconnected, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _disconnected() -> Message:
    return {"type": "http.disconnect"}


def refusal(status: int, field: str, message: str) -> Response:
    return JSONResponse({"errors": [{"field": field, "message": message}]}, status_code=status,
                        headers={"Connection": "close"})


def too_large(limit: int) -> Response:
    return refusal(413, "body", f"the request body is over {limit // 1024} KB; send one "
                                "patient's details only")
