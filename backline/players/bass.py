"""The bassist: the root (or slash bass) on every chord change, the style's figure between,
approach notes into the next chord, and walking lines in swing styles.
"""

from __future__ import annotations

from ..model import ChordSpan, SectionSpan, TimelineBar
from ..styles import Style
from ..theory.chords import Chord
from .common import (
    BarCache,
    Note,
    bar_key,
    bar_swing,
    chord_at,
    grid_events,
    level_at,
    meter_key,
    nearest,
    remember,
    swing_offset,
    velocity,
)

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    import random

    from ..arranger import Arrangement

LOW, HIGH = 28, 55  # where the bass line lives (the range goes to 67 for fills)
STAB = 0.5  # quarter notes: the longest a hit's stab rings
ROOT_LOW, ROOT_HIGH = 31, 45


def degree_pitch(token: str, chord: Chord, root: int, next_root: int | None) -> int:
    """The pitch a pattern token asks for, given the root actually played."""
    ints = chord.intervals
    if token in ("R", "R,"):
        return root
    if token == "8":
        return root + 12
    if token in ("5", "5,"):
        fifth = 6 if 6 in ints and 7 not in ints else (8 if 8 in ints and 7 not in ints else 7)
        p = chord.root_pc + fifth + (root - root % 12)
        while p <= root:
            p += 12
        return p - 12 if token == "5," else p
    if token == "3":
        third = 3 if 3 in ints and 4 not in ints else (5 if 5 in ints and 4 not in ints else 4)
        return _above(root, chord.root_pc + third)
    if token == "b3":
        return _above(root, chord.root_pc + 3)
    if token in ("7", "b7"):
        diminished = 9 in ints and 10 not in ints and 3 in ints and 6 in ints
        seventh = 11 if token == "7" and 11 in ints else (9 if diminished else 10)
        return _above(root, chord.root_pc + seventh)
    if token == "6":
        return _above(root, chord.root_pc + 9)
    if token == "2":
        return _above(root, chord.root_pc + 2)
    if token == "4":
        return _above(root, chord.root_pc + 5)
    if token == "A":
        if next_root is None:
            return _above(root, chord.root_pc + 7)
        return next_root - 1 if next_root - 1 != root else next_root + 1
    raise ValueError(token)


def _above(root: int, pc: int) -> int:
    p = root - root % 12 + pc % 12
    while p <= root:
        p += 12
    while p - root > 12:
        p -= 12
    return p


def play_bass(span: SectionSpan, bars: list[TimelineBar], style_of: dict[int, Style],
              rng: random.Random, risk: float, next_chord: Chord | None, last_span: bool,
              arr: Arrangement, cache: BarCache | None = None) -> list[Note]:
    """The bass for one section occurrence."""
    notes: list[Note] = []
    prev_root: float = 38.0
    for k, bar in enumerate(bars):
        if "bass" not in bar.players:
            continue
        style = style_of[bar.number]
        if not arr.plays("bass") or ("bass" not in style.instruments and span.section.players is None):
            notes.extend(_stabs(bar, prev_root))
            continue
        following = _next_chord(bars, k, next_chord)
        if last_span and k == len(bars) - 1:
            notes.extend(_final(bar, prev_root))
            continue
        walk = style.bass.walk and bar.feel != "half-time"
        tier = arr.tier(bar)
        key = ("bass", bar_key(bar), prev_root, following, walk, tier, bar.bar_in_section % 2)
        play = _walk if walk else _figure
        bar_notes, prev_root = remember(cache if risk == 0 else None, key, bar,
                                        play, style, rng, risk, prev_root, following, tier)
        notes.extend(bar_notes)
    return notes


def _next_chord(bars: list[TimelineBar], k: int, after: Chord | None) -> Chord | None:
    for bar in bars[k + 1:]:
        for c in bar.chords:
            if c.chord is not None:
                return c.chord
        return None
    return after


def _root_near(chord: Chord, prev: float) -> int:
    return nearest(chord.bass_pc, prev, ROOT_LOW, ROOT_HIGH)


def _stabs(bar: TimelineBar, prev: float) -> list[Note]:
    """A bass the arranger left out still plays the chart's hits: the root, short."""
    return [Note(bar.start_beat + s.beat, min(s.length * 0.9, STAB), _root_near(s.chord, prev),
                 velocity(bar.level, 12)) for s in bar.chords if s.hit and s.chord is not None]


