"""Routes for takes: each immutable, with its own id, filed by its chart's path.

A chart's takes live in ``<root>/.backline/takes/<chart path>/`` (see :mod:`backline.takes`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import AfterValidator

from .. import takes as tk
from .. import versioned
from . import models as m
from . import values
from .context import Studio, gone
from .errors import ApiError, not_found

KINDS = {"midi": ("mid", "audio/midi"), "wav": ("wav", "audio/wav"), "take": ("json", "application/json"),
         "chart": ("chart", "text/plain; charset=utf-8"), "stems": ("zip", "application/zip")}


def router(studio: Studio) -> APIRouter:
    r = APIRouter(prefix="/api")
    root = studio.root
    lim = studio.limits

    def folder_of(chart: str, create: bool = False) -> tuple[str, str]:
        """(the chart's path as shown, its takes folder — made only for a new take)."""
        full = root.resolve(chart, ".chart")
        rel = root.rel(full)
        return rel, root.work("takes", *rel.split("/"), create=create)

    def public(chart: str, state: dict[str, Any]) -> dict[str, Any]:
        base = f"/api/takes/{state['id']}/files/"
        query = "?chart=" + quote(chart, safe="")
        files = {k: (base + k + query if k in state["files"] else None) for k in KINDS}
        keep = ("id", "version", "title", "seed", "risk", "style", "name", "notes", "kept", "discarded", "seconds",
                "bars", "notes_per_bar", "fills", "solo_range")
        out = {k: state.get(k) for k in keep}
        solo = out.get("solo_range")
        if not (isinstance(solo, list) and len(solo) == 2 and all(isinstance(x, int) for x in solo)):
            out["solo_range"] = None
        if not isinstance(out.get("style"), str):
            out["style"] = None
        return {**out, "chart": chart, "created": state.get("time", ""), "files": files}

    def state_of(outdir: str, take_id: str) -> dict[str, Any]:
        try:
            return tk.get(outdir, take_id)
        except tk.TakeError:
            raise not_found(f"no take {take_id}") from None

    @r.get("/takes", summary="A chart's takes, newest first (trash=true: the discarded ones)",
           response_model=m.TakeList)
    def takes(chart: str, trash: bool = False) -> dict[str, Any]:
        rel, outdir = folder_of(chart)
        return {"chart": rel, "takes": [public(rel, s) for s in reversed(tk.takes(outdir, trash=trash))]}

    @r.post("/takes", summary="Render a new take of exactly the text sent (or the saved file); queued",
            status_code=201, response_model=m.Take)
    async def new_take(body: m.NewTake, request: Request) -> dict[str, Any]:
        rel, outdir = folder_of(body.chart, create=True)
        if body.text is None:
            full = root.resolve(rel, ".chart", must_exist=True)
            text, _ = versioned.read(full)
        else:
            text = body.text
        seed = body.seed if body.seed is not None else tk.new_seeds(1)[0]
        state = await studio.renders.run("render_take", outdir, text, rel, seed, body.risk, body.style, body.name,
                                         body.notes, body.bounce, timeout=lim.render_seconds,
                                         disconnected=gone(request))
        return public(rel, state)

    @r.get("/takes/{take_id}", summary="One take", response_model=m.Take)
    def take(take_id: str, chart: str) -> dict[str, Any]:
        rel, outdir = folder_of(chart)
        return public(rel, state_of(outdir, take_id))

    @r.patch("/takes/{take_id}", summary="Keep or unkeep, name, or annotate ONE take", response_model=m.Take)
    def edit(take_id: str, body: m.TakeEdit) -> dict[str, Any]:
        rel, outdir = folder_of(body.chart)
        state_of(outdir, take_id)
        return public(rel, tk.edit(outdir, take_id, kept=body.kept, name=body.name, notes=body.notes))

    @r.post("/takes/{take_id}/discard", summary="Move ONE take to the trash (undo: restore)", response_model=m.Take)
    def discard(take_id: str, body: m.TakeRef) -> dict[str, Any]:
        rel, outdir = folder_of(body.chart)
        state_of(outdir, take_id)
        return public(rel, tk.discard(outdir, take_id))

    @r.post("/takes/{take_id}/restore", summary="Bring a discarded take back", response_model=m.Take)
    def restore(take_id: str, body: m.TakeRef) -> dict[str, Any]:
        rel, outdir = folder_of(body.chart)
        state_of(outdir, take_id)
        return public(rel, tk.restore(outdir, take_id))

    @r.post("/takes/{take_id}/bounce", summary="The take's full mix, mastered (WAV, and stems); queued",
            response_model=m.Take)
    async def bounce(take_id: str, body: m.BounceRequest, request: Request) -> dict[str, Any]:
        rel, outdir = folder_of(body.chart)
        if state_of(outdir, take_id)["discarded"]:
            raise ApiError(409, "discarded", "this take is in the trash: restore it first")
        state = await studio.renders.run("bounce_take", outdir, take_id, body.stems, timeout=lim.render_seconds,
                                         disconnected=gone(request))
        return public(rel, state)

    @r.get("/takes/{take_id}/playback", summary="The take's MIDI, channel map and grid, for the page's synth",
           response_model=m.Playback)
    async def playback(take_id: str, chart: str) -> dict[str, Any]:
        _, outdir = folder_of(chart)
        state_of(outdir, take_id)
        result: dict[str, Any] = await studio.quick.run("playback", outdir, take_id, timeout=lim.quick_seconds)
        return result

    @r.get("/takes/{take_id}/files/{kind}", summary="A take's file: midi, wav, stems (zip), take (json), chart")
    def file(take_id: str, kind: str, chart: str, download: bool = False) -> Response:
        _, outdir = folder_of(chart)
        state = state_of(outdir, take_id)
        if kind not in KINDS:
            raise not_found(f"no file kind {kind!r}: there are {', '.join(KINDS)}")
        if state["discarded"]:
            raise not_found("this take is in the trash: restore it to open its files")
        ext, media = KINDS[kind]
        name = tk.download_name(state, ext)
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'} if download else {}
        if kind == "stems":
            stems = list(tk.stem_files(outdir, state))
            if not stems:
                raise not_found("this take has no stems yet: bounce it first")
            return StreamingResponse(_zip(stems), media_type=media, headers={
                "Content-Disposition": f'attachment; filename="{name}"'})
        path = tk.path_of(outdir, state, kind)
        if path is None or not os.path.isfile(path) or os.path.islink(path) or not root.inside(path):
            raise not_found(f"this take has no {kind} file" + (" yet: bounce it first" if kind == "wav" else ""))
        return FileResponse(path, media_type=media, headers=disposition)

    @r.get("/takes/{take_id}/arrangement", summary="The take's arrangement map (PNG, kept in memory)")
    async def take_arrangement(take_id: str, chart: str, request: Request) -> Response:
        _, outdir = folder_of(chart)
        state = state_of(outdir, take_id)
        key = f"take:{state.get('version')}:{state['seed']}:{state['risk']}:{state.get('style')}"
        data = studio.pictures.get(key)
        if data is None:
            data = await studio.renders.run("take_arrangement_png", outdir, take_id, timeout=lim.render_seconds,
                                            disconnected=gone(request))
            studio.pictures.put(key, data)
        return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @r.get("/arrangement", summary="The arrangement map of a saved chart at a seed and risk (PNG, kept in memory)")
    async def arrangement(path: str, request: Request, seed: Annotated[int, AfterValidator(values.seed)] = 0,
                          risk: Annotated[float, AfterValidator(values.risk)] = 0.0,
                          style: str | None = None) -> Response:
        full = root.resolve(path, ".chart", must_exist=True)
        text, version = versioned.read(full)
        key = f"chart:{version}:{seed}:{risk}:{style}"
        data = studio.pictures.get(key)
        if data is None:
            data = await studio.renders.run("arrangement_png", text, root.rel(full), seed, risk, style,
                                            timeout=lim.render_seconds, disconnected=gone(request))
            studio.pictures.put(key, data)
        return Response(data, media_type="image/png", headers={"Cache-Control": "no-cache"})

    return r


def _zip(files: list[tuple[str, str]]) -> Iterator[bytes]:
    """A zip of the files, made as it is sent (stored: WAV does not shrink), nothing written to disk."""
    import zipfile

    class Sink:
        def __init__(self) -> None:
            self.parts: list[bytes] = []
            self.offset = 0

        def write(self, data: bytes) -> int:
            self.parts.append(bytes(data))
            self.offset += len(data)
            return len(data)

        def tell(self) -> int:
            return self.offset

        def flush(self) -> None:
            pass

        def take(self) -> bytes:
            out, self.parts = b"".join(self.parts), []
            return out

    sink = Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:  # type: ignore[call-overload]
        for name, path in files:
            with open(path, "rb") as src, z.open(name, "w", force_zip64=True) as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
