"""The sound: the audio itself is checked — length, loudness, peaks, stems, transposition."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
import soundfile as sf

import backline
from backline.audio import AudioError, render_audio
from backline.audio.loudness import integrated_loudness
from backline.players.band import perform
from backline.practice import render_practice
from tests.conftest import SHARED, needs_shared

pytestmark = pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth is not installed")

SHORT = """title: Short Audio
tempo: 120
style: rock
section Intro:
  only: keys pad
  dynamics: p
  | C | F |
section Verse:
  dynamics: f
  | C | Am | F | G7 |
section End:
  | C! . . . | N.C. |
"""


def db(x: np.ndarray) -> float:
    return 20 * float(np.log10(max(1e-12, float(np.sqrt(np.mean(np.square(x)))))))


@pytest.fixture(scope="module")
def short_render(tmp_path_factory: pytest.TempPathFactory) -> tuple[backline.players.band.Performance, dict, str]:
    out = str(tmp_path_factory.mktemp("audio"))
    perf = perform(backline.loads(SHORT))
    return perf, render_audio(perf, out, "short", stems=True), out


def test_duration_loudness_and_peak(short_render: tuple) -> None:
    import pyloudnorm

    perf, result, _ = short_render
    mix, rate = sf.read(result["audio"])
    assert sf.info(result["audio"]).subtype == "PCM_24"
    seconds = len(mix) / rate
    assert perf.seconds <= seconds < perf.seconds + 6.0
    assert abs(pyloudnorm.Meter(rate).integrated_loudness(mix) - (-14.0)) <= 0.5
    assert np.abs(mix).max() <= 10 ** (-1 / 20)
    assert np.abs(mix[:10]).max() < 0.05  # no click at the start


def test_stems_sum_to_the_mix_and_rest_where_told(short_render: tuple) -> None:
    perf, result, _ = short_render
    mix, rate = sf.read(result["audio"])
    stems = {k: sf.read(p)[0] for k, p in result["stems"].items()}
    assert set(stems) == {"drums", "bass", "keys", "guitar", "pad"}
    total = sum(stems.values())
    assert np.corrcoef(total.ravel(), mix.ravel())[0, 1] > 0.99
    intro = perf.timeline.sections[0]
    a, b = 0, int((intro.start_seconds + perf.timeline.bars[1].start_seconds + perf.timeline.bars[1].seconds) * rate)
    for quiet in ("drums", "bass", "guitar"):
        assert db(stems[quiet][a:b]) < -80, quiet
    for playing in ("keys", "pad"):
        assert db(stems[playing][a:b]) > -50, playing
    verse = perf.timeline.sections[1]
    v0, v1 = int(verse.start_seconds * rate), int((verse.start_seconds + 4) * rate)
    for playing in ("drums", "bass", "guitar", "keys"):
        assert db(stems[playing][v0:v1]) > -45, playing


def test_own_loudness_meter_agrees_with_pyloudnorm(short_render: tuple) -> None:
    import pyloudnorm

    _, result, _ = short_render
    mix, rate = sf.read(result["audio"])
    assert integrated_loudness(mix, rate) == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(mix), abs=0.1)


def pitch_class_profile(x: np.ndarray, rate: int) -> np.ndarray:
    mono = x.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono))
    freqs = np.fft.rfftfreq(len(mono), 1 / rate)
    keep = (freqs > 35) & (freqs < 400)
    midi = np.round(69 + 12 * np.log2(freqs[keep] / 440)).astype(int)
    return np.bincount(midi % 12, weights=spectrum[keep] ** 2, minlength=12)


def test_transposed_practice_moves_the_bass(tmp_path: object) -> None:
    song = backline.loads("tempo: 100\nstyle: rock\nsection Verse:\n  | A | A | D | E |\n")
    out = str(tmp_path)
    plain = render_practice(song, os.path.join(out, "p0"), section="Verse", loop=1, count_in=0,
                            audio={"stems": True})
    down = render_practice(song, os.path.join(out, "p2"), section="Verse", loop=1, count_in=0, transpose=-2,
                           audio={"stems": True})
    bass0, rate = sf.read(plain["stems"]["bass"])
    bass2, _ = sf.read(down["stems"]["bass"])
    p0, p2 = pitch_class_profile(bass0, rate), pitch_class_profile(bass2, rate)
    shift = max(range(12), key=lambda k: float(np.dot(np.roll(p0, k), p2)))
    assert shift == 10  # two semitones down
    assert int(np.argmax(p0)) == 9  # A


def test_practice_mutes_loops_and_counts_in(tmp_path: object) -> None:
    import mido

    song = backline.loads("tempo: 120\nsection A:\n  | C | G |\nsection B:\n  | F | C |\n")
    result = render_practice(song, str(tmp_path), section="B", loop=3, ramp=(0.5, 1.0), mute=("bass",),
                             count_in=1, audio=None)
    mid = mido.MidiFile(result["midi"])
    names = [t.name for t in mid.tracks]
    assert "Bass" not in names and "Click" in names
    assert result["bars"] == 6
    tempos = [round(mido.tempo2bpm(m.tempo)) for m in mid.tracks[0] if m.type == "set_tempo"]
    assert tempos == [60, 90, 120]


def test_missing_soundfont_is_a_clear_error(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKLINE_SOUNDFONT", "/nonexistent/none.sf2")
    with pytest.raises(AudioError) as e:
        render_audio(perform(backline.loads("section A:\n  | C |\n")), str(tmp_path), "x")
    assert "apt-get install" in str(e.value)
    from backline.cli import main

    chart = os.path.join(str(tmp_path), "a.chart")
    with open(chart, "w") as f:
        f.write("section A:\n  | C |\n")
    assert main(["render", chart, "--audio", "-o", str(tmp_path)]) == 1
    not_sf2 = os.path.join(str(tmp_path), "notes.sf2")
    with open(not_sf2, "w") as f:
        f.write("not a SoundFont")
    with pytest.raises(AudioError, match="is not a SoundFont"):
        render_audio(perform(backline.loads("section A:\n  | C |\n")), str(tmp_path), "x", soundfont=not_sf2)


@needs_shared
def test_shared_chart_with_48k_flac(tmp_path: object) -> None:
    song = backline.load(os.path.join(SHARED, "glass-harbor.chart"))
    perf = perform(song, seed=2, risk=0.4)
    result = render_audio(perf, str(tmp_path), "glass", fmt="flac", rate=48000)
    info = sf.info(result["audio"])
    assert info.samplerate == 48000 and info.format == "FLAC" and info.subtype == "PCM_24"
    assert perf.seconds <= info.duration < perf.seconds + 6


def test_synth_is_reproducible_and_keeps_the_soundfont_loaded() -> None:
    """A render never hears the one before it, and the SoundFont is loaded once per process."""
    from backline.audio import synth
    from backline.audio.soundfont import find_soundfont

    song = backline.loads(SHORT)
    midi = perform(song).to_bytes()
    sf2 = find_soundfont()
    frames = int(song.timeline().seconds * 44100)
    first = synth.render_midi(midi, sf2, 44100, frames)
    keeper = synth._kept[sf2]
    second = synth.render_midi(midi, sf2, 44100, frames)
    assert np.array_equal(first, second)
    assert synth._kept[sf2] is keeper  # loaded once, kept
    assert db(first) > -40  # it sounds
    onset = int(np.flatnonzero(np.abs(first).max(axis=1) > 1e-3)[0])
    assert onset < 0.01 * 44100  # the first chord starts on time, not a block late


def test_render_audio_mute_leaves_the_instrument_out(tmp_path: object) -> None:
    song = backline.loads(SHORT)
    made = render_audio(perform(song), str(tmp_path), "playalong", stems=True, mute=("bass",))
    assert "bass" not in made["stems"] and "drums" in made["stems"]
    mix, _ = sf.read(made["audio"], dtype="float32")
    stems = sum(sf.read(p, dtype="float32")[0] for p in made["stems"].values())
    assert np.corrcoef(mix.ravel(), stems.ravel())[0, 1] > 0.99


def test_the_same_take_gives_the_same_audio_on_any_number_of_cores(tmp_path: object) -> None:
    perf = perform(backline.loads(SHORT), seed=3, risk=0.5)
    one = render_audio(perf, str(tmp_path), "one-core", jobs=1)
    two = render_audio(perf, str(tmp_path), "two-cores", jobs=2)
    with open(one["audio"], "rb") as a, open(two["audio"], "rb") as b:
        assert a.read() == b.read()