def _figure(bar: TimelineBar, style: Style, rng: random.Random, risk: float, prev_root: float,
            following: Chord | None, level: str) -> tuple[list[Note], float]:
    written = style.bass.pattern(meter_key(bar.meter), level)
    tokens = written[bar.bar_in_section % len(written)] if written else _generic(bar)
    if bar.feel == "half-time":
        tokens = tuple(t if i % 2 == 0 else "-" for i, t in enumerate(tokens))
    step = bar.length / len(tokens)
    swing = bar_swing(bar, style.swing)
    onsets = grid_events(tokens, step, bar, lambda _: "R")  # the root at every change
    out: list[Note] = []
    roots: dict[float, tuple[int, int | None]] = {}  # per chord span: its root here, the next root
    for n, (pos, token, length) in enumerate(onsets):
        span = chord_at(bar, pos)
        if span is None or span.chord is None:
            continue
        chord = span.chord
        at_change = abs(pos - span.beat) < 1e-6
        if span.hit and not at_change:
            continue  # a hit is one stab
        if span.beat not in roots:  # later onsets of a span find the same root (prev_root is it)
            root = _root_near(chord, prev_root)
            roots[span.beat] = root, _next_root_after(bar, span, following, root)
        root, nxt = roots[span.beat]
        if at_change or span.hit:
            token = "R"
        elif token == "A" and not _is_last_before_change(onsets, n, span, bar):
            token = "5" if risk == 0 or rng.random() > risk else "8"
        elif risk > 0 and token in ("R", "5") and rng.random() < 0.15 * risk:
            token = rng.choice(("8", "5", "3"))
        pitch = degree_pitch(token, chord, root, nxt)
        end = min(pos + length, span.end)
        if span.hit:
            end = pos + min(span.length * 0.9, STAB) / 0.92
        start = pos if at_change else swing_offset(pos, swing, style.swing_unit)
        vel = velocity(level_at(bar, pos), (8 if at_change else 0) + (12 if span.hit else 0), style.bass.level)
        if (risk > 0 and not span.hit and nxt is not None and end - start >= 1.0
                and _is_last_before_change(onsets, n, span, bar) and rng.random() < 0.3 * risk):
            # a passing note: an eighth before the change, a half step from the next root
            out.append(Note(bar.start_beat + start, (end - start - 0.5) * 0.92, pitch, vel))
            out.append(Note(bar.start_beat + end - 0.5, 0.45, nxt + rng.choice((-1, 1)), max(1, vel - 8)))
        else:
            out.append(Note(bar.start_beat + start, max(0.1, (end - start) * 0.92), pitch, vel))
        if at_change:
            prev_root = root
    return out, prev_root


def _is_last_before_change(onsets: list[tuple[float, str, float]], n: int, span: ChordSpan,
                           bar: TimelineBar) -> bool:
    nxt = onsets[n + 1][0] if n + 1 < len(onsets) else bar.length
    return nxt >= span.end - 1e-6


def _next_root_after(bar: TimelineBar, span: ChordSpan, following: Chord | None, root: int) -> int | None:
    later = [c for c in bar.chords if c.beat > span.beat and c.chord is not None]
    chord = later[0].chord if later else following
    if chord is None:
        return None
    return nearest(chord.bass_pc, root, ROOT_LOW, ROOT_HIGH)


def _generic(bar: TimelineBar) -> tuple[str, ...]:
    """Any meter: root on the first group, fifth or octave on the others, in pulses."""
    tokens: list[str] = []
    pulses = bar.meter.groups if any(g > 1 for g in bar.meter.groups) else (1,) * bar.meter.num
    for gi, g in enumerate(pulses):
        tokens.append("R" if gi == 0 else ("5" if gi % 2 else "8"))
        tokens.extend("-" * (g - 1))
    return tuple(tokens)


