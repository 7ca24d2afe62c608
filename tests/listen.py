"""Listening to a MIDI file the way a session player would: read it back with mido, then
measure the arrangement (unisons, beat-1 strikes, pad voice leading, stabs, solo rhythm,
drum bars, timing). Nothing here looks inside the players: only the file.
"""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import mido

PITCHED = ("Bass", "Keys", "Guitar", "Pad")
COMPING = ("Keys", "Guitar")


@dataclass
class Heard:
    """A MIDI file as heard: notes per track in quarter notes, controls, bars, chords, sections."""

    notes: dict[str, list[tuple[float, float, int, int]]]  # (start, end, pitch, velocity)
    controls: dict[str, list[tuple[float, str, int, int]]]  # (beat, "cc"/"bend", number, value)
    bars: list[tuple[float, float]]  # (start, length) in quarter notes
    chords: list[tuple[float, str]]  # chord symbol text events
    sections: list[tuple[float, str]]
    tempos: list[tuple[float, int]]
    programs: dict[str, list[int]] = field(default_factory=dict)

    @property
    def end(self) -> float:
        return self.bars[-1][0] + self.bars[-1][1] if self.bars else 0.0

    def ms_per_beat(self, beat: float) -> float:
        us = next((t for b, t in reversed(self.tempos) if b <= beat + 1e-9), 500000)
        return us / 1000

    def bar_of(self, beat: float) -> int:
        for i, (s, length) in enumerate(self.bars):
            if s - 1e-9 <= beat < s + length - 1e-9:
                return i
        return len(self.bars) - 1


def hear(data: bytes) -> Heard:
    """Read a type-1 file's bytes."""
    mid = mido.MidiFile(file=io.BytesIO(data))
    tpq = mid.ticks_per_beat
    notes: dict[str, list[tuple[float, float, int, int]]] = {}
    controls: dict[str, list[tuple[float, str, int, int]]] = {}
    programs: dict[str, list[int]] = {}
    sigs: list[tuple[float, int, int]] = []
    chords: list[tuple[float, str]] = []
    sections: list[tuple[float, str]] = []
    tempos: list[tuple[float, int]] = []
    end = 0.0
    for track in mid.tracks:
        now = 0
        on: dict[int, list[tuple[float, int]]] = defaultdict(list)
        out: list[tuple[float, float, int, int]] = []
        ctl: list[tuple[float, str, int, int]] = []
        progs: list[int] = []
        for m in track:
            now += m.time
            beat = now / tpq
            if m.type == "note_on" and m.velocity:
                on[m.note].append((beat, m.velocity))
            elif m.type in ("note_on", "note_off") and on[m.note]:
                start, vel = on[m.note].pop(0)
                out.append((start, beat, m.note, vel))
            elif m.type == "control_change" and m.control in (11, 64):
                ctl.append((beat, "cc", m.control, m.value))
            elif m.type == "pitchwheel":
                ctl.append((beat, "bend", 0, m.pitch))
            elif m.type == "program_change":
                progs.append(m.program)
            elif m.type == "time_signature":
                sigs.append((beat, m.numerator, m.denominator))
            elif m.type == "text":
                chords.append((beat, m.text))
            elif m.type == "marker":
                sections.append((beat, m.text))
            elif m.type == "set_tempo":
                tempos.append((beat, m.tempo))
        end = max(end, now / tpq)
        if track.name and (out or ctl or progs):
            notes[track.name] = sorted(out)
            controls[track.name] = ctl
            programs[track.name] = progs
    bars: list[tuple[float, float]] = []
    for i, (at, num, den) in enumerate(sigs):
        stop = sigs[i + 1][0] if i + 1 < len(sigs) else end
        length = num * 4 / den
        t = at
        while t < stop - 1e-9:
            bars.append((t, length))
            t += length
    return Heard(notes, controls, bars, chords, sections, tempos, programs)


def _segments(a: list[tuple[float, float, int, int]], b: list[tuple[float, float, int, int]]):
    """(start, end, pitches of a, pitches of b) between every note boundary of both parts."""
    cuts = sorted({t for n in a + b for t in (n[0], n[1])})
    for s, e in itertools.pairwise(cuts):
        mid = (s + e) / 2
        pa = frozenset(n[2] for n in a if n[0] <= mid < n[1])
        pb = frozenset(n[2] for n in b if n[0] <= mid < n[1])
        yield s, e, pa, pb


