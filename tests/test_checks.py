"""One validation of options and values: the CLI, album files, batch specs and the Python API
refuse the same value with the same words (backline.checks), NaN and infinities included."""

from __future__ import annotations

import math
import os

import pytest

import backline
from backline.album import AlbumError, load_album
from backline.batch import BatchError, load_spec
from backline.checks import RANGES, BadValue, check
from backline.cli import main
from backline.practice import practice_song
from backline.render import render_midi

CHART = "title: T\nsection A:\n  | C | G |\n"

# (option, a bad value as TOML text, the same as CLI text, the same as a Python value, words of the message)
BAD = [
    ("risk", "nan", "nan", math.nan, "nan is not a number: use 0 to 1"),
    ("risk", "inf", "inf", math.inf, "inf is not a number: use 0 to 1"),
    ("risk", "5", "5", 5, "5 is out of range: use 0 to 1"),
    ("risk", "-0.5", "-0.5", -0.5, "-0.5 is out of range: use 0 to 1"),
    ("seed", "-1", "-1", -1, "-1 is out of range: use 0 to 4294967295"),
    ("seed", "4294967296", "4294967296", 2**32, "4294967296 is out of range: use 0 to 4294967295"),
    ("seed", "1.5", "1.5", 1.5, "1.5"),
    ("transpose", "999", "999", 999, "999 is out of range: use -24 to 24 semitones"),
    ("transpose", "-25", "-25", -25, "-25 is out of range: use -24 to 24 semitones"),
]


def _files(tmp_path: object) -> str:
    folder = str(tmp_path)
    with open(os.path.join(folder, "a.chart"), "w") as f:
        f.write(CHART)
    return folder


