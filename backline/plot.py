"""Pictures of a take and of an album: the piano roll, the arrangement map, the album's flow chart.

A picture is made in two steps: the plain data it shows is taken from the take
(:func:`roll_data`, :func:`map_data`, :func:`flow_data`), then matplotlib draws only that
data, with one collection per lane (measured: an artist per note, bar and bar line made the
shared album's 13 pictures cost 11–13 s of CPU). The PNG is cached under the SHA-256 of that
data (:func:`picture_key`), so an unchanged take is never drawn twice: in a bounded in-memory
LRU (:data:`MEMORY`, for the studio) and, where writing is legitimate (the CLI, albums), in a
bounded folder (:func:`disk_cache`).

>>> import backline
>>> from backline.players.band import perform
>>> perf = perform(backline.loads("title: T\\nsection A:\\n  | C | G |\\n"))
>>> png = arrangement_png(perf); png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> arrangement_png(perf) is png  # the same take again: the cached picture, not a new drawing
True
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, TypeVar

if TYPE_CHECKING:
    from .model import TempoChange
    from .performance import Performance

COLORS = {"drums": "#7f7f7f", "bass": "#1f77b4", "keys": "#2ca02c", "guitar": "#d62728", "pad": "#9467bd",
          "melody": "#ff7f0e", "solo": "#e377c2"}
ROWS = ("solo", "melody", "pad", "guitar", "keys", "bass", "drums")
MAP_ALWAYS = ("drums", "bass", "keys", "guitar", "pad")  # rows of the map even when silent
DYN_CMAP = "YlOrRd"
WIDTHS = (320, 4000)  # the pixel widths a picture may have
FORMATS = ("png", "eps", "pdf", "svg")
CACHE_ENV = "BACKLINE_CACHE_DIR"  # the disk cache's folder, or "off"
Target = TypeVar("Target", str, BinaryIO)  # a file's path, or a binary file object
SUFFIX = ".picture"  # a cached picture's file: its key and this (the key names its format)


class Lane(NamedTuple):
    """One instrument of a piano roll."""

    name: str
    color: str
    notes: Any  # float array, a row a note: start and end (seconds), pitch, velocity


class RollData(NamedTuple):
    """What a piano roll shows."""

    title: str
    lanes: tuple[Lane, ...]
    sections: tuple[tuple[str, float], ...]  # name, start (seconds)
    bars: tuple[float, ...]  # every bar's start (seconds)
    seconds: float


class MapRow(NamedTuple):
    """One instrument of an arrangement map."""

    name: str
    bars: tuple[tuple[float, float, float], ...]  # start, length (seconds), shade (0–1) of each bar it plays in
    riffs: tuple[float, ...]  # where a "riff" label goes (seconds)


class MapData(NamedTuple):
    """What an arrangement map shows."""

    title: str
    rows: tuple[MapRow, ...]  # top to bottom
    hits: tuple[float, ...]  # seconds
    sections: tuple[tuple[str, float], ...]  # label, start (seconds)
    seconds: float
    tempo: tuple[tuple[float, ...], tuple[float, ...]]  # a step line: times, tempos


class FlowData(NamedTuple):
    """What an album's flow chart shows."""

    title: str
    tracks: tuple[tuple[str, str, float, str, float], ...]  # title, key, tempo, meter, energy
    transitions: tuple[tuple[int, int, float], ...]  # from (track number), key steps, tempo change
    seconds: float


# ---------------------------------------------------------------- the data a picture shows


