"""Helpers that look at a performance the way a musician would."""

from __future__ import annotations

from backline.model import ChordSpan, Timeline
from backline.performance import Note, Performance

EPS = 0.12  # quarter notes: room for human timing at high risk


def span_at(tl: Timeline, beat: float) -> tuple[int, ChordSpan | None]:
    for bar in tl.bars:
        if bar.start_beat - 1e-9 <= beat < bar.end_beat - 1e-9:
            for c in bar.chords:
                if bar.start_beat + c.beat - 1e-9 <= beat < bar.start_beat + c.end - 1e-9:
                    return bar.number, c
            return bar.number, None
    return -1, None


def riff_sections(perf: Performance, instrument: str) -> list[tuple[float, float]]:
    return [(s.start_beat, s.end_beat) for s in perf.timeline.sections
            if any(instrument in u.instruments for u in s.section.riffs)]


def bass_roots(perf: Performance) -> tuple[int, int]:
    """(chord changes where the bass's first note is the root or slash bass, changes checked)."""
    tl = perf.timeline
    track = perf.track("bass")
    notes = sorted(track.notes) if track else []
    skip = riff_sections(perf, "bass")
    good = total = 0
    for bar in tl.bars:
        if "bass" not in bar.players:
            continue
        for c in bar.chords:
            if c.chord is None:
                continue
            t = bar.start_beat + c.beat
            if any(a <= t < b for a, b in skip):
                continue
            if bar.solo == "bass":
                continue
            total += 1
            first = next((n for n in notes if t - EPS <= n.start < t + EPS), None)
            if first is not None and first.pitch % 12 == c.chord.bass_pc:
                good += 1
    return good, total


def sounding(notes: list[Note], start: float, end: float) -> list[Note]:
    """Notes that sound at any time in [start, end)."""
    return [n for n in notes if n.start < end - 1e-6 and n.start + n.length > start + 1e-6]


FEEL = 0.05  # quarter notes: the band's micro-timing (at most 15 ms) at any tempo the charts use
PUSH = 0.5  # quarter notes: the longest anticipation of a chord change


def chords_for(tl: Timeline, start: float) -> list[ChordSpan]:
    """The chords a note starting at ``start`` may belong to: the one sounding (allowing for
    the feel's few ms), and the next one when the note anticipates its change."""
    out = []
    for t in (start + FEEL, start - FEEL):
        _, span = span_at(tl, t)
        if span is not None and span.chord is not None:
            out.append(span)
    for bar in tl.bars:
        for c in bar.chords:
            at = bar.start_beat + c.beat
            if start < at <= start + PUSH + FEEL and c.chord is not None:
                out.append(c)
    return out


def allowed_pcs(span: ChordSpan) -> set[int]:
    """The chord's pitch classes and its natural extensions: the 9th, and the 6th/13th over a
    major, dominant or minor-seventh chord (a shuffle's root-sixth)."""
    chord = span.chord
    assert chord is not None
    ints = chord.intervals
    out = set(chord.pitch_classes) | {(chord.root_pc + 2) % 12}
    if 6 not in ints and 8 not in ints and (3 not in ints or 10 in ints or 9 in ints):
        out.add((chord.root_pc + 9) % 12)
    return out
