"""Ctrl-C: a real SIGINT to the process group (what a terminal sends) stops an album render
with audio, and a practice render, within 2 s: workers and synth threads stopped, temporary
files removed, no half a take left, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

CHART = "title: Song {n}\ntempo: 120\nsection A:\n  | C | Am | F | G7 |\n  | C | Am | F | G7 |\nform: A x16\n"


def _interrupt(args: list[str], folder: str, out: str) -> tuple[int, str, float]:
    """Start ``backline ARGS`` in its own process group, wait until audio work is under way
    (a MIDI file is written first), send SIGINT to the group; (exit code, stderr, seconds to stop)."""
    p = subprocess.Popen([sys.executable, "-m", "backline", *args], cwd=folder, stderr=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, start_new_session=True)
    start = time.monotonic()
    while time.monotonic() - start < 120 and p.poll() is None:
        if os.path.isdir(out) and any(f.endswith(".mid") for f in os.listdir(out)):
            break
        time.sleep(0.02)
    time.sleep(0.3)  # into the synthesis
    assert p.poll() is None, "finished before it could be interrupted"
    sent = time.monotonic()
    os.killpg(p.pid, signal.SIGINT)
    try:
        _, err = p.communicate(timeout=30)
    finally:
        stopped = time.monotonic() - sent
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    with pytest.raises(ProcessLookupError):  # no worker outlived it
        os.killpg(p.pid, 0)
    return p.returncode, err.decode(), stopped


def _left(out: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(out):
        found += [os.path.relpath(os.path.join(root, d), out) + "/" for d in dirs]
        found += [os.path.relpath(os.path.join(root, f), out) for f in files]
    return sorted(found)


def _assert_clean(out: str) -> None:
    left = _left(out) if os.path.isdir(out) else []
    assert not [f for f in left if f.endswith(".tmp") or "/." in f or f.startswith(".")], left
    for f in left:  # what stays is whole: a take with its sidecar and its audio
        if f.endswith(".mid"):
            assert f[:-4] + ".take.json" in left and f[:-4] + ".wav" in left, left
        if f.endswith("-stems/"):
            assert any(g.startswith(f) and g != f for g in left), left


def test_ctrl_c_stops_an_album_render_with_audio_within_2_s(tmp_path: object) -> None:
    folder = str(tmp_path)
    for n in (1, 2, 3):
        with open(os.path.join(folder, f"s{n}.chart"), "w") as f:
            f.write(CHART.format(n=n))
    with open(os.path.join(folder, "album.toml"), "w") as f:
        f.write("".join(f'[[track]]\nchart = "s{n}.chart"\n' for n in (1, 2, 3)))
    out = os.path.join(folder, "out")
    code, err, stopped = _interrupt(["album", "album.toml", "-o", "out", "--audio", "--stems", "--jobs", "2"],
                                    folder, out)
    assert stopped < 2.0, stopped
    assert code == 130 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    _assert_clean(out)


def test_ctrl_c_stops_practice_within_2_s(tmp_path: object) -> None:
    folder = str(tmp_path)
    with open(os.path.join(folder, "s.chart"), "w") as f:
        f.write(CHART.format(n=1))
    out = os.path.join(folder, "out")
    code, err, stopped = _interrupt(["practice", "s.chart", "--loop", "3", "-o", "out"], folder, out)
    assert stopped < 2.0, stopped
    assert code == 130 and "Traceback" not in err, err
    _assert_clean(out)
