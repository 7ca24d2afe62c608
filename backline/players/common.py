"""What every player shares: notes, the grid, swing, velocity, ranges, chords at a time.

>>> intensity(60.0), intensity(75.0), intensity(100.0)
('low', 'mid', 'high')
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import ChordSpan, Meter, TimelineBar
from ..performance import Note

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    import random
    from typing import TypeVar

    T = TypeVar("T")

# Playable ranges (MIDI notes), from common practice (see MUSICIANSHIP.md).
RANGES = {"bass": (28, 67), "guitar": (40, 88), "keys": (36, 96), "pad": (36, 84),
          "melody": (36, 96), "solo": (36, 96)}
# Where each instrument's riffs sit, so two instruments on one riff don't collide.
RIFF_CENTER = {"bass": 40, "guitar": 55, "keys": 64, "pad": 62}


def _wobbles(n: int) -> tuple[float, ...]:
    """``n`` fixed values in [-1, 1) from a small LCG: a deterministic human lean without
    importing :mod:`random` (a risk-0 render never rolls a die)."""
    x, out = 12345, []
    for _ in range(n):
        x = (1103515245 * x + 12345) & 0x7FFFFFFF
        out.append(x / 0x40000000 - 1.0)
    return tuple(out)


WOBBLES = _wobbles(97)


def wobble(i: int) -> float:
    """A fixed value in [-1, 1) for index ``i``: the same every run.

    >>> wobble(3) == wobble(100), -1 <= wobble(5) < 1
    (True, True)
    """
    return WOBBLES[i % 97]


def intensity(level: float) -> str:
    """A style's pattern set for a dynamic level: low (≤ mp), mid (mf), high (≥ f)."""
    if level < 68:
        return "low"
    if level < 88:
        return "mid"
    return "high"


def meter_key(meter: Meter) -> str:
    return f"{meter.num}/{meter.den}"


def swing_offset(pos: float, ratio: float, unit: int) -> float:
    """Where a straight position (quarter notes in the bar) lands when swung."""
    if ratio == 0.5:
        return pos
    pair = 1.0 if unit == 8 else 0.5
    base = (pos // pair) * pair
    within = pos - base
    half = pair / 2
    if abs(within - half) < 1e-6:
        return base + pair * ratio
    return pos


def bar_swing(bar: TimelineBar, style_swing: float) -> float:
    """The swing ratio a bar is played with: the chart's feel, else the style's."""
    if bar.meter.den != 4:
        return 0.5
    if bar.swing is not None:
        return bar.swing
    if bar.feel in ("swing", "shuffle"):
        return max(style_swing, 0.62)
    return style_swing


def chord_at(bar: TimelineBar, pos: float) -> ChordSpan | None:
    """The chord span sounding at ``pos`` quarter notes into the bar."""
    for span in bar.chords:
        if span.beat - 1e-9 <= pos < span.end - 1e-9:
            return span
    return None


def grid_events(tokens: tuple[str, ...], step: float, bar: TimelineBar,
                at_change: Callable[[list[tuple[float, str, float]]], str]) -> list[tuple[float, str, float]]:
    """(position, token, length) of each onset of a pattern grid ('-' holds, '.' rests), with an
    onset added at every chord change the grid misses (its token from ``at_change``)."""
    out: list[tuple[float, str, float]] = []
    for i, t in enumerate(tokens):
        if t in ("-", "."):
            continue
        j = i + 1
        while j < len(tokens) and tokens[j] == "-":
            j += 1
        out.append((i * step, t, (j - i) * step))
    for span in bar.chords:
        if span.chord is None or any(abs(p - span.beat) < 1e-6 for p, _, _ in out):
            continue
        later = [p for p, _, _ in out if p > span.beat]
        end = min(later[0] if later else bar.length, span.end)
        out.append((span.beat, at_change(out), end - span.beat))
    out.sort()
    return out


def bar_at(bars: list[TimelineBar], t: float) -> TimelineBar:
    """The bar sounding at ``t`` quarter notes from the song's start (the last one past the end)."""
    for b in bars:
        if b.start_beat - 1e-9 <= t < b.end_beat - 1e-9:
            return b
    return bars[-1]


def velocity(level: float, accent: float = 0.0, scale: float = 1.0) -> int:
    """A MIDI velocity from a dynamic level, an accent and a part's level (1 = as written;
    the part's balance is mostly its track volume, so this only leans a little)."""
    return max(1, min(127, round(level + accent + (scale - 1.0) * 15)))


def level_at(bar: TimelineBar, pos: float) -> float:
    """The dynamic level at ``pos`` in the bar, following a ramp."""
    if bar.level == bar.level_end:
        return bar.level
    return bar.level + (bar.level_end - bar.level) * (pos / bar.length)


def rng_for(seed: int, span_index: int, who: str, risk: float) -> random.Random:
    """A random source for one player in one section of one take: the same every time.

    At risk 0 it is made on first use (most risk-0 players never roll a die, and a render
    then never imports :mod:`random`)."""
    if risk > 0:
        import random

        return random.Random(f"{seed}:{span_index}:{who}")
    return _OnFirstUse(f"{seed}:{span_index}:{who}")  # type: ignore[return-value]


class _OnFirstUse:
    """``random.Random(seed)``, made when first asked for a number (the same numbers)."""

    __slots__ = ("_rng", "_seed")

    def __init__(self, seed: str) -> None:
        self._seed = seed
        self._rng: random.Random | None = None

    def __getattr__(self, name: str) -> object:
        if self._rng is None:
            import random

            self._rng = random.Random(self._seed)
        return getattr(self._rng, name)


def fit_octave(pitch: int, low: int, high: int) -> int:
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch


def nearest(pc: int, target: float, low: int, high: int) -> int:
    """The pitch of class ``pc`` nearest to ``target`` within [low, high]."""
    best = None
    for octave in range(0, 11):
        p = pc + 12 * octave
        if low <= p <= high and (best is None or abs(p - target) < abs(best - target)):
            best = p
    return best if best is not None else fit_octave(pc + 48, low, high)


BarCache = dict[tuple[object, ...], tuple[list[Note], float, object]]


def bar_key(bar: TimelineBar) -> tuple[object, ...]:
    """Everything about a bar that shapes what a player plays in it (but where it is)."""
    return (bar.meter, bar.level, bar.level_end, bar.feel, bar.swing, bar.chords, bar.tempo, bar.style,
            bar.players, bar.solo)


def shifted(notes: list[Note], by: float) -> list[Note]:
    new = tuple.__new__  # the NamedTuple's own __new__ only adds a call around this
    return [new(Note, (start + by, length, pitch, vel)) for start, length, pitch, vel in notes]


def remember(cache: BarCache | None, key: tuple[object, ...], bar: TimelineBar,
             play: Callable[..., tuple[list[Note], T]], *args: object) -> tuple[list[Note], T]:
    """``play(bar, *args)``, or an identical bar played before, moved here (risk 0 only: no dice)."""
    if cache is None:
        return play(bar, *args)
    hit = cache.get(key)
    if hit is not None:
        notes, start, state = hit
        return shifted(notes, bar.start_beat - start), state  # type: ignore[return-value]
    notes, state = play(bar, *args)
    cache[key] = (notes, bar.start_beat, state)
    return list(notes), state  # the caller may add to its list; the cached one stays as played