def roll_data(perf: Performance) -> RollData:
    """A take's notes in seconds, one lane per instrument (top to bottom), and its bars and sections.

    >>> import backline
    >>> from backline.players.band import perform
    >>> d = roll_data(perform(backline.loads("style: rock\\nsection A:\\n  | C | G |\\n")))
    >>> [lane.name for lane in d.lanes], d.sections, d.bars
    (['Guitar', 'Keys', 'Bass', 'Drums'], (('A', 0.0),), (0.0, 2.0))
    """
    import numpy as np

    tl = perf.timeline
    tracks = sorted((t for t in perf.tracks if t.notes),
                    key=lambda t: ROWS.index(t.instrument) if t.instrument in ROWS else 0)
    to_sec = _seconds(tl.tempo_map)
    lanes = []
    for track in tracks:
        notes = np.array([n[:4] for n in track.notes], dtype=float)  # start, length, pitch, velocity (beats)
        start = to_sec(notes[:, 0])
        end = start + np.maximum(0.03, to_sec(notes[:, 0] + notes[:, 1]) - start)  # a visible stroke
        lanes.append(Lane(track.name, COLORS.get(track.instrument, "#333333"),
                          np.column_stack([start, end, notes[:, 2], notes[:, 3]])))
    title = f"{perf.song.title} — piano roll (seed {perf.seed}, risk {perf.risk:g}, {', '.join(perf.styles)})"
    return RollData(title, tuple(lanes), tuple((s.name, s.start_seconds) for s in tl.sections),
                    tuple(b.start_seconds for b in tl.bars), tl.seconds)


def _seconds(tempo_map: list[TempoChange]) -> Callable[[Any], Any]:
    """``model.seconds_at`` for a whole array of beats at once (stepwise tempo: linear between changes)."""
    import numpy as np

    beats = np.array([c.beat for c in tempo_map] or [0.0], dtype=float)
    rates = np.array([c.us_per_quarter / 1e6 for c in tempo_map] or [0.5], dtype=float)
    starts = np.concatenate([[0.0], np.cumsum(np.diff(beats) * rates[:-1])])

    def convert(at: Any) -> Any:
        i = np.maximum(np.searchsorted(beats, at, side="right") - 1, 0)
        return starts[i] + (at - beats[i]) * rates[i]

    return convert


def map_data(perf: Performance) -> MapData:
    """Instruments as rows of bars shaded by dynamics, riff labels, hits, section labels and the tempo.

    >>> import backline
    >>> from backline.players.band import perform
    >>> d = map_data(perform(backline.loads("tempo: 120\\nsection A:\\n  | C | G! |\\n")))
    >>> [r.name for r in d.rows], d.hits, d.sections, d.tempo
    (['pad', 'guitar', 'keys', 'bass', 'drums'], (2.0,), (('A', 0.0),), ((0.0, 2.0, 4.0), (120.0, 120.0, 120.0)))
    """
    tl = perf.timeline
    song = perf.song
    used = [r for r in ROWS if r in MAP_ALWAYS or perf.track(r) is not None]
    sounding = _sounding_bars(perf)
    bars: dict[str, list[tuple[float, float, float]]] = {name: [] for name in used}
    riffs: dict[str, list[float]] = {name: [] for name in used}
    hits = []
    for bar in tl.bars:
        riff_players = {i for u in tl.sections[bar.span].section.riffs for i in u.instruments}
        shade = 0.15 + 0.8 * min(1.0, max(0.0, (bar.level + bar.level_end) / 2 - 20) / 105)
        for name in used:
            if bar.number in sounding.get(name, ()):
                bars[name].append((bar.start_seconds, bar.seconds, shade))
                if name in riff_players and bar.bar_in_section == 0:
                    riffs[name].append(bar.start_seconds + 0.3)
        hits += [tl.seconds_at(bar.start_beat + c.beat) for c in bar.chords if c.hit]
    sections = []
    for span in tl.sections:
        first = tl.bars[span.first_bar]
        notes = [f"solo: {span.section.solo}"] if span.section.solo else []
        if first.key != song.key:
            notes.append(str(first.key))
        if first.meter != song.meter:
            notes.append(str(first.meter))
        if first.feel:
            notes.append(first.feel)
        sections.append((span.name + ("\n" + " · ".join(notes) if notes else ""), span.start_seconds))
    times = [b.start_seconds for b in tl.bars] + [tl.seconds]
    tempos = [b.tempo for b in tl.bars] + [tl.bars[-1].tempo if tl.bars else 0]
    meters = ", ".join(dict.fromkeys(str(b.meter) for b in tl.bars))
    mins, secs = divmod(tl.seconds, 60)
    title = (f"{song.title} — arrangement   ({song.key}, {meters}, {len(tl.bars)} bars, "
             f"{int(mins)}:{secs:04.1f}, {', '.join(perf.styles)})")
    rows = tuple(MapRow(n, tuple(bars[n]), tuple(riffs[n])) for n in used)
    return MapData(title, rows, tuple(hits), tuple(sections), tl.seconds,
                   (tuple(times), tuple(float(t) for t in tempos)))


