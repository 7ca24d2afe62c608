"""The album: its file, running time, transitions, parallel renders and the master."""

from __future__ import annotations

import filecmp
import os
import shutil

import pytest

from backline.album import AlbumError, load_album
from backline.album.render import render_album, transition, warnings_for
from backline.cli import main
from tests.conftest import EXAMPLES, SHARED, needs_shared

CHART = "title: {title}\nkey: {key}\ntempo: {tempo}\nsection A:\n  | {chord} | {chord} |\n"


def make_album(folder: str, body: str, charts: dict[str, tuple[str, str, int, str]] | None = None) -> str:
    for name, (title, key, tempo, chord) in (charts or {"a.chart": ("A", "C major", 120, "C")}).items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(CHART.format(title=title, key=key, tempo=tempo, chord=chord))
    path = os.path.join(folder, "album.toml")
    with open(path, "w") as f:
        f.write(body)
    return path


@pytest.mark.parametrize("body,where", [
    ('title = "X"\n', "track: an album needs [[track]] entries"),
    ('[[track]]\nchart = "missing.chart"\n', "track[1].chart: no such file 'missing.chart'"),
    ('[[track]]\nchart = "a.chart"\nrisk = 3\n', "track[1].risk: 3 is out of range"),
    ('[[track]]\nchart = "a.chart"\nsed = 3\n', "track[1].sed: unknown key: did you mean 'seed'?"),
    ('[[track]]\nchart = "a.chart"\nstyle = "polka"\n', "track[1].style: unknown style 'polka'"),
    ('[[track]]\nchart = "a.chart"\ntempo = "fast%"\n', "track[1].tempo: 'fast%' is not a number: use 20 to 400 beats per minute, or 10% to 400%"),
    ('gap_seconds = "long"\n[[track]]\nchart = "a.chart"\n', "gap_seconds: 'long' is not a number: use 0 to 60 seconds"),
    ('titel = "X"\n[[track]]\nchart = "a.chart"\n', "titel: unknown key: did you mean 'title'?"),
    ('[[track]\nchart = "a.chart"\n', "album.toml: "),
])
def test_album_file_errors(tmp_path: object, body: str, where: str) -> None:
    path = make_album(str(tmp_path), body)
    with pytest.raises(AlbumError) as e:
        load_album(path)
    assert str(e.value).startswith(path)
    assert where in str(e.value)


def test_album_cli_reports_errors(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    path = make_album(str(tmp_path), '[[track]]\nchart = "missing.chart"\n')
    assert main(["album", path, "-o", str(tmp_path)]) == 1
    assert "track[1].chart" in capsys.readouterr().err


THREE = {"a.chart": ("One", "C major", 120, "C"), "b.chart": ("Two", "A minor", 84, "Am"),
         "c.chart": ("Three", "E major", 130, "E")}
BODY = ('title = "T"\nartist = "Band"\ngap_seconds = 1.5\n[[track]]\nchart = "a.chart"\n[[track]]\nchart = "b.chart"\n'
        'gap_seconds = 4\n[[track]]\nchart = "c.chart"\ntempo = "50%"\ntranspose = 2\n')


def test_running_time_transitions_and_overrides(tmp_path: object) -> None:
    path = make_album(str(tmp_path), BODY, THREE)
    report = render_album(load_album(path), os.path.join(str(tmp_path), "out"), pictures=False)
    rows = report["tracks"]
    assert [r["seconds"] for r in rows] == [4.0, pytest.approx(2 * 4 * 60 / 84, abs=1e-3), pytest.approx(7.385, abs=1e-3)]
    assert rows[2]["tempo"] == 65 and rows[2]["key"] == "F# major"
    assert report["seconds"] == pytest.approx(sum(r["seconds"] for r in rows) + 1.5 + 4)
    assert report["transitions"][0] == {"from": 1, "to": 2, "key_steps": 0, "tempo_change": -36.0,
                                        "energy_change": pytest.approx(rows[1]["energy"] - rows[0]["energy"], abs=1e-3)}
    assert report["transitions"][1]["key_steps"] == 6  # A minor (no sharps) to F# major (six)
    assert any("tempo drop" in w for w in report["warnings"])
    assert os.path.exists(report["report"])


def test_transitions_and_warnings() -> None:
    a = {"key": "C major", "tempo": 120, "energy": 0.5, "title": "a"}
    assert transition(a, {"key": "E major", "tempo": 126, "energy": 0.7})["key_steps"] == 4
    assert transition(a, {"key": "Gb major", "tempo": 126, "energy": 0.7})["key_steps"] == 6
    rows = [dict(a, title=str(i)) for i in range(3)]
    assert warnings_for(rows, 60) == ["tracks 1–3 are all in C major"]
    assert "80" in warnings_for([a], 81 * 60)[0]


def test_parallel_and_serial_renders_are_identical(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from backline import plot

    monkeypatch.setenv(plot.CACHE_ENV, "off")  # each render draws its own pictures
    path = make_album(str(tmp_path), BODY, THREE)
    album = load_album(path)
    one, two = os.path.join(str(tmp_path), "serial"), os.path.join(str(tmp_path), "parallel")
    render_album(album, one, jobs=1)
    plot.MEMORY.clear()
    render_album(album, two, jobs=2)
    names = sorted(n for n in os.listdir(one) if not n.startswith("report"))
    assert names == sorted(n for n in os.listdir(two) if not n.startswith("report"))
    assert any(n.endswith(".png") for n in names) and any(n.endswith(".mid") for n in names)
    _match, mismatch, errors = filecmp.cmpfiles(one, two, names, shallow=False)
    assert not mismatch and not errors


@needs_shared
def test_shared_album_renders_unchanged(tmp_path: object) -> None:
    out = str(tmp_path)
    assert main(["album", os.path.join(SHARED, "album.toml"), "-o", out, "--no-pictures", "--json"]) == 0
    import json

    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    assert [t["title"] for t in report["tracks"]] == ["Stone Stair", "Glass Harbor", "Sevens", "Porch Waltz",
                                                      "Low Ceiling", "Night Shift"]
    assert report["seconds"] == pytest.approx(sum(t["seconds"] for t in report["tracks"]) + 5 * 2.0)
    for t in report["tracks"]:
        assert os.path.exists(t["midi"]) and {"title", "key", "tempo", "seconds", "midi"} <= set(t)


def test_demo_album_is_valid() -> None:
    album = load_album(os.path.join(EXAMPLES, "album.toml"))
    assert len(album.tracks) >= 6
    assert main(["check", *[t.chart for t in album.tracks]]) == 0


@pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth is not installed")
def test_master_and_cue(tmp_path: object) -> None:
    import soundfile as sf

    path = make_album(str(tmp_path), BODY, THREE)
    report = render_album(load_album(path), os.path.join(str(tmp_path), "out"), audio={"fmt": "wav"}, jobs=2,
                          pictures=False)
    info = sf.info(report["audio"])
    lengths = [sf.info(t["audio"]).duration for t in report["tracks"]]
    assert info.duration == pytest.approx(sum(lengths) + 1.5 + 4, abs=0.01)
    with open(report["cue"]) as f:
        cue = f.read()
    assert cue.count("TRACK") == 3 and 'TITLE "Two"' in cue
    start2 = lengths[0] + 1.5
    m, s = divmod(start2, 60)
    assert f"INDEX 01 {int(m):02d}:{int(s):02d}:" in cue
    assert all(abs(t["loudness"] + 14) < 0.5 for t in report["tracks"])