def _walk(bar: TimelineBar, style: Style, rng: random.Random, risk: float, prev: float,
          following: Chord | None, level: str) -> tuple[list[Note], float]:
    """A note a beat: root on each chord, chord tones between, a chromatic step into the next.
    In a quiet section of 4/4 it plays in two (half notes: the root, then the fifth or an approach).

    The beats are quarter notes in x/4, the pulse groups in x/8 (dotted quarters in 6/8)."""
    out: list[Note] = []
    two_feel = level == "low" and bar.meter.num == 4 and bar.meter.den == 4
    positions = _walk_positions(bar, two_feel)
    swing = bar_swing(bar, style.swing)
    last_pitch = prev
    for k, b in enumerate(positions):
        span = chord_at(bar, b)
        if span is None or span.chord is None:
            continue
        chord = span.chord
        at_change = abs(b - span.beat) < 1e-6
        step = (positions[k + 1] if k + 1 < len(positions) else bar.length) - b
        remaining = span.end - b
        nxt_chord = _next_chord_in(bar, span, following)
        if span.hit and not at_change:
            continue  # a hit is one stab
        if at_change or span.hit:
            pitch = _root_near(chord, last_pitch)
        elif two_feel and not (remaining <= step + 1e-6 and nxt_chord is not None and rng.random() < 0.5):
            pitch = degree_pitch("5,", chord, round(last_pitch), None) if last_pitch > 40 else \
                degree_pitch("5", chord, round(last_pitch), None)
        elif remaining <= step + 1e-6 and nxt_chord is not None:
            target = nearest(nxt_chord.bass_pc, last_pitch, ROOT_LOW, ROOT_HIGH + 7)
            up = target > last_pitch or (target == last_pitch and rng.random() < 0.5)
            pitch = target - 1 if up else target + 1
            if risk > 0 and rng.random() < 0.3 * risk:
                pitch = target + 7 if target + 7 <= HIGH else target - 5
        else:
            pitch = _walk_tone(chord, last_pitch, rng, risk)
        vel = velocity(level_at(bar, b), (6 if b == 0 else 0) + (12 if span.hit else 0), style.bass.level)
        length = min(span.length * 0.9, STAB) if span.hit else min(step, remaining) * 0.95
        out.append(Note(bar.start_beat + b, length, pitch, vel))
        if risk > 0.3 and rng.random() < 0.08 * risk and step == 1.0 and k + 1 < len(positions):
            # a skip: a swung eighth ghost note into the next beat
            out[-1] = Note(bar.start_beat + b, 0.6, pitch, vel)
            out.append(Note(bar.start_beat + swing_offset(b + 0.5, swing, 8), 0.3, pitch + rng.choice((-1, 2)),
                            max(1, vel - 25)))
        last_pitch = pitch
    return out, last_pitch


def _walk_positions(bar: TimelineBar, two_feel: bool = False) -> list[float]:
    meter = bar.meter
    if two_feel:
        base = [0.0, 2.0]
    elif meter.den <= 4:
        base = [float(i) * meter.pulse_beats for i in range(meter.num)]
    else:
        base = meter.group_starts()
    extra = [c.beat for c in bar.chords if c.chord is not None]
    return sorted({round(p, 6) for p in base + extra})


def _next_chord_in(bar: TimelineBar, span: ChordSpan, following: Chord | None) -> Chord | None:
    later = [c for c in bar.chords if c.beat > span.beat]
    if later:
        return later[0].chord
    return following


def _walk_tone(chord: Chord, last: float, rng: random.Random, risk: float) -> int:
    """A chord tone near the last note, moving on (never the same note twice)."""
    tones = sorted({(chord.root_pc + i) % 12 for i in chord.intervals if i in (0, 3, 4, 7, 10, 11, 9, 6, 8)})
    options = []
    for pc in tones:
        for octave in range(2, 5):
            p = pc + 12 * octave
            if LOW + 3 <= p <= HIGH and p != last and abs(p - last) <= 7:
                options.append(p)
    if not options:
        return nearest(chord.root_pc, last, ROOT_LOW, ROOT_HIGH)
    options.sort(key=lambda p: (abs(p - last), p))
    if risk > 0:
        return rng.choice(options[: 2 + round(2 * risk)])
    going_up = last < 40
    ranked = sorted(options, key=lambda p: (abs(p - last) + (0 if (p > last) == going_up else 3), p))
    return ranked[0]


def _final(bar: TimelineBar, prev: float) -> list[Note]:
    """The last bar: the root of each chord, the last one held to the end."""
    out = []
    for span in bar.chords:
        if span.chord is None:
            continue
        length = span.length if span.hit else bar.length - span.beat
        out.append(Note(bar.start_beat + span.beat, length * 0.98, _root_near(span.chord, prev),
                        velocity(bar.level, 10)))
    return out
