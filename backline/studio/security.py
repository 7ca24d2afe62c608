"""The studio's door: who may talk to it, and how much they may send.

An ASGI middleware in front of every request:

* **Host allow-list** — the bound address, ``localhost``, ``127.0.0.1`` and ``[::1]``, with the
  port: a page on another name (DNS rebinding) is refused.
* **Origin** — a request that changes state (POST, PUT, PATCH, DELETE) must come from the
  studio's own origin; any request carrying a foreign Origin, or ``Sec-Fetch-Site: cross-site``,
  is refused.
* **Token** — a per-launch secret, as Jupyter does it: the printed URL carries ``?token=…``;
  the first visit trades it for an HttpOnly, SameSite=Strict cookie (per port) and redirects to
  the same URL without it. The API wants the cookie or an ``X-Backline-Token`` header.
* **Bodies** — counted as they arrive, ``Content-Length`` or chunked, and cut at the limit (413).

>>> sorted(allowed_hosts("127.0.0.1", 8000))
['127.0.0.1:8000', '[::1]:8000', 'localhost:8000']
"""

from __future__ import annotations

import hmac
import json
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CHANGES_STATE = {"POST", "PUT", "PATCH", "DELETE"}
PAGES = ("/", "/chart/", "/album/")  # where the page is served (and the token may arrive)
PUBLIC = ("/static/",)  # the package's own code: no token, but the Host check


def allowed_hosts(host: str, port: int) -> set[str]:
    """``Host`` header values the studio answers to."""
    names = {"localhost", "127.0.0.1", "[::1]"}
    bound = host.strip("[]")
    if bound in ("0.0.0.0", "::", ""):
        names |= _own_names()
    elif ":" in bound:
        names.add(f"[{bound}]")
    else:
        names.add(bound)
    return {f"{n.lower()}:{port}" for n in names} | ({n.lower() for n in names} if port == 80 else set())


def _own_names() -> set[str]:
    """This machine's names and addresses (for a studio bound to every interface)."""
    names = {socket.gethostname(), socket.getfqdn()}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            addr = str(info[4][0])
            names.add(f"[{addr}]" if ":" in addr else addr)
    except OSError:
        pass
    return {n for n in names if n}


def cookie_name(port: int) -> str:
    """The token's cookie: one per port, so two studios on one machine keep their own."""
    return f"backline-{port}"


class Guard:
    """The middleware (see the module doc)."""

    def __init__(self, app: ASGIApp, token: str, hosts: set[str], port: int, max_body: int,
                 uploads: dict[str, int]) -> None:
        self.app = app
        self.token = token
        self.hosts = hosts
        self.origins = {f"http://{h}" for h in hosts}
        self.cookie = cookie_name(port)
        self.max_body = max_body
        self.uploads = uploads  # path -> larger limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        headers: dict[str, list[str]] = {}
        for k, v in scope.get("headers", []):
            headers.setdefault(k.decode("latin-1").lower(), []).append(v.decode("latin-1"))
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await refusal(send)
            return
        path = scope.get("path", "")
        if not path.startswith(PUBLIC):
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
            if _is_page(path) and "token" in query and scope["method"] == "GET":
                await self._trade_token(scope, query, send)
                return
            if not self._has_token(headers):
                await _unauthorized(send, page=_is_page(path) and scope["method"] == "GET")
                return
        limit = self.uploads.get(path, self.max_body)
        await self._with_body(scope, receive, send, headers, limit)

    def _refusal(self, scope: Scope, headers: dict[str, list[str]]) -> Callable[[Send], Awaitable[None]] | None:
        hosts = headers.get("host", [])
        if len(hosts) != 1 or hosts[0].lower() not in self.hosts:
            return _error(403, "host", "this studio answers only to its own address (see the URL it printed)")
        origins = headers.get("origin", [])
        if len(origins) > 1 or (origins and origins[0] not in self.origins):
            return _error(403, "origin", "requests from other sites are refused")
        if any(v.strip().lower() == "cross-site" for v in headers.get("sec-fetch-site", [])):
            return _error(403, "origin", "requests from other sites are refused")
        if scope["method"] in CHANGES_STATE and not origins:
            return _error(403, "origin", "a request that changes files must come from the studio's page "
                                         "(an Origin header)")
        return None

    def _has_token(self, headers: dict[str, list[str]]) -> bool:
        given = list(headers.get("x-backline-token", []))
        for auth in headers.get("authorization", []):
            scheme, _, value = auth.partition(" ")
            if scheme.lower() in ("token", "bearer"):
                given.append(value.strip())
        for raw in headers.get("cookie", []):
            for part in raw.split(";"):
                name, _, value = part.strip().partition("=")
                if name == self.cookie:
                    given.append(value)
        return any(hmac.compare_digest(g.encode("utf-8", "replace"), self.token.encode()) for g in given)

    async def _trade_token(self, scope: Scope, query: dict[str, str], send: Send) -> None:
        if not hmac.compare_digest(query["token"].encode("utf-8", "replace"), self.token.encode()):
            await _unauthorized(send, page=True)
            return
        rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        location = raw_path.decode("latin-1") + (f"?{rest}" if rest else "")
        cookie = f"{self.cookie}={self.token}; HttpOnly; SameSite=Strict; Path=/"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode()),
                                (b"cache-control", b"no-store"), (b"referrer-policy", b"no-referrer"),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    async def _with_body(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, list[str]],
                         limit: int) -> None:
        """Read the whole body first, counting: over ``limit`` is a 413 before the app sees anything."""
        lengths = headers.get("content-length", [])
        if len(lengths) > 1 or (lengths and not lengths[0].strip().isdigit()):
            await _error(400, "body", "a request may carry one Content-Length, a whole number")(send)
            return
        if lengths and int(lengths[0]) > limit:
            await _error(413, "too_large", f"request too large (limit {limit:,} bytes)")(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _error(413, "too_large", f"request too large (limit {limit:,} bytes)")(send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()  # after the body: the client's disconnect, when it goes

        await self.app(scope, replay, _secured(send))


def _is_page(path: str) -> bool:
    return path == "/" or path.startswith(PAGES[1:])


def _secured(send: Send) -> Send:
    """Every answer says: not in frames, no sniffing, no referrer."""
    extra = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
             (b"referrer-policy", b"no-referrer"), (b"cross-origin-resource-policy", b"same-origin")]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return wrapped


def _error(status: int, code: str, detail: str) -> Callable[[Send], Awaitable[None]]:
    async def respond(send: Send) -> None:
        body = json.dumps({"detail": detail, "code": code}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close"), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})

    return respond


_LOGIN = b"""<!doctype html><meta charset="utf-8"><title>backline studio</title>
<body style="font:16px system-ui;margin:3em;max-width:40em">
<h1>backline studio</h1><p>This studio needs the link that <code>backline serve</code> printed
when it started (it ends in <code>?token=...</code>). Open that link to come in.</p></body>"""


async def _unauthorized(send: Send, page: bool) -> None:
    if not page:
        await _error(401, "token", "this studio needs its token: open the URL that 'backline serve' printed")(send)
        return
    await send({"type": "http.response.start", "status": 401,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(_LOGIN)).encode()),
                            (b"cache-control", b"no-store"), (b"x-frame-options", b"DENY")]})
    await send({"type": "http.response.body", "body": _LOGIN})