def _sounding_bars(perf: Performance) -> dict[str, set[int]]:
    """For each instrument, the bars in which it has a note (what the take really plays)."""
    import numpy as np

    starts = np.array([b.start_beat for b in perf.timeline.bars], dtype=float)
    out: dict[str, set[int]] = {}
    for track in perf.tracks:
        bars = out.setdefault(track.instrument, set())
        if not track.notes or not len(starts):
            continue
        notes = np.array([n[:2] for n in track.notes], dtype=float)  # start, length
        first = np.maximum(np.searchsorted(starts, notes[:, 0] + 1e-6, side="right") - 1, 0)
        last = np.maximum(first, np.searchsorted(starts, notes[:, 0] + notes[:, 1] - 1e-6, side="left") - 1)
        edges = np.zeros(len(starts) + 1, dtype=int)  # +1 where a note's bars begin, -1 after they end
        np.add.at(edges, first, 1)
        np.add.at(edges, np.minimum(last + 1, len(starts)), -1)
        bars.update(np.flatnonzero(np.cumsum(edges)[:-1] > 0).tolist())
    return out


def flow_data(report: dict[str, Any]) -> FlowData:
    """Tempo, key, meter and energy of each track of an album's report, and its transitions.

    >>> report = {"title": "X", "seconds": 65.0, "transitions": [],
    ...           "tracks": [{"title": "A", "key": "C major", "tempo": 120, "meter": "4/4", "energy": 0.5}]}
    >>> flow_data(report).tracks
    (('A', 'C major', 120.0, '4/4', 0.5),)
    """
    tracks = tuple((str(t["title"]), str(t["key"]), float(t["tempo"]), str(t["meter"]), float(t["energy"]))
                   for t in report["tracks"])
    transitions = tuple((int(t["from"]), int(t["key_steps"]), float(t["tempo_change"]))
                        for t in report["transitions"])
    return FlowData(str(report["title"]), tracks, transitions, float(report["seconds"]))


# ---------------------------------------------------------------- keys and caches

_CODE: list[bytes] = []  # this module's source and matplotlib's version: a new drawing code, new keys


def picture_key(data: RollData | MapData | FlowData, width: int, fmt: str = "png") -> str:
    """SHA-256 of everything a picture is drawn from: its data, its width and the drawing code.

    >>> picture_key(FlowData("X", (), (), 0.0), 800) == picture_key(FlowData("X", (), (), 0.0), 800)
    True
    >>> picture_key(FlowData("X", (), (), 0.0), 800) == picture_key(FlowData("Y", (), (), 0.0), 800)
    False
    """
    from hashlib import sha256

    if not _CODE:
        with open(__file__, "rb") as f:
            _CODE.append(f.read() + _matplotlib_version().encode())
    h = sha256(_CODE[0])
    h.update(f"{width} {fmt}".encode())
    if isinstance(data, RollData):  # the notes by their bytes (repr would elide a long array)
        h.update(repr(data._replace(lanes=tuple(lane._replace(notes=None) for lane in data.lanes))).encode())
        for lane in data.lanes:
            h.update(f"{lane.notes.dtype}{lane.notes.shape}".encode())
            h.update(lane.notes.tobytes())
    else:
        h.update(repr(data).encode())  # plain values: repr is exact (floats round-trip) and fast
    return h.hexdigest()


def _matplotlib_version() -> str:
    """matplotlib's version without importing it (~0.5 s; a cached picture needs none of it), nor
    importlib.metadata (~30–190 ms measured): its ``_version.py`` holds just that."""
    from importlib.util import find_spec

    spec = find_spec("matplotlib")
    folder = os.path.dirname(spec.origin) if spec is not None and spec.origin else ""
    try:
        with open(os.path.join(folder, "_version.py"), encoding="utf-8") as f:
            return f.read()
    except OSError:
        from importlib.metadata import version

        return version("matplotlib")


