"""Pictures of a song: the piano roll of a take, and the arrangement map.

matplotlib is imported only here, and only when a picture is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .performance import Performance

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


DYN_CMAP = "YlOrRd"


def arrangement_map(perf: Performance, path: str, width: int = 1600) -> str:
    """Sections along time, instruments as rows shaded by dynamics, riffs/solo/melody
    labelled, hits marked, and the tempo as a line."""
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    tl = perf.timeline
    song = perf.song
    rows = ["solo", "melody", "pad", "guitar", "keys", "bass", "drums"]
    used = [r for r in rows if r in ("drums", "bass", "keys", "guitar", "pad") or perf.track(r) is not None]
    plt, fig = _figure(width, 150 + 62 * len(used) + 170)
    ax = fig.add_axes((0.09, 0.30, 0.82, 0.56))
    tempo_ax = fig.add_axes((0.09, 0.08, 0.82, 0.15), sharex=ax)
    cmap = colormaps[DYN_CMAP]
    row_of = {name: len(used) - 1 - i for i, name in enumerate(used)}
    sounding = _sounding_bars(perf)
    for bar in tl.bars:
        span = tl.sections[bar.span]
        riff_players = {i for u in span.section.riffs for i in u.instruments}
        for name in used:
            if bar.number not in sounding.get(name, ()):
                continue
            shade = cmap(0.15 + 0.8 * min(1.0, max(0.0, (bar.level + bar.level_end) / 2 - 20) / 105))
            ax.add_patch(Rectangle((bar.start_seconds, row_of[name] + 0.1), bar.seconds, 0.8, facecolor=shade,
                                   edgecolor="none"))
            if name in riff_players and bar.bar_in_section == 0:
                ax.text(bar.start_seconds + 0.3, row_of[name] + 0.5, "riff", fontsize=8, va="center", color="#222")
        for c in bar.chords:
            if c.hit:
                t = tl.seconds_at(bar.start_beat + c.beat)
                ax.plot([t, t], [-0.1, len(used) + 0.1], color="#1a1a1a", lw=1.2)
                ax.text(t, len(used) + 0.15, "!", ha="center", va="bottom", fontsize=11, fontweight="bold")
    for span in tl.sections:
        ax.axvline(span.start_seconds, color="#333333", lw=1.0)
        first = tl.bars[span.first_bar]
        notes = [f"solo: {span.section.solo}"] if span.section.solo else []
        if first.key != song.key:
            notes.append(str(first.key))
        if first.meter != song.meter:
            notes.append(str(first.meter))
        if first.feel:
            notes.append(first.feel)
        label = span.name + ("\n" + " · ".join(notes) if notes else "")
        ax.text(span.start_seconds + 0.4, len(used) + 0.55, label, fontsize=10, fontweight="bold", va="bottom")
    ax.set_xlim(0, tl.seconds)
    ax.set_ylim(-0.1, len(used) + 1.2)
    ax.set_yticks([row_of[n] + 0.5 for n in used])
    ax.set_yticklabels([n.capitalize() for n in used], fontsize=11)
    ax.tick_params(axis="x", labelbottom=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    times = [b.start_seconds for b in tl.bars] + [tl.seconds]
    tempos = [b.tempo for b in tl.bars] + [tl.bars[-1].tempo if tl.bars else 0]
    tempo_ax.step(times, tempos, where="post", color="#1f77b4", lw=2)
    low, high = min(tempos), max(tempos)
    tempo_ax.set_ylim(low - 10, high + 10)
    tempo_ax.set_ylabel("tempo", fontsize=10)
    tempo_ax.set_xlabel("seconds")
    tempo_ax.grid(alpha=0.3)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(vmin=20, vmax=125))
    bar_ax = fig.add_axes((0.925, 0.30, 0.012, 0.56))
    cb = fig.colorbar(sm, cax=bar_ax)
    cb.set_ticks([30, 45, 60, 75, 95, 112])
    cb.set_ticklabels(["pp", "p", "mp", "mf", "f", "ff"])
    meters = ", ".join(dict.fromkeys(str(b.meter) for b in tl.bars))
    mins, secs = divmod(tl.seconds, 60)
    fig.suptitle(f"{song.title} — arrangement   ({song.key}, {meters}, {len(tl.bars)} bars, "
                 f"{int(mins)}:{secs:04.1f}, {', '.join(perf.styles)})", fontsize=14, y=0.97)
    fig.savefig(path)
    plt.close(fig)
    return path


def _sounding_bars(perf: Performance) -> dict[str, set[int]]:
    """For each instrument, the bars in which it has a note (what the take really plays)."""
    import bisect

    starts = [b.start_beat for b in perf.timeline.bars]
    out: dict[str, set[int]] = {}
    for track in perf.tracks:
        bars = out.setdefault(track.instrument, set())
        for n in track.notes:
            first = max(0, bisect.bisect_right(starts, n.start + 1e-6) - 1)
            last = max(first, bisect.bisect_left(starts, n.start + n.length - 1e-6) - 1)
            bars.update(range(first, last + 1))
    return out


def album_flow(report: dict[str, Any], path: str, width: int = 1600) -> str:
    """Tempo, key and energy across the running order."""
    tracks = report["tracks"]
    plt, fig = _figure(width, 700)
    ax = fig.add_axes((0.07, 0.16, 0.86, 0.70))
    xs = list(range(1, len(tracks) + 1))
    tempos = [t["tempo"] for t in tracks]
    energy = [t["energy"] for t in tracks]
    ax.plot(xs, tempos, "-o", color="#1f77b4", lw=2.5, ms=9, label="tempo (bpm)")
    ax.set_ylabel("tempo (bpm)", color="#1f77b4", fontsize=12)
    ax.set_ylim(min(tempos) - 25, max(tempos) + 30)
    ax2 = ax.twinx()
    ax2.bar(xs, energy, color="#ff7f0e", alpha=0.35, width=0.55, label="energy")
    ax2.set_ylim(0, 1.25)
    ax2.set_ylabel("energy (dynamics and density, 0–1)", color="#c05800", fontsize=12)
    ax.set_zorder(ax2.get_zorder() + 1)  # the tempo line in front of the energy bars
    ax.patch.set_visible(False)
    handles = [ax.get_lines()[0], ax2.patches[0]] if ax2.patches else [ax.get_lines()[0]]
    ax.legend(handles, ["tempo (bpm)", "energy"][: len(handles)], loc="upper right", fontsize=10)
    for x, t in zip(xs, tracks, strict=True):
        ax.annotate(f"{t['key']}\n{t['tempo']:g} bpm · {t['meter']}", (x, t["tempo"]), textcoords="offset points",
                    xytext=(0, 14), ha="center", fontsize=10, fontweight="bold")
    for tr in report["transitions"]:
        x = tr["from"] + 0.5
        n = tr["key_steps"]
        steps = "same key signature" if n == 0 else f"keys {n} fifth{'s' if n > 1 else ''} apart"
        ax.text(x, min(tempos) - 18, f"{steps}\n{tr['tempo_change']:+g} bpm", ha="center", fontsize=9, color="#444")
    ax.set_xticks(xs)
    ax.set_xticklabels([f"{i}. {t['title']}" for i, t in zip(xs, tracks, strict=True)], rotation=12, fontsize=10)
    ax.set_xlim(0.4, len(tracks) + 0.6)
    ax.grid(axis="y", alpha=0.3)
    mins, secs = divmod(report["seconds"], 60)
    fig.suptitle(f"{report['title']} — running order, {int(mins)}:{secs:04.1f} with gaps", fontsize=15, y=0.96)
    fig.savefig(path)
    plt.close(fig)
    return path
