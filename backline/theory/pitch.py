"""Pitch names, spelling and keys.

>>> Key.parse("A minor").signature
0
>>> spell(10, flats=True), spell(10, flats=False)
('Bb', 'A#')
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from ..records import NamedTuple

LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# Position of each natural letter as a major key on the circle of fifths.
LETTER_FIFTHS = {"C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5, "F": -1}
SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
# How a pop musician names a pitch class with no key to go by.
PLAIN_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

# Semitone steps of each mode, and its shift on the circle of fifths from its parent major.
MODES: dict[str, tuple[tuple[int, ...], int]] = {
    "major": ((0, 2, 4, 5, 7, 9, 11), 0),
    "ionian": ((0, 2, 4, 5, 7, 9, 11), 0),
    "dorian": ((0, 2, 3, 5, 7, 9, 10), -2),
    "phrygian": ((0, 1, 3, 5, 7, 8, 10), -4),
    "lydian": ((0, 2, 4, 6, 7, 9, 11), 1),
    "mixolydian": ((0, 2, 4, 5, 7, 9, 10), -1),
    "minor": ((0, 2, 3, 5, 7, 8, 10), -3),
    "aeolian": ((0, 2, 3, 5, 7, 8, 10), -3),
    "locrian": ((0, 1, 3, 5, 6, 8, 10), -5),
}
MINOR_LIKE = frozenset({"minor", "aeolian", "dorian", "phrygian", "locrian"})

NOTE_NAME = re.compile(r"([A-G])(#{1,2}|b{1,2})?$")


def pitch_class(name: str) -> int:
    """Pitch class (0–11) of a note name such as ``Bb`` or ``F#``.

    >>> pitch_class("Bb")
    10
    """
    m = NOTE_NAME.match(name)
    if not m:
        raise ValueError(f"not a note name: {name!r}")
    acc = m.group(2) or ""
    return (LETTER_PC[m.group(1)] + acc.count("#") - acc.count("b")) % 12


def fifths_of(name: str) -> int:
    """Place of a spelled major tonic on the circle of fifths (sharps > 0, flats < 0).

    >>> fifths_of("Eb"), fifths_of("F#")
    (-3, 6)
    """
    m = NOTE_NAME.match(name)
    if not m:
        raise ValueError(f"not a note name: {name!r}")
    acc = m.group(2) or ""
    return LETTER_FIFTHS[m.group(1)] + 7 * (acc.count("#") - acc.count("b"))


def spell(pc: int, flats: bool | None = None) -> str:
    """Name a pitch class: with flats, with sharps, or (None) the plain pop spelling.

    >>> spell(6), spell(6, flats=True)
    ('F#', 'Gb')
    """
    pc %= 12
    if flats is None:
        return PLAIN_NAMES[pc]
    return FLAT_NAMES[pc] if flats else SHARP_NAMES[pc]


class Key(NamedTuple):
    """A tonic (as spelled) and a mode.

    >>> k = Key.parse("E mixolydian"); (k.tonic_pc, k.signature, k.scale()[:3])
    (4, 3, (4, 6, 8))
    """

    tonic: str
    mode: str = "major"

    @classmethod
    def parse(cls, text: str) -> Key:
        parts = text.split()
        if not parts or len(parts) > 2:
            raise ValueError(f"a key is a tonic and a mode, such as 'A minor', not {text!r}")
        tonic = parts[0][:1].upper() + parts[0][1:]
        if not NOTE_NAME.match(tonic) or len(tonic) > 2:
            raise ValueError(f"unknown key tonic {parts[0]!r}: use A–G with # or b")
        mode = parts[1].lower() if len(parts) == 2 else "major"
        if mode in ("maj",):
            mode = "major"
        if mode in ("min", "m"):
            mode = "minor"
        if mode not in MODES:
            raise ValueError(f"unknown mode {parts[1]!r}: use one of {', '.join(MODES)}")
        return cls(tonic, mode)

    @property
    def tonic_pc(self) -> int:
        return pitch_class(self.tonic)

    @property
    def signature(self) -> int:
        """Sharps (> 0) or flats (< 0) of the key signature."""
        return fifths_of(self.tonic) + MODES[self.mode][1]

    @property
    def is_minor(self) -> bool:
        return self.mode in MINOR_LIKE

    @property
    def prefers_flats(self) -> bool:
        sig = self.signature
        return sig < 0 or (sig == 0 and "b" in self.tonic)

    def scale(self) -> tuple[int, ...]:
        """Pitch classes of the key's scale, from the tonic."""
        return tuple((self.tonic_pc + s) % 12 for s in MODES[self.mode][0])

    def spell(self, pc: int) -> str:
        """Name a pitch class as this key would."""
        if self.signature == 0:
            return spell(pc)
        return spell(pc, self.prefers_flats)

    def transpose(self, semitones: int) -> Key:
        """The same mode on a tonic moved by ``semitones``, spelled with the fewest accidentals.

        >>> Key.parse("A minor").transpose(1)
        Key(tonic='Bb', mode='minor')
        """
        pc = (self.tonic_pc + semitones) % 12
        shift = MODES[self.mode][1]
        options = [SHARP_NAMES[pc], FLAT_NAMES[pc]]
        sharp_side = self.signature > 0
        best = min(options, key=lambda n: (abs(fifths_of(n) + shift), ("#" in n) != sharp_side))
        return Key(best, self.mode)

    def __str__(self) -> str:
        return f"{self.tonic} {self.mode}"


def circle_distance(a: Key, b: Key) -> int:
    """Steps between two keys' signatures on the circle of fifths (0–6).

    >>> circle_distance(Key.parse("C major"), Key.parse("A minor"))
    0
    """
    d = (a.signature - b.signature) % 12
    return min(d, 12 - d)
