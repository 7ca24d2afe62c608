"""The pictures show the take: a note stroke per note, a shaded bar per bar played, sections and
hits where they are; and an unchanged take is never drawn twice."""

from __future__ import annotations

import io
import math
import os
import time
from typing import Any

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import to_rgb

import backline
from backline import plot
from backline.model import seconds_at
from backline.performance import Performance
from backline.players.band import perform
from tests.conftest import SHARED, needs_shared


def load(name: str) -> backline.model.Song:
    return backline.load(os.path.join(SHARED, name))


def gid(ax: Any, name: str) -> Any:
    found = [c for c in ax.collections if c.get_gid() == name]
    assert len(found) == 1, (name, [c.get_gid() for c in ax.collections])
    return found[0]


def strokes(collection: Any) -> list[tuple[tuple[float, float], tuple[float, float], tuple[float, ...]]]:
    """Each stroke of a collection of MOVETO/LINETO paths: its two ends and its colour."""
    out = []
    for path, color in zip(collection.get_paths(), collection.get_edgecolor(), strict=True):
        for a, b in path.vertices.reshape(-1, 2, 2):
            out.append(((float(a[0]), float(a[1])), (float(b[0]), float(b[1])), tuple(color)))
    return out


def bars_played(perf: Performance, instrument: str) -> list[int]:
    """The bars in which an instrument has a note sounding (worked out here from the notes)."""
    track = perf.track(instrument)
    played = []
    for bar in perf.timeline.bars:
        start, end = bar.start_beat, bar.start_beat + bar.length
        if track is not None and any(n.start < end - 1e-6 and n.start + n.length > start + 1e-6
                                     for n in track.notes):
            played.append(bar.number)
    return played


def rgb(png: bytes) -> Any:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


@needs_shared
@pytest.mark.parametrize("chart", ["stone-stair.chart", "sevens.chart"])
def test_piano_roll_has_a_stroke_per_note_where_the_note_sounds(chart: str) -> None:
    perf = perform(load(chart), seed=3, risk=0.5)
    tl = perf.timeline
    fig = plot.figure_of(plot.roll_data(perf))
    tracks = [t for t in perf.tracks if t.notes]
    assert sorted(ax.get_ylabel() for ax in fig.axes) == sorted(t.name for t in tracks)
    assert [ax.get_ylabel() for ax in fig.axes][-2:] == ["Bass", "Drums"]
    for ax in fig.axes:
        track = next(t for t in tracks if t.name == ax.get_ylabel())
        drawn = strokes(gid(ax, "notes"))
        assert len(drawn) == len(track.notes), track.name
        color = plot.COLORS[track.instrument]
        expected = sorted((seconds_at(tl.tempo_map, n.start), n.pitch, 0.35 + 0.65 * n.velocity / 127)
                          for n in track.notes)
        assert np.allclose(sorted((a[0], a[1], c[3]) for a, _, c in drawn), expected)
        for a, b, c in drawn:
            assert a[1] == b[1] and b[0] - a[0] >= 0.03 - 1e-9  # horizontal, and never too short to see
            assert c[:3] == pytest.approx(to_rgb(color))
        low, high = ax.get_ylim()
        assert low == min(n.pitch for n in track.notes) - 2 and high == max(n.pitch for n in track.notes) + 2
        assert [a[0] for a, _, _ in strokes(gid(ax, "bars"))] == pytest.approx([b.start_seconds for b in tl.bars])
        assert [a[0] for a, _, _ in strokes(gid(ax, "sections"))] == pytest.approx(
            [s.start_seconds for s in tl.sections])
    top = fig.axes[0]
    assert [t.get_text() for t in top.texts] == [s.name for s in tl.sections]
    assert [t.get_position()[0] for t in top.texts] == pytest.approx([s.start_seconds + 0.2 for s in tl.sections])
    assert fig.axes[-1].get_xlim() == pytest.approx((0, tl.seconds))
    assert f"seed 3, risk 0.5, {perf.styles[0]}" in fig.texts[0].get_text()