class MemoryCache:
    """A thread-safe LRU of PNGs by key, bounded by count and by bytes.

    >>> c = MemoryCache(items=2); c.put("a", b"1"); c.put("b", b"2"); c.get("a"); c.put("c", b"3")
    b'1'
    >>> c.get("b"), c.get("a"), len(c)
    (None, b'1', 2)
    """

    def __init__(self, items: int = 64, max_bytes: int = 64 << 20) -> None:
        self.items, self.max_bytes, self.size = items, max_bytes, 0
        self._pngs: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            png = self._pngs.get(key)
            if png is not None:
                self._pngs.move_to_end(key)
            return png

    def put(self, key: str, png: bytes) -> None:
        with self._lock:
            old = self._pngs.pop(key, None)
            self.size -= len(old) if old is not None else 0
            if len(png) > self.max_bytes:
                return
            self._pngs[key] = png
            self.size += len(png)
            while len(self._pngs) > self.items or self.size > self.max_bytes:
                self.size -= len(self._pngs.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._pngs.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._pngs)


MEMORY = MemoryCache()


class DiskCache:
    """PNGs by key in a folder, the least recently used removed past ``max_bytes``.

    >>> import tempfile
    >>> c = DiskCache(tempfile.mkdtemp(), max_bytes=5); c.put("a" * 64, b"123"); c.get("a" * 64)
    b'123'
    >>> c.put("b" * 64, b"456"); c.get("a" * 64), c.get("b" * 64)
    (None, b'456')
    """

    def __init__(self, folder: str, max_bytes: int = 256 << 20) -> None:
        self.folder, self.max_bytes = folder, max_bytes

    def path_of(self, key: str) -> str:
        """Where the picture of ``key`` is kept (a key is 64 hex digits, nothing else)."""
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a picture key: {key!r}")
        return os.path.join(self.folder, key + SUFFIX)

    def get(self, key: str) -> bytes | None:
        path = self.path_of(key)
        try:
            with open(path, "rb") as f:
                png = f.read()
            os.utime(path)  # recently used
        except OSError:
            return None
        return png

    def put(self, key: str, png: bytes) -> None:
        from .files import write_atomic

        os.makedirs(self.folder, exist_ok=True)
        write_atomic(self.path_of(key), png)
        self._trim()

    def _trim(self) -> None:
        files = []
        for entry in os.scandir(self.folder):
            if entry.name.endswith(SUFFIX) and len(entry.name) == 64 + len(SUFFIX):
                try:
                    st = entry.stat()
                except OSError:  # removed meanwhile by another process
                    continue
                files.append((st.st_mtime, st.st_size, entry.path))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):  # removed meanwhile by another process
                os.unlink(path)
            total -= size


def disk_cache(environ: Mapping[str, str] | None = None) -> DiskCache | None:
    """The CLI's and albums' picture cache: ``$BACKLINE_CACHE_DIR`` (``off``: none), else
    ``$XDG_CACHE_HOME/backline/pictures`` or ``~/.cache/backline/pictures``.

    >>> disk_cache({CACHE_ENV: "off"}) is None, disk_cache({"XDG_CACHE_HOME": "/c"}).folder
    (True, '/c/backline/pictures')
    """
    env = os.environ if environ is None else environ
    folder = env.get(CACHE_ENV)
    if folder == "off":
        return None
    if not folder:
        base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "backline", "pictures")
    return DiskCache(folder)


# ---------------------------------------------------------------- pictures as PNG bytes, and files


def arrangement_png(perf: Performance, width: int = 1600, disk: DiskCache | None = None) -> bytes:
    """The arrangement map as PNG bytes: from :data:`MEMORY` (or ``disk``) when this take was drawn before."""
    return picture_png(map_data(perf), width, disk)


def piano_roll_png(perf: Performance, width: int = 1600, disk: DiskCache | None = None) -> bytes:
    """The piano roll as PNG bytes (cached like :func:`arrangement_png`)."""
    return picture_png(roll_data(perf), width, disk)


def album_flow_png(report: dict[str, Any], width: int = 1600, disk: DiskCache | None = None) -> bytes:
    """The album's flow chart (from ``render_album``'s report) as PNG bytes (cached likewise)."""
    return picture_png(flow_data(report), width, disk)


def arrangement_map(perf: Performance, path: Target, width: int = 1600) -> Target:
    """Write the arrangement map to ``path`` (atomically; drawn only when not in a cache)."""
    return write_picture(map_data(perf), path, width)


