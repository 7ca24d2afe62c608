"""Chord voicings, chosen by voice leading: the inversion that moves the voices least.

>>> from backline.theory.chords import parse_chord
>>> voice(parse_chord("Cmaj7"), "close", (52, 76), None)
[60, 64, 67, 71]
>>> voice(parse_chord("E"), "power", (40, 64), None)
[40, 47, 52]
>>> voice(parse_chord("Am7"), "upper", (55, 74), [59, 64, 67, 71])  # C E G, and C again on top
[60, 64, 67, 72]
"""

from __future__ import annotations

from functools import lru_cache

from ..theory.chords import Chord

# Tones to keep when a voicing has fewer notes than the chord: guide tones first.
PRIORITY = (4, 3, 10, 11, 9, 5, 2, 6, 8, 1, 7, 0)


def chord_tones(chord: Chord, count: int, rootless: bool = False) -> list[int]:
    """Up to ``count`` intervals of the chord, most telling first; root last unless asked."""
    have = set(chord.intervals)
    order = [i for i in PRIORITY if i in have and not (rootless and i == 0)]
    if 7 in have and 6 not in have and 8 not in have and len(order) > count:
        order.remove(7)
        order.append(7)
    if not rootless and 0 in order and len(have) <= count:
        order.remove(0)
        order.insert(0, 0)
    return sorted(order[:count])


def voice(chord: Chord, kind: str, register: tuple[int, int], previous: list[int] | None) -> list[int]:
    """Pitches for ``chord`` in ``register``, near ``previous`` when given."""
    return list(_voice(chord, kind, register, tuple(previous) if previous else None))


@lru_cache(maxsize=8192)
def _voice(chord: Chord, kind: str, register: tuple[int, int], previous: tuple[int, ...] | None) -> tuple[int, ...]:
    return tuple(_choose(chord, kind, register, list(previous) if previous else None))


def _choose(chord: Chord, kind: str, register: tuple[int, int], previous: list[int] | None) -> list[int]:
    low, high = register
    root = chord.root_pc
    if kind == "power":
        base = _lowest(root, max(low, 40), 52)
        return [base, base + 7, base + 12]
    if kind == "octave":
        base = _lowest(root, low, high - 12)
        return [base, base + 12]
    if kind in ("open", "spread"):
        return _open(chord, kind, register)
    if kind == "triad":
        pcs = [(root + i) % 12 for i in chord_tones(chord, 3)]
    elif kind == "shell":
        return _shell(chord, register, previous)
    elif kind == "rootless":
        pcs = [(root + i) % 12 for i in chord_tones(chord, 4, rootless=True)]
    elif kind == "upper":  # a pad's upper structure: the bass has the root
        pcs = [(root + i) % 12 for i in chord_tones(chord, 4, rootless=len(chord.intervals) >= 4)]
    else:  # close, drop2
        pcs = [(root + i) % 12 for i in chord_tones(chord, 4)]
    options = _inversions(pcs, low, high)
    if kind == "drop2":
        options = [sorted([*o[:-2], o[-2] - 12, *o[-1:]]) if len(o) >= 4 and o[-2] - 12 >= low else o
                   for o in options]
    center = (low + high) / 2
    pull = 0.2 if kind == "upper" else 0.5  # a pad stays put; comping keeps near its register's middle

    def cost(o: list[int]) -> float:
        drift = abs(sum(o) / len(o) - center)
        return _distance(o, previous) + pull * drift if previous else drift

    best = min(options, key=cost)
    if kind == "upper" and len(best) == 3 and best[0] + 12 <= high + 5:
        best = [*best, best[0] + 12]  # a triad as four voices: its lowest note doubled on top
    return best


def _shell(chord: Chord, register: tuple[int, int], previous: list[int] | None) -> list[int]:
    """Three-note shells as a swing guitarist plays them: the root on the low strings with
    the third and seventh above (1-3-7 or 1-7-3), the shape nearest the last one."""
    low, high = register
    third = 3 if 3 in chord.intervals else (4 if 4 in chord.intervals else 5)
    seventh = next((i for i in (10, 11, 9) if i in chord.intervals), 7)
    options = []
    for base in range(max(low, 40), 53):
        if base % 12 != chord.root_pc:
            continue
        options.append([base, base + third, base + seventh])  # 1-3-7
        options.append([base, base + seventh, base + third + 12])  # 1-7-3
    options = [o for o in options if o[-1] <= max(high, o[0] + 16)] or options
    if previous is None:
        return min(options, key=lambda o: (abs(o[0] - 45), o[-1]))
    return min(options, key=lambda o: (sum(abs(a - b) for a, b in zip(o, sorted(previous), strict=False)), o[0]))


def _lowest(pc: int, low: int, high: int) -> int:
    p = low + (pc - low) % 12
    return p if p <= high else p - 12


def _inversions(pcs: list[int], low: int, high: int) -> list[list[int]]:
    """Every close-position stack of ``pcs`` whose notes lie in [low, high]."""
    out = []
    unique = sorted(set(pcs))
    for i in range(len(unique)):
        order = unique[i:] + unique[:i]
        for start in range(low, high + 1):
            if start % 12 != order[0]:
                continue
            notes, p = [start], start
            for pc in order[1:]:
                p = p + ((pc - p) % 12 or 12)
                notes.append(p)
            if notes[-1] <= high:
                out.append(notes)
    return out or [[low + (pc - low) % 12 for pc in sorted(unique)]]


def _distance(a: list[int], b: list[int]) -> float:
    """How far the voices move from ``b`` to ``a`` (nearest-voice matching, plus spread)."""
    return sum(min(abs(x - y) for y in b) for x in a) + abs(sum(a) / len(a) - sum(b) / len(b))


def _open(chord: Chord, kind: str, register: tuple[int, int]) -> list[int]:
    """A spread voicing: root low, fifth, then the third and seventh an octave up."""
    low, high = register
    root = chord.root_pc
    base = _lowest(root, max(low, 43), 55)
    tones = chord_tones(chord, 4 if kind == "open" else 5)
    notes = [base]
    fifth = next((i for i in (7, 6, 8) if i in chord.intervals), None)
    if fifth is not None:
        notes.append(base + fifth)
    for i in tones:
        if i in (0, fifth):
            continue
        p = base + i + 12
        while p <= notes[-1]:
            p += 12
        if p <= high + 5:
            notes.append(p)
    return sorted(set(notes))