@needs_shared
def test_arrangement_map_shades_the_bars_each_instrument_plays() -> None:
    perf = perform(load("stone-stair.chart"))
    tl = perf.timeline
    fig = plot.figure_of(plot.map_data(perf))
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == ["Solo", "Pad", "Guitar", "Keys", "Bass", "Drums"]
    cmap = colormaps[plot.DYN_CMAP]
    for row, name in enumerate(names):
        y = len(names) - 1 - row
        bars = gid(ax, name.lower())
        played = bars_played(perf, name.lower())
        rects = [p.vertices for p in bars.get_paths()]
        assert len(rects) == len(played), name
        for verts, number, face in zip(rects, played, bars.get_facecolor(), strict=True):
            bar = tl.bars[number]
            assert verts[:, 0].min() == pytest.approx(bar.start_seconds)
            assert verts[:, 0].max() == pytest.approx(bar.start_seconds + bar.seconds)
            assert (verts[:, 1].min(), verts[:, 1].max()) == pytest.approx((y + 0.1, y + 0.9))
            level = (bar.level + bar.level_end) / 2
            assert tuple(face) == pytest.approx(cmap(0.15 + 0.8 * min(1.0, max(0.0, level - 20) / 105)))
    solo = next(s for s in tl.sections if s.name == "Solo")
    solo_bars = set(range(solo.first_bar, solo.first_bar + solo.bar_count))
    assert set(bars_played(perf, "solo")) <= solo_bars  # the solo row lies inside the solo section only
    assert len(strokes(gid(ax, "hits"))) == sum(len(b.hits) for b in tl.bars) == 3
    assert [t.get_text() for t in ax.texts if t.get_text() == "!"] == ["!"] * 3
    labels = [t for t in ax.texts if t.get_text().split("\n")[0] in {s.name for s in tl.sections}]
    assert [t.get_text().split("\n")[0] for t in labels] == [s.name for s in tl.sections]
    assert "solo: guitar" in next(t.get_text() for t in labels if t.get_text().startswith("Solo"))
    assert [a[0] for a, _, _ in strokes(gid(ax, "sections"))] == pytest.approx([s.start_seconds for s in tl.sections])
    riffs = [t.get_position() for t in ax.texts if t.get_text() == "riff"]
    assert np.allclose(sorted(riffs), [(0.3, 1.5), (0.3, 3.5)])  # the intro's riff, on guitar and bass


@needs_shared
def test_arrangement_map_pixels_show_the_shades_and_the_silence() -> None:
    perf = perform(load("stone-stair.chart"))
    data = plot.map_data(perf)
    fig = plot.figure_of(data)
    png = plot.picture_png(data)
    image = rgb(png)
    assert image.shape == (int(fig.bbox.height), 1600, 3)
    ax = fig.axes[0]
    bars = gid(ax, "drums")
    height = image.shape[0]

    def pixel(x: float, y: float) -> Any:
        px, py = ax.transData.transform((x, y))
        return image[height - int(py) - 1, int(px)]

    for verts, face in list(zip((p.vertices for p in bars.get_paths()), bars.get_facecolor(), strict=True))[5:9]:
        middle = (verts[:, 0].min() + verts[:, 0].max()) / 2
        assert pixel(middle, 0.5) == pytest.approx(np.round(np.array(face[:3]) * 255), abs=2)
    intro = perf.timeline.sections[0]
    assert tuple(pixel(intro.start_seconds + 3.0, 5.5)) == (255, 255, 255)  # the solo row, silent in the intro


def test_album_flow_chart_has_a_bar_and_a_point_per_track() -> None:
    report = {"title": "T", "seconds": 400.0,
              "tracks": [{"title": "A", "key": "C major", "tempo": 120, "meter": "4/4", "energy": 0.8},
                         {"title": "B", "key": "A minor", "tempo": 84, "meter": "6/8", "energy": 0.3},
                         {"title": "C", "key": "E major", "tempo": 140.5, "meter": "7/8", "energy": 0.55}],
              "transitions": [{"from": 1, "key_steps": 0, "tempo_change": -36.0},
                              {"from": 2, "key_steps": 4, "tempo_change": 56.5}]}
    fig = plot.figure_of(plot.flow_data(report))
    ax, energy_ax = fig.axes
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [1, 2, 3] and list(line.get_ydata()) == [120, 84, 140.5]
    energy = gid(energy_ax, "energy")
    assert [p.vertices[:, 1].max() for p in energy.get_paths()] == pytest.approx([0.8, 0.3, 0.55])
    assert [(p.vertices[:, 0].min() + p.vertices[:, 0].max()) / 2 for p in energy.get_paths()] == pytest.approx(
        [1, 2, 3])
    texts = [t.get_text() for t in ax.texts]
    assert "A minor\n84 bpm · 6/8" in texts and "same key signature\n-36 bpm" in texts
    assert "keys 4 fifths apart\n+56.5 bpm" in texts
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1. A", "2. B", "3. C"]


def test_an_unchanged_take_is_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    song = backline.loads("title: Once\nstyle: rock\nsection A:\n  | C | Am | F | G |\n")
    drawn: list[object] = []
    real = plot.figure_of
    monkeypatch.setattr(plot, "figure_of", lambda data, width=1600: drawn.append(data) or real(data, width))
    first = plot.piano_roll_png(perform(song, seed=1, risk=0.5), width=900)
    again = plot.piano_roll_png(perform(song, seed=1, risk=0.5), width=900)  # a new, equal take
    assert again == first and len(drawn) == 1
    other = plot.piano_roll_png(perform(song, seed=2, risk=0.5), width=900)
    assert len(drawn) == 2 and other != first
    plot.arrangement_png(perform(song, seed=1, risk=0.5), width=900)
    plot.arrangement_png(perform(song, seed=2, risk=0.5), width=900)  # what a map shows does not change
    assert len(drawn) == 3
    plot.arrangement_png(perform(song, seed=1, risk=0.5), width=901)
    assert len(drawn) == 4


