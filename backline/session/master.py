"""The album's master project: the songs in running order, each after its gap.

Each song's stems sit on one track per instrument, starting where the song starts (the
count-in is trimmed off the front of each stem); a region per song names it, and the tempo
map is the songs' own, one after the other (the gaps keep the tempo of the song before).

>>> song_starts([10.0, 20.0, 5.0], [2.0, 3.0, 2.0])
[0.0, 12.0, 35.0]
"""

from __future__ import annotations

import os

from ..files import write_atomic
from .plan import Marker, Plan, TempoPoint
from .reaper import number

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any

    from ..album import Album


def song_starts(lengths: list[float], gaps: list[float]) -> list[float]:
    """Where each song starts: the ones before it and their gaps."""
    starts, now = [], 0.0
    for length, gap in zip(lengths, gaps, strict=True):
        starts.append(now)
        now += length + gap
    return starts


def master_plan(title: str, plans: list[Plan], lengths: list[float], starts: list[float]) -> Plan:
    """The songs' tempo maps one after another, and a region per song."""
    tempo: list[TempoPoint] = []
    markers = []
    beat, song_end, bpm = 0.0, 0.0, 0.0
    for plan, length, start in zip(plans, lengths, starts, strict=True):
        beat += (start - song_end) * bpm / 60.0  # the gap, at the tempo the song before ended in
        ci = plan.count_in_seconds
        at_start = [p for p in plan.tempo if p.seconds <= ci + 1e-9][-1]
        tempo.append(TempoPoint(start, beat, at_start.bpm, at_start.meter or plan.first_meter))
        for p in plan.tempo:
            if p.seconds > ci + 1e-9:
                tempo.append(TempoPoint(start + p.seconds - ci, beat + p.beat - plan.count_in_beats, p.bpm, p.meter))
        last = tempo[-1]
        song_end, bpm = start + length, last.bpm
        end_beat = last.beat + (song_end - last.seconds) * bpm / 60.0
        markers.append(Marker(plan.title, start, song_end, beat, end_beat))
        beat = end_beat
    end = markers[-1].end if markers else 0.0
    return Plan(title, tempo, markers, 0, 0.0, 0.0, end, end, markers[-1].end_beat if markers else 0.0,
                plans[0].first_meter)


def write_master_project(album: Album, sessions: list[tuple[str, dict[str, Any]]], gaps: list[float],
                         folder: str, daws: tuple[str, ...], rate: int) -> dict[str, Any]:
    """Write ``album.rpp`` beside the song folders; returns its path and the songs' places."""
    from rpp import Element

    from .reaper import _tempo_envelope, project_text

    plans = [made["plan"] for _, made in sessions]
    lengths = [_length(folder, sub, made) for sub, made in sessions]
    starts = song_starts(lengths, gaps)
    plan = master_plan(album.title, plans, lengths, starts)
    first = plan.tempo[0]
    meter = first.meter or plan.first_meter
    root = Element("REAPER_PROJECT", ["0.1", "7.0/backline", "0"], [
        ["TITLE", album.title], ["TEMPO", number(first.bpm), str(meter.num), str(meter.den)],
        ["SAMPLERATE", str(rate), "0", "0"]])
    root.append(_tempo_envelope(plan))
    for i, m in enumerate(plan.markers, start=1):
        root.append(["MARKER", str(i), number(m.start), f"{i:02d} {m.name}", "0"])
    for i, m in enumerate(plan.markers, start=1):
        root.append(["MARKER", str(i), number(m.start), f"{i:02d} {m.name}", "1"])
        root.append(["MARKER", str(i), number(m.end), "", "1"])
    labels: dict[str, None] = {}
    for _, made in sessions:
        labels.update(dict.fromkeys(label for label in made["files"]["stems"] if label != "click"))
    for label in labels:
        track = Element("TRACK", [], [["NAME", label.title()]])
        for (sub, made), start in zip(sessions, starts, strict=True):
            wav = made["files"]["stems"].get(label)
            if wav is None:
                continue
            path = f"{sub}/{wav}"
            seconds = _seconds(os.path.join(folder, path), made["rate"])
            trim = made["count_in_seconds"]
            track.append(Element("ITEM", [], [
                ["POSITION", number(start)], ["LENGTH", number(seconds - trim)],
                ["LOOP", "0"], ["SOFFS", number(trim)], ["NAME", f"{made['title']}: {label}"],
                Element("SOURCE", ["WAVE"], [["FILE", path]])]))
        root.append(track)
    name = "album.rpp"
    if "reaper" in daws:
        write_atomic(os.path.join(folder, name), project_text(root))
    return {"reaper": name if "reaper" in daws else None, "starts": starts, "lengths": lengths, "gaps": gaps[:-1],
            "plan": plan}


def _length(folder: str, sub: str, made: dict[str, Any]) -> float:
    """A song's length in the album: its stems after the count-in (release tail included), or
    the song itself when there is no audio."""
    stems = made["files"]["stems"]
    if not stems:
        return float(made["seconds"] - made["count_in_seconds"])
    wav = next(iter(stems.values()))
    return _seconds(os.path.join(folder, sub, wav), made["rate"]) - made["count_in_seconds"]


def _seconds(path: str, rate: int) -> float:
    import soundfile

    return float(soundfile.info(path).frames / rate)


__all__ = ["master_plan", "song_starts", "write_master_project"]
