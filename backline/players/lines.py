"""Written lines: riffs looped through a section in each instrument's register, and the
guide melody exactly as written.

>>> from fractions import Fraction as F
>>> from backline.model import Note as N, Phrase
>>> riff_octave(Phrase((N(F(0), F(1), (45,)), N(F(1), F(1), (52,))), F(2)), "bass")
-12
"""

from __future__ import annotations

from ..model import Phrase, SectionSpan, TimelineBar
from .common import RANGES, RIFF_CENTER, Note, bar_at, level_at, velocity


def riff_octave(phrase: Phrase, instrument: str) -> int:
    """The octave shift (semitones) that puts a riff in an instrument's register."""
    pitches = sorted(p for n in phrase.notes for p in n.pitches)
    if not pitches:
        return 0
    low, high = RANGES[instrument]
    median = pitches[len(pitches) // 2]
    best, best_key = 0, None
    for k in range(-36, 37, 12):
        outside = sum(1 for p in pitches if not low <= p + k <= high)
        key = (outside, abs(median + k - RIFF_CENTER[instrument]), abs(k))
        if best_key is None or key < best_key:
            best, best_key = k, key
    return best


def play_phrase(phrase: Phrase, span: SectionSpan, bars: list[TimelineBar], loop: bool,
                shift: int, level_scale: float = 1.0, who: str = "") -> list[Note]:
    """Lay ``phrase`` from the section's start, looped (riffs) or once (melody), cut at its end.

    Only bars where ``who`` plays get notes (``only:``/``tacet:``)."""
    out: list[Note] = []
    length = float(phrase.length)
    if length <= 0:
        return out
    start, end = span.start_beat, span.end_beat
    silent = [(b.start_beat, b.end_beat) for b in bars if who and who not in b.players]
    silent += stops(bars)
    offset = 0.0
    while start + offset < end - 1e-9:
        for n in phrase.notes:
            t = start + offset + float(n.start)
            if t >= end - 1e-9:
                break
            if n.is_rest or any(a <= t < b for a, b in silent):
                continue
            dur = min(float(n.length), end - t, _until_stop(silent, t))
            bar = bar_at(bars, t)
            vel = velocity(level_at(bar, t - bar.start_beat), 6 if abs((t - bar.start_beat) % 1) < 1e-6 else 0,
                           level_scale)
            out.extend(Note(t, dur * 0.95, p + shift, vel) for p in n.pitches)
        if not loop:
            break
        offset += length
    return out


def stops(bars: list[TimelineBar]) -> list[tuple[float, float]]:
    """The silences after hits, as (start, end) in quarter notes."""
    return [(b.start_beat + c.beat, b.start_beat + c.end) for b in bars for c in b.chords if c.stop]


def _until_stop(silent: list[tuple[float, float]], t: float) -> float:
    later = [a for a, _ in silent if a > t]
    return min(later) - t if later else float("inf")
