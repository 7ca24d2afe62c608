"""LilyPond text for the pieces of a lead sheet: pitches, durations, strings, chord symbols.

>>> from backline.theory.pitch import Key
>>> pitch(60, Key("C")), pitch(70, Key("F")), pitch(45, Key("A", "minor")), pitch(78, Key("D"))
("c'", "bes'", 'a,', "fis''")
>>> pitch(61, Key("D", "minor")), pitch(56, Key("A", "minor")), pitch(61, Key("F", "minor"))
("cis'", 'gis', "des'")
>>> durations(Fraction(5, 2)), durations(Fraction(3, 4)), whole_fraction(Fraction(7, 2))
(['2', '8'], ['8.'], '1*7/8')
>>> chord_text("Bbmaj7#11"), chord_text("Em7b5/Bb")
('B♭maj7♯11', 'Em7♭5/B♭')
"""

from __future__ import annotations

from fractions import Fraction

from ..theory.pitch import Key, spell

# (length in quarter notes, LilyPond duration), longest first: what one note value can hold
VALUES = [(Fraction(4), "1"), (Fraction(3), "2."), (Fraction(2), "2"), (Fraction(3, 2), "4."), (Fraction(1), "4"),
          (Fraction(3, 4), "8."), (Fraction(1, 2), "8"), (Fraction(3, 8), "16."), (Fraction(1, 4), "16"),
          (Fraction(1, 8), "32"), (Fraction(1, 16), "64")]
PRINTABLE = {length: text for length, text in VALUES}
MODES = {"major": "major", "minor": "minor", "dorian": "dorian", "phrygian": "phrygian", "lydian": "lydian",
         "mixolydian": "mixolydian", "locrian": "locrian", "ionian": "ionian", "aeolian": "aeolian"}


def note_name(name: str) -> str:
    """``Bb`` -> ``bes``, ``F#`` -> ``fis`` (LilyPond's Dutch names)."""
    return name[0].lower() + "".join("is" if a == "#" else "es" for a in name[1:])


def pitch(midi: int, key: Key) -> str:
    """A MIDI note as LilyPond spells it in ``key`` (absolute octave: ``c'`` is middle C)."""
    name = key.spell(midi % 12)
    if key.is_minor and midi % 12 == (key.tonic_pc + 11) % 12:  # the leading tone is raised: C#, not Db, in D minor
        name = spell(midi % 12, flats=False) if len(spell(midi % 12, flats=False)) == 2 else name
    alter = name.count("#") - name.count("b")
    octave = (midi - alter) // 12 - 1
    marks = "'" * (octave - 3) if octave >= 3 else "," * (3 - octave)
    return note_name(name) + marks


def durations(length: Fraction) -> list[str]:
    """Note values that add up to ``length`` quarter notes (tied when sung or played), longest first."""
    out = []
    for value, text in VALUES:
        while length >= value:
            out.append(text)
            length -= value
    return out


def whole_fraction(length: Fraction) -> str:
    """Any length as a scaled whole note (``1*7/8``): for lyrics and skips that print no note."""
    f = Fraction(length) / 4
    return "1" if f == 1 else f"1*{f.numerator}/{f.denominator}"


def string(text: str) -> str:
    """A LilyPond string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def chord_text(symbol: str) -> str:
    """A chord symbol as printed: ``b`` and ``#`` as ♭ and ♯ (the root letter stays)."""
    return symbol[0] + symbol[1:].replace("#", "♯").replace("b", "♭")


def key_command(key: Key) -> str:
    return f"\\key {note_name(key.tonic)} \\{MODES.get(key.mode, 'major')}"


def tempo_unit(compound: bool) -> str:
    return "4." if compound else "4"
