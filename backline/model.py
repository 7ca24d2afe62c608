"""The typed song model: what a chart says, checked and resolved.

Everything here is plain data that downstream code trusts; validation happens in
``backline.chart`` before these objects exist.

>>> Meter(7, 8, (2, 2, 3)).bar_beats
3.5
"""

from __future__ import annotations

from .theory.chords import Chord
from .theory.pitch import Key

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from fractions import Fraction
    from typing import NamedTuple
else:
    from .records import NamedTuple

INSTRUMENTS = ("drums", "bass", "keys", "guitar", "pad")
VOICES = (*INSTRUMENTS, "melody", "solo")
DYNAMICS = {"ppp": 20, "pp": 30, "p": 45, "mp": 60, "mf": 75, "f": 95, "ff": 112, "fff": 124}


class Meter(NamedTuple):
    """A time signature and how its pulses group (``7/8 (2+2+3)``)."""

    num: int
    den: int
    groups: tuple[int, ...]

    @property
    def pulse_beats(self) -> float:
        """Length of one pulse in quarter notes."""
        return 4 / self.den

    @property
    def bar_beats(self) -> float:
        """Length of a bar in quarter notes."""
        return self.num * 4 / self.den

    @property
    def compound(self) -> bool:
        """6/8, 9/8, 12/8: the beat is a dotted quarter."""
        return self.den == 8 and self.num % 3 == 0 and self.num >= 6

    @property
    def tempo_beat(self) -> float:
        """Quarter notes per counted beat: the chart's tempo counts these."""
        return 1.5 if self.compound else 1.0

    def group_starts(self) -> list[float]:
        """Start of each pulse group, in quarter notes from the bar line."""
        starts, pos = [], 0
        for g in self.groups:
            starts.append(pos * self.pulse_beats)
            pos += g
        return starts

    def __str__(self) -> str:
        plain = default_groups(self.num, self.den)
        text = f"{self.num}/{self.den}"
        return text if self.groups == plain else f"{text} ({'+'.join(map(str, self.groups))})"


