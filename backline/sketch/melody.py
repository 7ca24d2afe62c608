"""A guide melody for a section: chord tones on the strong beats, steps between, phrases
that breathe every four bars, inside a twelfth, higher in the chorus.

>>> import random
>>> from backline.theory.chords import parse_chord
>>> from backline.theory.pitch import Key
>>> from backline.model import Meter
>>> text = melody_for([parse_chord(c) for c in ("C", "Am", "F", "G")], Key("C"), Meter(4, 4, (1, 1, 1, 1)),
...                   "chorus", random.Random(1))
>>> text.count("|")
4
"""

from __future__ import annotations

import math
import random

from ..interchange.midiriff import note_name
from ..model import Meter
from ..theory.chords import Chord
from ..theory.pitch import Key

TOKENS = {4.0: "1", 3.0: "2.", 2.0: "2", 1.5: "4.", 1.0: "4", 0.75: "8.", 0.5: "8", 0.25: "16"}
RHYTHMS_44: list[list[float]] = [[2, 2], [1, 1, 2], [1, 1, 1, 1], [1.5, 0.5, 2], [2, 1, 1], [1, 0.5, 0.5, 2]]
RHYTHMS_34: list[list[float]] = [[2, 1], [1, 1, 1], [1.5, 0.5, 1]]
SPAN = {"verse": (-4, 7), "bridge": (-2, 9), "chorus": (0, 12)}  # around the tonic, semitones


def home(key: Key) -> int:
    """The tonic between G3 and F#4: the melody's home note."""
    return 55 + (key.tonic_pc - 7) % 12


def _rhythm(meter: Meter, rng: random.Random, closing: bool) -> list[float]:
    bar = meter.bar_beats
    if closing:
        return [bar] if bar in TOKENS else [g * meter.pulse_beats for g in meter.groups]
    if meter.num == 4 and meter.den == 4:
        return list(rng.choice(RHYTHMS_44))
    if meter.num == 3 and meter.den == 4:
        return list(rng.choice(RHYTHMS_34))
    out: list[float] = []
    for g in meter.groups:  # a note a group, now and then split in two
        length = g * meter.pulse_beats
        if rng.random() < 0.35 and g >= 2:
            first = meter.pulse_beats * (g - 1)
            out += [first, length - first]
        else:
            out.append(length)
    return out


def strong_beats(meter: Meter) -> list[float]:
    """Where the strong beats fall: 1 and 3 in 4/4, 1 in 3/4, each pulse group's start otherwise.

    >>> strong_beats(Meter(4, 4, (1, 1, 1, 1))), strong_beats(Meter(6, 8, (3, 3)))
    ([0.0, 2.0], [0.0, 1.5])
    """
    if meter.den == 4 and all(g == 1 for g in meter.groups):
        return [float(b) for b in range(0, meter.num, 2)] if meter.num % 2 == 0 else [0.0]
    return meter.group_starts()


def _strong(pos: float, meter: Meter) -> bool:
    return any(abs(pos - s) < 1e-9 for s in strong_beats(meter))


def melody_for(chords: list[Chord], key: Key, meter: Meter, role: str, rng: random.Random) -> str:
    """Notes (chart syntax, one chord a bar) for a section of the given role."""
    low_off, high_off = SPAN.get(role, SPAN["verse"])
    low, high = home(key) + low_off, home(key) + high_off
    scale = set(key.scale())
    pitch = home(key) + (4 if role == "chorus" else 0)
    tokens: list[str] = []
    last_len = ""
    for k, chord in enumerate(chords):
        closing = k % 4 == 3
        arch = math.sin(math.pi * (k + 0.5) / max(1, len(chords)))
        target = low + (high - low) * (0.35 + 0.55 * arch if role == "chorus" else 0.25 + 0.5 * arch)
        pos = 0.0
        tones = {(chord.root_pc + i) % 12 for i in chord.intervals if i in (0, 3, 4, 7, 10, 11)}
        for length in _rhythm(meter, rng, closing):
            if _strong(pos, meter) or closing:
                pitch = _nearest(tones, (pitch + target) / 2, low, high, rng, avoid=pitch)
            else:
                step = rng.choice((-2, -1, 1, 2)) if abs(pitch - target) < 3 else (2 if target > pitch else -2)
                pitch = _nearest(scale, pitch + step, low, high, rng, avoid=pitch)
            token = TOKENS.get(length, "4")
            tokens.append(_spelled(pitch, key) + (token if token != last_len else ""))
            last_len = token
            pos += length
        tokens.append("|")
    return " ".join(tokens)


def _spelled(pitch: int, key: Key) -> str:
    """The note as the key spells it (the raised seventh of a minor key with a sharp)."""
    if key.is_minor and pitch % 12 == (key.tonic_pc + 11) % 12:
        return note_name(pitch, sharp=True)
    name = key.spell(pitch).lower()
    marks = note_name(pitch)
    return name + marks[len(marks.rstrip("',")):]


def _nearest(pcs: set[int], target: float, low: int, high: int, rng: random.Random, avoid: int | None = None) -> int:
    options = [p for p in range(low, high + 1) if p % 12 in pcs and p != avoid] or \
              [p for p in range(low, high + 1) if p % 12 in pcs]
    return min(options, key=lambda p: (abs(p - target), rng.random()))
