"""The soloist: an improvised line over the changes.

Chord tones on the beats, a scale chosen for each chord (altered dominants included),
a motif stated, repeated and developed, phrases with breaths, and a shape that climbs in
register and density across the section. Risk sets density, range and outside notes.
"""

from __future__ import annotations

import math

from ..model import SectionSpan, TimelineBar
from ..theory.chords import Chord
from ..theory.pitch import Key
from .common import Note, bar_at, chord_at, level_at, swing_offset, velocity

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    import random

SOLO_RANGES = {"guitar": (52, 88), "keys": (55, 88), "piano": (55, 88), "organ": (55, 84),
               "sax": (44, 75), "tenor-sax": (44, 75), "alto-sax": (49, 81), "trumpet": (52, 82),
               "flute": (60, 93), "vibes": (53, 89), "synth": (55, 88), "bass": (33, 60)}
SOLO_PROGRAMS = {"sax": 66, "tenor-sax": 66, "alto-sax": 65, "trumpet": 56, "flute": 73, "organ": 17,
                 "vibes": 11, "synth": 81, "piano": 0, "bass": 33}


def chord_scale(chord: Chord, key: Key, blues: bool) -> list[int]:
    """Pitch classes of the scale a soloist plays over ``chord`` (see MUSICIANSHIP.md).

    >>> from backline.theory.chords import parse_chord
    >>> chord_scale(parse_chord("G7alt"), Key("C"), False)
    [7, 8, 10, 11, 1, 3, 5]
    """
    i = chord.intervals
    if blues and (chord.is_dominant or chord.is_minor):
        steps = [0, 3, 5, 6, 7, 10]  # minor pentatonic plus the blue note
        if chord.is_dominant:
            steps = [0, 3, 4, 7, 9, 10]  # major/minor blues mix over dominants
    elif 4 in i and 10 in i:
        if {3, 8} <= i or (1 in i and 3 in i):
            steps = [0, 1, 3, 4, 6, 8, 10]  # altered
        elif 1 in i:
            steps = [0, 1, 3, 4, 6, 7, 9, 10]  # half-whole
        elif 6 in i:
            steps = [0, 2, 4, 6, 7, 9, 10]  # lydian dominant
        else:
            steps = [0, 2, 4, 5, 7, 9, 10]  # mixolydian
    elif 3 in i and 6 in i and 10 in i:
        steps = [0, 2, 3, 5, 6, 8, 10]  # locrian natural 2
    elif 3 in i and 6 in i and 9 in i:
        steps = [0, 2, 3, 5, 6, 8, 9, 11]  # whole-half
    elif 3 in i and 4 not in i:
        steps = [0, 2, 3, 5, 7, 9, 10] if 8 not in i else [0, 2, 3, 5, 7, 8, 10]  # dorian / aeolian
    elif 11 in i:
        steps = [0, 2, 4, 6, 7, 9, 11] if 6 in i else [0, 2, 4, 5, 7, 9, 11]
    elif 5 in i and 4 not in i and 3 not in i:
        steps = [0, 2, 4, 5, 7, 9, 10]  # sus: mixolydian
    else:
        steps = [0, 2, 4, 7, 9] if 10 not in i else [0, 2, 4, 5, 7, 9, 10]  # major pentatonic
    root = chord.root_pc
    return [(root + s) % 12 for s in steps]


def chord_tone_pcs(chord: Chord) -> set[int]:
    """Root, third, fifth and seventh (the targets for strong beats)."""
    keep = {0, 3, 4, 5, 6, 7, 8, 9, 10, 11} & set(chord.intervals)
    return {(chord.root_pc + k) % 12 for k in keep}


def _snap(target: float, pcs: set[int] | list[int], low: int, high: int, avoid: int | None = None) -> int:
    best, best_d = None, 1e9
    allowed = set(pcs)
    for p in range(low, high + 1):
        if p % 12 in allowed:
            d = abs(p - target) + (0.6 if p == avoid else 0)
            if d < best_d:
                best, best_d = p, d
    return best if best is not None else round(target)


