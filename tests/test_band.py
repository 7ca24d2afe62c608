"""The band obeys the chart: directions, harmony, ranges, registers, and the MIDI file itself."""

from __future__ import annotations

import itertools
import os
from collections import defaultdict

import mido
import pytest

import backline
from backline.players.band import perform
from backline.players.common import RANGES
from backline.styles import load_style, style_names
from tests.conftest import SHARED, needs_shared
from tests.music import allowed_pcs, bass_roots, chords_for, riff_sections, sounding


def load(name: str) -> backline.model.Song:
    return backline.load(os.path.join(SHARED, name))


@pytest.fixture(scope="module")
def takes() -> dict[str, backline.players.band.Performance]:
    from tests.conftest import shared_charts

    return {os.path.basename(p): perform(backline.load(p)) for p in shared_charts()}


@needs_shared
def test_only_and_tacet_silence_the_right_tracks() -> None:
    perf = perform(load("low-ceiling.chart"))
    tl = perf.timeline
    intro = tl.sections[0]
    for inst in ("drums", "bass", "guitar"):
        track = perf.track(inst)
        assert track is not None
        assert not sounding(track.notes, intro.start_beat, intro.end_beat), inst
    for inst in ("keys", "pad"):
        track = perf.track(inst)
        assert track is not None and sounding(track.notes, intro.start_beat, intro.end_beat)
    bridge = tl.sections[5]
    guitar = perf.track("guitar")
    assert guitar is not None and not sounding(guitar.notes, bridge.start_beat, bridge.end_beat)
    tag = tl.sections[-1]
    for t in perf.tracks:
        if t.instrument != "keys":
            assert not sounding(t.notes, tag.start_beat, tag.end_beat), t.name


@needs_shared
def test_drum_break_is_drums_only() -> None:
    perf = perform(load("night-shift.chart"))
    brk = perf.timeline.sections[4]
    assert brk.name == "Break"
    for t in perf.tracks:
        playing = sounding(t.notes, brk.start_beat + 0.01, brk.end_beat)
        assert bool(playing) == (t.instrument == "drums"), t.name


@needs_shared
@pytest.mark.parametrize("risk", [0.0, 1.0])
def test_hits_leave_nothing_but_the_hit(risk: float) -> None:
    perf = perform(load("night-shift.chart"), seed=5, risk=risk)
    tl = perf.timeline
    checked = 0
    for bar in tl.bars:
        for c in bar.chords:
            start = bar.start_beat + c.beat
            if c.stop:
                for t in perf.tracks:
                    assert not sounding(t.notes, start + 0.02, bar.start_beat + c.end), (t.name, bar.number)
                checked += 1
            if c.hit:
                for inst in ("bass", "keys", "guitar", "drums"):
                    track = perf.track(inst)
                    assert track and any(abs(n.start - start) < 1e-6 for n in track.notes), (inst, bar.number)
    assert checked >= 10


@needs_shared
def test_riffs_keep_their_pitches() -> None:
    song = load("stone-stair.chart")
    perf = perform(song)
    riff = [p for n in song.riffs["hook"].phrase.notes for p in n.pitches]
    intro = perf.timeline.sections[0]
    for inst in ("bass", "guitar"):
        track = perf.track(inst)
        assert track is not None
        played = [n.pitch for n in sorted(track.notes) if intro.start_beat <= n.start < intro.end_beat]
        assert len(played) == 2 * len(riff)  # looped twice through the 4-bar intro
        shift = played[0] - riff[0]
        assert shift % 12 == 0
        assert played == [p + shift for p in riff] * 2
    bass, guitar = perf.track("bass"), perf.track("guitar")
    assert bass and guitar and bass.notes[0].pitch < guitar.notes[0].pitch  # each in its own register


@needs_shared
def test_riff_in_seven_follows_transposition_and_sections() -> None:
    perf = perform(load("sevens.chart"))
    spans = riff_sections(perf, "guitar")
    assert len(spans) == 4  # Riff, Riff, Return, Riff
    guitar = perf.track("guitar")
    assert guitar is not None
    for a, b in spans:
        assert any(a <= n.start < b for n in guitar.notes)


@needs_shared
def test_melody_is_played_as_written() -> None:
    song = load("glass-harbor.chart")
    perf = perform(song)
    melody = song.sections["A"].melody
    assert melody is not None
    written = [(float(n.start), n.pitches[0]) for n in melody.notes if n.pitches]
    track = perf.track("melody")
    assert track is not None
    for span in perf.timeline.sections:
        if span.name != "A":
            continue
        played = [(round(n.start - span.start_beat, 6), n.pitch) for n in track.notes
                  if span.start_beat <= n.start < span.end_beat]
        assert played == written


