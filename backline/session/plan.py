"""A DAW session laid out in time: what every project writer (Reaper, DAWproject) places where.

Times are seconds and quarter notes from the session's start, which is the count-in's first
beat; the song starts after ``count_in_bars`` bars of the first tempo and meter, exactly as in
the MIDI file and the stems (``backline.midi``, ``backline.audio``), so a marker, a tempo point
and a stem's first note agree to the sample.

>>> import backline
>>> song = backline.loads("tempo: 120\\nsection A:\\n  | C | G |\\nsection B:\\n  time: 3/4\\n  | F |\\n")
>>> p = session_plan(backline.perform(song), count_in=1)
>>> [(m.name, m.start) for m in p.markers]
[('Count-in', 0.0), ('A', 2.0), ('B', 6.0)]
>>> [(t.seconds, t.bpm, str(t.meter)) for t in p.tempo]
[(0.0, 120.0, '4/4'), (6.0, 120.0, '3/4')]
"""

from __future__ import annotations

from ..model import Meter

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import NamedTuple

    from ..players.band import Performance
else:
    from ..records import NamedTuple

COUNT_IN_NAME = "Count-in"


class TempoPoint(NamedTuple):
    """A tempo (quarter notes a minute) from ``seconds`` on; ``meter`` where a meter starts."""

    seconds: float
    beat: float
    bpm: float
    meter: Meter | None = None


class Marker(NamedTuple):
    """A section occurrence (or the count-in) as a region from ``start`` to ``end``."""

    name: str
    start: float
    end: float
    beat: float
    end_beat: float


class Plan(NamedTuple):
    """Where everything of one song goes in a session."""

    title: str
    tempo: list[TempoPoint]
    markers: list[Marker]
    count_in_bars: int
    count_in_seconds: float
    count_in_beats: float
    song_seconds: float  # without the count-in
    end_seconds: float  # count-in plus song
    end_beats: float
    first_meter: Meter

    def seconds_at(self, beat: float) -> float:
        """Seconds from the session's start to a position in quarter notes."""
        k = 0
        for i, point in enumerate(self.tempo):
            if point.beat <= beat:
                k = i
        point = self.tempo[k]
        return point.seconds + (beat - point.beat) * 60.0 / point.bpm


def session_plan(perf: Performance, count_in: int = 1) -> Plan:
    """Tempo points, meter changes and markers of a performance, with ``count_in`` bars first."""
    tl = perf.timeline
    first = tl.bars[0].meter if tl.bars else perf.song.meter
    first_us = tl.tempo_map[0].us_per_quarter if tl.tempo_map else round(60e6 / 120)
    ci_beats = count_in * first.bar_beats
    ci_seconds = ci_beats * first_us / 1e6
    meters: dict[float, Meter] = {}
    last: Meter | None = None
    for bar in tl.bars:
        if bar.meter != last:
            meters[bar.start_beat] = last = bar.meter
    points: dict[float, TempoPoint] = {}
    if count_in:
        points[0.0] = TempoPoint(0.0, 0.0, 60e6 / first_us, first)
    for change in tl.tempo_map:
        beat = ci_beats + change.beat
        points[beat] = TempoPoint(ci_seconds + tl.seconds_at(change.beat), beat, 60e6 / change.us_per_quarter)
    for at, meter in meters.items():
        beat = ci_beats + at
        base = points.get(beat) or _point_at(points, beat, ci_seconds + tl.seconds_at(at))
        points[beat] = base._replace(meter=meter)
    tempo = [points[b] for b in sorted(points)]
    if count_in and len(tempo) > 1 and tempo[1].bpm == tempo[0].bpm and tempo[1].meter in (None, first):
        tempo.pop(1)  # the song goes on at the count-in's tempo and meter: one point says it
    markers = [Marker(COUNT_IN_NAME, 0.0, ci_seconds, 0.0, ci_beats)] if count_in else []
    for span in tl.sections:
        end_seconds = tl.seconds_at(span.end_beat)
        markers.append(Marker(span.name, ci_seconds + span.start_seconds, ci_seconds + end_seconds,
                              ci_beats + span.start_beat, ci_beats + span.end_beat))
    return Plan(perf.song.title, tempo, markers, count_in, ci_seconds, ci_beats, tl.seconds,
                ci_seconds + tl.seconds, ci_beats + tl.beats, first)


def _point_at(points: dict[float, TempoPoint], beat: float, seconds: float) -> TempoPoint:
    """A point repeating the tempo in force at ``beat`` (for a meter change without a tempo change)."""
    before = max(b for b in points if b <= beat)
    return TempoPoint(seconds, beat, points[before].bpm)


def tempo_map_text(plan: Plan, rate: int) -> str:
    """The tempo map as a table a person (or another DAW's user) can type in.

    >>> import backline
    >>> song = backline.loads("tempo: 90\\nsection A:\\n  tempo: 90 -> 92\\n  | C |\\n")
    >>> print("\\n".join(tempo_map_text(session_plan(backline.perform(song), 0), 44100).splitlines()[4:6]))
              0.000000           0  bar 1 beat 1         90.000  4/4
              0.666667       29400  bar 1 beat 2         90.667
    """
    lines = [f"# {plan.title}: tempo map and sections",
             f"# seconds and samples at {rate} Hz from the session start (bar 1 of the count-in);",
             "# tempo in quarter notes a minute; a ramp is written as the steps it is played in (one a pulse)",
             f"#{'seconds':>17} {'sample':>11}  {'position':<12} {'bpm':>14}  meter"]
    bars = _bar_positions(plan)
    for p in plan.tempo:
        lines.append(f"{p.seconds:18.6f} {round(p.seconds * rate):11d}  {_where(bars, p.beat):<12} "
                     f"{p.bpm:14.3f}  {p.meter or ''}".rstrip())
    lines += ["", "# sections", f"#{'seconds':>17} {'sample':>11}  {'position':<12} {'until':>14}  name"]
    for m in plan.markers:
        lines.append(f"{m.start:18.6f} {round(m.start * rate):11d}  {_where(bars, m.beat):<12} {m.end:14.6f}  {m.name}")
    return "\n".join(lines) + "\n"


def _bar_positions(plan: Plan) -> list[tuple[float, Meter]]:
    """(start beat, meter) of each meter's stretch, for bar and beat numbers."""
    out, meter = [], plan.first_meter
    for p in plan.tempo:
        if p.meter is not None:
            meter = p.meter
            out.append((p.beat, meter))
    return out or [(0.0, meter)]


def _where(stretches: list[tuple[float, Meter]], beat: float) -> str:
    bar = 1
    for i, (start, meter) in enumerate(stretches):
        end = stretches[i + 1][0] if i + 1 < len(stretches) else None
        if end is not None and beat >= end:
            bar += round((end - start) / meter.bar_beats)
            continue
        bars, rest = divmod(beat - start, meter.bar_beats)
        return f"bar {bar + int(bars)} beat {rest / meter.pulse_beats + 1:g}"
    return f"bar {bar}"