def test_the_key_sees_one_note_change() -> None:
    data = plot.roll_data(perform(backline.loads("title: K\nsection A:\n  | C | G |\n")))
    notes = data.lanes[0].notes.copy()
    notes[0, 3] -= 1  # one note a little softer
    softer = data._replace(lanes=(data.lanes[0]._replace(notes=notes), *data.lanes[1:]))
    assert plot.picture_key(softer, 1600) != plot.picture_key(data, 1600)
    assert plot.picture_key(data._replace(lanes=data.lanes), 1600) == plot.picture_key(data, 1600)


@pytest.mark.parametrize("width", [math.nan, math.inf, -1, 0, 319, 4001, 10**9, True, "800", 800.0])
def test_hostile_widths_are_refused(width: Any) -> None:
    data = plot.flow_data({"title": "X", "seconds": 1.0, "transitions": [],
                           "tracks": [{"title": "A", "key": "C major", "tempo": 1, "meter": "4/4", "energy": 0}]})
    with pytest.raises(ValueError, match="pixels wide"):
        plot.picture_png(data, width)


def test_memory_cache_stays_within_its_bounds() -> None:
    cache = plot.MemoryCache(items=3, max_bytes=10)
    for i in range(6):
        cache.put(f"k{i}", b"x" * 3)
        assert len(cache) <= 3 and cache.size <= 10
    assert [cache.get(f"k{i}") for i in range(6)] == [None, None, None, b"xxx", b"xxx", b"xxx"]
    cache.put("big", b"x" * 11)  # larger than the whole cache: not kept, nothing evicted for it
    assert cache.get("big") is None and len(cache) == 3


def test_disk_cache_keeps_the_recently_used_within_its_bounds(tmp_path: Any) -> None:
    cache = plot.DiskCache(str(tmp_path), max_bytes=3000)
    keys = [f"{i:064x}" for i in range(5)]
    for i, key in enumerate(keys):
        cache.put(key, bytes([i]) * 1000)
        os.utime(cache.path_of(key), (i, i))  # distinct ages, whatever the clock
    assert sorted(os.listdir(str(tmp_path))) == sorted(os.path.basename(cache.path_of(k)) for k in keys[2:])
    assert cache.get(keys[2]) == bytes([2]) * 1000  # used now: the newest
    cache.put(f"{9:064x}", b"\x09" * 1000)
    assert cache.get(keys[3]) is None and cache.get(keys[2]) is not None
    with pytest.raises(ValueError):
        cache.get("../../etc/passwd")


def test_pictures_written_through_the_disk_cache(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = os.path.join(str(tmp_path), "cache")
    monkeypatch.setenv(plot.CACHE_ENV, folder)
    perf = perform(backline.loads("title: Disk\nsection A:\n  | C | F | G | C |\n"), seed=4, risk=0.3)
    drawn: list[object] = []
    real = plot.figure_of
    monkeypatch.setattr(plot, "figure_of", lambda data, width=1600: drawn.append(data) or real(data, width))
    one = plot.piano_roll(perf, os.path.join(str(tmp_path), "one.png"), width=700)
    plot.MEMORY.clear()  # as a new process would start
    two = plot.piano_roll(perf, os.path.join(str(tmp_path), "two.png"), width=700)
    assert len(drawn) == 1 and len(os.listdir(folder)) == 1
    with open(one, "rb") as a, open(two, "rb") as b:
        assert a.read() == b.read() == plot.piano_roll_png(perf, 700)
    monkeypatch.setenv(plot.CACHE_ENV, "off")
    plot.MEMORY.clear()
    plot.piano_roll(perf, os.path.join(str(tmp_path), "three.png"), width=700)
    assert len(drawn) == 2 and len(os.listdir(folder)) == 1


def test_a_cached_picture_comes_back_far_faster_than_a_drawing() -> None:
    perf = perform(backline.loads("title: Fast\nstyle: rock\nsection A:\n  | C | Am | F | G |\nform: A x8\n"))
    plot.MEMORY.clear()
    start = time.perf_counter()
    plot.arrangement_png(perf)
    drawing = time.perf_counter() - start
    start = time.perf_counter()
    plot.arrangement_png(perf)
    cached = time.perf_counter() - start
    assert cached < drawing / 5, (cached, drawing)


def test_pictures_in_the_format_their_file_names(tmp_path: Any) -> None:
    perf = perform(backline.loads("title: Formats\nsection A:\n  | C | G |\n"))
    eps = plot.arrangement_map(perf, os.path.join(str(tmp_path), "map.eps"))
    svg = plot.arrangement_map(perf, os.path.join(str(tmp_path), "map.svg"))
    png = plot.arrangement_map(perf, os.path.join(str(tmp_path), "map.png"))
    with open(eps, "rb") as e, open(svg, encoding="utf-8") as v, open(png, "rb") as p:
        assert e.read().startswith(b"%!PS-Adobe")
        assert "Formats — arrangement" in v.read()
        assert p.read() == plot.arrangement_png(perf)
    with pytest.raises(ValueError, match="png, eps, pdf, svg"):
        plot.arrangement_map(perf, os.path.join(str(tmp_path), "map.gif"))
    assert not os.path.exists(os.path.join(str(tmp_path), "map.gif"))
