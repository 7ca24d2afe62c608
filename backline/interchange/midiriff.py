"""A one-track MIDI line into a riff: notes quantised to sixteenths, written in the chart's
note syntax with bar checks, wrapped in a chart that plays it.

>>> note_name(60), note_name(57), note_name(70), note_name(76)
('c', 'a,', 'bb', "e'")
>>> lengths(6)
['4.']
"""

from __future__ import annotations

from typing import Any

from .chartwriter import ChartDraft, DraftSection, chart_text

NAMES = ("c", "c#", "d", "eb", "e", "f", "f#", "g", "ab", "a", "bb", "b")
UNITS = {16: "1", 12: "2.", 8: "2", 6: "4.", 4: "4", 3: "8.", 2: "8", 1: "16"}  # sixteenths → length


class MidiRiffError(ValueError):
    """A MIDI file with no line to take."""


def note_name(pitch: int, sharp: bool = False) -> str:
    """The chart's name for a MIDI note (``sharp``: c# d# f# g# a# instead of flats)."""
    octave = pitch // 12 - 5
    name = NAMES[pitch % 12]
    if sharp and name in ("eb", "ab", "bb"):
        name = {"eb": "d#", "ab": "g#", "bb": "a#"}[name]
    return name + ("'" * octave if octave > 0 else "," * -octave)


def lengths(units: int) -> list[str]:
    """Lengths (tied when more than one) that add up to ``units`` sixteenths."""
    out = []
    for size in sorted(UNITS, reverse=True):
        while units >= size:
            out.append(UNITS[size])
            units -= size
    return out


MAX_MIDI_BYTES = 4_000_000


def _midi_file(source: str | bytes) -> object:
    """A MIDI file read with mido from a path (a regular file) or its bytes; ``MidiRiffError``
    for anything mido cannot read (a garbled file must not be a traceback)."""
    import io

    import mido

    from ..files import read_input

    data = source if isinstance(source, bytes) else read_input(source, MAX_MIDI_BYTES)
    try:
        return mido.MidiFile(file=io.BytesIO(data))
    except Exception as e:  # mido raises OSError, EOFError, KeyError, ValueError… on bad files
        raise MidiRiffError(f"not a MIDI file that can be read: {' '.join(str(e).split())[:100]}") from None


def _meter(num: int, den: int) -> tuple[int, int]:
    """A MIDI time signature a chart can hold (1–32 over 1–32, whole sixteenths), else 4/4."""
    if 1 <= num <= 32 and den in (1, 2, 4, 8, 16) and num * 16 % den == 0:
        return num, den
    return 4, 4


def read_line(source: str | bytes) -> tuple[list[tuple[int, int, int]], int, int, str]:
    """(start, length, pitch) in sixteenths, the meter, and a name, from the busiest
    non-drum track of a MIDI file (one note at a time: the highest wins).

    The line must fit a chart: at most ``MAX_NOTES`` notes and ``MAX_BEATS`` quarter notes
    from its first note to its last note's end (checked before any note is written out, so a
    note held for days costs nothing)."""
    from ..chart.notes import MAX_NOTES
    from ..chart.parser import MAX_BEATS

    mid: Any = _midi_file(source)
    path = source if isinstance(source, str) else "the MIDI file"
    if not isinstance(mid.ticks_per_beat, int) or mid.ticks_per_beat < 1:
        raise MidiRiffError(f"{path}: its timing is not in ticks per beat")
    per_16th = mid.ticks_per_beat / 4
    num, den = 4, 4
    best: list[tuple[int, int, int]] = []
    name = ""
    for track in mid.tracks:
        now, on = 0, {}
        notes: list[tuple[int, int, int]] = []
        for msg in track:
            now += msg.time
            if msg.type == "time_signature" and not best and not notes:
                num, den = _meter(msg.numerator, msg.denominator)
            if getattr(msg, "channel", None) == 9:
                continue
            if msg.type == "note_on" and msg.velocity:
                on[msg.note] = now
            elif msg.type in ("note_off", "note_on") and msg.note in on:
                start = on.pop(msg.note)
                notes.append((round(start / per_16th), max(1, round((now - start) / per_16th)), msg.note))
        if len(notes) > len(best):
            best, name = notes, track.name
    if not best:
        raise MidiRiffError(f"{path}: no notes outside the drum channel")
    if len(best) > MAX_NOTES:
        raise MidiRiffError(f"{path}: {len(best):,} notes; a riff holds at most {MAX_NOTES:,}")
    first, last = min(n[0] for n in best), max(n[0] + n[1] for n in best)
    if (last - first) / 4 > MAX_BEATS:
        raise MidiRiffError(f"{path}: the line lasts {(last - first) / 4:,.0f} quarter notes; "
                            f"a chart holds at most {MAX_BEATS:,}")
    best.sort(key=lambda n: (n[0], -n[2]))
    mono: list[tuple[int, int, int]] = []
    for start, length, pitch in best:
        if mono and mono[-1][0] == start:
            continue  # a chord: keep the top note
        if mono and mono[-1][0] + mono[-1][1] > start:
            mono[-1] = (mono[-1][0], start - mono[-1][0], mono[-1][2])
        mono.append((start, length, pitch))
    return mono, num, den, name


def riff_notes(notes: list[tuple[int, int, int]], bar_units: int) -> tuple[str, int]:
    """Note syntax with rests, ties across bar lines and a ``|`` at each bar; and the bar count."""
    first_bar = notes[0][0] // bar_units
    now = first_bar * bar_units
    tokens: list[str] = []
    last_len = ""

    def emit(name: str, units: int, tie: bool) -> None:
        nonlocal now, last_len
        while units > 0:
            room = bar_units - (now % bar_units)
            take = min(units, room)
            parts = lengths(take)
            for k, ln in enumerate(parts):
                more = k < len(parts) - 1 or units > take
                tokens.append(name + (ln if ln != last_len else "") + ("~" if tie and more and name != "r" else ""))
                last_len = ln
            now += take
            units -= take
            if now % bar_units == 0:
                tokens.append("|")

    for start, length, pitch in notes:
        if start > now:
            emit("r", start - now, False)
        emit(note_name(pitch), length, True)
    if now % bar_units:
        emit("r", bar_units - now % bar_units, False)
    return " ".join(tokens), now // bar_units - first_bar


def to_chart(path: str | bytes, title: str) -> str:
    notes, num, den, name = read_line(path)
    bar_units = num * 16 // den
    text, bars = riff_notes(notes, bar_units)
    draft = ChartDraft(title, time=f"{num}/{den}", riffs=[("line", text)],
                       sections=[DraftSection("Riff", [["N.C."]] * bars, [("riff", "line on bass guitar")])],
                       comments=[f"Imported from MIDI ({name or 'a track'}): paste the riff into your chart"])
    return chart_text(draft)
