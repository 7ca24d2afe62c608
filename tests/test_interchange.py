"""Interchange: iReal Pro, ChordPro, MusicXML and MIDI in and out, in bulk too."""

from __future__ import annotations

import glob
import json
import os
import random
import time
import urllib.parse

import pytest

import backline
from backline.chart.parser import parse_chart
from backline.cli import main
from backline.interchange import chordpro, export_song, import_sources, ireal, musicxml
from tests.conftest import EXAMPLES, SHARED

ALL_CHARTS = sorted(glob.glob(os.path.join(SHARED, "*.chart")) + glob.glob(os.path.join(EXAMPLES, "*.chart")))


def scrambled_link(songs: list[tuple[str, str, str, str, str, int]], playlist: str = "Mine") -> str:
    """An irealb:// playlist the way iReal Pro writes one (title, composer, style, key, music, bpm)."""
    parts = []
    for title, composer, style, key, music, bpm in songs:
        body = music.replace("   ", "XyQ").replace("| x", "Kcl").replace(" |", "LZ")
        parts.append("=".join([title, composer, "", style, key, "", ireal.PREFIX + ireal.unscramble(body),
                               "Medium Swing", str(bpm), "0"]))
    return "irealb://" + urllib.parse.quote("===".join([*parts, playlist]), safe="")


SONGS = [
    # title, composer, style, key, music, bpm, expected unfolded bars, expected form
    ("Endings Blues", "Doe Jane", "Medium Swing", "F", "{*AT44F7 |Bb7 |F7 |x |N1Bb7 |Bo7 |F7 |D7 }"
     "|N2Bb7 |Bo7 |F7 |C7 Z", 140, 8 + 8, None),
    ("Coda Tune", "Roe Rick", "Bossa Nova", "D-", "*AT44[D-7 |G7 |C^7 |A7b9 Q|D-7 |E-7b5 A7 <D.C. al Coda>]"
     "*B[QG-7 |C7 |F^7 |A7alt |D-6 Z", 128, 6 + 4 + 5, None),
    ("Changes Meter", "Poe Pat", "Waltz", "Bb", "*AT34[Bb^7 |G-7 |C-7 |F7 ]*BT44[Eb^7 |Ab7 |D-7 G7 |C-7 F7 Z",
     0, 8, ["A", "B"]),
    ("Segno Fine", "Loe Lu", "Funk", "E", "*AT44[E7 |SA7 |E7 |B7 <D.S. al Fine>]*B[A7 |E7 <Fine>|B7 Z", 100,
     4 + 3 + 2, None),
    ("Bar Repeats", "Moe Mo", "Rock", "G", "*AT44[G |x |C |D |r|   |G |n |G Z", 120, 9, None),
    ("Three Times", "Koe Ko", "Pop", "C", "*AT44{C |G <3x>}*B[F |C Z", 110, 6 + 2, None),
]


@pytest.mark.parametrize("song", SONGS, ids=[s[0] for s in SONGS])
def test_ireal_songs_unfold_into_correct_forms(song: tuple, tmp_path: object) -> None:
    title, composer, style, key, music, _bpm, bars, form = song
    plain = "irealbook://" + "=".join(urllib.parse.quote(x, safe="") for x in (title, composer, style, key, "n",
                                                                                  music))
    for link in (plain, scrambled_link([song[:6]])):
        decoded = ireal.decode_ireal(link)
        assert len(decoded) == 1 and decoded[0].title == title
        chart = parse_chart(ireal.to_chart(decoded[0]))
        assert len(chart.timeline().bars) == bars
        assert chart.artist == " ".join(reversed(composer.split()))
        if form:
            assert chart.form == form
    assert str(parse_chart(ireal.to_chart(ireal.decode_ireal(plain)[0])).key).startswith(key.rstrip("-"))


def test_ireal_details() -> None:
    changes = parse_chart(ireal.to_chart(ireal.decode_ireal(scrambled_link([SONGS[2][:6]]))[0]))
    t = changes.timeline()
    assert str(t.bars[0].meter) == "3/4" and str(t.bars[4].meter) == "4/4"
    coda = parse_chart(ireal.to_chart(ireal.decode_ireal(scrambled_link([SONGS[1][:6]]))[0]))
    assert coda.style == "bossa-nova" and coda.tempo == 128 and str(coda.key) == "D minor"
    assert "# Imported from iReal Pro: style 'Bossa Nova'" in ireal.to_chart(
        ireal.decode_ireal(scrambled_link([SONGS[1][:6]]))[0])
    chords = coda.timeline().chords_used()
    assert {"Dm7", "Em7b5", "Cmaj7", "A7alt", "Dm6"} <= set(chords)
    repeats = parse_chart(ireal.to_chart(ireal.decode_ireal(scrambled_link([SONGS[4][:6]]))[0])).timeline()
    assert [str(b.chords[0].chord) for b in repeats.bars] == ["G", "G", "C", "D", "C", "D", "G", "None", "G"]