def default_groups(num: int, den: int) -> tuple[int, ...]:
    """How a meter's pulses group when the chart does not say.

    >>> default_groups(7, 8), default_groups(6, 8), default_groups(4, 4)
    ((2, 2, 3), (3, 3), (1, 1, 1, 1))
    """
    if den <= 4:
        if num == 5:
            return (3, 2)
        if num == 7:
            return (2, 2, 3)
        return (1,) * num
    if num % 3 == 0 and num > 3:
        return (3,) * (num // 3)
    if num <= 3:
        return (num,)
    if num % 2:
        return (2,) * ((num - 3) // 2) + (3,)
    if num > 4:
        return (3, 3) + (2,) * ((num - 6) // 2)
    return (2,) * (num // 2)


class Note(NamedTuple):
    """A note or rest of a riff or melody: start and length in quarter notes from its start."""

    start: Fraction
    length: Fraction
    pitches: tuple[int, ...]  # MIDI numbers; empty for a rest

    @property
    def is_rest(self) -> bool:
        return not self.pitches


class Phrase(NamedTuple):
    """Notes in order with their total length (quarter notes)."""

    notes: tuple[Note, ...]
    length: Fraction

    def transposed(self, semitones: int) -> Phrase:
        if not semitones:
            return self
        return Phrase(tuple(Note(n.start, n.length, tuple(p + semitones for p in n.pitches))
                            for n in self.notes), self.length)


class Riff(NamedTuple):
    name: str
    phrase: Phrase
    line: int


class Slot(NamedTuple):
    """One slot of a bar: a chord, held (None chord with ``hold``), or no chord."""

    chord: Chord | None
    hit: bool = False
    hold: bool = False  # '.': the previous chord (or silence after a hit) goes on


class Bar(NamedTuple):
    slots: tuple[Slot, ...]
    line: int
    column: int


class Ramp(NamedTuple):
    """A value that is ``start`` at a section's first beat and ``end`` at its last."""

    start: float
    end: float

    def at(self, fraction: float) -> float:
        return self.start + (self.end - self.start) * fraction


class RiffUse(NamedTuple):
    riff: str
    instruments: tuple[str, ...]


class Syllable(NamedTuple):
    """A sung syllable: its text, whether its word goes on in the next one (``walk-ing``), and
    how many notes it is sung over (more than one: a melisma, written ``_``)."""

    text: str
    joined: bool = False
    notes: int = 1


class Lyric(NamedTuple):
    """One stanza of a section's words: syllables under the guide melody's notes (``None`` for a
    note sung to no syllable, ``*``), or, without a melody, the words of each bar."""

    syllables: tuple[Syllable | None, ...] = ()
    bars: tuple[str, ...] = ()
    line: int = 0

    def words(self) -> list[str]:
        """The words as they are read (syllables joined).

        >>> Lyric((Syllable("walk", True), Syllable("ing"), None, Syllable("home", notes=2))).words()
        ['walking', 'home']
        """
        if self.bars:
            return " ".join(self.bars).split()
        out, word = [], ""
        for s in self.syllables:
            if s is None:
                continue
            word += s.text
            if not s.joined:
                out.append(word)
                word = ""
        return out + ([word] if word else [])


class Section(NamedTuple):
    """A section as resolved: its own directives merged over those it is ``like``."""

    name: str
    bars: tuple[Bar, ...]
    line: int
    like: str | None = None
    dynamics: Ramp | None = None
    tempo: Ramp | None = None
    meter: Meter | None = None
    key: Key | None = None
    transpose: int = 0
    style: str | None = None
    feel: str | None = None
    swing: float | None = None
    players: tuple[str, ...] | None = None  # only:
    tacet: tuple[str, ...] = ()
    riffs: tuple[RiffUse, ...] = ()
    solo: str | None = None
    melody: Phrase | None = None
    lyrics: tuple[Lyric, ...] = ()  # a stanza a line: the section's n-th time in the form sings the n-th


class Song(NamedTuple):
    """A whole chart: header, riffs, sections and the form."""

    title: str
    artist: str
    key: Key
    tempo: float
    meter: Meter
    style: str
    sections: dict[str, Section]
    form: list[str]
    riffs: dict[str, Riff]
    path: str = "<chart>"
    text: str = ""
    feel: str = ""  # '' lets the style decide
    swing: float | None = None

    def timeline(self) -> Timeline:
        """The form expanded into bars with absolute times (see ``backline.timeline``)."""
        from .timeline import build_timeline

        return build_timeline(self)

    def transposed(self, semitones: int) -> Song:
        """The song in another key: chords, keys, riffs and melodies all move."""
        from .timeline import transpose_song

        return transpose_song(self, semitones)


class ChordSpan(NamedTuple):
    """A chord (None: no chord) sounding in a bar from ``beat`` for ``length`` quarter notes."""

    beat: float
    length: float
    chord: Chord | None
    hit: bool = False
    stop: bool = False  # the band rests after a hit

    @property
    def end(self) -> float:
        return self.beat + self.length


class SectionSpan(NamedTuple):
    """One occurrence of a section in the form."""

    name: str
    position: int  # place in the form, from 0
    first_bar: int
    bar_count: int
    start_beat: float
    end_beat: float
    start_seconds: float
    section: Section


class TimelineBar(NamedTuple):
    """A bar of the expanded form, with everything a player needs to play it."""

    number: int  # the bar's place in the song, from 0
    span: int  # index into Timeline.sections
    bar_in_section: int
    start_beat: float
    length: float
    start_seconds: float
    seconds: float
    meter: Meter
    key: Key
    tempo: float
    level: float  # velocity at the bar's start (dynamics)
    level_end: float
    style: str
    feel: str
    swing: float | None
    players: frozenset[str]
    chords: tuple[ChordSpan, ...]
    solo: str | None

    @property
    def end_beat(self) -> float:
        return self.start_beat + self.length

    @property
    def hits(self) -> tuple[ChordSpan, ...]:
        return tuple(c for c in self.chords if c.hit)


class TempoChange(NamedTuple):
    beat: float
    us_per_quarter: int

    @property
    def bpm(self) -> float:
        return 60_000_000 / self.us_per_quarter


class Timeline(NamedTuple):
    """The song as time: bars, sections, tempo map; every downstream player reads this."""

    song: Song
    bars: list[TimelineBar]
    sections: list[SectionSpan]
    tempo_map: list[TempoChange]
    beats: float
    seconds: float

    def seconds_at(self, beat: float) -> float:
        """Seconds from the start to a position in quarter notes, through the tempo map."""
        return seconds_at(self.tempo_map, beat)

    def chords_used(self) -> list[str]:
        seen: dict[str, None] = {}
        for bar in self.bars:
            for c in bar.chords:
                if c.chord is not None:
                    seen.setdefault(str(c.chord), None)
        return list(seen)


def seconds_at(tempo_map: list[TempoChange], beat: float) -> float:
    """Seconds to ``beat`` under a stepwise tempo map (first change at beat 0)."""
    total = 0.0
    for i, change in enumerate(tempo_map):
        nxt = tempo_map[i + 1].beat if i + 1 < len(tempo_map) else None
        if nxt is not None and nxt <= beat:
            total += (nxt - change.beat) * change.us_per_quarter / 1e6
        else:
            total += (beat - change.beat) * change.us_per_quarter / 1e6
            break
    return total
