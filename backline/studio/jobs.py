"""What the studio's worker processes do: each job a thin call into the Python API.

Jobs take absolute paths the app has already confined to the root (album tracks are confined
here, as they are read), and answer plain data or raise :class:`ApiError`. They run in
:mod:`backline.studio.workers`; importing this module preloads the chart and band code there.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from typing import Any

from .. import takes as tk
from ..chart.errors import ChartInvalid
from ..chart.parser import parse_chart
from ..players import band as _band  # noqa: F401  (preloaded in the worker server)
from ..styles import style_names
from .errors import ApiError, chart_errors, invalid
from .paths import Root

style_names()  # read the style folders once in the worker server, so every forked worker starts with them


def _parse(text: str, name: str) -> Any:
    try:
        return parse_chart(text, name, style_names())
    except ChartInvalid as e:
        raise chart_errors(e.problems, name) from None


def check(text: str, name: str = "chart") -> dict[str, Any]:
    """The chart's problems with line and column (an empty list: it is fine)."""
    try:
        parse_chart(text, name, style_names())
    except ChartInvalid as e:
        return {"ok": False, "errors": chart_errors(e.problems).extra["errors"]}
    return {"ok": True, "errors": []}


def format_text(text: str) -> dict[str, Any]:
    from ..chart.fmt import format_chart

    try:
        return {"ok": True, "text": format_chart(text)}
    except ChartInvalid:
        return {"ok": False, "text": text}


def title_of(text: str, name: str) -> str:
    return str(_parse(text, name).title)


def grid(text: str, name: str) -> dict[str, Any]:
    from ..grid import chord_grid

    return chord_grid(_parse(text, name))


def _style(style: str | None) -> None:
    if style is not None and style not in style_names():
        from ..chart.errors import did_you_mean

        raise invalid(f"style: unknown style {style!r}: {did_you_mean(style, style_names())}")


def preview(text: str, name: str, seed: int, risk: float, style: str | None) -> dict[str, Any]:
    """Playback data for the text as it is now: MIDI, channels and grid; nothing written."""
    from ..grid import chord_grid
    from ..players.band import perform
    from ..render import chart_hash

    _style(style)
    song = _parse(text, name)
    perf = perform(song, seed=seed, risk=risk, style=style)
    return {"midi": base64.b64encode(perf.to_bytes()).decode("ascii"), "seconds": round(perf.seconds, 6),
            "channels": tk.channels(perf), "grid": chord_grid(song, perf.timeline), "version": chart_hash(song),
            "seed": seed, "risk": risk}


def playback(outdir: str, take_id: str) -> dict[str, Any]:
    """Playback data of a stored take: its own MIDI file and the grid of the text that made it."""
    from ..grid import chord_grid

    state = tk.get(outdir, take_id)
    midi, text = tk.path_of(outdir, state, "midi"), tk.path_of(outdir, state, "chart")
    if midi is None or text is None or not os.path.isfile(midi) or not os.path.isfile(text):
        raise ApiError(404, "not_found", f"take {take_id} has lost its files")
    with open(midi, "rb") as f:
        data = f.read()
    with open(text, encoding="utf-8") as f:
        song = _parse(f.read(), str(state.get("chart")))
    return {"midi": base64.b64encode(data).decode("ascii"), "seconds": state.get("seconds", 0.0),
            "channels": state.get("channels", []), "grid": chord_grid(song), "version": state.get("version", ""),
            "seed": state["seed"], "risk": state["risk"]}


def render_take(outdir: str, text: str, name: str, seed: int, risk: float, style: str | None, take_name: str,
                notes: str, bounce: bool) -> dict[str, Any]:
    """A new take of ``text`` (filed in ``outdir``), and its full mix on request."""
    _style(style)
    song = _parse(text, name)
    state = tk.render_takes(song, outdir, [seed], risk, style=style, name=take_name, notes=notes)[0]
    if bounce:
        state = bounce_take(outdir, state["id"], True)
    return state


def bounce_take(outdir: str, take_id: str, stems: bool) -> dict[str, Any]:
    from ..audio import AudioError

    try:
        return tk.bounce(outdir, take_id, stems=stems)
    except AudioError as e:
        raise ApiError(503, "audio", f"no audio: {e}") from None


