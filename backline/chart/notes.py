"""Note syntax for riffs and melodies: ``a,,8 c, e, <e, a, d>4 r8 g~ g | …``.

>>> p = parse_notes("a,,8 c, e,4 r4 <c e g>2", 4.0); [n.pitches for n in p.notes]
[(45,), (48,), (52,), (), (60, 64, 67)]
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..model import Note, Phrase
from ..theory.pitch import LETTER_PC

TOKEN = re.compile(
    r"(?P<bar>\|)"
    r"|(?P<chord><(?P<inner>[^>]*)>)(?P<cdur>\d+\.*t?)?(?P<ctie>~)?"
    r"|(?P<rest>r)(?P<rdur>\d+\.*t?)?"
    r"|(?P<note>[a-g](?:#|b)?[',]*)(?P<ndur>\d+\.*t?)?(?P<ntie>~)?"
    r"|(?P<space>\s+)"
)
PITCH = re.compile(r"([a-g])(#|b)?([',]*)$")
MAX_NOTES = 10_000  # in one riff or melody
MAX_DOTS = 8  # each dot halves what it adds: more would only grow the fractions
LENGTHS = {"1": Fraction(4), "2": Fraction(2), "4": Fraction(1), "8": Fraction(1, 2), "16": Fraction(1, 4),
           "32": Fraction(1, 8)}


class NoteError(ValueError):
    """A problem at ``offset`` (0-based, within the parsed text)."""

    def __init__(self, offset: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.offset, self.message, self.hint = offset, message, hint


def note_pitch(text: str) -> int:
    """MIDI number of a note name: bare letters from middle C up, ``,`` down, ``'`` up.

    >>> note_pitch("c"), note_pitch("a,,"), note_pitch("bb,"), note_pitch("e'")
    (60, 45, 58, 76)
    """
    m = PITCH.match(text)
    if not m:
        raise ValueError(text)
    acc = {"#": 1, "b": -1}.get(m.group(2) or "", 0)
    marks = m.group(3)
    return 60 + LETTER_PC[m.group(1).upper()] + acc + 12 * (marks.count("'") - marks.count(","))


def duration(text: str) -> Fraction:
    """Length in quarter notes of ``4``, ``8.``, ``8t``, ``2..``."""
    m = re.match(r"(\d+)(\.*)(t?)$", text)
    if not m or m.group(1) not in LENGTHS or len(m.group(2)) > MAX_DOTS:
        raise KeyError(text)
    base = LENGTHS[m.group(1)]
    value, add = base, base
    for _ in m.group(2):
        add /= 2
        value += add
    return value * Fraction(2, 3) if m.group(3) else value


def parse_notes(text: str, bar_beats: float | None) -> Phrase:
    """Read notes; ``|`` checks each bar adds up to ``bar_beats`` quarter notes."""
    notes: list[Note] = []
    pos, now, length = 0, Fraction(0), Fraction(1)
    bar_start, bar_start_offset = Fraction(0), 0
    tie_open = False
    bar = Fraction(bar_beats).limit_denominator(64) if bar_beats else None
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise NoteError(pos, f"unexpected {text[pos]!r} in notes",
                            "a note is a–g with # or b, ' or , and a length 1 2 4 8 16 32")
        kind = m.lastgroup if m.lastgroup in ("bar", "space") else None
        if kind == "space":
            pos = m.end()
            continue
        if m.group("bar"):
            if bar is not None and now - bar_start != bar:
                raise NoteError(bar_start_offset if now == bar_start else pos,
                                f"bar has {_beats(now - bar_start)} but the meter needs {_beats(bar)}",
                                "check the lengths: a length carries over to the next notes")
            bar_start, bar_start_offset = now, m.end()
            pos = m.end()
            continue
        dur_text = m.group("cdur") or m.group("rdur") or m.group("ndur")
        if dur_text:
            try:
                length = duration(dur_text)
            except KeyError:
                raise NoteError(text.index(dur_text, pos), f"unknown length {dur_text[:20]!r}",
                                "use 1 2 4 8 16 32, dotted with '.', triplet with 't'") from None
        if m.group("rest"):
            pitches: tuple[int, ...] = ()
        elif m.group("chord"):
            pitches = _chord_pitches(m.group("inner"), pos + 1)
        else:
            pitches = (note_pitch(m.group("note")),)
        if pitches and not 0 <= pitches[0] <= pitches[-1] <= 127:
            raise NoteError(pos, "note is outside the MIDI range", "MIDI notes go from c,,,,, (0) to g''''' (127)")
        if tie_open and notes and notes[-1].pitches == pitches and pitches:
            last = notes[-1]
            notes[-1] = Note(last.start, last.length + length, pitches)
        elif len(notes) == MAX_NOTES:
            raise NoteError(pos, f"more than {MAX_NOTES:,} notes", "split the part into several riffs")
        else:
            notes.append(Note(now, length, pitches))
        tie_open = bool(m.group("ctie") or m.group("ntie"))
        now += length
        pos = m.end()
    if not notes:
        raise NoteError(0, "no notes given", "write notes such as: e8 g a b | …")
    return Phrase(tuple(notes), now)


def _chord_pitches(inner: str, offset: int) -> tuple[int, ...]:
    names = inner.split()
    if not names:
        raise NoteError(offset, "empty chord '<>'", "put notes inside: <e, a, d>4")
    pitches = []
    for name in names:
        if not PITCH.match(name):
            raise NoteError(offset + inner.index(name), f"{name!r} is not a note",
                            "inside < > write notes only, such as <e, a, d>")
        pitches.append(note_pitch(name))
    return tuple(sorted(set(pitches)))


def _beats(value: Fraction) -> str:
    """'3 beats', '3.5 beats', '1/3 beat' in quarter notes, for messages."""
    if value.denominator == 1:
        n = str(value.numerator)
    elif value.denominator in (2, 4, 8):
        n = f"{float(value):g}"
    else:
        n = str(value)
    return f"{n} quarter note{'s' if value != 1 else ''}"
