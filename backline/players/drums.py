"""The drummer: the style's groove by intensity and feel, fills into section changes,
crashes on downbeats, hits and stops, and a groove for any meter grouped by its pulses.
"""

from __future__ import annotations

from ..model import Meter, SectionSpan, TimelineBar
from ..styles import DRUM_VOICES, Style
from .common import (
    BarCache,
    Note,
    bar_key,
    bar_swing,
    level_at,
    meter_key,
    remember,
    swing_offset,
    velocity,
    wobble,
)

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    import random
    from typing import Any

    from ..arranger import Arrangement

GHOST = 28
BREATH_BARS = 8  # bars of a phrase whose velocities and ghost notes differ (then the phrase breathes again)
TIME_VOICES = frozenset({"hat", "ride", "shaker", "open", "cabasa", "tamb", "bell", "pedal"})


def generic_groove(meter: Meter, style: Style, level: str) -> dict[str, str]:
    """A groove for a meter the style has no pattern for: kick and snare alternate by
    pulse group (the last odd group gets a snare inside it), the time voice in the style's division."""
    sixteenths = style.drums.division == 16  # the time voice in sixteenths, else eighths
    steps_per_pulse = (4 if sixteenths else 2) if meter.den <= 4 else (2 if sixteenths else 1)
    n = meter.num * steps_per_pulse
    kick, snare, time = ["."] * n, ["."] * n, ["."] * n
    pos = 0
    groups = meter.groups if any(g > 1 for g in meter.groups) else _beats_as_groups(meter.num)
    for gi, g in enumerate(groups):
        start = pos * steps_per_pulse
        if gi % 2 == 0:
            kick[start] = "x"
            if gi == len(groups) - 1 and g >= 3 and len(groups) > 1:
                snare[start + steps_per_pulse * (g - 1)] = "x"
        else:
            snare[start] = "o" if level == "high" else "x"
        pos += g
    for i in range(n):
        time[i] = "o" if i == 0 else "x"
        if steps_per_pulse >= 2 and i % 2 and level == "low":
            time[i] = "."
    if level == "high" and n >= 4:
        kick[n // 2 if n % 2 == 0 else n - 2] = "x"
    return {"kick": "".join(kick), "snare": "".join(snare), style.drums.time_voice: "".join(time)}


def _beats_as_groups(num: int) -> tuple[int, ...]:
    """x/4 meters: beats in twos (backbeat), a three at the end of odd counts."""
    if num <= 3:
        return (1,) * num
    if num % 2:
        return (2,) * ((num - 3) // 2) + (3,)
    return (2,) * (num // 2)


def groove_for(bar: TimelineBar, style: Style, level: str) -> dict[str, str]:
    """Voice -> grid for this bar: the style's groove (the bar of it this bar falls on, for a
    pattern over two bars such as a clave), any meter's generic groove, half or double time."""
    key = meter_key(bar.meter)
    bars = style.drums.pattern(key, level)
    pattern: dict[str, str] | None = None
    if bars is not None:
        k = bar.bar_in_section + (1 if style.clave == "2-3" else 0)  # grooves are written 3-2
        pattern = {v: g[k % len(g)] for v, g in bars.items()}
    elif key == "2/4":
        full = style.drums.pattern("4/4", level)
        if full:
            pattern = {v: g[(bar.bar_in_section // 2) % len(g)] for v, g in full.items()}
            half = bar.bar_in_section % 2
            pattern = {v: g[half * len(g) // 2: (half + 1) * len(g) // 2] for v, g in pattern.items()}
    if pattern is None:
        pattern = generic_groove(bar.meter, style, level)
    if bar.feel == "half-time":
        pattern = _half_time(pattern, style.drums.time_voice)
    elif bar.feel == "double-time":
        pattern = _double_time(pattern)
    return pattern


def _half_time(pattern: dict[str, str], time_voice: str) -> dict[str, str]:
    """Kick and snare stretched to twice their length (snare on 3); cymbals as they were."""
    out = {}
    for voice, grid in pattern.items():
        if voice in ("kick", "snare", "rim", "clap"):
            half = grid[: len(grid) // 2]
            out[voice] = "".join(c + "." for c in half)[: len(grid)]
        else:
            out[voice] = grid
    return out


def _double_time(pattern: dict[str, str]) -> dict[str, str]:
    out = {}
    for voice, grid in pattern.items():
        if voice in ("kick", "snare", "rim", "clap"):
            squeezed = grid[::2]
            out[voice] = squeezed * 2
        else:
            out[voice] = grid
    return out


def play_drums(span: SectionSpan, bars: list[TimelineBar], style_of: dict[int, Style],
               rng: random.Random, risk: float, last_span: bool, arr: Arrangement, cache: BarCache | None = None,
               log: dict[str, Any] | None = None) -> list[Note]:
    """The drums for one section occurrence; ``log`` gets the fills chosen."""
    notes: list[Note] = []
    fills_used: list[int] = []
    swap = _cymbal_choice(rng, risk)
    for bar in bars:
        if "drums" not in bar.players:
            continue
        style = style_of[bar.number]
        if not arr.plays("drums") or ("drums" not in style.instruments and span.section.players is None):
            continue
        is_last = bar.bar_in_section == span.bar_count - 1
        phrase_end = bar.bar_in_section % 8 == 7 and not is_last
        song_end = last_span and is_last
        if song_end:
            notes.extend(_ending(bar, style))
            continue
        tier = arr.tier(bar)
        breath = bar.bar_in_section % BREATH_BARS
        bar_notes, _ = remember(cache if risk == 0 else None, ("drums", bar_key(bar), tier, breath), bar, _groove,
                                style, rng, risk, tier, breath)
        if swap:
            bar_notes = [n._replace(pitch=swap[n.pitch]) if n.pitch in swap else n for n in bar_notes]
        if (is_last and not last_span) or phrase_end:
            bar_notes, fill_no = _fill(bar, style, bar_notes, span.position, rng, risk, short=phrase_end)
            if fill_no is not None:
                fills_used.append(fill_no)
        if bar.bar_in_section == 0 and style.drums.crash and bar.level >= 60:
            bar_notes.append(Note(bar.start_beat, 1.0, DRUM_VOICES["crash"], velocity(bar.level, 12)))
        notes.extend(_apply_hits(bar, bar_notes))
    if log is not None:
        log["fills"] = fills_used
        if swap:
            log["cymbals"] = "ride for hat" if swap.get(42) == 51 else "hat for ride"
    return notes


def _cymbal_choice(rng: random.Random, risk: float) -> dict[int, int]:
    """At risk, a section may keep time on the ride instead of the hat, or the other way."""
    if risk == 0 or rng.random() > 0.35 * risk:
        return {}
    hat, ride, open_hat, bell = DRUM_VOICES["hat"], DRUM_VOICES["ride"], DRUM_VOICES["open"], DRUM_VOICES["bell"]
    return {hat: ride, open_hat: bell} if rng.random() < 0.6 else {ride: hat}


def _groove(bar: TimelineBar, style: Style, rng: random.Random, risk: float, level: str,
            breath: int) -> tuple[list[Note], None]:
    """One bar of the groove. Even at risk 0 the bars breathe: velocities lean a little
    differently in each bar of a phrase, and ghost notes come and go (``breath``)."""
    pattern = groove_for(bar, style, level)
    swing = bar_swing(bar, style.swing)
    notes = []
    for voice, grid in pattern.items():
        step = bar.length / len(grid)
        pitch = DRUM_VOICES[voice]
        for i, ch in enumerate(grid):
            if ch == ".":
                continue
            pos = i * step
            lean = wobble(breath * 29 + i * 3 + pitch)
            if ch == "g":
                if risk == 0 and lean > -0.45:
                    notes.append(_hit(bar, pos, swing, style, pitch, vel=GHOST + round(4 * lean)))
                elif risk > 0 and rng.random() < 0.5 + risk / 2:
                    notes.append(_hit(bar, pos, swing, style, pitch, vel=GHOST + round(rng.random() * 8 * risk)))
                continue
            accent = 12.0 if ch == "o" else 0.0
            if voice in TIME_VOICES and pos % 1:
                accent -= 14
            if pos == 0:
                accent += 6
            accent += lean * (3.0 if voice in TIME_VOICES else 2.0)
            if ch == "o" and voice == "hat":
                pitch_used = DRUM_VOICES["open"] if style.drums.time_voice == "open" else pitch
            else:
                pitch_used = pitch
            notes.append(_hit(bar, pos, swing, style, pitch_used,
                              vel=velocity(level_at(bar, pos), accent, style.drums.level)))
    if risk > 0:
        notes.extend(_ghosts(bar, pattern, swing, style, rng, risk))
        notes.extend(_extra_kick(bar, pattern, swing, style, rng, risk))
    return notes, None


def _extra_kick(bar: TimelineBar, pattern: dict[str, str], swing: float, style: Style, rng: random.Random,
                risk: float) -> list[Note]:
    """Now and then a kick on an empty off-beat: the groove varies, the backbeat stays."""
    grid = pattern.get("kick")
    if not grid or grid.count("x") + grid.count("o") < 2 or rng.random() > 0.2 * risk:
        return []  # (a one-drop keeps its single kick)
    empty = [i for i, ch in enumerate(grid) if ch == "." and i % 2 == 1 and i > len(grid) // 2]
    if not empty:
        return []
    i = rng.choice(empty)
    pos = i * bar.length / len(grid)
    return [_hit(bar, pos, swing, style, DRUM_VOICES["kick"], velocity(level_at(bar, pos), -10, style.drums.level))]


def _hit(bar: TimelineBar, pos: float, swing: float, style: Style, pitch: int, vel: int) -> Note:
    return Note(bar.start_beat + swing_offset(pos, swing, style.swing_unit), 0.25, pitch, vel)


def _ghosts(bar: TimelineBar, pattern: dict[str, str], swing: float, style: Style,
            rng: random.Random, risk: float) -> list[Note]:
    """A few soft snare notes between the backbeats, more with risk."""
    grid = pattern.get("snare") or pattern.get("rim")
    if not grid:
        return []
    step = bar.length / len(grid)
    out = []
    for i, ch in enumerate(grid):
        if ch == "." and i % 2 == 1 and rng.random() < 0.12 * risk:
            out.append(_hit(bar, i * step, swing, style, DRUM_VOICES["snare"], GHOST + rng.randrange(10)))
    return out


def _fill(bar: TimelineBar, style: Style, notes: list[Note], span_index: int, rng: random.Random,
          risk: float, short: bool) -> tuple[list[Note], int | None]:
    """Replace the end of the bar with a fill (16th steps); which fill, or None."""
    fills = style.drums.fills
    if not fills:
        return notes, None
    number = span_index % len(fills)
    if risk > 0 and rng.random() < risk:
        number = rng.randrange(len(fills))
    fill = fills[number]
    if short:
        fill = fill[len(fill) // 2:]
        if risk == 0 or rng.random() > 0.3 + risk * 0.6:
            return notes, None  # phrase ends get a fill only when the take takes the chance
    step = 0.25  # fills are written in sixteenths
    length = min(len(fill) * step, bar.length)
    start = bar.length - length
    kept = [n for n in notes if n.start < bar.start_beat + start - 1e-6]
    swing = bar_swing(bar, style.swing)
    first = len(fill) - round(length / step)
    for k, token in enumerate(fill[first:]):
        if token == ".":
            continue
        pos = start + k * step
        lv = level_at(bar, pos) + 6 * k / max(1, len(fill))
        for voice in token.split("+"):
            kept.append(_hit(bar, pos, swing, style, DRUM_VOICES[voice], velocity(lv, 4, style.drums.level)))
    return kept, number


def _apply_hits(bar: TimelineBar, notes: list[Note]) -> list[Note]:
    """Hits: crash and kick on the hit, nothing else during the hit and the stop after it."""
    quiet = [(bar.start_beat + s.beat, bar.start_beat + s.end) for s in bar.chords if s.hit or s.stop]
    if not quiet:
        return notes
    kept = [n for n in notes if not any(a - 1e-6 <= n.start < b - 1e-6 for a, b in quiet)]
    for s in bar.chords:
        if s.hit:
            t = bar.start_beat + s.beat
            v = velocity(bar.level, 18)
            kept += [Note(t, 0.5, DRUM_VOICES["crash"], v), Note(t, 0.25, DRUM_VOICES["kick"], v)]
    return kept


def _ending(bar: TimelineBar, style: Style) -> list[Note]:
    """The last bar: one hit on the downbeat, left to ring (or choked for 'stop' styles)."""
    first = bar.chords[0] if bar.chords else None
    if first is None or (first.chord is None and not first.hit):
        return []
    v = velocity(bar.level, 15)
    t = bar.start_beat
    ring = first.length if first.hit else 2.0
    out = [Note(t, min(1.0, ring), DRUM_VOICES["kick"], v)]
    if style.drums.crash or style.ending == "ring":
        out.append(Note(t, ring, DRUM_VOICES["crash"], v))
    else:
        out.append(Note(t, min(1.0, ring), DRUM_VOICES["ride"], v))
    return out
