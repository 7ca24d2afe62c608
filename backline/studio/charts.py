"""Routes for charts: list, read, save (versioned), create, check, grid, preview, new songs, import,
downloads."""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from .. import versioned
from ..files import slug
from . import models as m
from .context import Studio, gone
from .errors import ApiError, not_found

RISK_HELP = ("Risk runs from 0 to 1: at 0 the band plays the style's patterns as written; higher, it varies "
             "fills, voicings, rhythms and solos more (the seed picks which variation).")


def router(studio: Studio) -> APIRouter:
    r = APIRouter(prefix="/api")
    root = studio.root
    lim = studio.limits

    def chart_path(path: str, must_exist: bool = True) -> str:
        return root.resolve(path, ".chart", must_exist=must_exist)

    @r.get("/charts", summary="The charts under the folder (paths relative to it)")
    def charts() -> list[str]:
        return root.walk(".chart")

    @r.get("/chart", summary="A chart's text and version", response_model=m.Chart)
    def chart(path: str, response: Response) -> dict[str, Any]:
        full = chart_path(path)
        text, version = versioned.read(full)
        response.headers["ETag"] = f'"{version}"'
        return {"path": root.rel(full), "text": text, "version": version}

    async def check_text(text: str, name: str = "chart") -> dict[str, Any]:
        result: dict[str, Any] = await studio.quick.run("check", text, name, timeout=lim.check_seconds)
        return result

    @r.put("/chart", summary="Save a chart exactly as given, if it is still at the version the edit started "
                             "from (409 with the current text otherwise)", response_model=m.Saved)
    async def save(body: m.SaveChart) -> dict[str, Any]:
        full = chart_path(body.path, must_exist=False)
        if not os.path.isdir(os.path.dirname(full)):
            raise not_found("no such folder")
        version = _save(full, body.text, body.version)
        return {"path": root.rel(full), "version": version, **await check_text(body.text, root.rel(full))}

    @r.post("/charts", summary="Create a new chart (never over an existing file)", status_code=201,
            response_model=m.Created)
    async def create(body: m.NewChart) -> dict[str, Any]:
        if body.path is not None:
            full = chart_path(body.path, must_exist=False)
        else:
            folder = root.resolve(body.folder, None) if body.folder else root.path
            if os.path.exists(folder) and not os.path.isdir(folder):
                raise ApiError(400, "path", f"{root.rel(folder)} is a file, not a folder")
            title = await studio.quick.run("title_of", body.text, "new chart", timeout=lim.quick_seconds)
            full = _free(folder, slug(title))
        parent = os.path.dirname(full)
        if not root.inside(parent):
            raise ApiError(403, "outside", "that path leads outside the studio's folder")
        try:
            os.makedirs(parent, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise ApiError(400, "path", f"{root.rel(parent)} is not a folder") from None
        return {"path": root.rel(full), "version": _save(full, body.text, None)}

    def _save(full: str, text: str, version: str | None) -> str:
        try:
            return versioned.save(full, text, version)
        except versioned.Stale as e:
            code = "exists" if version is None and e.current is not None else "stale"
            raise ApiError(409, code, f"{root.rel(full)}: {e}", path=root.rel(full),
                           current={"text": e.current, "version": e.version}) from None

    @r.post("/check", summary="Check a chart's text: problems with line and column", response_model=m.CheckResult)
    async def check(body: m.ChartText) -> dict[str, Any]:
        return await check_text(body.text)

    @r.post("/format", summary="The chart in canonical layout (on request only)", response_model=m.Formatted)
    async def format_text(body: m.ChartText) -> dict[str, Any]:
        result: dict[str, Any] = await studio.quick.run("format_text", body.text, timeout=lim.quick_seconds)
        return result

    @r.post("/grid", summary="The chord grid of a text (sections, bars, chords, times) for the grid and playhead")
    async def grid_text(body: m.ChartText) -> dict[str, Any]:
        result: dict[str, Any] = await studio.quick.run("grid", body.text, "chart", timeout=lim.quick_seconds)
        return result

    @r.get("/grid", summary="The chord grid of a saved chart")
    async def grid_saved(path: str) -> dict[str, Any]:
        full = chart_path(path)
        text, _ = versioned.read(full)
        result: dict[str, Any] = await studio.quick.run("grid", text, root.rel(full), timeout=lim.quick_seconds)
        return result

    @r.post("/preview", summary="Perform the text now for the page's synth: MIDI, channels, grid (nothing written)",
            response_model=m.Playback)
    async def preview(body: m.PreviewRequest, request: Request) -> dict[str, Any]:
        name = root.rel(chart_path(body.path, must_exist=False)) if body.path is not None else "chart"
        result: dict[str, Any] = await studio.quick.run("preview", body.text, name, body.seed, body.risk, body.style,
                                                        timeout=lim.quick_seconds, disconnected=gone(request))
        return result

    @r.get("/templates", summary="Starting points for a new chart", response_model=list[m.Template])
    def templates() -> list[dict[str, str]]:
        from ..templates import templates as all_templates

        return all_templates("New Song")

    @r.post("/sketch", summary="A whole song proposed from a style, key, tempo and form (nothing written)",
            response_model=m.SketchText)
    async def sketch(body: m.SketchRequest) -> dict[str, str]:
        text = await studio.quick.run("sketch", body.model_dump(), timeout=lim.quick_seconds)
        return {"text": text}

    @r.get("/styles", summary="The styles, with a line about each", response_model=list[m.StyleInfo])
    def styles() -> list[dict[str, str]]:
        from ..styles import load_style, style_names

        out = []
        for name in style_names():
            try:
                description = load_style(name).description
            except ValueError:
                continue
            out.append({"name": name, "description": description})
        return out

    @r.get("/info", summary="The studio's version, limits, and the risk explained in a line", response_model=m.Info)
    def info() -> dict[str, Any]:
        from .. import __version__
        from ..model import VOICES

        return {"version": __version__, "risk_help": RISK_HELP, "instruments": list(VOICES),
                "limits": {"body": lim.body, "upload": lim.upload}}

    @r.post("/import", summary="Import an uploaded file (iReal, ChordPro, MusicXML, MIDI) as new charts",
            status_code=201, response_model=m.Imported,
            openapi_extra={"requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                              "format": "binary"}}},
                                           "required": True}})
    async def import_file(request: Request, name: Annotated[str, Query(max_length=255)] = "upload",
                          folder: str = "imported") -> dict[str, Any]:
        target = root.resolve(folder, None)
        if os.path.exists(target) and not os.path.isdir(target):
            raise ApiError(400, "path", f"{root.rel(target)} is a file, not a folder")
        data = await request.body()
        if not data:
            raise ApiError(422, "invalid", "the upload is empty")
        result: dict[str, Any] = await studio.renders.run("import_upload", root.path, data, name, target,
                                                          timeout=lim.render_seconds, disconnected=gone(request))
        return result

    @r.get("/chart/download/{kind}", summary="A chart as a file: chart, musicxml, chordpro, ireal")
    async def download(kind: str, path: str, request: Request) -> Response:
        from .downloads import KINDS

        if kind not in KINDS:
            raise not_found(f"no download {kind!r}: there are {', '.join(KINDS)}")
        full = chart_path(path)
        text, _ = versioned.read(full)
        ext, media, data = await studio.quick.run("download", kind, text, root.rel(full),
                                                  timeout=lim.quick_seconds, disconnected=gone(request))
        stem = os.path.splitext(os.path.basename(full))[0]
        return Response(data, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="{slug(stem)}.{ext}"'})

    return r


def _free(folder: str, base: str) -> str:
    name, n = base, 1
    while os.path.lexists(os.path.join(folder, name + ".chart")):
        n += 1
        name = f"{base}-{n}"
    return os.path.join(folder, name + ".chart")