@needs_shared
def test_transpose_moves_the_chords() -> None:
    perf = perform(load("low-ceiling.chart"))
    up = perf.timeline.sections[6]
    bass = perf.track("bass")
    assert bass is not None
    firsts = []
    for i in range(up.first_bar, up.first_bar + 4):
        bar = perf.timeline.bars[i]
        firsts.append(next(n.pitch % 12 for n in sorted(bass.notes) if n.start >= bar.start_beat - 0.05))  # feel: ms early
    assert firsts == [10, 0, 9, 2]  # Bb C Am7 Dm7: Ab Bb Gm7 Cm7 up a whole step


@needs_shared
def test_louder_dynamics_are_louder() -> None:
    perf = perform(load("low-ceiling.chart"))
    tl = perf.timeline
    keys = perf.track("keys")
    assert keys is not None

    def mean_velocity(span_no: int) -> float:
        s = tl.sections[span_no]
        v = [n.velocity for n in keys.notes if s.start_beat <= n.start < s.end_beat]
        return sum(v) / len(v)

    intro, verse, chorus_up = mean_velocity(0), mean_velocity(1), mean_velocity(6)
    assert intro < verse < chorus_up


def test_bass_on_roots_at_chord_changes(takes: dict) -> None:
    good = total = 0
    for perf in takes.values():
        g, t = bass_roots(perf)
        good += g
        total += t
    if total == 0:
        pytest.skip("no shared charts")
    assert good / total >= 0.95, f"{good}/{total}"


def test_harmony_notes_are_chord_tones(takes: dict) -> None:
    for name, perf in takes.items():
        for inst in ("keys", "guitar", "pad"):
            track = perf.track(inst)
            if track is None:
                continue
            riffs = riff_sections(perf, inst)
            bad = []
            for n in track.notes:
                if any(a <= n.start < b for a, b in riffs):
                    continue
                if not any(n.pitch % 12 in allowed_pcs(c) for c in chords_for(perf.timeline, n.start)):
                    bad.append(n)
            assert not bad, (name, inst, bad[:3])


def test_notes_in_range_and_never_doubled(takes: dict) -> None:
    for name, perf in takes.items():
        for t in perf.tracks:
            low, high = RANGES.get(t.instrument, (0, 127))
            if t.instrument != "drums":
                assert all(low <= n.pitch <= high for n in t.notes), (name, t.name)
            by_pitch = defaultdict(list)
            for n in t.notes:
                by_pitch[n.pitch].append(n)
            for notes in by_pitch.values():
                notes.sort()
                for a, b in itertools.pairwise(notes):
                    assert a.start + a.length <= b.start + 1e-9, (name, t.name, a, b)


def test_midi_file_matches_the_timeline(shared_chart: str, tmp_path: object, artifacts: str) -> None:
    from backline.plot import piano_roll

    song = backline.load(shared_chart)
    perf = perform(song)
    path = os.path.join(str(tmp_path), "take.mid")
    perf.to_midi(path)
    mid = mido.MidiFile(path)
    assert mid.type == 1
    assert mid.length == pytest.approx(perf.timeline.seconds, abs=1e-3)
    names = [t.name for t in mid.tracks[1:]]
    assert names == [t.name for t in perf.tracks]
    markers = [m.text for m in mid.tracks[0] if m.type == "marker"]
    assert markers == song.form
    drums = mid.tracks[names.index("Drums") + 1]
    assert {m.channel for m in drums if m.type == "note_on"} == {9}
    programs = {t.name: next(m.program for m in t if m.type == "program_change") for t in mid.tracks[1:]
                if t.name != "Drums"}
    assert all(0 <= p < 128 for p in programs.values())
    texts = [m.text for m in mid.tracks[0] if m.type == "text"]
    assert texts and texts[0] == str(perf.timeline.bars[0].chords[0].chord)
    piano_roll(perf, os.path.join(artifacts, os.path.basename(shared_chart).replace(".chart", ".png")))


@needs_shared
def test_meter_and_tempo_changes_land_in_the_file(tmp_path: object) -> None:
    perf = perform(load("sevens.chart"))
    path = os.path.join(str(tmp_path), "sevens.mid")
    perf.to_midi(path)
    mid = mido.MidiFile(path)
    now, sigs, tempos = 0, [], []
    for m in mid.tracks[0]:
        now += m.time
        if m.type == "time_signature":
            sigs.append((now / mid.ticks_per_beat, m.numerator, m.denominator))
        if m.type == "set_tempo":
            tempos.append((now / mid.ticks_per_beat, m.tempo))
    middle = perf.timeline.sections[3]
    assert sigs[0] == (0.0, 7, 8)
    assert (middle.start_beat, 4, 4) in sigs
    assert (middle.end_beat, 7, 8) in sigs
    assert (middle.start_beat, 500000) in tempos  # 120 bpm
    assert tempos[-1][1] == 400000  # back to 150 at the end of the ramp