def random_music(rng: random.Random) -> tuple[str, int]:
    """A random but well-formed iReal chart and its unfolded length."""
    roots = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
    quals = ["^7", "-7", "7", "h7", "o7", "7b9", "7alt", "6", "-6", "7sus", "^7#11", "", "-", "9", "13", "69"]

    def bar() -> str:
        n = rng.choice([1, 1, 1, 2])
        return " ".join(rng.choice(roots) + rng.choice(quals) for _ in range(n))

    meter = rng.choice(["T44", "T44", "T34", "T68"])
    kind = rng.randrange(3)
    if kind == 0:  # A A B A with first and second endings
        a = [bar() for _ in range(6)]
        music = (f"*A{{{meter}" + " |".join(a) + f" |N1{bar()} |{bar()} }}|N2{bar()} |{bar()} ]"
                 f"*B[" + " |".join(bar() for _ in range(8)) + " ]*A[" + " |".join([*a, bar(), bar()]) + " Z")
        return music, 8 + 8 + 8 + 8
    if kind == 1:  # a coda
        music = (f"*A[{meter}" + " |".join(bar() for _ in range(7)) + f" Q|{bar()} <D.C. al Coda>]"
                 "*B[Q" + " |".join(bar() for _ in range(4)) + " Z")
        return music, 8 + 7 + 4
    n = rng.randrange(4, 17)
    return f"*A[{meter}" + " |".join(bar() for _ in range(n)) + " Z", n


def test_a_playlist_of_a_thousand_songs(tmp_path: object) -> None:
    rng = random.Random(7)
    songs, lengths = [], {}
    for i in range(1100):
        music, n = random_music(rng)
        title = f"Tune {i:04d}"
        songs.append((title, "Writer Some", rng.choice(["Medium Swing", "Bossa Nova", "Ballad", "Funk", "Waltz"]),
                      rng.choice(["C", "F", "Bb", "Eb", "G", "D", "A-", "E-"]), music, rng.choice([0, 120, 180])))
        lengths[title] = n
    songs.append(("Broken", "X Y", "Rock", "C", "*A[Hx7 |C Z", 0))
    html = f'<html><body><a href="{scrambled_link(songs)}">My playlist</a></body></html>'
    path = os.path.join(str(tmp_path), "playlist.html")
    with open(path, "w") as f:
        f.write(html)
    out = os.path.join(str(tmp_path), "charts")
    start = time.perf_counter()
    result = import_sources([path], out)
    elapsed = time.perf_counter() - start
    assert result["imported"] / len(songs) >= 0.99
    assert [f["title"] for f in result["failed"]] == ["Broken"]
    assert "Hx7" in result["failed"][0]["reason"]
    for f in result["files"][:200]:
        song = backline.load(f)
        assert len(song.timeline().bars) == lengths[song.title]
    assert elapsed < 60


def test_chart_to_ireal_and_back(any_chart: str) -> None:
    song = backline.load(any_chart)
    back = parse_chart(ireal.to_chart(ireal.decode_ireal(ireal.from_song(song))[0]))
    a, b = song.timeline(), back.timeline()
    assert len(a.bars) == len(b.bars)
    for x, y in zip(a.bars, b.bars, strict=True):
        ours = [c.chord.pitch_classes for c in x.chords if c.chord]
        theirs = [c.chord.pitch_classes for c in y.chords if c.chord]
        assert ours == theirs


CHORDPRO = """{title: Harbour Lights}
{artist: The Scaffold Band}
{key: G}
{tempo: 92}

{start_of_verse: Verse 1}
[G]Harbour lights are [Em]burning low
[C]Every ship is [D]coming home
{end_of_verse}

{start_of_chorus}
[C]Sing it [D]out, [G]sing it [Em]loud
[C]Over the [D]water and [G]under the cloud
{end_of_chorus}

{start_of_verse: Verse 2}
[G]Lanterns swinging [Em]on the quay
[C]Every sailor [D]coming free
{end_of_verse}

{chorus}

{start_of_grid: Outro}
| C . D . | G . . . | Em . . . | G . . . |
{end_of_grid}
"""