def arrangement_png(text: str, name: str, seed: int, risk: float, style: str | None) -> bytes:
    """The arrangement map of a performance, as PNG bytes (no file is written)."""
    from ..players.band import perform
    from ..plot import arrangement_png as png

    _style(style)
    return png(perform(_parse(text, name), seed=seed, risk=risk, style=style))


def take_text(outdir: str, take_id: str) -> tuple[str, str, dict[str, Any]]:
    state = tk.get(outdir, take_id)
    path = tk.path_of(outdir, state, "chart")
    if path is None or not os.path.isfile(path):
        raise ApiError(404, "not_found", f"take {take_id} has lost its chart text")
    with open(path, encoding="utf-8") as f:
        return f.read(), str(state.get("chart")), state


def take_arrangement_png(outdir: str, take_id: str) -> bytes:
    text, name, state = take_text(outdir, take_id)
    return arrangement_png(text, name, state["seed"], state["risk"], state.get("style"))


# ---- albums ------------------------------------------------------------------------------------

def _album(root: Root, album_path: str) -> Any:
    from ..album import AlbumError, load_album

    try:
        return load_album(album_path)
    except AlbumError as e:
        raise ApiError(422, "album", str(e).replace(album_path, root.rel(album_path))) from None


def _track_problem(root: Root, chart: str) -> str | None:
    if not root.inside(chart):
        return "the chart is outside the studio's folder"
    if not chart.endswith(".chart"):
        return "a track must be a .chart file"
    return None


def album_view(root_path: str, album_path: str) -> dict[str, Any]:
    """The album's tracks as the page lists them; a broken track is a row with its problem."""
    from ..album.render import _song
    from ..versioned import read

    root = Root(root_path)
    album = _album(root, album_path)
    _, version = read(album_path)
    rows: list[dict[str, Any]] = []
    for i, t in enumerate(album.tracks):
        row: dict[str, Any] = {"position": i, "chart": _shown(root, t.chart), "ok": False,
                               "seed": t.seed, "risk": t.risk}
        problem = _track_problem(root, t.chart)
        if problem:
            row["error"] = f"track {i + 1}: {problem}"
            rows.append(row)
            continue
        try:
            song = _song(t)
        except ChartInvalid as e:
            row["error"] = f"track {i + 1}: " + chart_errors(e.problems, root.rel(t.chart)).detail
            rows.append(row)
            continue
        row.update(ok=True, title=song.title, key=str(song.key), tempo=round(song.tempo, 2),
                   seconds=round(song.timeline().seconds, 2))
        rows.append(row)
    gaps = [t.gap_seconds if t.gap_seconds is not None else album.gap_seconds for t in album.tracks]
    total = sum(r.get("seconds") or 0 for r in rows) + sum(gaps[:-1])
    return {"path": root.rel(album_path), "version": version, "title": album.title, "artist": album.artist,
            "gap_seconds": album.gap_seconds, "seconds": round(total, 2), "tracks": rows}


def _shown(root: Root, chart: str) -> str:
    """How a track's chart is named to the user: relative to the root, or just its name if outside."""
    return root.rel(chart) if root.inside(chart) else os.path.basename(chart)


def _checked_album(root: Root, album_path: str) -> Any:
    """The album, refusing any track outside the root or with a broken chart (422, which one)."""
    from ..album.render import _song

    album = _album(root, album_path)
    for i, t in enumerate(album.tracks):
        problem = _track_problem(root, t.chart)
        if problem:
            raise ApiError(422, "album", f"track {i + 1}: {problem}", track=i + 1)
        try:
            _song(t)
        except ChartInvalid as e:
            raise chart_errors(e.problems, root.rel(t.chart), track=i + 1) from None
    return album


def album_flow_png(root_path: str, album_path: str) -> bytes:
    """The running-order picture, from performances made in memory (no file is written)."""
    import itertools

    from ..album.render import _song, energy, transition
    from ..players.band import perform
    from ..plot import album_flow_png as png

    root = Root(root_path)
    album = _checked_album(root, album_path)
    rows = []
    for i, t in enumerate(album.tracks, start=1):
        song = _song(t)
        perf = perform(song, seed=t.seed, risk=t.risk, style=t.style)
        rows.append({"number": i, "title": song.title, "key": str(song.key), "tempo": round(song.tempo, 2),
                     "meter": str(song.meter), "seconds": perf.seconds, "energy": energy(perf)})
    gaps = [t.gap_seconds if t.gap_seconds is not None else album.gap_seconds for t in album.tracks]
    report = {"title": album.title, "tracks": rows, "seconds": sum(r["seconds"] for r in rows) + sum(gaps[:-1]),
              "transitions": [{"from": i + 1, "to": i + 2, **transition(a, b)}
                              for i, (a, b) in enumerate(itertools.pairwise(rows))]}
    return png(report)