def piano_roll(perf: Performance, path: Target, width: int = 1600) -> Target:
    """Write the piano roll to ``path``: one lane per instrument (pitch on each lane's own scale),
    sections marked, bars in seconds."""
    return write_picture(roll_data(perf), path, width)


def album_flow(report: dict[str, Any], path: Target, width: int = 1600) -> Target:
    """Write the album's flow chart (tempo, key and energy across the running order) to ``path``."""
    return write_picture(flow_data(report), path, width)


def write_picture(data: RollData | MapData | FlowData, path: Target, width: int = 1600) -> Target:
    """Write the picture of ``data`` to ``path`` atomically, through both caches (:func:`disk_cache`),
    in the format its extension names (``.png``, or ``.eps``, ``.pdf``, ``.svg``); to a binary file
    object, a PNG through the memory cache only.

    >>> import io
    >>> buf = io.BytesIO(); _ = write_picture(FlowData("X", (("A", "C major", 1.0, "4/4", 0.0),), (), 1.0), buf)
    >>> buf.getvalue()[:4]
    b'\x89PNG'
    """
    if not isinstance(path, str):
        path.write(picture_png(data, width))
        return path
    from .files import write_atomic

    fmt = os.path.splitext(path)[1][1:].lower() or "png"
    write_atomic(path, picture_bytes(data, width, fmt, disk_cache()))
    return path


def picture_png(data: RollData | MapData | FlowData, width: int = 1600, disk: DiskCache | None = None) -> bytes:
    """The PNG of a picture's data: from :data:`MEMORY`, else from ``disk``, else drawn (and kept in both)."""
    return picture_bytes(data, width, "png", disk)


def picture_bytes(data: RollData | MapData | FlowData, width: int = 1600, fmt: str = "png",
                  disk: DiskCache | None = None) -> bytes:
    """:func:`picture_png` in any of :data:`FORMATS`."""
    if isinstance(width, bool) or not isinstance(width, int) or not WIDTHS[0] <= width <= WIDTHS[1]:
        raise ValueError(f"a picture is {WIDTHS[0]} to {WIDTHS[1]} pixels wide, not {width!r}")
    if fmt not in FORMATS:
        raise ValueError(f"pictures are written as {', '.join(FORMATS)}, not {fmt!r}")
    key = picture_key(data, width, fmt)
    picture = MEMORY.get(key)
    if picture is None and disk is not None:
        picture = disk.get(key)
    if picture is None:
        import io

        buf = io.BytesIO()
        options = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}  # 6 (the default): +40 ms
        figure_of(data, width).savefig(buf, format=fmt, **options)
        picture = buf.getvalue()
        if disk is not None:
            disk.put(key, picture)
    MEMORY.put(key, picture)
    return picture


# ---------------------------------------------------------------- drawing (data in, figure out)


def figure_of(data: RollData | MapData | FlowData, width: int = 1600) -> Any:
    """The matplotlib figure of a picture's data (what :func:`picture_png` renders), to look into.

    >>> fig = figure_of(FlowData("X", (("A", "C major", 120.0, "4/4", 0.5),), (), 60.0))
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['C major\\n120 bpm · 4/4']
    """
    if isinstance(data, RollData):
        return _draw_roll(data, width)
    if isinstance(data, MapData):
        return _draw_map(data, width)
    return _draw_flow(data, width)


