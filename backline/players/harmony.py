"""Keys, guitar and pad: voicings led smoothly from chord to chord, played in the style's
comping rhythm (chords, strums, arpeggios, chops), a new voicing at every chord change,
hits played together, silence on N.C. and stops.
"""

from __future__ import annotations

from ..model import SectionSpan, TimelineBar
from ..styles import Part, Style
from .common import (
    BarCache,
    Note,
    bar_key,
    bar_swing,
    chord_at,
    grid_events,
    intensity,
    level_at,
    meter_key,
    remember,
    swing_offset,
    velocity,
)
from .voicing import voice

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    import random

SHORT = {"m": 0.35}


def play_harmony(instrument: str, span: SectionSpan, bars: list[TimelineBar], style_of: dict[int, Style],
                 rng: random.Random, risk: float, last_span: bool, lighter: bool,
                 cache: BarCache | None = None) -> list[Note]:
    """One harmony instrument for one section occurrence."""
    notes: list[Note] = []
    previous: list[int] | None = None
    for k, bar in enumerate(bars):
        if instrument not in bar.players:
            continue
        style = style_of[bar.number]
        if instrument not in style.instruments:
            continue
        part = style.part(instrument)
        final = last_span and k == len(bars) - 1
        if instrument == "pad" or final:
            bar_notes, previous = _sustain(bar, part, previous, final, instrument)
        else:
            key = (instrument, bar_key(bar), tuple(previous) if previous else None, lighter)
            bar_notes, previous = remember(cache if risk == 0 else None, key, bar,
                                           _comp, style, part, previous, rng, risk, instrument, lighter)
        notes.extend(bar_notes)
    return notes


def _tokens(bar: TimelineBar, part: Part, lighter: bool, rng: random.Random | None = None,
            risk: float = 0.0) -> tuple[str, ...]:
    level = intensity(bar.level)
    if lighter:
        level = "low"
    elif rng is not None and risk > 0 and rng.random() < 0.25 * risk:
        level = rng.choice(("low", "mid", "high"))  # a comping variation: another of the style's rhythms
    tokens = part.pattern(meter_key(bar.meter), level)
    if tokens is None:
        tokens = _generic(bar, level)
    return tokens


def _generic(bar: TimelineBar, level: str) -> tuple[str, ...]:
    """Any meter: a chord on each pulse group (the first only when soft), held through it."""
    out: list[str] = []
    groups = bar.meter.groups if any(g > 1 for g in bar.meter.groups) else (1,) * bar.meter.num
    for gi, g in enumerate(groups):
        out.append("x" if gi == 0 or level != "low" else "-")
        out.extend("-" * (g - 1))
    return tuple(out)


def _comp(bar: TimelineBar, style: Style, part: Part, previous: list[int] | None, rng: random.Random,
          risk: float, instrument: str, lighter: bool) -> tuple[list[Note], list[int] | None]:
    tokens = _tokens(bar, part, lighter, rng, risk)
    step = bar.length / len(tokens)
    swing = bar_swing(bar, style.swing)
    events = grid_events(tokens, step, bar, _change_token)
    out: list[Note] = []
    voicings: dict[float, list[int]] = {}
    for pos, token, length in events:
        span = chord_at(bar, pos)
        if span is None or span.chord is None:
            continue
        at_change = abs(pos - span.beat) < 1e-6
        if risk > 0 and not at_change and not span.hit and rng.random() < 0.1 * risk:
            continue  # leave a hole: space is a choice too
        voicing = voicings.get(span.beat)
        if voicing is None:
            voicing = voice(span.chord, part.voicing, part.register, previous)
            if risk > 0 and rng.random() < 0.35 * risk:  # another inversion, still led smoothly
                voicing = voice(span.chord, part.voicing, part.register, [p + rng.choice((-5, 5)) for p in voicing])
            voicings[span.beat] = voicing
            previous = voicing
        end = min(pos + length, span.end)
        dur = (end - pos) * (SHORT.get(token, 0.95))
        if span.hit:
            dur = min(dur, span.length * 0.9)
        start = pos if at_change else swing_offset(pos, swing, style.swing_unit)
        if pos == 0 and bar.bar_in_section and at_change and risk > 0 and not span.hit and rng.random() < 0.2 * risk:
            start = -0.5  # an anticipation: the new chord lands an eighth early
            dur += 0.5
        accent = (10 if token in "XDU" else 0) + (14 if span.hit else 0) + (4 if pos == 0 else 0)
        vel = velocity(level_at(bar, pos), accent - (12 if lighter else 0), part.level)
        out.extend(_sound(token, voicing, bar.start_beat + start, max(0.08, dur), vel, part.strum_ms, bar))
    return out, previous


def _sound(token: str, voicing: list[int], start: float, dur: float, vel: int, strum_ms: float,
           bar: TimelineBar) -> list[Note]:
    """A chord, a strum (low to high, or high to low for an upstroke) or one arpeggio note."""
    if token.isdigit():
        idx = int(token) - 1
        pitch = voicing[idx % len(voicing)] + 12 * (idx // len(voicing))
        return [Note(start, dur, pitch, vel)]
    order = voicing[::-1] if token in ("u", "U") else voicing
    spread = strum_ms / 1000 * bar.tempo / 60 * (1.0 if token in ("d", "u", "D", "U") else 0.4)
    new = tuple.__new__  # Note's own __new__ only adds a call around this
    return [new(Note, (start + i * spread, max(0.05, dur - i * spread), p, vel - (3 if i else 0)))
            for i, p in enumerate(order)]


def _change_token(onsets: list[tuple[float, str, float]]) -> str:
    """At a chord change the pattern misses: a chord the way the pattern plays them (not an arpeggio note)."""
    first = next((t for _, t, _ in onsets), "x")
    return "x" if first.isdigit() else first


def _sustain(bar: TimelineBar, part: Part, previous: list[int] | None, final: bool,
             instrument: str) -> tuple[list[Note], list[int] | None]:
    """Whole chords held for each chord span (pads, and every player's last bar)."""
    out: list[Note] = []
    for span in bar.chords:
        if span.chord is None:
            continue
        voicing = voice(span.chord, part.voicing, part.register, previous)
        previous = voicing
        length = span.length if not span.hit else span.length * 0.9
        if final and not span.hit:
            length = bar.length - span.beat
        soft = -6 if instrument == "pad" else 0
        vel = velocity(level_at(bar, span.beat), soft + (12 if span.hit else 0), part.level)
        out.extend(Note(bar.start_beat + span.beat, length * 0.98, p, vel) for p in voicing)
        if final:
            break
    return out, previous
