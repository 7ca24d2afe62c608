"""The studio's web app: a JSON API over the charts, takes and albums under a root folder, and the page.

The routes are thin: every operation is a function of the Python API (``backline.takes``,
``backline.album.order``, ``backline.grid``, ``backline.versioned``…) run in a worker process
(:mod:`.workers`). Safety is layered in front of them (:mod:`.security`: Host, Origin, token,
body sizes) and in every path (:mod:`.paths`: confined to the root). docs/studio-api.md is the
contract with the page.
"""

from __future__ import annotations

import mimetypes
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .context import Limits, Studio
from .errors import ApiError, not_found, scrub
from .security import Guard, allowed_hosts

STATIC = os.path.join(os.path.dirname(__file__), "static")
MAX_BODY = Limits.body
mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("audio/x-soundfont", ".sf2")
mimetypes.add_type("audio/x-soundfont", ".sf3")


def create_app(root: str, token: str | None = None, host: str = "127.0.0.1", port: int = 8000,
               limits: Limits | None = None) -> FastAPI:
    """The studio over ``root``, answering at ``host:port``; ``token`` is made when not given.

    ``app.state.token`` is the token and ``app.state.url`` the URL to open (it carries the token).
    """
    limits = limits or Limits()
    studio = Studio(root, limits)
    token = token or secrets.token_hex(32)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        studio.quick.warm()
        yield
        studio.close()

    app = FastAPI(title="backline studio", version="2", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Write charts, hear takes, keep the good ones, order the album. Every request needs "
                              "the per-launch token (cookie or X-Backline-Token) and comes from the studio's own "
                              "origin; see docs/studio-api.md. (No /docs page: Swagger UI would load scripts "
                              "from the network; this schema is the reference.)")
    app.state.token = token
    shown = "127.0.0.1" if host in ("localhost", "0.0.0.0", "") else (f"[{host}]" if ":" in host else host)
    app.state.url = f"http://{shown}:{port}/?token={token}"
    app.state.studio = studio
    _errors(app, studio)
    _page(app)

    from . import albums, charts, takes_api

    app.include_router(charts.router(studio))
    app.include_router(takes_api.router(studio))
    app.include_router(albums.router(studio))
    _soundfont(app)
    app.add_middleware(Guard, token=token, hosts=allowed_hosts(host, port), port=port, max_body=limits.body,
                       uploads={"/api/import": limits.upload})
    return app


def _errors(app: FastAPI, studio: Studio) -> None:
    root = studio.root.path

    @app.exception_handler(ApiError)
    async def api_error(_: Request, e: ApiError) -> JSONResponse:
        headers = {"Retry-After": str(e.extra["retry_after"])} if "retry_after" in e.extra else None
        return JSONResponse(e.body(root), status_code=e.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        message = str(first.get("msg", "is not valid")).removeprefix("Value error, ")
        return JSONResponse({"detail": scrub(f"{where}: {message}", root), "code": "invalid"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method", 400: "bad_request"}.get(e.status_code, "error")
        return JSONResponse({"detail": scrub(str(e.detail), root), "code": code}, status_code=e.status_code)

    from ..files import InputError

    @app.exception_handler(InputError)
    async def unreadable(_: Request, e: InputError) -> JSONResponse:
        return JSONResponse({"detail": scrub(str(e), root), "code": "input"}, status_code=400)

    @app.exception_handler(UnicodeError)
    async def not_unicode(_: Request, e: UnicodeError) -> JSONResponse:
        return JSONResponse({"detail": "the request holds text that is not Unicode", "code": "invalid"},
                            status_code=422)

    @app.exception_handler(Exception)
    async def internal(_: Request, e: Exception) -> JSONResponse:
        if isinstance(e, OSError):
            message = f"cannot do that: {e.strerror or type(e).__name__}"
        else:
            message = f"something went wrong: {type(e).__name__}: {e}"
        return JSONResponse({"detail": scrub(message, root), "code": "internal"}, status_code=500)


def _page(app: FastAPI) -> None:
    def index() -> HTMLResponse:
        with open(os.path.join(STATIC, "index.html"), encoding="utf-8") as f:
            return HTMLResponse(f.read(), headers={"Cache-Control": "no-store"})

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return index()

    @app.get("/chart/{path:path}", include_in_schema=False)
    def chart_page(path: str) -> HTMLResponse:
        return index()

    @app.get("/album/{path:path}", include_in_schema=False)
    def album_page(path: str) -> HTMLResponse:
        return index()

    @app.get("/static/{path:path}", include_in_schema=False)
    def static(path: str) -> FileResponse:
        parts = path.split("/")
        if not path or ".." in parts or any(p.startswith(".") for p in parts) or "\\" in path or "\0" in path:
            raise not_found("no such file")
        full = os.path.realpath(os.path.join(STATIC, *parts))
        if not full.startswith(os.path.realpath(STATIC) + os.sep) or not os.path.isfile(full):
            raise not_found("no such file")
        media = mimetypes.guess_type(full)[0] or "application/octet-stream"
        return FileResponse(full, media_type=media, headers={"Cache-Control": "no-cache"})


def _soundfont(app: FastAPI) -> None:
    @app.get("/api/soundfont", summary="The General MIDI SoundFont the server's audio uses (for the page's synth)")
    def soundfont(request: Request) -> Response:
        try:
            from ..audio.soundfont import find_soundfont

            path = find_soundfont()
        except Exception:
            raise not_found("no SoundFont is installed") from None
        if not path.lower().endswith((".sf2", ".sf3")) or not os.path.isfile(path):
            raise not_found("no SF2/SF3 SoundFont is installed")
        return FileResponse(path, media_type="audio/x-soundfont",
                            headers={"Cache-Control": "private, max-age=86400"}, filename=os.path.basename(path))


def serve(root: str, host: str = "127.0.0.1", port: int = 8000, token: str | None = None) -> None:
    """Run the studio (blocking); prints the URL to open, with its token."""
    import sys

    import uvicorn

    app = create_app(root, token=token, host=host, port=port)
    print(f"backline studio: {app.state.url}  (folder {os.path.basename(os.path.abspath(root))}; Ctrl+C stops it)",
          file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def studio_of(app: FastAPI) -> Any:
    """The :class:`~.context.Studio` behind an app (for tests)."""
    return app.state.studio
