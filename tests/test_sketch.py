"""Sketch: proposed songs are valid charts with idiomatic harmony and singable melodies."""

from __future__ import annotations

import os

import pytest

import backline
from backline.album import load_album
from backline.album.render import warnings_for
from backline.cli import main
from backline.players.band import perform
from backline.sketch import SketchError, explain, sketch, sketch_album
from backline.sketch.melody import strong_beats
from backline.styles import style_names


def strong_beat_ratio(song: backline.model.Song) -> tuple[int, int, int]:
    """(strong-beat melody notes on chord tones, strong-beat notes, melody span in semitones)."""
    good = total = 0
    low, high = 999, -1
    tl = song.timeline()
    for span in tl.sections:
        melody = span.section.melody
        if melody is None:
            continue
        bars = tl.bars[span.first_bar: span.first_bar + span.bar_count]
        for n in melody.notes:
            if not n.pitches:
                continue
            low, high = min(low, n.pitches[0]), max(high, n.pitches[0])
            start = float(n.start)
            bar = bars[int(start // bars[0].length)]
            pos = start - (bar.start_beat - span.start_beat)
            if any(abs(pos - s) < 1e-6 for s in strong_beats(bar.meter)):
                total += 1
                chord = next(c.chord for c in bar.chords if c.beat <= pos < c.end)
                good += chord is not None and n.pitches[0] % 12 in chord.pitch_classes
    return good, total, high - low


@pytest.mark.parametrize("style", style_names())
def test_every_style_sketches_valid_idiomatic_songs(style: str) -> None:
    for seed in range(3):
        text = sketch(style=style, seed=seed)
        song = backline.loads(text, styles=style_names())
        assert perform(song).track("drums") is not None or style == "hip-hop"
        for sec in song.sections.values():
            for bar in sec.bars:
                for slot in bar.slots:
                    if slot.chord is not None:
                        assert explain(slot.chord, song.key) is not None, (style, seed, str(slot.chord))
        good, total, span = strong_beat_ratio(song)
        assert total >= 8 and good / total >= 0.7, (style, seed, good, total)
        assert span <= 19, (style, seed, span)  # within a twelfth


def test_same_options_same_bytes() -> None:
    a = sketch(style="funk", key="E minor", tempo=100, time="4/4", form="Intro Verse Chorus Outro", seed=9)
    assert a == sketch(style="funk", key="E minor", tempo=100, time="4/4", form="Intro Verse Chorus Outro", seed=9)
    assert a != sketch(style="funk", key="E minor", tempo=100, time="4/4", form="Intro Verse Chorus Outro", seed=10)
    assert a.splitlines()[0].startswith("# Sketched by backline") and "--seed 9" in a.splitlines()[0]


@pytest.mark.parametrize("time", ["3/4", "6/8", "7/8", "5/4", "12/8"])
def test_any_meter(time: str) -> None:
    song = backline.loads(sketch(style="prog-rock", time=time, seed=4))
    assert str(song.meter).startswith(time)
    assert len(song.timeline().bars) >= 16


def test_phrases_and_chorus_peak() -> None:
    song = backline.loads(sketch(style="pop", key="G major", seed=5))
    lengths = {name: len(s.bars) for name, s in song.sections.items()}
    assert all(n in (4, 8, 12, 16) for n in lengths.values())
    verse, chorus = song.sections["Verse"].melody, song.sections["Chorus"].melody
    assert verse and chorus
    assert max(p for n in chorus.notes for p in n.pitches) > max(p for n in verse.notes for p in n.pitches)


def test_from_riff_builds_around_it(tmp_path: object) -> None:
    riff = "a,,8 c, e, a, g, e, c, a,, | d,4 d,8 e, g,2 |"
    text = sketch(style="blues-shuffle", from_riff=riff, seed=2)
    song = backline.loads(text)
    assert str(song.key) == "A minor"
    assert [n.pitches for n in song.riffs["main"].phrase.notes] == \
        [n.pitches for n in backline.loads(f"riff r:\n  {riff}\nsection A:\n  | C |\n").riffs["r"].phrase.notes]
    assert any(u.riff == "main" for u in song.sections["Intro"].riffs)
    with pytest.raises(SketchError):
        sketch(style="rock", from_riff="a,8 c x |")


def test_album_of_sketches_flows(tmp_path: object) -> None:
    made = sketch_album(6, str(tmp_path), seed=1)
    album = load_album(made["album"])
    assert len(album.tracks) == 6
    rows = []
    for t in album.tracks:
        song = backline.load(t.chart)
        rows.append({"key": str(song.key), "tempo": song.tempo, "title": song.title})
    assert not [w for w in warnings_for(rows, 600) if "tempo drop" in w]


def test_sketch_cli(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    out = os.path.join(str(tmp_path), "s.chart")
    assert main(["sketch", "--style", "bossa-nova", "--key", "D minor", "--seed", "3", "-o", out]) == 0
    assert main(["check", out]) == 0
    assert main(["sketch", "--style", "polka"]) == 2
    assert main(["sketch", "--style", "rock", "--key", "H major"]) == 2
    assert main(["sketch", "--style", "rock", "--seed", "1"]) == 0
    assert capsys.readouterr().out.startswith("# Sketched by backline")
