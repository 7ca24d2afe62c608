"""Rendering an album: every track (in parallel), its pictures, the flow report, and with
audio the album master and a CUE sheet.

>>> transition({"key": "C major", "tempo": 120, "energy": 0.5}, {"key": "A minor", "tempo": 90, "energy": 0.4})
{'key_steps': 0, 'tempo_change': -30.0, 'energy_change': -0.1}
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

from ..files import make_folder, slug, write_atomic
from . import Album, Track

ALBUM_LIMIT_SECONDS = 80 * 60
TEMPO_DROP = 0.25  # a fall of more than a quarter of the tempo between tracks is jarring


def _song(track: Track) -> Any:
    from ..chart.load import load_chart
    from ..practice import scaled_tempo
    from ..styles import style_names

    song = load_chart(track.chart, style_names())
    if track.transpose:
        song = song.transposed(track.transpose)
    if track.tempo is not None:
        song = scaled_tempo(song, track.tempo)
    elif track.tempo_bpm is not None:
        song = scaled_tempo(song, track.tempo_bpm / song.tempo)
    return song


def energy(perf: Any) -> float:
    """0–1: how hard a take drives, from its dynamics and its note density."""
    tl = perf.timeline
    if not tl.bars or tl.seconds <= 0:
        return 0.0
    level = sum((b.level + b.level_end) / 2 * b.seconds for b in tl.bars) / tl.seconds
    density = sum(len(t.notes) for t in perf.tracks) / tl.seconds
    return round(min(1.0, 0.55 * max(0.0, level - 20) / 100 + 0.45 * min(1.0, density / 30)), 3)


def render_track(number: int, track: Track, outdir: str, audio: dict[str, Any] | None,
                 pictures: bool = True) -> dict[str, Any]:
    """One track: MIDI, take sidecar, pictures and (optionally) audio; returns its row."""
    row, drawings = _track_job((number, track, outdir, audio, pictures))
    for drawing in drawings:
        _picture_job(drawing)
    return row


def _track_job(args: tuple[int, Track, str, dict[str, Any] | None, bool]) -> tuple[dict[str, Any], list[Any]]:
    """A track's files and row, and its pictures' data with their paths (to be drawn by any worker)."""
    from ..render import render_take

    number, track, outdir, audio, pictures = args
    song = _song(track)
    name = f"{number:02d}-{slug(song.title)}"
    result, perf = render_take(song, outdir, seed=track.seed, risk=track.risk, style=track.style, name=name,
                               audio=audio)
    tl = perf.timeline
    row: dict[str, Any] = {
        "number": number, "title": song.title, "chart": track.chart, "key": str(song.key),
        "tempo": round(song.tempo, 2), "meter": str(song.meter),
        "meters": list(dict.fromkeys(str(b.meter) for b in tl.bars)), "bars": len(tl.bars),
        "seconds": round(tl.seconds, 3), "styles": result["styles"], "seed": track.seed, "risk": track.risk,
        "energy": energy(perf), "midi": result["midi"], "take": result["take"], "pictures": []}
    if "audio" in result:
        row.update(audio=result["audio"], loudness=result["loudness"], audio_seconds=result["audio_seconds"])
        if "stems" in result:
            row["stems"] = result["stems"]
    drawings = []
    if pictures:
        from ..plot import map_data, roll_data

        drawings = [(map_data(perf), os.path.join(outdir, f"{name}-arrangement.png")),
                    (roll_data(perf), os.path.join(outdir, f"{name}-piano-roll.png"))]
        row["pictures"] = [path for _, path in drawings]
    return row, drawings


def _picture_job(drawing: tuple[Any, str]) -> str:
    from ..plot import write_picture

    return write_picture(*drawing)


def transition(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """How one track leads into the next: circle-of-fifths steps, tempo and energy change."""
    from ..theory.pitch import Key, circle_distance

    return {"key_steps": circle_distance(Key.parse(a["key"]), Key.parse(b["key"])),
            "tempo_change": round(float(b["tempo"] - a["tempo"]), 2),
            "energy_change": round(b["energy"] - a["energy"], 3)}


def warnings_for(rows: list[dict[str, Any]], seconds: float) -> list[str]:
    """What a producer would want to hear about the running order."""
    out = []
    for i in range(len(rows) - 2):
        if rows[i]["key"] == rows[i + 1]["key"] == rows[i + 2]["key"]:
            out.append(f"tracks {i + 1}–{i + 3} are all in {rows[i]['key']}")
    for a, b in itertools.pairwise(rows):
        if b["tempo"] < a["tempo"] * (1 - TEMPO_DROP):
            out.append(f"a jarring tempo drop from {a['title']!r} ({a['tempo']:g}) to {b['title']!r} "
                       f"({b['tempo']:g} bpm)")
    if seconds > ALBUM_LIMIT_SECONDS:
        out.append(f"the album runs {seconds / 60:.1f} minutes, over the 80 a CD holds")
    return out


def _check_first(album: Album, audio: bool) -> None:
    """Every chart read and checked, and with audio every song's length, before any work:
    a bad last track must not cost the renders of the others (nor leave their files)."""
    from ..audio.soundfont import AudioError
    from ..checks import BadValue, check_audio_length

    for number, track in enumerate(album.tracks, start=1):
        song = _song(track)  # ChartInvalid: the chart's problems
        if audio:
            try:
                check_audio_length(song.timeline().seconds, f"track {number} ({song.title[:60]!r})")
            except BadValue as e:
                raise AudioError(e.message) from None


def render_album(album: Album, outdir: str, audio: dict[str, Any] | None = None, jobs: int = 1,
                 pictures: bool = True) -> dict[str, Any]:
    """Render every track (``jobs`` at once), then the report, flow chart and master."""
    _check_first(album, audio is not None)
    make_folder(outdir)
    if audio is not None and jobs > 1:
        audio = {**audio, "jobs": 1}  # the tracks are the parallel part
    work = [(i, t, outdir, audio, pictures) for i, t in enumerate(album.tracks, start=1)]
    gaps = [t.gap_seconds if t.gap_seconds is not None else album.gap_seconds for t in album.tracks]
    if jobs > 1 and len(work) > 1:
        from ..bulk import pool_map, process_pool

        with process_pool(jobs) as pool:  # Ctrl-C stops every worker within a moment
            rows, drawings = _rows(list(pool_map(pool, _track_job, work)))
            report = _report(album, rows, gaps, outdir, pictures)
            drawings.sort(key=_drawing_cost, reverse=True)  # the longest first: the workers end together
            list(pool_map(pool, _picture_job, drawings + _flow(report, outdir)))
    else:
        rows, drawings = _rows([_track_job(w) for w in work])
        report = _report(album, rows, gaps, outdir, pictures)
        for drawing in drawings + _flow(report, outdir):
            _picture_job(drawing)
    if audio is not None:
        from .master import write_master

        report.update(write_master(album, rows, gaps, outdir, audio.get("fmt", "wav")))
    report["report"] = os.path.join(outdir, "report.md")
    write_atomic(report["report"], report_markdown(report))
    from .report import report_html

    write_atomic(os.path.join(outdir, "report.html"), report_html(report))  # the same, as a page
    write_atomic(os.path.join(outdir, "report.json"), json.dumps(report, indent=2) + "\n")
    return report


def _rows(done: list[tuple[dict[str, Any], list[Any]]]) -> tuple[list[dict[str, Any]], list[Any]]:
    return [row for row, _ in done], [d for _, drawings in done for d in drawings]


def _drawing_cost(drawing: tuple[Any, str]) -> float:
    """Roughly how long a picture takes to draw: a piano roll's lanes cost most, then its notes."""
    from ..plot import RollData

    data = drawing[0]
    return len(data.lanes) * 1e6 + sum(len(lane.notes) for lane in data.lanes) if isinstance(data, RollData) else 0