def test_chordpro_sheet_becomes_a_chart() -> None:
    text = chordpro.to_chart(CHORDPRO)
    song = parse_chart(text)
    assert song.title == "Harbour Lights" and str(song.key) == "G major" and song.tempo == 92
    assert song.form == ["Verse", "Chorus", "Verse", "Chorus", "Outro"]  # verse 2 has the chords of verse 1
    verse = song.sections["Verse"]  # each verse's words are a stanza, in the order sung, under their chords
    assert [lyric.bars for lyric in verse.lyrics] == [("Harbour lights are", "burning low", "Every ship is", "coming home"),
                                                      ("Lanterns swinging", "on the quay", "Every sailor", "coming free")]
    assert [[str(s.chord) for s in b.slots] for b in verse.bars] == [["G"], ["Em"], ["C"], ["D"]]
    chorus = song.sections["Chorus"]
    assert [[str(s.chord) for s in b.slots] for b in chorus.bars][:2] == [["C", "D"], ["G", "Em"]]
    outro = song.sections["Outro"].bars
    assert [[str(s.chord) for s in b.slots if s.chord] for b in outro] == [["C", "D"], ["G"], ["Em"], ["G"]]


def test_chart_to_chordpro_and_back(any_chart: str) -> None:
    song = backline.load(any_chart)
    back = parse_chart(chordpro.to_chart(chordpro.from_song(song)))
    shape = [[(str(c.chord), c.hit, c.beat) for c in b.chords] for b in song.timeline().bars]
    assert shape == [[(str(c.chord), c.hit, c.beat) for c in b.chords] for b in back.timeline().bars]


def test_chart_to_musicxml_and_back(any_chart: str) -> None:
    song = backline.load(any_chart)
    xml = musicxml.from_song(song)
    back = parse_chart(musicxml.to_chart(xml))
    a, b = song.timeline(), back.timeline()
    assert len(a.bars) == len(b.bars)
    assert [[str(c.chord) for c in x.chords if not c.stop] for x in a.bars] == \
        [[str(c.chord) for c in y.chords if not c.stop] for y in b.bars]
    assert [str(x.meter) for x in a.bars] == [str(y.meter) for y in b.bars]
    if any(s.melody for s in song.sections.values()):
        first = next(s for s in a.sections if s.section.melody)
        theirs = next(s for s in b.sections if s.section.melody)
        assert [n.pitches for n in first.section.melody.notes] == [n.pitches for n in theirs.section.melody.notes
                                                                   ][: len(first.section.melody.notes)]


LEAD_SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="3.1">
  <movement-title>Little Tune</movement-title>
  <part-list><score-part id="P1"><part-name>Voice</part-name></score-part></part-list>
  <part id="P1">
    <measure number="1">
      <attributes><divisions>2</divisions><key><fifths>-1</fifths><mode>minor</mode></key>
        <time><beats>3</beats><beat-type>4</beat-type></time></attributes>
      <direction><direction-type><rehearsal>Verse</rehearsal></direction-type></direction>
      <harmony><root><root-step>D</root-step></root><kind>minor</kind></harmony>
      <note><pitch><step>D</step><octave>4</octave></pitch><duration>2</duration><type>quarter</type></note>
      <note><pitch><step>F</step><octave>4</octave></pitch><duration>2</duration><type>quarter</type></note>
      <harmony><root><root-step>A</root-step></root><kind>dominant</kind></harmony>
      <note><pitch><step>A</step><octave>4</octave></pitch><duration>2</duration><type>quarter</type>
        <tie type="start"/></note>
    </measure>
    <measure number="2">
      <harmony><root><root-step>B</root-step><root-alter>-1</root-alter></root><kind>major-seventh</kind></harmony>
      <note><pitch><step>A</step><octave>4</octave></pitch><duration>2</duration><type>quarter</type>
        <tie type="stop"/></note>
      <note><rest/><duration>4</duration><type>half</type></note>
    </measure>
  </part>