def _figure(width_px: int, height_px: int) -> Any:
    """A figure on the Agg canvas, without pyplot (no global figure list to leak into)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _strokes(ax: Any, gid: str, groups: list[tuple[Any, Any]], width: float, transform: Any = None,
             alpha: float | None = None) -> None:
    """Straight strokes as one collection: ``groups`` of (color, float array of segments, shape
    (n, 2, 2)), each group one path (a path a segment made a note 8 µs of Path set-up alone)."""
    from matplotlib.collections import PathCollection
    from matplotlib.path import Path

    paths, colors = [], []
    for color, segments in groups:
        if len(segments):
            path = Path(segments.reshape(-1, 2), [Path.MOVETO, Path.LINETO] * len(segments))
            path.should_simplify = False  # Agg's simplification may join a note to its neighbour
            paths.append(path)
            colors.append(color)
    if paths:
        ax.add_collection(PathCollection(paths, facecolors="none", edgecolors=colors, linewidths=width,
                                         capstyle="butt", alpha=alpha, transform=transform or ax.transData,
                                         snap=True, gid=gid),  # whole pixels, as Agg snaps a lone stroke
                          autolim=False)


def _vlines(ax: Any, gid: str, xs: Any, color: str, width: float, alpha: float | None = None) -> None:
    """Vertical lines across the whole axes at ``xs`` (data)."""
    import numpy as np

    segments = np.zeros((len(xs), 2, 2))
    segments[:, :, 0] = np.asarray(xs, dtype=float)[:, None]
    segments[:, 1, 1] = 1.0
    _strokes(ax, gid, [(color, segments)], width, ax.get_xaxis_transform(), alpha)


def _draw_roll(data: RollData, width: int) -> Any:
    fig = _figure(width, 170 * max(1, len(data.lanes)) + 120)
    axes = fig.subplots(max(1, len(data.lanes)), 1, sharex=True, squeeze=False)[:, 0]
    starts = [s for _, s in data.sections]
    for ax, lane in zip(axes, data.lanes, strict=False):
        _lane(ax, lane)
        ax.set_ylabel(lane.name, rotation=0, ha="right", va="center", fontsize=11)
        ax.tick_params(axis="y", labelsize=8)
        _vlines(ax, "sections", starts, "#444444", 0.8, 0.6)
        _vlines(ax, "bars", data.bars, "#bbbbbb", 0.3, 0.5)
    top = axes[0]
    for name, start in data.sections:
        top.text(start + 0.2, 1.02, name, transform=top.get_xaxis_transform(), fontsize=10, fontweight="bold",
                 va="bottom")
    axes[-1].set_xlim(0, data.seconds)
    axes[-1].set_xlabel("seconds")
    fig.suptitle(data.title, fontsize=14, y=0.995)
    fig.tight_layout()
    return fig


def _lane(ax: Any, lane: Lane) -> None:
    """Notes as thick horizontal strokes, louder more opaque: one collection, a path per velocity."""
    import numpy as np
    from matplotlib.colors import to_rgb

    notes = lane.notes
    low, high = notes[:, 2].min() - 2, notes[:, 2].max() + 2
    ax.set_ylim(low, high)
    width_pt = max(1.0, 0.8 * ax.get_window_extent().height / (high - low) * 0.72)  # a semitone's height
    segments = np.stack([notes[:, [0, 2]], notes[:, [1, 2]]], axis=1)
    velocities = notes[:, 3]
    _strokes(ax, "notes", [((*to_rgb(lane.color), 0.35 + 0.65 * v / 127), segments[velocities == v])
                           for v in np.unique(velocities)], width_pt)


def _draw_map(data: MapData, width: int) -> Any:
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    n = len(data.rows)
    fig = _figure(width, 150 + 62 * n + 170)
    ax = fig.add_axes((0.09, 0.30, 0.82, 0.56))
    tempo_ax = fig.add_axes((0.09, 0.08, 0.82, 0.15), sharex=ax)
    cmap = colormaps[DYN_CMAP]
    for i, row in enumerate(data.rows):
        y = n - 1 - i
        if row.bars:
            _bars(ax, row, y, cmap)
        for x in row.riffs:
            ax.text(x, y + 0.5, "riff", fontsize=8, va="center", color="#222")
    _strokes(ax, "hits", [("#1a1a1a", np.array([((t, -0.1), (t, n + 0.1)) for t in data.hits]))], 1.2)
    for t in data.hits:
        ax.text(t, n + 0.15, "!", ha="center", va="bottom", fontsize=11, fontweight="bold")
    _vlines(ax, "sections", [s for _, s in data.sections], "#333333", 1.0)
    for label, start in data.sections:
        ax.text(start + 0.4, n + 0.55, label, fontsize=10, fontweight="bold", va="bottom")
    ax.set_xlim(0, data.seconds)
    ax.set_ylim(-0.1, n + 1.2)
    ax.set_yticks([n - 1 - i + 0.5 for i in range(n)])
    ax.set_yticklabels([r.name.capitalize() for r in data.rows], fontsize=11)
    ax.tick_params(axis="x", labelbottom=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    times, tempos = data.tempo
    tempo_ax.step(times, tempos, where="post", color="#1f77b4", lw=2)
    tempo_ax.set_ylim(min(tempos) - 10, max(tempos) + 10)
    tempo_ax.set_ylabel("tempo", fontsize=10)
    tempo_ax.set_xlabel("seconds")
    tempo_ax.grid(alpha=0.3)
    bar_ax = fig.add_axes((0.925, 0.30, 0.012, 0.56))
    cb = fig.colorbar(ScalarMappable(cmap=cmap, norm=Normalize(vmin=20, vmax=125)), cax=bar_ax)
    cb.set_ticks([30, 45, 60, 75, 95, 112])
    cb.set_ticklabels(["pp", "p", "mp", "mf", "f", "ff"])
    fig.suptitle(data.title, fontsize=14, y=0.97)
    return fig


def _bars(ax: Any, row: MapRow, y: float, cmap: Any) -> None:
    """A row's bars as shaded rectangles, one collection (``broken_barh`` cost 10 ms more a row)."""
    import numpy as np
    from matplotlib.collections import PolyCollection

    bars = np.array(row.bars)
    left, right = bars[:, 0], bars[:, 0] + bars[:, 1]
    low, high = np.full(len(bars), y + 0.1), np.full(len(bars), y + 0.9)
    corners = np.stack([np.column_stack(c) for c in ((left, low), (left, high), (right, high), (right, low))], axis=1)
    corners_any: Any = corners  # an (n, 4, 2) array: matplotlib's own fast path, though its stubs say Sequence
    ax.add_collection(PolyCollection(corners_any, facecolors=cmap(bars[:, 2]), edgecolors="none", gid=row.name),
                      autolim=False)