def test_count_in_and_click(tmp_path: object) -> None:
    song = backline.loads("tempo: 120\nsection A:\n  | C | G |\n")
    perf = perform(song)
    path = os.path.join(str(tmp_path), "c.mid")
    perf.to_midi(path, count_in=1, click=True)
    mid = mido.MidiFile(path)
    assert mid.length == pytest.approx(perf.timeline.seconds + 2.0)
    click = next(t for t in mid.tracks if t.name == "Click")
    assert sum(1 for m in click if m.type == "note_on") == 4 + 8


def test_every_style_plays_in_every_meter() -> None:
    for meter in ("4/4", "3/4", "6/8", "7/8", "5/4", "12/8"):
        song = backline.loads(f"time: {meter}\nsection A:\n  | C | Am | F | G7 |\nsection B:\n  dynamics: f\n"
                              "  | C | Am | F | G7 |\n")
        for name in style_names():
            perf = perform(song, style=name)
            drums = perf.track("drums")
            assert drums is not None and len(drums.notes) >= 8, (name, meter)
            kicks = [n for n in drums.notes if n.pitch == 36]
            bar_len = perf.timeline.bars[0].length
            near_one = [min(n.start % bar_len, bar_len - n.start % bar_len) for n in kicks]
            assert min(near_one, default=1) < 0.04 or name == "reggae", (name, meter)  # within the feel's ms
            assert perf.track("bass") is not None


def test_styles_are_distinct_data() -> None:
    names = style_names()
    required = {"rock", "hard-rock", "blues-shuffle", "funk", "soul", "pop", "pop-ballad", "ballad-68", "bossa-nova",
                "samba", "jazz-swing", "jazz-waltz", "reggae", "country", "folk", "punk", "metal", "prog-rock",
                "disco", "hip-hop"}
    assert required <= set(names)
    grooves = set()
    for n in names:
        s = load_style(n)
        assert s.description
        grooves.add(tuple(sorted(s.drums.pattern("4/4", "mid").items())) if s.drums.pattern("4/4", "mid") else n)
    assert len(grooves) == len(names)


def test_user_styles_folder(tmp_path: object) -> None:
    import shutil

    from backline.styles import BUILTIN

    shutil.copy(os.path.join(BUILTIN, "rock.toml"), os.path.join(str(tmp_path), "my-rock.toml"))
    assert "my-rock" in style_names(str(tmp_path))
    song = backline.loads("style: my-rock\nsection A:\n  | C |\n", styles=style_names(str(tmp_path)))
    assert perform(song, styles_dir=str(tmp_path)).track("drums") is not None


def test_crash_only_on_section_downbeats() -> None:
    song = backline.loads("style: rock\nsection A:\n  dynamics: f\n  | C | C | C | C |\nsection B:\n  dynamics: f\n"
                          "  | G | G | G | G |\nform: A B A\n")
    perf = perform(song)
    drums = perf.track("drums")
    assert drums is not None
    crashes = sorted(n.start for n in drums.notes if n.pitch == 49)
    assert crashes == pytest.approx([0.0, 16.0, 32.0, 44.0], abs=0.04)  # three section starts and the final hit


def test_controls_reach_the_midi_file(tmp_path: object) -> None:
    """Sustain pedal, expression and pitch bend on a track are written where they fall."""
    from backline.performance import BEND, EXPRESSION, SUSTAIN, Control

    perf = perform(backline.loads("tempo: 120\nsection A:\n  | C | G |\n"))
    keys = perf.track("keys")
    assert keys is not None
    controls = (Control(0.0, SUSTAIN, 127), Control(3.75, SUSTAIN, 0), Control(4.0, EXPRESSION, 90),
                Control(4.5, BEND, 4096), Control(5.0, BEND, -8192))
    perf.tracks[perf.tracks.index(keys)] = keys._replace(controls=controls)
    path = os.path.join(str(tmp_path), "cc.mid")
    perf.to_midi(path)
    track = next(t for t in mido.MidiFile(path).tracks if t.name == "Keys")
    now, seen = 0, []
    for m in track:
        now += m.time
        if m.type == "control_change" and m.control in (SUSTAIN, EXPRESSION):
            seen.append((now / 480, m.control, m.value))
        elif m.type == "pitchwheel":
            seen.append((now / 480, BEND, m.pitch))
    assert seen == [(0.0, 64, 127), (3.75, 64, 0), (4.0, 11, 90), (4.5, BEND, 4096), (5.0, BEND, -8192)]
