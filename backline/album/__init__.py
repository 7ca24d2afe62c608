"""The album: a TOML track list, rendered track by track (in parallel), then sequenced.

>>> import os, tempfile
>>> d = tempfile.mkdtemp()
>>> _ = open(os.path.join(d, "a.chart"), "w").write("title: A\\nsection S:\\n  | C |\\n")
>>> _ = open(os.path.join(d, "album.toml"), "w").write('title = "X"\\n[[track]]\\nchart = "a.chart"\\n')
>>> album = load_album(os.path.join(d, "album.toml")); album.title, len(album.tracks)
('X', 1)
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

TRACK_KEYS = ("chart", "seed", "risk", "style", "transpose", "tempo", "gap_seconds", "title")
ALBUM_KEYS = ("title", "artist", "gap_seconds", "track", "seed", "risk")
MAX_TRACKS = 100


class AlbumError(ValueError):
    """A problem in an album file: ``path: key: message``."""


class Track(NamedTuple):
    chart: str  # absolute path
    seed: int = 0
    risk: float = 0.0
    style: str | None = None
    transpose: int = 0
    tempo: float | None = None  # a factor (from "90%") or None
    tempo_bpm: float | None = None  # an absolute tempo
    gap_seconds: float | None = None


class Album(NamedTuple):
    path: str
    title: str
    artist: str
    gap_seconds: float
    tracks: list[Track]


def _fail(path: str, key: str, message: str) -> AlbumError:
    return AlbumError(f"{path}: {key}: {message}")


def load_album(path: str) -> Album:
    """Read and check an album file; chart paths are relative to it."""
    from ..files import read_toml

    try:
        data = read_toml(path)
    except ValueError as e:
        raise AlbumError(str(e)) from None
    for key in data:
        if key not in ALBUM_KEYS:
            from ..chart.errors import did_you_mean

            raise _fail(path, _key(key), f"unknown key: {did_you_mean(key, ALBUM_KEYS)}")
    gap = _value(path, "gap_seconds", "gap_seconds", data.get("gap_seconds", 2.0))
    tracks_data = data.get("track")
    if not isinstance(tracks_data, list) or not tracks_data:
        raise _fail(path, "track", "an album needs [[track]] entries, each with chart = \"song.chart\"")
    if len(tracks_data) > MAX_TRACKS:
        raise _fail(path, "track", f"{len(tracks_data):,} tracks; an album holds at most {MAX_TRACKS}")
    folder = os.path.dirname(os.path.abspath(path))
    tracks = [_track(path, folder, i, t, data) for i, t in enumerate(tracks_data, start=1)]
    return Album(path, _text(path, "title", data.get("title", "Untitled album")),
                 _text(path, "artist", data.get("artist", "")), gap, tracks)


def _key(key: str) -> str:
    """A key as a one-line message shows it: plain names as they are, others quoted and clipped."""
    plain = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if plain and len(key) <= 40 else repr(key)[:40]


def _text(path: str, key: str, value: Any) -> str:
    """A title or name: text on one line (a CUE sheet and a report quote it)."""
    if not isinstance(value, str):
        raise _fail(path, key, f"expected text in quotes, not {repr(value)[:40]}")
    if len(value) > 200 or any(ch in value for ch in "\n\r\0"):
        raise _fail(path, key, "give one line of at most 200 characters")
    return value


def _value(path: str, key: str, option: str, value: Any) -> Any:
    """``value`` read as every edge reads ``option`` (backline.checks), or ``AlbumError`` at ``key``."""
    from ..checks import BadValue, check

    try:
        return check(option, value)
    except BadValue as e:
        raise _fail(path, key, e.message) from None


def _track(path: str, folder: str, number: int, t: Any, album: dict[str, Any]) -> Track:
    from ..files import InputError, regular_file

    where = f"track[{number}]"
    if not isinstance(t, dict):
        raise _fail(path, where, "expected a table with chart = \"…\"")
    for key in t:
        if key not in TRACK_KEYS:
            from ..chart.errors import did_you_mean

            raise _fail(path, f"{where}.{_key(key)}", f"unknown key: {did_you_mean(key, TRACK_KEYS)}")
    chart = t.get("chart")
    if not isinstance(chart, str) or not chart:
        raise _fail(path, f"{where}.chart", "missing: give the chart's path, relative to the album file")
    full = chart if os.path.isabs(chart) else os.path.join(folder, chart)
    if not os.path.exists(full):
        raise _fail(path, f"{where}.chart", f"no such file {chart[:100]!r}")
    try:
        regular_file(full)
    except InputError as e:
        raise _fail(path, f"{where}.chart", str(e)) from None
    seed = _value(path, f"{where}.seed" if "seed" in t else "seed", "seed", t.get("seed", album.get("seed", 0)))
    risk = _value(path, f"{where}.risk" if "risk" in t else "risk", "risk", t.get("risk", album.get("risk", 0.0)))
    transpose = _value(path, f"{where}.transpose", "transpose", t.get("transpose", 0))
    style = t.get("style")
    if style is not None:
        from ..styles import style_names

        if style not in style_names():
            from ..chart.errors import did_you_mean

            raise _fail(path, f"{where}.style", f"unknown style {style!r}: {did_you_mean(str(style), style_names())}")
    tempo = t.get("tempo")
    factor, bpm = _value(path, f"{where}.tempo", "tempo", tempo) if tempo is not None else (None, None)
    gap = t.get("gap_seconds")
    return Track(full, seed, risk, style, transpose, factor, bpm,
                 _value(path, f"{where}.gap_seconds", "gap_seconds", gap) if gap is not None else None)