def unison_share(a: list[tuple[float, float, int, int]], b: list[tuple[float, float, int, int]],
                 skip: list[tuple[float, float]] = ()) -> float:
    """Of the time both parts sound, the share where they sound the identical pitch set."""
    both = same = 0.0
    for s, e, pa, pb in _segments(a, b):
        if not pa or not pb or any(x <= s < y for x, y in skip):
            continue
        both += e - s
        if pa == pb:
            same += e - s
    return same / both if both else 0.0


def chords_struck(notes: list[tuple[float, float, int, int]], tol: float = 0.06) -> list[tuple[float, list[int]]]:
    """Onsets grouped into struck chords (notes starting within ``tol`` quarter notes)."""
    out: list[tuple[float, list[int]]] = []
    for n in sorted(notes):
        if out and n[0] - out[-1][0] <= tol:
            out[-1][1].append(n[2])
        else:
            out.append((n[0], [n[2]]))
    return out


def sounding_sets(notes: list[tuple[float, float, int, int]]) -> list[tuple[float, tuple[int, ...]]]:
    """The pitch set sounding after each onset (held notes included), in time order."""
    out = []
    for t, _ in chords_struck(notes):
        now = tuple(sorted({n[2] for n in notes if n[0] <= t + 0.06 and n[1] > t + 0.07}))
        if now and (not out or out[-1][1] != now):
            out.append((t, now))
    return out


def voice_motion(notes: list[tuple[float, float, int, int]]) -> float:
    """Average semitones each voice moves per change of the sounding chord (nearest voices)."""
    sets = sounding_sets(notes)
    moves = []
    for (_, a), (_, b) in itertools.pairwise(sets):
        if len(a) < 2 or len(b) < 2:
            continue
        if len(a) == len(b):  # voice by voice, lowest to lowest
            moves.append(sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(b))
        else:
            moves.append(sum(min(abs(x - y) for y in a) for x in b) / len(b))
    return sum(moves) / len(moves) if moves else 0.0


def beat1_share(heard: Heard, name: str, tol_ms: float = 25.0) -> float:
    """Of the bars where ``name`` sounds, the share with an onset on beat 1."""
    notes = heard.notes.get(name, [])
    playing = struck = 0
    for start, length in heard.bars:
        end = start + length
        if not any(n[0] < end - 1e-6 and n[1] > start + 1e-6 for n in notes):
            continue
        playing += 1
        tol = tol_ms / heard.ms_per_beat(start)
        struck += any(abs(n[0] - start) <= tol for n in notes)
    return struck / playing if playing else 0.0


def onset_grid(notes: list[tuple[float, float, int, int]], per_beat: int = 12) -> set[int]:
    """Onsets on a grid fine enough for sixteenths and triplets."""
    return {round(n[0] * per_beat) for n in notes}


def rhythm_share(a: list[tuple[float, float, int, int]], b: list[tuple[float, float, int, int]]) -> float:
    """Shared onsets over all onsets of either (Jaccard) on the 16th/triplet grid."""
    ga, gb = onset_grid(a), onset_grid(b)
    return len(ga & gb) / max(1, len(ga | gb))


def drum_bars_identical(heard: Heard, name: str = "Drums") -> float:
    """Share of consecutive bar pairs whose drum bars are identical (timing, note, velocity)."""
    notes = heard.notes.get(name, [])
    per_bar: list[tuple[tuple[int, int, int], ...]] = []
    for start, length in heard.bars:
        per_bar.append(tuple(sorted((round((n[0] - start) * 480), n[2], n[3]) for n in notes
                                    if start - 1e-9 <= n[0] < start + length - 1e-9)))
    pairs = [(a, b) for a, b in itertools.pairwise(per_bar) if a and b]
    return sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0


def timing_ms(heard: Heard, name: str, grid: float = 0.25) -> float:
    """Mean absolute distance (ms) of onsets from the nearest ``grid`` step (a 16th)."""
    out = []
    for n in heard.notes.get(name, []):
        off = n[0] / grid - round(n[0] / grid)
        out.append(abs(off) * grid * heard.ms_per_beat(n[0]))
    return sum(out) / len(out) if out else 0.0