@pytest.mark.parametrize("option,toml,cli,py,words", BAD, ids=[f"{b[0]}={b[1]}" for b in BAD])
def test_the_same_value_is_refused_the_same_way_everywhere(tmp_path: object, capsys: pytest.CaptureFixture[str],
                                                           option: str, toml: str, cli: str, py: object,
                                                           words: str) -> None:
    folder = _files(tmp_path)
    with pytest.raises(BadValue) as direct:
        check(option, py)
    assert words in direct.value.message
    message = direct.value.message if option != "seed" or py != 1.5 else "1.5"

    album = os.path.join(folder, "album.toml")
    with open(album, "w") as f:
        f.write(f'[[track]]\nchart = "a.chart"\n{option} = {toml}\n')
    with pytest.raises(AlbumError) as e:
        load_album(album)
    assert f"track[1].{option}: " in str(e.value) and message in str(e.value)

    spec = os.path.join(folder, "spec.toml")
    with open(spec, "w") as f:
        f.write(f'charts = ["a.chart"]\n[matrix]\n{option} = [0, {toml}]\n')
    with pytest.raises(BatchError) as e2:
        load_spec(spec)
    assert f"matrix.{option}: " in str(e2.value) and message in str(e2.value)

    song = backline.loads(CHART)
    if option in ("risk", "seed"):
        with pytest.raises(BadValue) as e3:
            backline.perform(song, **{option: py, "risk": 0.5} if option == "seed" else {option: py})
        assert message in str(e3.value)
        flag = ["--" + option, cli]
        assert main(["render", os.path.join(folder, "a.chart"), "-o", os.path.join(folder, "out"), *flag]) == 2
    else:
        with pytest.raises(BadValue) as e3:
            practice_song(song, transpose=py)  # type: ignore[arg-type]
        assert message in str(e3.value)
        assert main(["practice", os.path.join(folder, "a.chart"), "--no-audio", "-o", os.path.join(folder, "out"),
                     f"--transpose={cli}"]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not os.path.exists(os.path.join(folder, "out"))


def test_nan_never_reaches_a_take_file(tmp_path: object) -> None:
    song = backline.loads(CHART)
    for bad in ({"seed": math.nan, "risk": 0.5}, {"risk": math.nan}, {"seed": math.inf, "risk": 0.5},
                {"risk": True}, {"seed": "7x", "risk": 0.5}):
        with pytest.raises(BadValue):
            render_midi(song, str(tmp_path), **bad)  # type: ignore[arg-type]
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize("args,words", [
    (["--count-in", "9"], "--count-in: 9 is out of range: use 0 to 8 bars"),
    (["--jobs", "0"], "--jobs: 0 is out of range: use 1 to 64 processes"),
    (["--jobs", "65"], "--jobs: 65 is out of range: use 1 to 64 processes"),
    (["--rate", "22050"], "--rate: 22050 is not one of them: use 44100 or 48000"),
    (["--format", "mp3"], "--format: 'mp3' is not one of them: use wav or flac"),
    (["--seed", "abc"], "--seed: 'abc' is not a whole number: use 0 to 4294967295"),
    (["--risk", "1e999"], "--risk: 1e999 is not a number: use 0 to 1"),
])
def test_cli_options_are_one_line_usage_errors(tmp_path: object, capsys: pytest.CaptureFixture[str],
                                               args: list[str], words: str) -> None:
    folder = _files(tmp_path)
    assert main(["render", os.path.join(folder, "a.chart"), "-o", os.path.join(folder, "out"), *args]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("value,words", [
    ('"5%"', "'5%' is out of range: use 20 to 400 beats per minute, or 10% to 400%"),
    ('"500%"', "'500%' is out of range"),
    ("10", "10 is out of range"),
    ("nan", "nan is not a number"),
    ('"fast%"', "'fast%' is not a number"),
    ("true", "expected a number, not True"),
])
def test_tempo_is_one_range_in_albums_specs_and_practice(tmp_path: object, capsys: pytest.CaptureFixture[str],
                                                          value: str, words: str) -> None:
    folder = _files(tmp_path)
    album = os.path.join(folder, "album.toml")
    with open(album, "w") as f:
        f.write(f'[[track]]\nchart = "a.chart"\ntempo = {value}\n')
    with pytest.raises(AlbumError, match=r"track\[1\]\.tempo: ") as e:
        load_album(album)
    assert words in str(e.value)
    spec = os.path.join(folder, "spec.toml")
    with open(spec, "w") as f:
        f.write(f'charts = ["a.chart"]\n[matrix]\ntempo = [{value}]\n')
    with pytest.raises(BatchError, match=r"matrix\.tempo: ") as e2:
        load_spec(spec)
    assert words in str(e2.value)
    if value.startswith('"'):
        assert main(["practice", os.path.join(folder, "a.chart"), "--no-audio", "--tempo", value.strip('"'),
                     "-o", os.path.join(folder, "out")]) == 2
        assert words in capsys.readouterr().err


def test_the_ranges_are_data_that_the_messages_quote() -> None:
    assert (RANGES["transpose"].low, RANGES["transpose"].high) == (-24, 24)
    assert check("rate", 48000) == 48000 and check("count_in", "8") == 8 and check("seed", 0) == 0
    with pytest.raises(BadValue, match="use 1 to 100 times"):
        check("loop", 101)


@pytest.mark.parametrize("body,words", [
    ('charts = "a.chart"\n', "charts: give a list"),
    ('charts = [1, 2]\n', "charts: give a list"),
    ('charts = ["a.chart"]\nmatrix = 3\n', "matrix: a table"),
    ('charts = ["a.chart"]\noutputs = [1]\n', "outputs: a table"),
    ('charts = ["a.chart"]\n[matrix]\nstyle = [3]\n', "matrix.style: unknown style 3"),
    ('charts = ["a.chart"]\n[matrix]\nstyle = ["polka"]\n', "matrix.style: unknown style 'polka'"),
    ('charts = ["a.chart"]\n[matrix]\nmute = [["tuba"]]\n', "matrix.mute: ['tuba']: give lists of instruments"),
    ('charts = ["a.chart"]\n[matrix]\nseed = []\n', "matrix.seed: an empty list makes no items"),
    ('charts = ["a.chart"]\n[matrix]\nseed = [true]\n', "matrix.seed: expected a whole number, not True"),
    ('charts = ["a.chart"]\nchart = 1\n', "chart: unknown key: did you mean 'charts'?"),
    ('charts = ["a.chart"]\n[matrix]\nseed = [' + ", ".join(map(str, range(400))) + "]\n"
     + "transpose = [" + ", ".join(map(str, range(-24, 25))) + "]\nrisk = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]\n",
     "the spec makes 137,200 items; the limit is 100,000"),
])
def test_batch_specs_of_the_wrong_shape_are_one_line_errors(tmp_path: object, body: str, words: str) -> None:
    folder = _files(tmp_path)
    spec = os.path.join(folder, "spec.toml")
    with open(spec, "w") as f:
        f.write(body)
    with pytest.raises(BatchError) as e:
        load_spec(spec)
    assert words in str(e.value) and "\n" not in str(e.value)