def play_solo(span: SectionSpan, bars: list[TimelineBar], instrument: str, rng: random.Random,
              risk: float, key: Key, blues: bool, swing_ratio: float, swing_unit: int) -> list[Note]:
    """An improvised line over one section occurrence."""
    low, high = SOLO_RANGES.get(instrument, (55, 84))
    width = high - low
    start, end = span.start_beat, span.end_beat
    total = max(1e-9, end - start)
    motif = _motif(rng)
    out: list[Note] = []
    t = start + (0.5 if rng.random() < 0.5 else 0.0)
    pitch = low + width * 0.35
    phrase_no = 0
    while t < end - 0.5:
        progress = (t - start) / total
        bars_long = rng.choice((1, 2, 2, 3) if progress > 0.5 else (1, 2, 2))
        phrase_end = min(end, t + bars_long * bars[0].length - 0.5)
        base = low + width * (0.2 + 0.35 * progress)
        peak = min(high - 1, base + width * (0.15 + 0.2 * rng.random() + 0.15 * risk + 0.1 * progress))
        density = 0.35 + 0.45 * progress + 0.25 * risk
        cells = _phrase_cells(motif, phrase_no, rng, density)
        for k, (dur, step) in enumerate(cells):
            if t >= phrase_end - 1e-6:
                break
            bar = bar_at(bars, t)
            sounding = chord_at(bar, t - bar.start_beat)
            chord = sounding.chord if sounding else None
            if chord is None:
                t += dur
                continue
            on_beat = abs((t - bar.start_beat) - round(t - bar.start_beat)) < 1e-6
            scale = chord_scale(chord, key, blues)
            arch = base + (peak - base) * math.sin(math.pi * min(1.0, k / max(1, len(cells) - 1)))
            intended = 0.55 * (pitch + step * 1.6) + 0.45 * arch
            intended = min(high - 2, max(low + 2, intended))
            if on_beat:
                p = _snap(intended, chord_tone_pcs(chord), low, high, avoid=int(pitch))
            elif risk > 0 and rng.random() < 0.12 * risk:
                p = _snap(intended, scale, low, high) + rng.choice((-1, 1))  # an outside neighbour
                p = min(high, max(low, p))
            else:
                p = _snap(intended, scale, low, high, avoid=int(pitch))
            length = min(dur, phrase_end - t)
            pos = t - bar.start_beat
            shown = bar.start_beat + swing_offset(pos, swing_ratio, swing_unit) if not on_beat else t
            vel = velocity(level_at(bar, pos), (8 if on_beat else 0) + rng.randrange(-4, 5) + round(10 * progress))
            out.append(Note(shown, max(0.1, length * 0.9), p, vel))
            pitch = p
            t += dur
        t = max(t, phrase_end) + rng.choice((0.5, 1.0, 1.5, 2.0)) * (1.2 - 0.5 * density)
        t = round(t * 2) / 2  # phrases start on an eighth
        phrase_no += 1
    return _no_long_notes(out, bars)


def _motif(rng: random.Random) -> list[tuple[float, int]]:
    """A short cell: durations (quarter notes) and scale-step moves."""
    rhythms = [(1.0, 0.5, 0.5), (0.5, 0.5, 1.0), (0.5, 0.5, 0.5, 0.5), (1.5, 0.5), (0.5, 1.0, 0.5),
               (1.0, 1.0)]
    rhythm = rhythms[rng.randrange(len(rhythms))]
    moves = [rng.choice((-2, -1, 1, 2, 3)) for _ in rhythm]
    return list(zip(rhythm, moves, strict=True))


def _phrase_cells(motif: list[tuple[float, int]], phrase_no: int, rng: random.Random,
                  density: float) -> list[tuple[float, int]]:
    """State the motif, repeat it, then develop it (invert, displace, extend with runs)."""
    cells = list(motif)
    kind = phrase_no % 4
    if kind == 1:
        cells = list(motif)  # repeat: the same shape from a new note
    elif kind == 2:
        cells = [(d, -s) for d, s in motif]  # inversion
    elif kind == 3:
        cells = [(0.5, 1), *motif]  # displaced by an eighth
    run = 4 + round(6 * density)
    for _ in range(run):
        if rng.random() < density:
            cells.append((0.5, rng.choice((-1, 1, 1, 2, -2))))
        else:
            cells.append((1.0, rng.choice((-2, -1, 1, 2))))
    return cells


def _no_long_notes(notes: list[Note], bars: list[TimelineBar]) -> list[Note]:
    """Never sit on one pitch for more than two bars: move a repeated note a step."""
    if not notes:
        return notes
    limit = 2 * bars[0].length
    out = [notes[0]]
    run_start = notes[0].start
    for n in notes[1:]:
        if n.pitch == out[-1].pitch and n.start + n.length - run_start > limit:
            n = Note(n.start, n.length, n.pitch + 2, n.velocity)
            run_start = n.start
        elif n.pitch != out[-1].pitch:
            run_start = n.start
        out.append(n)
    return out

