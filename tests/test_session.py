"""DAW sessions: the Reaper project read back agrees with the chart's timeline to the sample;
the stems it names are there, as long as it says, and sound where the song says; the
DAWproject passes the format's published schemas; bad output paths write nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import rpp
import soundfile

import backline
from backline.session import SessionError, write_album_session, write_session
from backline.session.dawproject import notes_of

from .conftest import ROOT, SHARED, needs_shared

RATE = 44100
COUNT_IN = 2
XSD = os.path.join(ROOT, "tests", "data", "dawproject")


def samples(seconds: float | str) -> int:
    return round(float(seconds) * RATE)


def lines(element: rpp.Element, tag: str) -> list[list[str]]:
    return [c for c in element if isinstance(c, list) and c and c[0] == tag]


@pytest.fixture(scope="module")
def sevens(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """sevens.chart: 7/8 and 4/4, a tempo change and a ramp; a 2-bar count-in; stems."""
    path = os.path.join(SHARED, "sevens.chart")
    if not os.path.exists(path):
        pytest.skip("../shared/charts is not beside the project")
    song = backline.load(path)
    out = tmp_path_factory.mktemp("session") / "sevens"
    made = write_session(song, str(out), daws=("reaper", "dawproject"), count_in=COUNT_IN)
    project = rpp.loads((out / "sevens.rpp").read_text())
    return song, out, made, project


def count_in_seconds(song: backline.model.Song) -> tuple[float, float]:
    tl = song.timeline()
    beats = COUNT_IN * tl.bars[0].meter.bar_beats
    return beats * tl.tempo_map[0].us_per_quarter / 1e6, beats


def test_rpp_round_trips_through_the_library(sevens: tuple) -> None:
    _, out, _, project = sevens
    text = (out / "sevens.rpp").read_text()
    assert rpp.dumps(project) == text


def test_tempo_points_and_meters_agree_with_the_timeline(sevens: tuple) -> None:
    song, _, _, project = sevens
    tl = song.timeline()
    ci, _ = count_in_seconds(song)
    points = lines(project.find("TEMPOENVEX"), "PT")
    at = {samples(p[1]): p for p in points}
    for change in tl.tempo_map:  # every tempo step of the chart, ramps included, at its sample
        start = 0.0 if change.beat == 0 else ci + tl.seconds_at(change.beat)  # the first one from the count-in on
        point = at[samples(start)]
        assert float(point[2]) == pytest.approx(change.bpm, abs=1e-6)
        assert point[3] == "1"  # square: the tempo holds until the next step, as the band played it
    meters = {samples(p[1]): (int(p[4]) & 0xFFFF, int(p[4]) >> 16) for p in points if len(p) > 4}
    expected, last = {}, None
    for bar in tl.bars:
        if bar.meter != last:
            start = 0.0 if bar.number == 0 else ci + bar.start_seconds
            expected[samples(start)] = (bar.meter.num, bar.meter.den)
            last = bar.meter
    assert meters == expected
    # nothing else: a point is a tempo step or a meter change (the count-in shares the first one's point)
    assert set(at) == {0} | {samples(ci + tl.seconds_at(c.beat)) for c in tl.tempo_map[1:]} | set(meters)
    assert sorted(set(meters.values())) == [(4, 4), (7, 8)]


def test_markers_and_regions_agree_with_the_sections(sevens: tuple) -> None:
    song, _, _, project = sevens
    tl = song.timeline()
    ci, _ = count_in_seconds(song)
    marker_lines = lines(project, "MARKER")
    markers = [(samples(m[2]), m[3]) for m in marker_lines if m[4] == "0"]
    assert markers == [(0, "Count-in")] + [(samples(ci + s.start_seconds), s.name) for s in tl.sections]
    regions = [m for m in marker_lines if m[4] == "1"]
    spans = [(samples(a[2]), samples(b[2]), a[3]) for a, b in zip(regions[::2], regions[1::2], strict=True)]
    assert spans[0] == (0, samples(ci), "Count-in")
    assert spans[1:] == [(samples(ci + s.start_seconds), samples(ci + tl.seconds_at(s.end_beat)), s.name)
                         for s in tl.sections]
    assert [s.name for s in tl.sections] == ["Riff", "Verse", "Riff", "Middle", "Return", "Verse", "Riff"]


def folders(project: rpp.Element) -> dict[str, list[rpp.Element]]:
    """Folder track name -> its child tracks."""
    out: dict[str, list[rpp.Element]] = {}
    current = ""
    for track in project.findall("TRACK"):
        name = lines(track, "NAME")[0][1]
        if lines(track, "ISBUS")[0][1] == "1":
            current = name
            out[name] = []
        else:
            out[current].append(track)
    return out


def test_one_folder_per_instrument_with_its_stem_and_midi(sevens: tuple) -> None:
    song, out, _, project = sevens
    perf = backline.perform(song)
    ci, _ = count_in_seconds(song)
    end = ci + song.timeline().seconds
    tracks = folders(project)
    assert list(tracks) == [t.name for t in perf.tracks] + ["Click"]
    for audio, midi in tracks.values():
        item = audio.find("ITEM")
        wav = lines(item.find("SOURCE"), "FILE")[0][1]
        assert wav.startswith("stems/") and (out / wav).is_file()
        info = soundfile.info(str(out / wav))
        assert info.samplerate == RATE
        assert info.frames == samples(lines(item, "LENGTH")[0][1])  # the item is the whole file
        assert info.frames >= samples(end)  # the song and its count-in, then the release
        assert lines(item, "POSITION")[0][1] == "0"
        midi_item = midi.find("ITEM")
        assert samples(lines(midi_item, "LENGTH")[0][1]) == samples(end)
        assert lines(midi_item.find("SOURCE"), "HASDATA")[0][1:] == ["1", "480", "QN"]


def test_midi_items_hold_the_performance_at_its_ticks(sevens: tuple) -> None:
    song, _, _, project = sevens
    perf = backline.perform(song)
    _, ci_beats = count_in_seconds(song)
    tracks = folders(project)
    for track in perf.tracks:
        source = tracks[track.name][1].find("ITEM").find("SOURCE")
        tick, ons = 0, []
        for e in lines(source, "E"):
            tick += int(e[1])
            status, key, vel = (int(x, 16) for x in e[2:5])
            if status & 0xF0 == 0x90 and vel:
                ons.append((tick, key))
        expected = sorted((round((n.start + ci_beats) * 480), n.pitch) for n in track.notes)
        assert sorted(ons) == expected, track.name


def test_stems_sound_where_the_song_says(sevens: tuple) -> None:
    """The click plays from 0:00 and on every bar line; the band is silent in the count-in."""
    song, out, _, _ = sevens
    tl = song.timeline()
    ci, _ = count_in_seconds(song)
    click, _ = soundfile.read(str(out / "stems" / "click.wav"), dtype="float32", always_2d=True)
    level = np.abs(click).max(axis=1)
    bar_starts = [k * ci / COUNT_IN for k in range(COUNT_IN)] + [bar.start_seconds + ci for bar in tl.bars]
    for t in bar_starts:
        s = samples(t)
        onset = s + int(np.argmax(level[s: s + samples(0.03)] > 0.05))
        assert level[s: s + samples(0.03)].max() > 0.05, f"no click at {t:.3f} s"
        assert onset - s < samples(0.005), f"the click at {t:.3f} s is {(onset - s) / RATE * 1000:.1f} ms late"
    for name in ("bass", "drums", "guitar"):
        stem, _ = soundfile.read(str(out / "stems" / f"{name}.wav"), dtype="float32", always_2d=True)
        assert np.abs(stem[: samples(ci) - samples(0.01)]).max() < 1e-4, f"{name} plays in the count-in"
        assert np.abs(stem[samples(ci): samples(ci + 1.0)]).max() > 0.01, f"{name} does not start with the song"


def test_dawproject_passes_the_published_schemas(sevens: tuple) -> None:
    import xmlschema

    song, out, _, _ = sevens
    z = zipfile.ZipFile(out / "sevens.dawproject")
    project = z.read("project.xml").decode()
    xmlschema.XMLSchema(os.path.join(XSD, "Project.xsd")).validate(io.StringIO(project))
    xmlschema.XMLSchema(os.path.join(XSD, "MetaData.xsd")).validate(io.StringIO(z.read("metadata.xml").decode()))
    import xml.etree.ElementTree as ET

    root = ET.fromstring(project)
    tl = song.timeline()
    _, ci_beats = count_in_seconds(song)
    tempo = {round(float(p.get("time")), 6): float(p.get("value")) for p in root.iter("RealPoint")}
    for c in tl.tempo_map:
        assert tempo[round(ci_beats + c.beat, 6) if c.beat else 0.0] == pytest.approx(c.bpm, abs=1e-6)
    signatures = {round(float(p.get("time")), 6): (int(p.get("numerator")), int(p.get("denominator")))
                  for p in root.iter("TimeSignaturePoint")}
    assert signatures == {0.0: (7, 8), ci_beats + 42.0: (4, 4), ci_beats + 74.0: (7, 8)}
    assert [m.get("name") for m in root.iter("Marker")] == ["Count-in"] + [s.name for s in tl.sections]
    files = [f.get("path") for f in root.iter("File")]
    assert files and all((out / f).is_file() for f in files)
    perf = backline.perform(song)
    notes = {c.get("name"): len(list(c.iter("Note"))) for c in root.iter("Clip") if c.find("Notes") is not None}
    assert notes == {t.name: len(t.notes) for t in perf.tracks} | {"Click": notes["Click"]}
    midi = (out / "midi" / "bass.mid").read_bytes()
    assert len(notes_of(midi)) == len(perf.track("bass").notes)


def test_album_session_places_songs_in_order_with_their_gaps(tmp_path) -> None:
    for name, chart in (("one", "title: One\ntempo: 120\nsection A:\n  | C | G |\n"),
                        ("two", "title: Two\ntempo: 90\ntime: 3/4\nsection A:\n  | Am | E7 |\n")):
        (tmp_path / f"{name}.chart").write_text(chart)
    (tmp_path / "album.toml").write_text('title = "Pair"\ngap_seconds = 1.5\n[[track]]\nchart = "one.chart"\n'
                                         '[[track]]\nchart = "two.chart"\ngap_seconds = 3\n')
    from backline.album import load_album

    out = tmp_path / "sessions"
    made = write_album_session(load_album(str(tmp_path / "album.toml")), str(out), count_in=1)
    assert sorted(os.listdir(out)) == ["01-one", "02-two", "album.rpp"]
    assert (out / "01-one" / "one.rpp").is_file() and (out / "02-two" / "two.rpp").is_file()
    master = rpp.loads((out / "album.rpp").read_text())
    regions = [m for m in lines(master, "MARKER") if m[4] == "1"]
    one = soundfile.info(str(out / "01-one" / "stems" / "bass.wav")).frames / RATE - 2.0  # minus the count-in
    assert [(r[3], samples(r[2])) for r in regions[::2]] == [("01 One", 0), ("02 Two", samples(one + 1.5))]
    bass = next(t for t in master.findall("TRACK") if lines(t, "NAME")[0][1] == "Bass")
    items = bass.findall("ITEM")
    assert [samples(lines(i, "POSITION")[0][1]) for i in items] == [0, samples(one + 1.5)]
    assert [samples(lines(i, "SOFFS")[0][1]) for i in items] == [samples(2.0)] * 2  # 1 bar at 120, 1 of 3/4 at 90
    assert [lines(i.find("SOURCE"), "FILE")[0][1] for i in items] == ["01-one/stems/bass.wav",
                                                                      "02-two/stems/bass.wav"]
    assert made["master"]["gaps"] == [1.5]
    points = lines(master.find("TEMPOENVEX"), "PT")
    assert [samples(p[1]) for p in points] == [0, samples(one + 1.5)]
    assert [float(p[2]) for p in points] == pytest.approx([120.0, 90.0], abs=1e-4)


def test_unwritable_output_is_a_clear_error_and_writes_nothing(tmp_path) -> None:
    (tmp_path / "song.chart").write_text("title: S\nsection A:\n  | C |\n")
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    song = backline.load(str(tmp_path / "song.chart"))
    with pytest.raises(SessionError, match="not a folder"):
        write_session(song, str(blocker / "out"), audio=False)
    with pytest.raises(SessionError, match="not a folder"):
        write_session(song, str(blocker), audio=False)
    assert sorted(os.listdir(tmp_path)) == ["afile", "song.chart"]
    run = subprocess.run([sys.executable, "-m", "backline", "session", str(tmp_path / "song.chart"), "-o",
                          str(blocker / "out"), "--no-audio"], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "not a folder" in run.stderr and "Traceback" not in run.stderr
    assert sorted(os.listdir(tmp_path)) == ["afile", "song.chart"]


@needs_shared
def test_cli_session_json(tmp_path) -> None:
    run = subprocess.run([sys.executable, "-m", "backline", "session", os.path.join(SHARED, "glass-harbor.chart"),
                          "-o", str(tmp_path / "gh"), "--no-audio", "--json", "--daw", "dawproject"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    import json

    made = json.loads(run.stdout)
    assert made["dawproject"] == "glass-harbor.dawproject" and made["reaper"] is None
    assert sorted(os.listdir(tmp_path / "gh")) == ["README.txt", "glass-harbor.dawproject", "glass-harbor.mid",
                                                    "midi", "tempo-map.txt"]