def _report(album: Album, rows: list[dict[str, Any]], gaps: list[float], outdir: str,
            pictures: bool) -> dict[str, Any]:
    """The album's report from its tracks' rows: transitions, gaps, length, warnings, pictures."""
    lengths = [r.get("audio_seconds", r["seconds"]) for r in rows]
    total = sum(lengths) + sum(gaps[:-1])
    report: dict[str, Any] = {
        "title": album.title, "artist": album.artist, "tracks": rows,
        "transitions": [{"from": i + 1, "to": i + 2, **transition(a, b)}
                        for i, (a, b) in enumerate(itertools.pairwise(rows))],
        "gaps": gaps[:-1], "seconds": round(total, 3)}
    report["warnings"] = warnings_for(rows, total)
    report["pictures"] = [p for r in rows for p in r["pictures"]]
    if pictures:
        report["flow_chart"] = os.path.join(outdir, "album-flow.png")
        report["pictures"].insert(0, report["flow_chart"])
    return report


def _flow(report: dict[str, Any], outdir: str) -> list[tuple[Any, str]]:
    """The flow chart to draw, if the report has one."""
    from ..plot import flow_data

    return [(flow_data(report), report["flow_chart"])] if "flow_chart" in report else []


def _clock(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    return f"{int(m)}:{s:04.1f}"


def report_markdown(report: dict[str, Any]) -> str:
    """The flow report as Markdown."""
    lines = [f"# {report['title']}" + (f" — {report['artist']}" if report["artist"] else ""), "",
             f"{len(report['tracks'])} tracks, {_clock(report['seconds'])} with gaps.", ""]
    if report.get("flow_chart"):
        lines += [f"![running order]({os.path.basename(report['flow_chart'])})", ""]
    lines += ["| # | title | key | tempo | meter | bars | time | energy | loudness |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in report["tracks"]:
        loud = f"{r['loudness']:.1f} LUFS" if "loudness" in r else "–"
        lines.append(f"| {r['number']} | {r['title']} | {r['key']} | {r['tempo']:g} | {', '.join(r['meters'])} | "
                     f"{r['bars']} | {_clock(r['seconds'])} | {r['energy']:.2f} | {loud} |")
    lines += ["", "## Transitions", "", "| from → to | key steps | tempo | energy |", "|---|---|---|---|"]
    for t in report["transitions"]:
        a, b = report["tracks"][t["from"] - 1], report["tracks"][t["to"] - 1]
        lines.append(f"| {a['title']} → {b['title']} | {t['key_steps']} | {t['tempo_change']:+g} bpm | "
                     f"{t['energy_change']:+.2f} |")
    lines += ["", "## Warnings", ""]
    lines += [f"- {w}" for w in report["warnings"]] or ["- none"]
    if report.get("audio"):
        lines += ["", "## Audio", "", f"- master: `{os.path.basename(report['audio'])}`",
                  f"- CUE sheet: `{os.path.basename(report['cue'])}`"]
    lines += ["", "## Pictures", ""]
    for r in report["tracks"]:
        for p in r["pictures"]:
            lines.append(f"- [{os.path.basename(p)}]({os.path.basename(p)})")
    return "\n".join(lines) + "\n"