</score-partwise>
"""


def test_musicxml_lead_sheet_from_elsewhere() -> None:
    song = parse_chart(musicxml.to_chart(LEAD_SHEET))
    assert song.title == "Little Tune" and str(song.key) == "D minor" and str(song.meter) == "3/4"
    bars = song.sections["Verse"].bars
    assert [[str(s.chord) if s.chord else "." for s in b.slots] for b in bars] == [["Dm", ".", "A7"], ["Bbmaj7"]]
    melody = song.sections["Verse"].melody
    assert melody is not None and [n.pitches for n in melody.notes] == [(62,), (65,), (69,), ()]
    assert float(melody.notes[2].length) == 2.0  # tied across the bar line


def test_midi_line_becomes_a_riff(tmp_path: object) -> None:
    import mido

    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("track_name", name="Riff"))
    line = [(45, 240), (48, 240), (52, 480), (50, 240), (0, 240), (45, 1440), (57, 1440)]
    pending = 0
    for pitch, ticks in line:
        if pitch == 0:
            pending += ticks
            continue
        track.append(mido.Message("note_on", note=pitch, velocity=90, time=pending))
        track.append(mido.Message("note_off", note=pitch, velocity=0, time=ticks))
        pending = 0
    path = os.path.join(str(tmp_path), "line.mid")
    mid.save(path)
    result = import_sources([path], os.path.join(str(tmp_path), "out"))
    assert result["imported"] == 1
    song = backline.load(result["files"][0])
    riff = song.riffs["line"].phrase
    assert [n.pitches[0] for n in riff.notes if n.pitches] == [45, 48, 52, 50, 45, 57]
    assert float(riff.length) == 12.0 and len(song.timeline().bars) == 3  # 9 beats, padded to the bar


def test_import_cli_never_clobbers_and_reports(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    src = os.path.join(str(tmp_path), "songs.txt")
    with open(src, "w") as f:
        f.write(scrambled_link([s[:6] for s in SONGS[:2]]) + "\n" + scrambled_link([("Bad", "A B", "Rock", "C",
                                                                                       "*A[Qq |C Z", 0)]))
    out = os.path.join(str(tmp_path), "out")
    assert main(["import", src, "-o", out, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["imported"] == 2 and first["failed"][0]["title"] == "Bad"
    assert main(["import", src, "-o", out, "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert set(first["files"]).isdisjoint(second["files"])
    assert all(p.endswith("-2.chart") for p in second["files"])


@pytest.mark.parametrize("to", ["musicxml", "chordpro", "ireal"])
def test_export_cli(to: str, tmp_path: object) -> None:
    chart = ALL_CHARTS[0]
    out = os.path.join(str(tmp_path), "song." + {"musicxml": "musicxml", "chordpro": "cho", "ireal": "txt"}[to])
    assert main(["export", chart, "--to", to, "-o", out]) == 0
    with open(out) as f:
        text = f.read()
    assert text == export_song(backline.load(chart), to)
    assert main(["import", out, "-o", os.path.join(str(tmp_path), "again")]) == 0


def test_musicxml_written_by_music21(tmp_path: object) -> None:
    music21 = pytest.importorskip("music21")
    from music21 import harmony, key, meter, note, stream

    part = stream.Part()
    part.append(meter.TimeSignature("4/4"))
    part.append(key.Key("F"))
    for symbol, pitches in (("Gm7", ["G4", "B-4", "D5", "C5"]), ("C7", ["B-4", "A4", "G4", "E4"]),
                            ("Fmaj7", ["F4", "A4", "C5", "A4"]), ("B-7", ["D5", "C5", "B-4", "A-4"])):  # music21 spells flats with '-'
        m = stream.Measure()
        m.append(harmony.ChordSymbol(symbol))
        for p in pitches:
            m.append(note.Note(p, quarterLength=1))
        part.append(m)
    score = stream.Score([part])
    score.insert(0, music21.metadata.Metadata(title="From music21"))
    path = os.path.join(str(tmp_path), "lead.musicxml")
    score.write("musicxml", fp=path)
    result = import_sources([path], os.path.join(str(tmp_path), "out"))
    assert result["imported"] == 1, result["failed"]
    song = backline.load(result["files"][0])
    t = song.timeline()
    assert [[c.chord.pitch_classes for c in b.chords if c.chord] for b in t.bars] == \
        [[backline.theory.chords.parse_chord(s).pitch_classes] for s in ("Gm7", "C7", "Fmaj7", "Bb7")]
    melody = next(s.section.melody for s in t.sections if s.section.melody)
    assert [n.pitches[0] for n in melody.notes][:4] == [67, 70, 74, 72]
    assert str(song.key) == "F major"