def render_album(root_path: str, album_path: str, outdir: str, audio: bool) -> dict[str, Any]:
    """Render the album into a fresh folder, then put it in place of the last render, whole."""
    from ..album.render import render_album as render

    root = Root(root_path)
    album = _checked_album(root, album_path)
    for name in os.listdir(outdir):  # leftovers of a render that was stopped
        if name.startswith((".work-", ".old-")):
            shutil.rmtree(os.path.join(outdir, name), ignore_errors=True)
    work = tempfile.mkdtemp(prefix=".work-", dir=outdir)
    try:
        render(album, work, audio={"fmt": "wav"} if audio else None)  # report.html beside report.md
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    current = os.path.join(outdir, "current")
    if os.path.isdir(current):
        old = tempfile.mkdtemp(prefix=".old-", dir=outdir)
        os.rename(current, os.path.join(old, "current"))
        os.rename(work, current)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(work, current)
    return rendered(current) or {}


def rendered(folder: str) -> dict[str, Any] | None:
    """What the last render of an album made (from its report.json), with file names only."""
    import json

    path = os.path.join(folder, "report.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    names = sorted(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n)))
    files = {"report": "report.html", "report_json": "report.json", "report_md": "report.md"}
    if report.get("flow_chart"):
        files["flow"] = os.path.basename(report["flow_chart"])
    if report.get("audio"):
        files["master"] = os.path.basename(report["audio"])
    if report.get("cue"):
        files["cue"] = os.path.basename(report["cue"])
    tracks = []
    for r in report.get("tracks", []):
        row = {k: v for k, v in r.items() if k not in ("chart", "midi", "take", "audio", "stems", "pictures")}
        row["files"] = {k: os.path.basename(r[k]) for k in ("midi", "take", "audio") if r.get(k)}
        row["pictures"] = [os.path.basename(p) for p in r.get("pictures", [])]
        tracks.append(row)
    return {"seconds": report.get("seconds", 0.0), "warnings": report.get("warnings", []), "tracks": tracks,
            "files": files, "all": names}


# ---- new songs --------------------------------------------------------------------------------------

def sketch(options: dict[str, Any]) -> str:
    from ..sketch import SketchError
    from ..sketch import sketch as make

    try:
        return make(**options)
    except SketchError as e:
        raise invalid(str(e)) from None


def import_upload(root_path: str, data: bytes, name: str, folder: str) -> dict[str, Any]:
    """Import an uploaded file (iReal, ChordPro, MusicXML, MIDI) as new charts in ``folder``."""
    from ..interchange import import_sources

    root = Root(root_path)
    safe = os.path.basename(name.replace("\\", "/")).lstrip(".") or "upload"
    tmp = tempfile.mkdtemp(prefix="backline-import-")
    try:
        source = os.path.join(tmp, safe[:120])
        with open(source, "wb") as f:
            f.write(data)
        os.makedirs(folder, exist_ok=True)
        result = import_sources([source], folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"imported": result["imported"], "files": [root.rel(p) for p in result["files"]],
            "failed": [{"title": f.get("title", ""), "reason": str(f.get("reason", "")).replace(source, safe)}
                       for f in result["failed"]]}


def download(kind: str, text: str, name: str) -> tuple[str, str, bytes]:
    """A chart as one of the download kinds (see :mod:`backline.studio.downloads`)."""
    from .downloads import make

    result: tuple[str, str, bytes] = make(kind, text, name)
    return result


def album_download(kind: str, root_path: str, album_path: str) -> tuple[str, str, bytes]:
    """An album as one of the download kinds (see :mod:`backline.studio.downloads`)."""
    from .downloads import make_album

    _checked_album(Root(root_path), album_path)
    result: tuple[str, str, bytes] = make_album(kind, root_path, album_path)
    return result
