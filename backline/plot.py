"""Pictures of a song: the piano roll of a take, and the arrangement map.

matplotlib is imported only here, and only when a picture is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .players.band import Performance

COLORS = {"drums": "#7f7f7f", "bass": "#1f77b4", "keys": "#2ca02c", "guitar": "#d62728", "pad": "#9467bd",
          "melody": "#ff7f0e", "solo": "#e377c2"}
ROWS = ("solo", "melody", "pad", "guitar", "keys", "bass", "drums")


def _figure(width_px: int, height_px: int) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dpi = 100
    return plt, plt.figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)


def piano_roll(perf: Performance, path: str, width: int = 1600) -> str:
    """One lane per instrument (pitch on each lane's own scale), sections marked, bars in seconds."""
    tl = perf.timeline
    tracks = [t for t in perf.tracks if t.notes]
    order = sorted(tracks, key=lambda t: ROWS.index(t.instrument) if t.instrument in ROWS else 0)
    plt, fig = _figure(width, 170 * max(1, len(order)) + 120)
    axes = fig.subplots(len(order), 1, sharex=True, squeeze=False)[:, 0]
    to_sec = _beats_to_seconds(perf)
    for ax, track in zip(axes, order, strict=True):
        _lane(ax, track.notes, COLORS.get(track.instrument, "#333333"), to_sec)
        ax.set_ylabel(track.name, rotation=0, ha="right", va="center", fontsize=11)
        ax.tick_params(axis="y", labelsize=8)
        for span in tl.sections:
            ax.axvline(span.start_seconds, color="#444444", lw=0.8, alpha=0.6)
        for bar in tl.bars:
            ax.axvline(bar.start_seconds, color="#bbbbbb", lw=0.3, alpha=0.5)
    top = axes[0]
    for span in tl.sections:
        top.text(span.start_seconds + 0.2, 1.02, span.name, transform=top.get_xaxis_transform(),
                 fontsize=10, fontweight="bold", va="bottom")
    axes[-1].set_xlim(0, tl.seconds)
    axes[-1].set_xlabel("seconds")
    title = f"{perf.song.title} — piano roll (seed {perf.seed}, risk {perf.risk:g}, {', '.join(perf.styles)})"
    fig.suptitle(title, fontsize=14, y=0.995)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _lane(ax: Any, notes: list[Any], color: str, to_sec: Any) -> None:
    """Notes as thick horizontal strokes (one collection: fast for thousands of notes)."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgb

    if not notes:
        return
    ys = [n.pitch for n in notes]
    low, high = min(ys) - 2, max(ys) + 2
    ax.set_ylim(low, high)
    height_px = ax.get_window_extent().height
    width_pt = max(1.0, 0.8 * height_px / (high - low) * 0.72)
    r, g, b = to_rgb(color)
    segments = [((to_sec(n.start), n.pitch), (to_sec(n.start) + max(0.03, to_sec(n.start + n.length) -
                                                                   to_sec(n.start)), n.pitch)) for n in notes]
    colors = [(r, g, b, 0.35 + 0.65 * n.velocity / 127) for n in notes]
    ax.add_collection(LineCollection(segments, colors=colors, linewidths=width_pt, capstyle="butt"))


def _beats_to_seconds(perf: Performance) -> Any:
    from .model import seconds_at

    tm = perf.timeline.tempo_map
    return lambda beat: seconds_at(tm, beat)
