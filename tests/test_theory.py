"""Chord symbols, keys, spelling and transposition."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backline.theory.chords import ChordError, parse_chord
from backline.theory.pitch import Key, circle_distance, pitch_class

CASES = {
    "C": [0, 4, 7], "Cm": [0, 3, 7], "C-": [0, 3, 7], "Cmaj7": [0, 4, 7, 11], "C^7": [0, 4, 7, 11],
    "CΔ7": [0, 4, 7, 11], "C7": [0, 4, 7, 10], "Cm7": [0, 3, 7, 10], "C-7": [0, 3, 7, 10],
    "Cm7b5": [0, 3, 6, 10], "Cø": [0, 3, 6, 10], "Cø7": [0, 3, 6, 10], "Ch7": [0, 3, 6, 10],
    "Cdim": [0, 3, 6], "Co": [0, 3, 6], "Cdim7": [0, 3, 6, 9], "Co7": [0, 3, 6, 9],
    "Caug": [0, 4, 8], "C+": [0, 4, 8], "C7#5": [0, 4, 8, 10], "Csus2": [0, 2, 7], "Csus4": [0, 5, 7],
    "Csus": [0, 5, 7], "C5": [0, 7], "C6": [0, 4, 7, 9], "Cm6": [0, 3, 7, 9], "C6/9": [0, 2, 4, 7, 9],
    "C69": [0, 2, 4, 7, 9], "C9": [0, 2, 4, 7, 10], "Cm9": [0, 2, 3, 7, 10], "Cmaj9": [0, 2, 4, 7, 11],
    "C11": [0, 2, 4, 5, 7, 10], "Cm11": [0, 2, 3, 5, 7, 10], "C13": [0, 2, 4, 7, 9, 10],
    "Cadd9": [0, 2, 4, 7], "C7alt": [0, 1, 3, 4, 6, 8, 10], "C7b9": [0, 1, 4, 7, 10],
    "C7#9": [0, 3, 4, 7, 10], "C7(b9,#11)": [0, 1, 4, 6, 7, 10], "C7b9sus": [0, 1, 5, 7, 10],
    "C7sus4": [0, 5, 7, 10], "Cmaj7#11": [0, 4, 6, 7, 11], "Cm(maj7)": [0, 3, 7, 11],
    "C-^7": [0, 3, 7, 11], "C7b13": [0, 4, 7, 8, 10], "C9sus4": [0, 2, 5, 7, 10], "CM7": [0, 4, 7, 11],
}


@pytest.mark.parametrize("symbol,intervals", CASES.items())
def test_chord_qualities(symbol: str, intervals: list[int]) -> None:
    assert sorted(parse_chord(symbol).intervals) == intervals


def test_slash_and_roots() -> None:
    c = parse_chord("D/F#")
    assert (c.root, c.bass, c.bass_pc, c.root_pc) == ("D", "F#", 6, 2)
    assert parse_chord("Bbmaj7").root_pc == 10
    assert parse_chord("Dm6/9").bass is None  # 6/9 is an extension, not a bass
    assert parse_chord("Dm9/C").bass_pc == 0
    assert 0 in parse_chord("Dm9/C").pitch_classes


@pytest.mark.parametrize("bad,hint", [("Hx7", "root A–G"), ("am", "did you mean 'Am'"), ("Cxyz", "use m, maj7"),
                                      ("C7m", "")])
def test_bad_chords(bad: str, hint: str) -> None:
    with pytest.raises(ChordError) as e:
        parse_chord(bad)
    assert hint in e.value.hint


@pytest.mark.parametrize("key,sig", [("C major", 0), ("A minor", 0), ("Eb major", -3), ("E mixolydian", 3),
                                     ("D dorian", 0), ("F# major", 6), ("Bb minor", -5), ("G", 1)])
def test_key_signatures(key: str, sig: int) -> None:
    assert Key.parse(key).signature == sig


def test_transposition_spells_for_the_key() -> None:
    f_major = Key.parse("F major")
    assert str(parse_chord("Ab").transpose(2, f_major)) == "Bb"
    assert str(parse_chord("G#m7").transpose(2, Key.parse("B major"))) == "A#m7"
    assert str(parse_chord("Dm7/C").transpose(-2, Key.parse("C major"))) == "Cm7/Bb"
    assert Key.parse("A minor").transpose(1) == Key("Bb", "minor")
    assert Key.parse("C major").transpose(6).tonic in ("F#", "Gb")
    assert circle_distance(Key.parse("C major"), Key.parse("G major")) == 1


ROOTS = ["C", "C#", "Db", "D", "Eb", "E", "F", "F#", "Gb", "G", "Ab", "A", "Bb", "B"]
QUALITIES = [q[1:] for q in CASES]
chords = st.builds(lambda r, q, b: r + q + (f"/{b}" if b else ""), st.sampled_from(ROOTS),
                   st.sampled_from(QUALITIES), st.one_of(st.none(), st.sampled_from(ROOTS)))


@given(chords)
def test_chord_symbols_round_trip(symbol: str) -> None:
    c = parse_chord(symbol)
    assert str(c) == symbol
    again = parse_chord(str(c))
    assert again == c


@given(chords, st.integers(-11, 11), st.sampled_from(["C major", "Eb major", "A minor", "E major", "F# minor"]))
def test_transpose_there_and_back(symbol: str, n: int, key: str) -> None:
    k = Key.parse(key)
    c = parse_chord(symbol)
    back = c.transpose(n, k.transpose(n)).transpose(-n, k)
    assert back.pitch_classes == c.pitch_classes
    assert back.root_pc == c.root_pc and back.bass_pc == c.bass_pc
    assert back.quality == c.quality
    assert pitch_class(back.root) == pitch_class(c.root)
