"""Fuzzing the edges a hostile user reaches: chart text, album files, batch specs, the Python
API's values and the command line. Each either works or gives readable one-line problems —
never another exception, never an unbounded run."""

from __future__ import annotations

import math
import os
import tempfile
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backline
from backline.album import AlbumError, load_album
from backline.batch import MAX_ITEMS, BatchError, expand, load_spec
from backline.chart.errors import ChartInvalid
from backline.chart.parser import parse_chart
from backline.checks import BadValue
from backline.cli import main

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- charts ---------------------------------------------------------------------------------

TOKENS = ["title:", "key:", "tempo:", "time:", "style:", "feel:", "form:", "section ", "riff ", "(like ", ")",
          ":", "|", "||", "%", ".", "!", "N.C.", "x2", "x999", "×3", " ", "  ", "\t", "\n", "\r\n", "\n  ",
          "#", " # c", "C", "Am7", "G7(b9,#11)", "D/F#", "Bb^7", "Hx", "c8", "a,,", "e'''", "<c e g>4", "r4", "~",
          "->", "96", "nan", "inf", "-1", "1e309", "9" * 30, "4/4", "7/8 (2+2+3)", "(3+", "0/0", "swing 0.6",
          "dynamics:", "transpose:", "only:", "tacet:", "solo:", "melody:", "riff:", " on bass", "lyrics:",
          "drums", "A", "B", "\x00", "\u2028", "\ufeff", "é", "\U0001F3B8", "\x1b[31m"]


@st.composite
def chart_texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=60))
    return "".join(parts)


def _one_line_problems(e: ChartInvalid) -> None:
    assert 1 <= len(e.problems) <= 101
    for p in e.problems:
        assert p.line >= 1 and p.column >= 1 and p.message
        assert "\n" not in str(p) and "\r" not in str(p) and len(str(p)) < 600


@FAST
@given(chart_texts())
def test_any_chart_text_is_a_song_or_readable_problems(text: str) -> None:
    start = time.process_time()
    try:
        song = parse_chart(text, "fuzz.chart")
    except ChartInvalid as e:
        _one_line_problems(e)
        return
    finally:
        assert time.process_time() - start < 1.0
    assert backline.perform(song, seed=1, risk=0.5).to_bytes().startswith(b"MThd")


@FAST
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_any_unicode_is_read_or_refused(text: str) -> None:
    try:
        parse_chart("section A:\n  | C |\n" + text, "fuzz.chart")
    except ChartInvalid as e:
        _one_line_problems(e)


# -- album files and batch specs -------------------------------------------------------------

def _toml_value(value: object) -> str:
    """Any value as TOML (nan and inf too: TOML has them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"


SCALARS = st.one_of(st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from(["", "a.chart", "rock", "90%", "500%", "x", "../a.chart", "/dev/null", "bass",
                                     "2", "nan%", "a\nb", '"', "\x00"]), st.text(max_size=10))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.sampled_from(["a", "chart", "b"]), inner,
                                                                       max_size=3)), max_leaves=8)
TRACK_KEYS = ["chart", "seed", "risk", "style", "transpose", "tempo", "gap_seconds", "title", "bogus"]
ALBUM_KEYS = ["title", "artist", "gap_seconds", "seed", "risk", "bogus"]


def _folder() -> str:
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "a.chart"), "w") as f:
        f.write("title: A\nsection A:\n  | C | G |\n")
    return folder


@FAST
@given(st.dictionaries(st.sampled_from(ALBUM_KEYS), VALUES, max_size=4),
       st.lists(st.dictionaries(st.sampled_from(TRACK_KEYS), VALUES, max_size=5), max_size=3),
       st.booleans())
def test_any_album_file_loads_or_is_one_line_error(top: dict[str, object], tracks: list[dict[str, object]],
                                                   real_chart: bool) -> None:
    folder = _folder()
    lines = [f'"{k}" = {_toml_value(v)}' for k, v in top.items()]
    for t in tracks:
        if real_chart:
            t = {**t, "chart": "a.chart"}
        lines += ["[[track]]"] + [f'"{k}" = {_toml_value(v)}' for k, v in t.items()]
    path = os.path.join(folder, "album.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    try:
        album = load_album(path)
    except AlbumError as e:
        assert "\n" not in str(e) and str(e).startswith(path)
        return
    assert album.tracks and all(0 <= t.risk <= 1 and -24 <= t.transpose <= 24 for t in album.tracks)
    assert all(isinstance(t.seed, int) and 0 <= t.seed < 2**32 for t in album.tracks)


MATRIX_KEYS = ["transpose", "tempo", "style", "seed", "risk", "mute", "bogus"]


@FAST
@given(st.one_of(VALUES, st.just(["a.chart"]), st.just(["*.chart"])),
       st.dictionaries(st.sampled_from(MATRIX_KEYS), VALUES, max_size=4),
       st.one_of(st.none(), VALUES))
def test_any_batch_spec_loads_or_is_one_line_error(charts: object, matrix: dict[str, object],
                                                   outputs: object) -> None:
    folder = _folder()
    lines = [f"charts = {_toml_value(charts)}"]
    if outputs is not None:
        lines.append(f"outputs = {_toml_value(outputs)}")
    lines += ["[matrix]"] + [f'"{k}" = {_toml_value(v)}' for k, v in matrix.items()]
    path = os.path.join(folder, "spec.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    try:
        items = expand(load_spec(path))
    except BatchError as e:
        assert "\n" not in str(e)
        return
    assert 0 < len(items) <= MAX_ITEMS
    for item in items:
        p = item.params
        assert -24 <= p.get("transpose", 0) <= 24 and 0 <= p.get("risk", 0) <= 1 and 0 <= p.get("seed", 0) < 2**32


# -- the Python API and the command line ------------------------------------------------------

SONG = backline.loads("title: API\nsection A:\n  | C | G |\n")


@FAST
@given(st.one_of(SCALARS, st.none()), st.one_of(SCALARS, st.none()))
def test_perform_takes_good_values_and_refuses_others(seed: object, risk: object) -> None:
    try:
        perf = backline.perform(SONG, seed=seed, risk=risk)  # type: ignore[arg-type]
    except BadValue as e:
        assert "\n" not in str(e) and e.message
        return
    assert 0 <= perf.risk <= 1 and perf.to_bytes().startswith(b"MThd")


OPTIONS = ["--seed", "--risk", "--count-in", "--jobs", "--rate", "--format", "--style", "--styles"]
WORDS = ["0", "1", "-1", "8", "9", "0.5", "nan", "inf", "-inf", "1e999", "", " ", "x", "44100", "wav", "mp3",
         "rock", "../../etc", "/dev/null", "9" * 40, "--", "-o"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(OPTIONS), st.sampled_from(WORDS)), max_size=3))
def test_render_options_never_crash(capsys: pytest.CaptureFixture[str], options: list[tuple[str, str]]) -> None:
    folder = _folder()
    argv = ["render", os.path.join(folder, "a.chart"), "-o", os.path.join(folder, "out")]
    for name, word in options:
        argv += [name, word]
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (0, 1, 2) and "Traceback" not in err
    if code:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, err
