"""The chord grid of a song as plain data: sections as written, the form as played, every bar
in time — what a page needs to draw a lead sheet and move a playhead along it.

>>> from backline.chart.parser import parse_chart
>>> g = chord_grid(parse_chart("tempo: 120\\nsection A:\\n  | C | % |\\nform: A x2\\n"))
>>> [(b["number"], b["section"], b["start_seconds"]) for b in g["bars"]]
[(0, 'A', 0.0), (1, 'A', 2.0), (2, 'A', 4.0), (3, 'A', 6.0)]
>>> g["sections"][0]["bars"][1]["repeat"], [(f["repeat"], f["repeats"]) for f in g["form"]]
(True, [(1, 2), (2, 2)])
"""

from __future__ import annotations

from .model import DYNAMICS, Bar, Ramp, Section, Song, Timeline

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any

_LEVEL_NAMES = {float(v): k for k, v in DYNAMICS.items()}


def chord_grid(song: Song, timeline: Timeline | None = None) -> dict[str, Any]:
    """The song's grid (see the module doc; the studio's API documents each field)."""
    tl = timeline or song.timeline()
    lines = song.text.splitlines()
    order = list(song.sections)
    return {
        "title": song.title, "key": str(song.key), "tempo": round(song.tempo, 3), "meter": str(song.meter),
        "style": song.style, "seconds": round(tl.seconds, 6), "beats": tl.beats,
        "sections": [_section(song.sections[name], lines) for name in order],
        "form": _form(tl),
        "bars": [_bar(tl, b) for b in tl.bars],
        "tempo_map": [{"beat": c.beat, "bpm": round(c.bpm, 4), "seconds": round(tl.seconds_at(c.beat), 6)}
                      for c in tl.tempo_map],
        "meter_changes": _changes(tl, "meter"),
        "key_changes": _changes(tl, "key"),
    }


def _section(sec: Section, lines: list[str]) -> dict[str, Any]:
    return {"name": sec.name, "line": sec.line, "like": sec.like, "directions": directions(sec),
            "bars": [_written_bar(b, lines) for b in sec.bars]}


def _written_bar(bar: Bar, lines: list[str]) -> dict[str, Any]:
    source = lines[bar.line - 1] if 0 < bar.line <= len(lines) else ""
    repeat = source[bar.column - 1: bar.column].startswith("%") if bar.column > 0 else False
    slots = []
    for s in bar.slots:
        text = "." if s.hold else (str(s.chord) if s.chord is not None else "N.C.")
        slots.append({"text": text, "hit": s.hit})
    return {"line": bar.line, "column": bar.column, "repeat": repeat, "slots": slots}


def _level(value: float) -> str:
    return _LEVEL_NAMES.get(value, f"{value:g}")


def _ramp(r: Ramp, name: Any) -> str:
    return name(r.start) if r.start == r.end else f"{name(r.start)} -> {name(r.end)}"


def directions(sec: Section) -> dict[str, Any]:
    """The directives a section carries, as a musician would write them (only those it has).

    >>> from backline.chart.parser import parse_chart
    >>> s = parse_chart("section A:\\n  dynamics: p -> f\\n  tacet: guitar\\n  | C |\\n")
    >>> directions(s.sections["A"])
    {'dynamics': 'p -> f', 'tacet': ['guitar']}
    """
    out: dict[str, Any] = {}
    if sec.dynamics:
        out["dynamics"] = _ramp(sec.dynamics, _level)
    if sec.tempo:
        out["tempo"] = _ramp(sec.tempo, lambda v: f"{v:g}")
    if sec.meter:
        out["time"] = str(sec.meter)
    if sec.key:
        out["key"] = str(sec.key)
    if sec.transpose:
        out["transpose"] = sec.transpose
    if sec.style:
        out["style"] = sec.style
    if sec.feel:
        out["feel"] = sec.feel + (f" {sec.swing:g}" if sec.feel == "swing" and sec.swing is not None else "")
    if sec.players is not None:
        out["only"] = list(sec.players)
    if sec.tacet:
        out["tacet"] = list(sec.tacet)
    if sec.riffs:
        out["riffs"] = [f"{r.riff} on {' '.join(r.instruments)}" for r in sec.riffs]
    if sec.solo:
        out["solo"] = sec.solo
    if sec.melody is not None:
        out["melody"] = True
    return out


def _form(tl: Timeline) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    spans = tl.sections
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1].name == spans[i].name:
            j += 1
        for k in range(i, j + 1):
            s = spans[k]
            end = tl.bars[s.first_bar + s.bar_count - 1] if s.bar_count else None
            out.append({"section": s.name, "first_bar": s.first_bar, "bar_count": s.bar_count,
                        "start_beat": s.start_beat, "start_seconds": round(s.start_seconds, 6),
                        "end_seconds": round(end.start_seconds + end.seconds, 6) if end else
                        round(s.start_seconds, 6),
                        "repeat": k - i + 1, "repeats": j - i + 1})
        i = j + 1
    return out


def _bar(tl: Timeline, b: Any) -> dict[str, Any]:
    return {"number": b.number, "occurrence": b.span, "section": tl.sections[b.span].name,
            "bar_in_section": b.bar_in_section, "start_beat": b.start_beat, "beats": b.length,
            "start_seconds": round(b.start_seconds, 6), "seconds": round(b.seconds, 6),
            "meter": str(b.meter), "tempo": round(b.tempo, 4), "key": str(b.key),
            "chords": [{"beat": c.beat, "beats": c.length, "symbol": str(c.chord) if c.chord is not None else None,
                        "hit": c.hit, "stop": c.stop} for c in b.chords]}


def _changes(tl: Timeline, field: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    last = None
    for b in tl.bars:
        value = str(getattr(b, field))
        if value != last:
            out.append({"bar": b.number, field: value})
            last = value
    return out
