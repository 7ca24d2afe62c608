"""The chart language and the timeline: the contract charts, and what a timeline must say."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backline
from backline.chart.fmt import format_chart
from backline.chart.parser import parse_chart
from backline.info import song_info
from backline.model import DYNAMICS
from tests.conftest import SHARED, needs_shared


def test_shared_charts_parse(shared_chart: str) -> None:
    song = backline.load(shared_chart)
    t = song.timeline()
    assert t.bars and t.seconds > 0
    assert [s.name for s in t.sections] == song.form
    assert sum(s.bar_count for s in t.sections) == len(t.bars)


@needs_shared
def test_stone_stair_timeline() -> None:
    t = backline.load(os.path.join(SHARED, "stone-stair.chart")).timeline()
    assert len(t.bars) == 80 and t.seconds == pytest.approx(200.0)
    names = [s.name for s in t.sections]
    assert names == ["Intro", "Verse", "Chorus", "Verse", "Chorus", "Solo", "Chorus", "Chorus", "Outro"]
    solo = t.sections[5]
    assert solo.bar_count == 12 and solo.section.solo == "guitar"
    assert [str(c.chord) for c in t.bars[solo.first_bar].chords] == ["Am7"]  # like Verse
    outro = t.bars[-4:]
    assert [c.hit for c in outro[0].chords] == [True, False] and outro[0].chords[1].stop
    assert outro[-1].chords[0].chord is None and not outro[-1].chords[0].stop  # N.C.
    assert outro[0].level > t.bars[-8].level  # mf -> ff ramp rises
    chorus = t.bars[t.sections[2].first_bar]
    assert [(c.beat, c.length, str(c.chord)) for c in chorus.chords] == [(0.0, 2.0, "F"), (2.0, 2.0, "G")]


@needs_shared
def test_sevens_meters_and_ramp() -> None:
    t = backline.load(os.path.join(SHARED, "sevens.chart")).timeline()
    assert t.bars[0].meter.groups == (2, 2, 3) and t.bars[0].length == 3.5
    middle = t.sections[3]
    assert t.bars[middle.first_bar].meter.num == 4 and t.bars[middle.first_bar].feel == "half-time"
    assert t.bars[middle.first_bar].tempo == pytest.approx(120)
    ret = t.sections[4]
    tempos = [t.bars[i].tempo for i in range(ret.first_bar, ret.first_bar + ret.bar_count)]
    assert tempos == sorted(tempos) and tempos[0] == pytest.approx(120)
    assert t.tempo_map[-1].bpm == pytest.approx(150)
    verse = t.bars[t.sections[1].first_bar]
    assert [(c.beat, c.length) for c in verse.chords] == [(0.0, 2.0), (2.0, 1.5)]  # Em . C over 2+2+3
    assert t.seconds == pytest.approx(t.seconds_at(t.beats))


@needs_shared
def test_low_ceiling_compound_tempo_and_key_change() -> None:
    song = backline.load(os.path.join(SHARED, "low-ceiling.chart"))
    t = song.timeline()
    assert t.bars[0].seconds == pytest.approx(2 * 60 / 58)  # two dotted-quarter beats at 58
    up = t.sections[6]
    assert up.name == "Chorus-Up"
    bar = t.bars[up.first_bar]
    assert str(bar.key) == "F major" and str(bar.chords[0].chord) == "Bb"
    assert bar.level == DYNAMICS["ff"]
    assert t.bars[0].players == frozenset({"keys", "pad"})
    bridge = t.bars[t.sections[5].first_bar]
    assert "guitar" not in bridge.players and "drums" in bridge.players


@needs_shared
def test_night_shift_hits_and_break() -> None:
    t = backline.load(os.path.join(SHARED, "night-shift.chart")).timeline()
    hits = t.bars[t.sections[1].first_bar + 1]
    assert [(c.beat, str(c.chord), c.hit, c.stop) for c in hits.chords] == [
        (0.0, "G", True, False), (1.0, "None", False, True), (2.0, "A", True, False), (3.0, "None", False, True)]
    brk = t.bars[t.sections[4].first_bar]
    assert brk.players == frozenset({"drums"}) and brk.chords[0].chord is None


def test_percent_repeats_and_holds() -> None:
    t = backline.loads("section A:\n  | C G | % | . | Am . . F |\n").timeline()
    assert [[str(c.chord) for c in b.chords] for b in t.bars] == [["C", "G"], ["C", "G"], ["G"], ["Am", "F"]]
    assert t.bars[3].chords[0].length == 3.0


def test_form_repeats_and_default_order() -> None:
    song = backline.loads("section A:\n  | C |\nsection B:\n  | G |\nform: A x3 B A\n")
    assert song.form == ["A", "A", "A", "B", "A"]
    assert backline.loads("section B:\n  | G |\nsection A:\n  | C |\n").form == ["B", "A"]


def test_info_reports_the_song() -> None:
    info = song_info(backline.loads("title: I\nkey: Eb major\ntempo: 100\nsection A:\n  | Eb | Cm7 |\n"
                                    "section B:\n  tempo: 80\n  | Ab | Bb7 |\nform: A B A\n"))
    assert info["bars"] == 6 and info["key"] == "Eb major"
    assert [t["bpm"] for t in info["tempo_map"]] == [100, 80, 100]
    assert info["chords"] == ["Eb", "Cm7", "Ab", "Bb7"]
    assert info["seconds"] == pytest.approx(4 * 4 * 0.6 + 2 * 4 * 0.75)


def test_song_transposition_moves_everything() -> None:
    song = backline.loads("key: A minor\nriff r:\n  a,8 c e a g e c a, |\nsection A:\n  riff: r on bass\n"
                          "  melody: e2 c2 |\n  | Am |\n")
    up = song.transposed(3)
    assert str(up.key) == "C minor"
    assert str(up.sections["A"].bars[0].slots[0].chord) == "Cm"
    assert up.riffs["r"].phrase.notes[0].pitches == (60,)
    assert up.sections["A"].melody is not None and up.sections["A"].melody.notes[0].pitches == (67,)
    assert song.transposed(3).transposed(-3).timeline().chords_used() == song.timeline().chords_used()


def test_big_chart_checks_fast() -> None:
    bars = "| " + " | ".join(["C | Am7 | Dm7 G7 | Cmaj7"] * 5) + " |"
    text = "tempo: 120\nsection A:\n" + "\n".join(f"  {bars}" for _ in range(10)) + "\nform: A x25\n"
    start = time.perf_counter()
    t = parse_chart(text).timeline()
    elapsed = time.perf_counter() - start
    assert len(t.bars) == 5_000  # the limit (parser.MAX_BARS)
    assert elapsed < 5.0


# ---- fmt: idempotent, keeps comments and grouping, never changes the timeline -------------

CHORDS = ["C", "Am7", "F#m7b5", "Bb^7", "G7(b9,#11)", "D/F#", "E7#9!", "N.C.", ".", "Ebmaj7#11", "C6/9"]


@st.composite
def messy_charts(draw: st.DrawFn) -> str:
    sp = st.sampled_from(["", " ", "  ", "\t"])
    lines = [f"title:{draw(sp)}Messy{draw(sp)}", f"tempo: {draw(st.integers(40, 240))}"]
    meter = draw(st.sampled_from(["4/4", "3/4", "6/8", "7/8 (2+2+3)"]))
    lines.append(f"time:{draw(sp)}{meter}")
    slot_counts = {"4/4": [1, 2, 4], "3/4": [1, 3], "6/8": [1, 2, 3, 6], "7/8 (2+2+3)": [1, 3, 7]}[meter]
    names = []
    for s in range(draw(st.integers(1, 3))):
        name = f"S{s}"
        names.append(name)
        if draw(st.booleans()):
            lines.append(f"# comment before {name}")
        lines.append(f"section {name}:")
        if draw(st.booleans()):
            lines.append(f"{draw(st.sampled_from(['  ', '    ', chr(9)]))}dynamics:{draw(sp)}mf{draw(sp)}->{draw(sp)}ff")
        for _ in range(draw(st.integers(1, 3))):
            bars = []
            for _ in range(draw(st.integers(1, 4))):
                n = draw(st.sampled_from(slot_counts))
                slots = [draw(st.sampled_from([*CHORDS[:7], "Am", "G"])) for _ in range(n)]
                if slots[0] == ".":
                    slots[0] = "C"
                bars.append((" " * draw(st.integers(1, 3))).join(slots))
            row = "|".join(f"{draw(sp)} {b}{draw(sp)}" for b in bars)
            tail = draw(st.sampled_from(["", "  # note", " #x"]))
            lines.append(f"  |{row}|{tail}")
        if draw(st.booleans()):
            lines.append("")
            lines.append("")
    lines.append(f"form:{draw(sp)}" + " ".join(draw(st.permutations(names))))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


def _shape(text: str) -> object:
    t = parse_chart(text).timeline()
    return ([(b.start_beat, str(b.meter), b.level, b.level_end, b.tempo,
              [(c.beat, c.length, str(c.chord), c.hit, c.stop) for c in b.chords]) for b in t.bars],
            t.seconds)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_charts())
def test_fmt_is_idempotent_and_keeps_the_timeline(text: str) -> None:
    once = format_chart(text)
    assert format_chart(once) == once
    assert _shape(once) == _shape(text)
    assert once.count("#") == text.count("#")


def test_fmt_contract_charts(any_chart: str) -> None:
    with open(any_chart, encoding="utf-8") as f:
        text = f.read()
    once = format_chart(text)
    assert format_chart(once) == once
    assert _shape(once) == _shape(text)


def test_fmt_aligns_and_keeps_groups() -> None:
    text = "title:X\n\n\n# top\nsection A:\n  # inner\n  |C|Am7 . G .|  # tail\n    | F | G |\n\nform:A\n"
    assert format_chart(text) == (
        "title: X\n\n# top\nsection A:\n  # inner\n  | C | Am7 . G . |  # tail\n  | F | G         |\n\nform: A\n")


def test_fmt_cli_check_and_write(tmp_path: object) -> None:
    from backline.cli import main

    path = os.path.join(str(tmp_path), "x.chart")
    with open(path, "w") as f:
        f.write("section A:\n |C|G|\n")
    assert main(["fmt", "--check", path]) == 1
    assert main(["fmt", path]) == 0
    with open(path) as f:
        assert f.read() == "section A:\n  | C | G |\n"
    assert main(["fmt", "--check", path]) == 0
    assert not [n for n in os.listdir(str(tmp_path)) if n.endswith(".tmp")]
