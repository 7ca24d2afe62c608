"""Routes for albums: the running order (edited in the file, comments kept), the flow picture, the
render (with audio) and its files."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from .. import versioned
from . import models as m
from .context import Studio, gone
from .errors import ApiError, not_found

MEDIA = {".html": "text/html; charset=utf-8", ".json": "application/json", ".md": "text/markdown; charset=utf-8",
         ".png": "image/png", ".wav": "audio/wav", ".flac": "audio/flac", ".cue": "text/plain; charset=utf-8",
         ".mid": "audio/midi"}


def router(studio: Studio) -> APIRouter:
    r = APIRouter(prefix="/api")
    root = studio.root
    lim = studio.limits

    def album_path(path: str) -> str:
        return root.resolve(path, ".toml", must_exist=True)

    def out_of(full: str, create: bool = False) -> str:
        return root.work("albums", *root.rel(full).split("/"), create=create)

    async def view(full: str) -> dict[str, Any]:
        from .jobs import rendered

        result: dict[str, Any] = await studio.quick.run("album_view", root.path, full, timeout=lim.quick_seconds)
        done = rendered(os.path.join(out_of(full), "current"))
        if done is not None:
            done["files"] = urls(full, done["files"])
        result["rendered"] = done
        return result

    def urls(full: str, names: dict[str, str]) -> dict[str, str]:
        from urllib.parse import quote

        base = "/api/album-files/" + quote(root.rel(full))
        return {k: f"{base}/{quote(v, safe='')}" for k, v in names.items()}

    @r.get("/albums", summary="Album files under the folder")
    def albums() -> list[str]:
        out = []
        for rel in root.walk(".toml"):
            full = os.path.join(root.path, rel)
            try:
                if os.path.getsize(full) <= lim.body:
                    with open(full, encoding="utf-8", errors="replace") as f:
                        if "[[track]]" in f.read():
                            out.append(rel)
            except OSError:
                continue
        return out

    @r.get("/album", summary="An album: its tracks (a broken one is a row with its problem) and length",
           response_model=m.AlbumView)
    async def album(path: str) -> dict[str, Any]:
        return await view(album_path(path))

    @r.put("/album/order", summary="Save a new running order (each track keeps its comments); versioned",
           response_model=m.AlbumView)
    async def order(body: m.AlbumOrder) -> dict[str, Any]:
        from ..album import AlbumError
        from ..album.order import reorder_album

        full = album_path(body.path)
        try:
            reorder_album(full, body.order, body.version)
        except versioned.Stale as e:
            raise ApiError(409, "stale", f"{root.rel(full)}: {e}", path=root.rel(full),
                           current={"text": e.current, "version": e.version}) from None
        except AlbumError as e:
            raise ApiError(422, "invalid", f"{root.rel(full)}: {e}") from None
        return await view(full)

    @r.get("/album/flow", summary="The running order as a picture (PNG, kept in memory)")
    async def flow(path: str, request: Request) -> Response:
        full = album_path(path)
        key = "flow:" + _album_key(full)
        data = studio.pictures.get(key)
        if data is None:
            data = await studio.renders.run("album_flow_png", root.path, full, timeout=lim.render_seconds,
                                            disconnected=gone(request))
            studio.pictures.put(key, data)
        return Response(data, media_type="image/png", headers={"Cache-Control": "no-cache"})

    @r.post("/album/render", summary="Render the album (MIDI, pictures, HTML report; audio master and CUE on "
                                     "request); queued", response_model=m.AlbumRendered)
    async def render(body: m.AlbumRender, request: Request) -> dict[str, Any]:
        full = album_path(body.path)
        result: dict[str, Any] = await studio.renders.run(
            "render_album", root.path, full, out_of(full, create=True), body.audio, timeout=lim.render_seconds,
            disconnected=gone(request))
        files = urls(full, result.get("files", {}))
        return {"path": root.rel(full), "seconds": result.get("seconds", 0.0), "warnings": result.get("warnings", []),
                "tracks": result.get("tracks", []), "files": files}

    @r.get("/album/download/{kind}", summary="An album as a file (the kinds registered in studio/downloads.py)")
    async def download(kind: str, path: str, request: Request) -> Response:
        from ..files import slug
        from .downloads import ALBUM_KINDS

        if kind not in ALBUM_KINDS:
            raise not_found(f"no album download {kind!r}" + (f": there are {', '.join(ALBUM_KINDS)}"
                                                               if ALBUM_KINDS else " yet"))
        full = album_path(path)
        ext, media, data = await studio.renders.run("album_download", kind, root.path, full,
                                                    timeout=lim.render_seconds, disconnected=gone(request))
        stem = os.path.splitext(os.path.basename(full))[0]
        return Response(data, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="{slug(stem)}.{ext}"'})

    @r.get("/album-files/{rest:path}", summary="A file of the album's latest render: /api/album-files/<album "
                                              "path>/<name> (report.html, pictures, master, CUE, MIDI)")
    def album_file(rest: str, download: bool = False) -> Response:
        path, _, name = rest.rpartition("/")
        full = album_path(path)
        folder = os.path.join(out_of(full), "current")
        ext = os.path.splitext(name)[1].lower()
        if "/" in name or "\\" in name or name.startswith(".") or ext not in MEDIA:
            raise not_found(f"no file {name!r} in the album's render")
        target = os.path.join(folder, name)
        if not os.path.isfile(target) or os.path.islink(target) or not root.inside(target):
            raise not_found(f"no file {name!r} in the album's render (render the album first)")
        headers = {"Content-Disposition": f'attachment; filename="{name}"'} if download else {}
        if ext == ".html":  # the report: its own pictures only, no scripts
            headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; " \
                                                 "style-src 'unsafe-inline'"
        return FileResponse(target, media_type=MEDIA[ext], headers=headers)

    return r


def _album_key(full: str) -> str:
    """A key that changes whenever the album file or any of its charts does."""
    import tomllib

    text, version = versioned.read(full)
    parts = [version]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return version
    folder = os.path.dirname(full)
    for t in data.get("track", []) if isinstance(data.get("track"), list) else []:
        chart = t.get("chart") if isinstance(t, dict) else None
        if isinstance(chart, str):
            path = os.path.join(folder, chart)
            try:
                st = os.stat(path)
                parts.append(f"{chart}:{st.st_mtime_ns}:{st.st_size}")
            except OSError:
                parts.append(f"{chart}:missing")
    return versioned.version_of("|".join(parts))