def _draw_flow(data: FlowData, width: int) -> Any:
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    fig = _figure(width, 700)
    ax = fig.add_axes((0.07, 0.16, 0.86, 0.70))
    xs = list(range(1, len(data.tracks) + 1))
    tempos = [t[2] for t in data.tracks]
    line = ax.plot(xs, tempos, "-o", color="#1f77b4", lw=2.5, ms=9, label="tempo (bpm)")[0]
    ax.set_ylabel("tempo (bpm)", color="#1f77b4", fontsize=12)
    ax.set_ylim(min(tempos) - 25, max(tempos) + 30)
    ax2 = ax.twinx()
    energy: dict[str, Any] = {"facecolor": "#ff7f0e", "alpha": 0.35}
    ax2.add_collection(PolyCollection([((x - 0.275, 0), (x + 0.275, 0), (x + 0.275, t[4]), (x - 0.275, t[4]))
                                       for x, t in zip(xs, data.tracks, strict=True)], edgecolors="none",
                                      gid="energy", **energy), autolim=False)
    ax2.set_ylim(0, 1.25)
    ax2.set_ylabel("energy (dynamics and density, 0–1)", color="#c05800", fontsize=12)
    ax.set_zorder(ax2.get_zorder() + 1)  # the tempo line in front of the energy bars
    ax.patch.set_visible(False)
    ax.legend([line, Patch(**energy)], ["tempo (bpm)", "energy"], loc="upper right", fontsize=10)
    for x, (_, key, tempo, meter, _) in zip(xs, data.tracks, strict=True):
        ax.annotate(f"{key}\n{tempo:g} bpm · {meter}", (x, tempo), textcoords="offset points", xytext=(0, 14),
                    ha="center", fontsize=10, fontweight="bold")
    for first, n, change in data.transitions:
        steps = "same key signature" if n == 0 else f"keys {n} fifth{'s' if n > 1 else ''} apart"
        ax.text(first + 0.5, min(tempos) - 18, f"{steps}\n{change:+g} bpm", ha="center", fontsize=9, color="#444")
    ax.set_xticks(xs)
    ax.set_xticklabels([f"{i}. {t[0]}" for i, t in zip(xs, data.tracks, strict=True)], rotation=12, fontsize=10)
    ax.set_xlim(0.4, len(data.tracks) + 0.6)
    ax.grid(axis="y", alpha=0.3)
    mins, secs = divmod(data.seconds, 60)
    fig.suptitle(f"{data.title} — running order, {int(mins)}:{secs:04.1f} with gaps", fontsize=15, y=0.96)
    return fig
