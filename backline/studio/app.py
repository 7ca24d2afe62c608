"""The studio's web app: a JSON API over the charts and albums under a root folder, and the page.

Safety: every path is relative to the root and must resolve inside it (no ``..``, no absolute
paths, no symlinks out); request bodies are limited; renders run one at a time; files are
written atomically, and a chart saved from the page is stored exactly as typed.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from ..files import slug, write_atomic

MAX_BODY = 1_000_000
STATIC = os.path.join(os.path.dirname(__file__), "static")
WORK = ".backline"  # renders go here, inside the root
SERVED = (".wav", ".flac", ".mid", ".png", ".json", ".chart", ".toml", ".cue", ".md")


class ChartText(BaseModel):
    text: str


class SaveChart(BaseModel):
    path: str
    text: str


class TakeRequest(BaseModel):
    path: str
    seed: int | None = None
    risk: float = 0.5
    audio: bool = True


class KeepRequest(BaseModel):
    path: str
    seed: int


class AlbumOrder(BaseModel):
    path: str
    order: list[str]


class AlbumRequest(BaseModel):
    path: str
    audio: bool = False


def create_app(root: str) -> FastAPI:
    """The studio over ``root``."""
    root = os.path.realpath(root)
    app = FastAPI(title="backline studio", version="1",
                  description="Write charts, hear takes, keep the good ones, order the album.")
    render_lock = threading.Lock()  # one render at a time: two clicks never write one take together

    def safe(rel: str, must_exist: bool = True) -> str:
        """The absolute path of ``rel`` inside the root, or 400/403/404."""
        if not rel or "\0" in rel or os.path.isabs(rel) or rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
            raise HTTPException(400, "give a path relative to the studio's folder")
        if ".." in re.split(r"[\\/]", rel):
            raise HTTPException(403, "paths may not climb out of the studio's folder")
        full = os.path.realpath(os.path.join(root, rel))
        if full != root and not full.startswith(root + os.sep):
            raise HTTPException(403, "that path leads outside the studio's folder")
        if must_exist and not os.path.exists(full):
            raise HTTPException(404, f"no such file: {rel}")
        return full

    def rel(full: str) -> str:
        return os.path.relpath(full, root)

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            return JSONResponse({"detail": f"request too large (limit {MAX_BODY:,} bytes)"}, status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"detail": f"request too large (limit {MAX_BODY:,} bytes)"}, status_code=413)
        response: Response = await call_next(request)
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        with open(os.path.join(STATIC, "index.html"), encoding="utf-8") as f:
            return f.read()

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        if name not in ("app.js", "style.css"):
            raise HTTPException(404)
        return FileResponse(os.path.join(STATIC, name))

    @app.post("/api/check", summary="Check a chart's text")
    def check(body: ChartText) -> dict[str, Any]:
        from ..chart.errors import ChartInvalid
        from ..chart.parser import parse_chart
        from ..styles import style_names

        try:
            parse_chart(body.text, "chart", style_names())
            return {"ok": True, "errors": []}
        except ChartInvalid as e:
            return {"ok": False, "errors": [{"line": p.line, "column": p.column,
                                             "message": p.message + (f": {p.hint}" if p.hint else "")}
                                            for p in e.problems]}

    @app.post("/api/format", summary="The chart in canonical layout (on request only)")
    def format_text(body: ChartText) -> dict[str, Any]:
        from ..chart.errors import ChartInvalid
        from ..chart.fmt import format_chart

        try:
            return {"ok": True, "text": format_chart(body.text)}
        except ChartInvalid:
            return {"ok": False, "text": body.text}

    @app.get("/api/charts", summary="Charts under the folder")
    def charts() -> list[str]:
        return sorted(_walk(root, ".chart"))

    @app.get("/api/chart", summary="A chart's text")
    def chart(path: str) -> dict[str, str]:
        full = safe(path)
        if not full.endswith(".chart"):
            raise HTTPException(400, "not a chart")
        with open(full, encoding="utf-8", errors="replace") as f:
            return {"path": rel(full), "text": f.read()}

    @app.put("/api/chart", summary="Save a chart exactly as given (atomically)")
    def save(body: SaveChart) -> dict[str, Any]:
        full = safe(body.path, must_exist=False)
        if not full.endswith(".chart"):
            raise HTTPException(400, "charts end in .chart")
        if not os.path.isdir(os.path.dirname(full)):
            raise HTTPException(404, "no such folder")
        write_atomic(full, body.text)
        return {"saved": rel(full), **check(ChartText(text=body.text))}

    @app.get("/api/arrangement", summary="The arrangement map (PNG) of a saved chart")
    def arrangement(path: str, seed: int = 0, risk: float = 0.0) -> FileResponse:
        from ..players.band import perform
        from ..plot import arrangement_map

        song = _load(safe(path))
        out = os.path.join(_work(root, song.title), f"arrangement-{seed}-{risk:g}.png")
        with render_lock:
            arrangement_map(perform(song, seed=seed, risk=risk), out)
        return FileResponse(out, media_type="image/png", headers={"Cache-Control": "no-store"})

    @app.post("/api/takes", summary="Render a take (MIDI and audio); renders are queued")
    def take(body: TakeRequest) -> dict[str, Any]:
        from ..takes import new_seeds, render_takes

        if not 0 <= body.risk <= 1:
            raise HTTPException(400, "risk runs from 0 to 1")
        song = _load(safe(body.path))
        seed = body.seed if body.seed is not None else new_seeds(1)[0]
        folder = _work(root, song.title)
        with render_lock:
            record = render_takes(song, folder, [seed], body.risk)[0]
            if body.audio:
                from ..audio import AudioError, render_audio
                from ..players.band import perform

                try:
                    made = render_audio(perform(song, seed=seed, risk=body.risk), folder,
                                        os.path.basename(record["files"]["midi"])[:-4])
                    record["files"]["audio"] = made["audio"]
                except AudioError as e:
                    record["audio_error"] = str(e)
        return _public(record, rel)

    @app.get("/api/takes", summary="The takes of a chart, with keepers marked")
    def takes(path: str) -> list[dict[str, Any]]:
        from ..takes import discarded, keepers, read_log

        song = _load(safe(path))
        folder = _work(root, song.title)
        kept = set(keepers(folder))
        gone = discarded(folder)
        out = []
        for r in read_log(folder):
            if r.get("event") == "take" and r["seed"] not in gone:
                audio = r["files"]["midi"][:-4] + ".wav"
                if os.path.exists(audio):
                    r["files"]["audio"] = audio
                out.append(_public({**r, "kept": r["seed"] in kept}, rel))
        return out

    @app.post("/api/keep", summary="Mark a take as a keeper")
    def keep(body: KeepRequest) -> dict[str, Any]:
        from ..takes import keep as keep_take

        song = _load(safe(body.path))
        try:
            return keep_take(_work(root, song.title), body.seed)
        except KeyError:
            raise HTTPException(404, f"no take with seed {body.seed}") from None

    @app.post("/api/discard", summary="Throw a take away (its files are deleted)")
    def discard(body: KeepRequest) -> dict[str, Any]:
        from ..takes import discard as discard_take

        song = _load(safe(body.path))
        with render_lock:
            try:
                return discard_take(_work(root, song.title), body.seed)
            except KeyError:
                raise HTTPException(404, f"no take with seed {body.seed}") from None

    @app.get("/api/file", summary="A rendered file (audio, MIDI, pictures) under the folder")
    def file(path: str) -> FileResponse:
        full = safe(path)
        if not os.path.isfile(full) or not full.endswith(SERVED):
            raise HTTPException(404, "not a file the studio serves")
        return FileResponse(full)

    @app.get("/api/albums", summary="Album files under the folder")
    def albums() -> list[str]:
        out = []
        for p in _walk(root, ".toml"):
            with open(os.path.join(root, p), encoding="utf-8", errors="replace") as f:
                if "[[track]]" in f.read():
                    out.append(p)
        return sorted(out)

    @app.get("/api/album", summary="An album's running order and length")
    def album(path: str) -> dict[str, Any]:
        from ..album import AlbumError, load_album

        full = safe(path)
        try:
            a = load_album(full)
        except AlbumError as e:
            raise HTTPException(422, str(e)) from None
        tracks = []
        for t in a.tracks:
            song = _load(t.chart)
            tl = song.timeline()
            tracks.append({"chart": rel(t.chart), "title": song.title, "key": str(song.key), "tempo": song.tempo,
                           "seconds": round(tl.seconds, 2)})
        gaps = [t.gap_seconds if t.gap_seconds is not None else a.gap_seconds for t in a.tracks]
        total = sum(t["seconds"] for t in tracks) + sum(gaps[:-1])
        return {"path": rel(full), "title": a.title, "artist": a.artist, "tracks": tracks, "seconds": round(total, 2)}

    @app.put("/api/album/order", summary="Save a new running order to the album file")
    def order(body: AlbumOrder) -> dict[str, Any]:
        full = safe(body.path)
        with open(full, encoding="utf-8") as f:
            text = f.read()
        folder = os.path.dirname(full)
        new = reorder_album_text(text, [os.path.relpath(safe(c), folder) for c in body.order])
        if new is None:
            raise HTTPException(400, "the order must name every track of the album once")
        write_atomic(full, new)
        return album(body.path)

    @app.get("/api/album/flow", summary="The album's flow chart (PNG)")
    def flow(path: str) -> FileResponse:
        from ..album import load_album
        from ..album.render import render_album

        full = safe(path)
        out = os.path.join(root, WORK, "album-" + slug(os.path.basename(full)))
        with render_lock:
            report = render_album(load_album(full), out, pictures=False)
            from ..plot import album_flow

            picture = album_flow(report, os.path.join(out, "album-flow.png"))
        return FileResponse(picture, media_type="image/png", headers={"Cache-Control": "no-store"})

    @app.post("/api/album/render", summary="Render the album (MIDI, pictures, report; audio on request)")
    def render(body: AlbumRequest) -> dict[str, Any]:
        from ..album import load_album
        from ..album.render import render_album

        full = safe(body.path)
        out = os.path.join(root, WORK, "album-" + slug(os.path.basename(full)))
        with render_lock:
            report = render_album(load_album(full), out, audio={"fmt": "wav"} if body.audio else None)
        return {"report": rel(report["report"]), "seconds": report["seconds"], "warnings": report["warnings"],
                "audio": rel(report["audio"]) if report.get("audio") else None}

    return app


def _walk(root: str, ext: str) -> list[str]:
    out = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            full = os.path.join(folder, name)
            if name.endswith(ext) and not os.path.islink(full):
                out.append(os.path.relpath(full, root))
    return out


def _load(full: str) -> Any:
    from ..chart.errors import ChartInvalid
    from ..chart.load import load_chart
    from ..styles import style_names

    try:
        return load_chart(full, style_names())
    except ChartInvalid as e:
        raise HTTPException(422, "the chart has errors: " + str(e.problems[0])) from None


def _work(root: str, title: str) -> str:
    folder = os.path.join(root, WORK, "takes", slug(title))
    os.makedirs(folder, exist_ok=True)
    return folder


def _public(record: dict[str, Any], rel: Any) -> dict[str, Any]:
    files = {k: rel(v) for k, v in record.get("files", {}).items()}
    return {**record, "files": files, "chart": rel(record["chart"]) if "chart" in record else None}


def reorder_album_text(text: str, order: list[str]) -> str | None:
    """The album file with its ``[[track]]`` tables in a new order; comments and other keys stay.

    >>> t = 'title = "A"\\n\\n[[track]]\\nchart = "a.chart"\\n\\n[[track]]\\nchart = "b.chart"\\n'
    >>> print(reorder_album_text(t, ["b.chart", "a.chart"]), end="")
    title = "A"
    <BLANKLINE>
    [[track]]
    chart = "b.chart"
    <BLANKLINE>
    [[track]]
    chart = "a.chart"
    """
    parts = re.split(r"(?m)^(?=\[\[track\]\])", text)
    head, blocks = parts[0], parts[1:]
    charts = []
    for b in blocks:
        m = re.search(r'(?m)^\s*chart\s*=\s*"([^"]*)"', b)
        if not m:
            return None
        charts.append(os.path.normpath(m.group(1)))
    wanted = [os.path.normpath(c) for c in order]
    if sorted(wanted) != sorted(charts):
        return None
    by_chart: dict[str, list[str]] = {}
    for c, b in zip(charts, blocks, strict=True):
        by_chart.setdefault(c, []).append(b if b.endswith("\n\n") else b.rstrip("\n") + "\n\n")
    out = head + "".join(by_chart[c].pop(0) for c in wanted)
    return out.rstrip("\n") + "\n"


def serve(root: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the studio (blocking)."""
    import uvicorn

    uvicorn.run(create_app(root), host=host, port=port, log_level="warning")
