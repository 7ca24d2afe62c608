"""Lyrics in the chart: read against the melody's notes (or the bars), checked with line and
column, kept by fmt, carried through MusicXML and ChordPro, and printed under their notes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import backline
from backline.chart.errors import ChartInvalid
from backline.chart.fmt import format_chart
from backline.chart.lyrics import lyrics_text, read_lyrics
from backline.interchange import chordpro, musicxml

SONG = """title: Road Song
key: C major
tempo: 100
section Verse:
  melody: e4 g a b~ | b8 c'4. b4 a | g2. r4 | g4 a <c' e'>2 |
  lyrics: Walk-ing down the road_ to-night * now home
  lyrics: Sing-ing all the way__ home we go on
  | C | F | G | C |
section Bridge:
  lyrics: Nothing to | lose but the | night |
  | Am | F | G |
section Last (like Verse):
  dynamics: f
form: Verse Verse Bridge Last
"""


def sung(song: backline.model.Song) -> list[tuple[str, list[tuple[str, bool, int] | None] | tuple[str, ...]]]:
    """Per section occurrence in the form: its name and the stanza it sings."""
    out, times = [], {}
    for name in song.form:
        times[name] = times.get(name, 0) + 1
        lyrics = song.sections[name].lyrics
        if not lyrics:
            continue
        stanza = lyrics[min(times[name], len(lyrics)) - 1]
        out.append((name, stanza.bars or [tuple(s) if s else None for s in stanza.syllables]))
    return out


def test_lyrics_follow_the_melody_notes_and_the_bars() -> None:
    song = backline.loads(SONG)
    verse = song.sections["Verse"]
    assert len(verse.lyrics) == 2
    first = verse.lyrics[0].syllables
    # b~ b8 is one note; the rest is not sung; the chord <c' e'> is one note: 11 sung notes
    assert sum(1 if s is None else s.notes for s in first) == 11
    assert [s.text for s in first if s] == ["Walk", "ing", "down", "the", "road", "to", "night", "now", "home"]
    assert verse.lyrics[0].words() == ["Walking", "down", "the", "road", "tonight", "now", "home"]
    assert song.sections["Bridge"].lyrics[0].bars == ("Nothing to", "lose but the", "night")
    assert song.sections["Last"].lyrics == verse.lyrics  # like Verse: its words too


@pytest.mark.parametrize(("lyrics", "at", "message"), [
    ("Walk-ing down the road_ to-night * now home more", "more", "sung over 12 notes but the melody has 11"),
    ("Walk-ing down the road__ to-night * now home", "home", "sung over 12 notes but the melody has 11"),
    ("_ Walk-ing down", "_", "no syllable comes before it"),
    ("Walk--ing down the road_ to-night * now home", "-ing", "an empty syllable"),
    ("Walk-ing | down the road_ to-night * now home", "|", "'|' separates bars of lyrics only without a melody"),
])
def test_lyrics_that_do_not_fit_are_errors_with_line_and_column(lyrics: str, at: str, message: str) -> None:
    text = SONG.replace("Walk-ing down the road_ to-night * now home", lyrics)
    with pytest.raises(ChartInvalid) as e:
        backline.loads(text, "road.chart")
    assert len(e.value.problems) == 1  # reported once, where it is written (Last is like Verse)
    problem = e.value.problems[0]
    line = text.split("\n")[5]
    assert (problem.line, problem.column) == (6, line.index(at, line.index(":")) + 1), str(problem)
    assert message in str(problem)


def test_too_few_syllables_say_how_many_notes_are_left() -> None:
    text = SONG.replace("Walk-ing down the road_ to-night * now home", "Walk-ing down the road")
    with pytest.raises(ChartInvalid) as e:
        backline.loads(text)
    assert str(e.value).startswith(f"<chart>:6:{len(text.split(chr(10))[5]) + 1}: error: the lyrics have 5 syllables "
                                   "but the melody has 11 notes: 6 notes have no syllable")


def test_bar_lyrics_must_match_the_bars() -> None:
    with pytest.raises(ChartInvalid) as e:
        backline.loads(SONG.replace("Nothing to | lose but the | night |", "Nothing to | lose | but the | night |"))
    p = e.value.problems[0]
    assert (p.line, p.column) == (10, len("  lyrics: Nothing to | lose | but the | ") + 1)  # the 4th bar's words
    assert "4 bars but the section has 3" in p.message
    with pytest.raises(ChartInvalid, match="2 bars but the section has 3"):
        backline.loads(SONG.replace("Nothing to | lose but the | night |", "Nothing to | lose |"))


syllable = st.from_regex(r"[A-Za-z']{1,6}", fullmatch=True)


@given(st.lists(st.tuples(st.lists(syllable, min_size=1, max_size=3), st.integers(0, 2), st.booleans()),
                min_size=1, max_size=12))
def test_lyrics_text_reads_back_the_same(words: list[tuple[list[str], int, bool]]) -> None:
    tokens = []
    for parts, holds, skip in words:
        tokens.append("-".join(parts) + "_" * holds)
        if skip:
            tokens.append("*")
    text = " ".join(tokens)
    notes = sum(len(p) + h + s for p, h, s in words)
    lyric = read_lyrics(text, notes)
    assert lyrics_text(lyric) == text
    assert read_lyrics(lyrics_text(lyric), notes) == lyric


def test_fmt_keeps_the_lyrics() -> None:
    messy = SONG.replace("lyrics: Walk-ing down", "lyrics:   Walk-ing    down")
    formatted = format_chart(messy)
    assert "  lyrics: Walk-ing down the road_ to-night * now home" in formatted
    assert backline.loads(formatted).sections["Verse"].lyrics == backline.loads(SONG).sections["Verse"].lyrics


def test_lyrics_round_trip_through_musicxml() -> None:
    song = backline.loads(SONG)
    xml = musicxml.from_song(song)
    assert len(re.findall(r"<lyric ", xml)) == 9 + 9 + 9  # Verse twice and Last: one lyric a syllable
    assert "<syllabic>begin</syllabic>" in xml and "<extend />" in xml
    back = backline.loads(musicxml.to_chart(xml))  # each time in the form is a section of its own there
    assert [stanza for _, stanza in sung(back)] == [stanza for _, stanza in sung(song)]
    assert [name for name, _ in sung(back)] == ["Verse", "Verse2", "Bridge", "Last"]


def test_lyrics_round_trip_through_chordpro() -> None:
    song = backline.loads(SONG)
    sheet = chordpro.from_song(song)
    assert "{start_of_verse: Verse (words)}\n| Walking down the | road tonight |  | now home |" in sheet
    back = backline.loads(chordpro.to_chart(sheet))

    def words(s: backline.model.Song) -> list[list[str]]:
        out, times = [], {}
        for name in s.form:
            times[name] = times.get(name, 0) + 1
            lyrics = s.sections[name].lyrics
            out.append(lyrics[min(times[name], len(lyrics)) - 1].words() if lyrics else [])
        return out

    assert words(back) == words(song)
    bars = [[[(str(c.chord), c.beat) for c in b.chords] for b in s.timeline().bars] for s in (song, back)]
    assert bars[0] == bars[1]  # the grid comes back bar for bar; the melody stays behind (ChordPro has none)


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@pytest.mark.skipif(not shutil.which("lilypond") or not shutil.which("pdftotext"),
                    reason="make test installs lilypond and poppler-utils")
def test_book_prints_each_syllable_under_its_note(tmp_path) -> None:
    """Where a chord changes on a sung note, the chord symbol (set at the note's left edge) and the
    syllable (centred under the note head) stand over each other; both stanzas are there."""
    from backline.book import write_book

    song = backline.loads(SONG)
    out = tmp_path / "road.pdf"
    write_book(song, str(out), pictures=False)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    words = [(w, float(x0), float(x1), float(y)) for x0, x1, y, w in WORD.findall(html) if w.strip()]

    def first(text: str, below: float = 0.0) -> tuple[str, float, float, float]:
        return next(w for w in words if w[0] == text and w[3] > below)

    heading = first("Verse")
    for chord, syllable in (("C", "Walk"), ("G", "night")):  # sung on the notes the chords change on
        c, s = first(chord, heading[3]), first(syllable, heading[3])
        assert s[3] > c[3] + 20  # under the staff
        assert abs((s[1] + s[2]) / 2 - (c[1] + 3.5)) < 8, (chord, syllable, c, s)
    f, road = first("F", heading[3]), first("road", heading[3])
    assert (road[1] + road[2]) / 2 > f[1] + 12  # bar 2 opens on the tied b: "road" is sung on the c' after it
    for syllable in ("Sing", "home", "Nothing", "lose"):
        first(syllable)
    assert any(w[0].startswith("1.") for w in words) and any(w[0].startswith("2.") for w in words)


def test_a_chart_whose_lyrics_do_not_fit_writes_nothing(tmp_path) -> None:
    bad = tmp_path / "bad.chart"
    bad.write_text(SONG.replace("to-night * now home", "to-night * now home and more"))
    for command in (["book", str(bad), "-o", str(tmp_path / "b.pdf")],
                    ["session", str(bad), "-o", str(tmp_path / "s"), "--no-audio"]):
        run = subprocess.run([sys.executable, "-m", "backline", *command], capture_output=True, text=True)
        assert run.returncode == 1
        assert re.match(rf"{re.escape(str(bad))}:6:\d+: error: the lyrics are sung over", run.stderr), run.stderr
    assert sorted(os.listdir(tmp_path)) == ["bad.chart"]
