"""Every hostile case of issue 18's "Why", run as a user would: the CLI in its own process,
asserting the exit code, a one-line message, no traceback, time and memory bounds (tests/hostile.py:
< 5 s, < 500 MB) and that nothing was written. (Torn logs, FIFOs and symlinks: test_faults.py;
Ctrl-C: test_interrupt.py; the same value everywhere: test_checks.py.)"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys

import pytest

from tests.hostile import run_cli, tree


def _write(folder: str, name: str, data: str | bytes) -> str:
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _refused(folder: str, args: list[str], words: str, code: int = 1) -> None:
    before = tree(folder)
    run = run_cli(args, cwd=folder, timeout=30)
    line = run.refused()
    assert run.code == code, run.err
    assert words in line, line
    assert tree(folder) == before  # nothing written


SLOW_CHARTS = {
    "time_value_4000_spaces": ("time: 4/4 (" + " " * 4000 + "\nsection A:\n  | C |\n", "cannot read meter"),
    "time_value_2kb": ("time: 4 / 4 (2" + " +" * 1000 + "\nsection A:\n  | C |\n", "cannot read meter"),
    "section_head_120kb": ("section A" + " a" * 60_000 + " (:\n  | C |\n", "bad section name"),
    "like_120kb": ("section A:\n  | C |\nsection B (like" + " " * 120_000 + "A) x:\n  | C |\n", "bad section name"),
    "bar_of_10000_unknown_chords": ("section A:\n  | " + "Hx7 " * 10_000 + "|\n", "unknown chord 'Hx7'"),
    "form_A_x999_repeated": ("section A:\n  | C | G |\nform: " + "A x999 " * 500 + "\n", "the form expands to"),
    "150000_sections_without_form": ("".join(f"section S{i}:\n  | C |\n" for i in range(150_000)),
                                     "the limit is 1,000,000"),
    "6000_sections_without_form": ("".join(f"section S{i}:\n  | C |\n" for i in range(6_000)),
                                   "more than 5,000 sections and riffs"),
}


@pytest.mark.parametrize("name", list(SLOW_CHARTS))
def test_slow_and_huge_charts_are_refused_quickly(tmp_path: object, name: str) -> None:
    folder = str(tmp_path)
    text, words = SLOW_CHARTS[name]
    chart = _write(folder, "hostile.chart", text)
    _refused(folder, ["check", chart], words)
    _refused(folder, ["render", chart, "-o", os.path.join(folder, "out")], words)


def test_a_long_like_chain_in_a_parallel_check_of_many_charts(tmp_path: object) -> None:
    folder = str(tmp_path)
    chain = "section S0:\n  | C |\n" + "".join(f"section S{i} (like S{i - 1}):\n" for i in range(1, 1200))
    charts = [_write(folder, "chain.chart", chain)]
    charts += [_write(folder, f"c{i}.chart", "section A:\n  | C |\n") for i in range(201)]
    run = run_cli(["check", *charts, "--jobs", "2"], timeout=60)
    assert run.code == 0 and "202 of 202 chart(s) valid" in run.err, run.err
    run.bounded()


def _long_note_midi() -> bytes:
    def vlq(n: int) -> bytes:
        out = [n & 0x7F]
        n >>= 7
        while n:
            out.insert(0, (n & 0x7F) | 0x80)
            n >>= 7
        return bytes(out)

    track = vlq(0) + bytes([0x90, 60, 100]) + vlq(0x0FFFFFFF) + bytes([0x80, 60, 0]) + vlq(0) + b"\xff\x2f\x00"
    data = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96) + b"MTrk" + struct.pack(">I", len(track)) + track
    assert len(data) == 37
    return data


def test_a_37_byte_midi_file_with_a_very_long_note(tmp_path: object) -> None:
    folder = str(tmp_path)
    midi = _write(folder, "long.mid", _long_note_midi())
    run = run_cli(["import", midi, "-o", os.path.join(folder, "out")])
    assert run.code == 1 and "a chart holds at most 20,000" in run.err
    run.bounded()
    assert not os.path.exists(os.path.join(folder, "out"))
    _refused(folder, ["sketch", "--from-riff", midi], "a chart holds at most 20,000")


def test_a_90_byte_chart_at_tempo_20_is_refused_audio_before_any_work(tmp_path: object) -> None:
    folder = str(tmp_path)
    chart = _write(folder, "slow.chart", "tempo: 20\nsection A:\n  | C | C | C | C |\nform: A x999\n")
    assert len(open(chart, "rb").read()) < 90  # noqa: SIM115
    _refused(folder, ["render", chart, "--audio", "-o", os.path.join(folder, "out")],
             "audio is limited to 2 hours")


def test_a_small_batch_spec_that_expands_to_millions_of_items(tmp_path: object) -> None:
    folder = str(tmp_path)
    _write(folder, "a.chart", "section A:\n  | C |\n")
    seeds = ", ".join(str(i) for i in range(300))
    _write(folder, "spec.toml", f'charts = ["a.chart", "a.chart", "a.chart"]\n[matrix]\nseed = [{seeds}]\n'
                                f"transpose = [{', '.join(str(i) for i in range(-24, 25))}]\n"
                                "risk = [0, 0.25, 0.5, 0.75, 1]\n")
    assert os.path.getsize(os.path.join(folder, "spec.toml")) < 1700
    _refused(folder, ["batch", "spec.toml", "-o", "out"], "items; the limit is 100,000")


@pytest.mark.parametrize("body,words", [
    ('charts = "a.chart"\n', "charts: give a list"),
    ('charts = ["a.chart"]\n[matrix]\nrisk = [5]\n', "matrix.risk: 5 is out of range: use 0 to 1"),
    ('charts = ["a.chart"]\n[matrix]\ntranspose = [999]\n', "matrix.transpose: 999 is out of range"),
    ('charts = ["a.chart"]\n[matrix]\nseed = ["x"]\n', "matrix.seed: 'x' is not a whole number"),
    ('charts = ["a.chart"]\nmatrix = "all"\n', "matrix: a table"),
])
def test_wrong_types_and_ranges_in_a_batch_spec(tmp_path: object, body: str, words: str) -> None:
    folder = str(tmp_path)
    _write(folder, "a.chart", "section A:\n  | C |\n")
    _write(folder, "spec.toml", body)
    _refused(folder, ["batch", "spec.toml", "-o", "out"], words)


def test_titles_cannot_inject_lines_into_the_cue_sheet(tmp_path: object) -> None:
    folder = str(tmp_path)
    _write(folder, "a.chart", 'title: Hi" \\nFILE "/etc/passwd" WAVE\nsection A:\n  | C |\n')
    _write(folder, "album.toml", 'title = "Evil \\" TRACK 99 AUDIO"\n[[track]]\nchart = "a.chart"\n')
    run = run_cli(["album", "album.toml", "-o", "out", "--audio", "--no-pictures"], cwd=folder, timeout=60)
    assert run.code == 0, run.err
    with open(os.path.join(folder, "out", "album.cue"), encoding="utf-8") as f:
        cue = f.read().splitlines()
    assert [line.split()[0] for line in cue] == ["PERFORMER", "TITLE", "FILE", "TRACK", "TITLE", "PERFORMER", "INDEX"]
    assert all(line.count('"') == 2 for line in cue if '"' in line) and cue[2] == 'FILE "album.wav" WAVE'
    _write(folder, "album2.toml", 'title = "two\\nlines"\n[[track]]\nchart = "a.chart"\n')
    _refused(folder, ["album", "album2.toml", "-o", "out2"], "give one line")


def test_sketch_never_writes_an_invalid_chart(tmp_path: object) -> None:
    folder = str(tmp_path)
    _refused(folder, ["sketch", "--form", "x2 ../../etc", "-o", "s.chart"], "'x2' is not a section name", code=2)
    run = run_cli(["sketch", "--form", "Intro Verse Chorus", "-o", "s.chart"], cwd=folder)
    assert run.code == 0 and run_cli(["check", "s.chart"], cwd=folder).code == 0


def test_chordpro_with_nul_bytes_imports_as_a_chart_that_checks(tmp_path: object) -> None:
    folder = str(tmp_path)
    _write(folder, "song.cho", "{title: Nul\x00Song}\n{sov}\n[C]la la [G\x00]la\n{eov}\n")
    run = run_cli(["import", "song.cho", "-o", "out"], cwd=folder)
    assert run.code == 0, run.err
    (chart,) = [os.path.join(folder, "out", f) for f in os.listdir(os.path.join(folder, "out"))]
    assert run_cli(["check", chart]).code == 0


@pytest.mark.parametrize("setup,args,words", [
    ("file", ["render", "a.chart", "-o", "a.chart"], "is a file, not a folder"),
    ("none", ["export", "a.chart", "--to", "chordpro", "-o", "no/such/x.cho"], "no folder"),
    ("none", ["render", "long.chart", "-o", "."], ""),
    ("none", ["plot", "a.chart", "-o", "x.chart"], "a picture is written as .png, .svg or .pdf"),
    ("none", ["plot", "a.chart", "-o", "."], "is a folder"),
    ("styles", ["render", "a.chart", "-o", "out", "--styles", "styles", "--style", "broken"], "broken.toml"),
    ("styles", ["render", "a.chart", "-o", "out", "--styles", "styles", "--style", "wrong"], "wrong.toml"),
])
def test_ordinary_mistakes_are_one_line(tmp_path: object, setup: str, args: list[str], words: str) -> None:
    folder = str(tmp_path)
    _write(folder, "a.chart", "title: A\nsection A:\n  | C |\n")
    _write(folder, "long.chart", "title: " + "Very Long Title " * 20 + "\nsection A:\n  | C |\n")
    if setup == "styles":
        os.makedirs(os.path.join(folder, "styles"))
        _write(folder, "styles/broken.toml", "[[[ not toml")
        _write(folder, "styles/wrong.toml", "programs = [1, 2]\n")
    if args[:2] == ["render", "long.chart"]:  # a 300-character title: a file name it can write
        run = run_cli(args, cwd=folder)
        assert run.code == 0 and "Traceback" not in run.err, run.err
        assert any(len(name) <= 110 and name.endswith(".mid") for name in os.listdir(folder))
        return
    code = 2 if args[0] in ("export", "plot") else 1
    _refused(folder, args, words, code=code)


def test_a_read_only_output_folder(tmp_path: object) -> None:
    folder = str(tmp_path)
    chart = _write(folder, "a.chart", "title: A\nsection A:\n  | C |\n")
    out = os.path.join(folder, "out")
    os.makedirs(out)
    if os.geteuid() != 0:  # permissions bind everyone but root
        os.chmod(out, 0o555)
        try:
            line = run_cli(["render", chart, "-o", out]).refused()
        finally:
            os.chmod(out, 0o755)
        assert "Permission denied" in line and os.listdir(out) == []
        return
    script = (f"mount --bind {out} {out} && mount -o remount,bind,ro {out} && "
              f"{sys.executable} -m backline render {chart} -o {out} 2>{folder}/err; echo code=$?; ls -A {out}")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=60) \
        if shutil.which("unshare") else None
    if done is None or "code=" not in done.stdout:
        pytest.skip("as root, a read-only folder needs a read-only bind mount, which cannot be made here")
    with open(os.path.join(folder, "err")) as f:
        err = f.read()
    assert "code=1" in done.stdout and done.stdout.strip().endswith("code=1"), done.stdout  # and nothing in it
    assert len(err.strip().splitlines()) == 1 and "Read-only file system" in err and "Traceback" not in err, err


def test_a_disk_that_fills_during_audio_and_stems(tmp_path: object) -> None:
    folder = str(tmp_path)
    chart = _write(folder, "a.chart", "title: Full Disk\nsection A:\n  | C | Am | F | G |\nform: A x8\n")
    disk = os.path.join(folder, "disk")
    os.makedirs(disk)
    backline = f"{sys.executable} -m backline"
    script = (f"mount -t tmpfs -o size=600k tmpfs {disk} && "
              f"{backline} render {chart} --audio -o {disk}/mix 2>{folder}/mix.err; echo mix=$?; "
              f"{backline} render {chart} --audio --stems -o {disk}/stems 2>{folder}/stems.err; echo stems=$?; "
              f"find {disk} | sort")
    done = None
    for argv in (["unshare", "-rm", "sh", "-c", script], ["unshare", "-m", "sh", "-c", script]):
        if shutil.which("unshare"):
            attempt = subprocess.run(argv, capture_output=True, text=True, timeout=120)
            if "mix=" in attempt.stdout:
                done = attempt
                break
    if done is None:
        pytest.skip("no tmpfs can be mounted here (no user namespaces, not root)")
    assert "mix=1" in done.stdout and "stems=1" in done.stdout, done.stdout + done.stderr
    for name in ("mix", "stems"):
        with open(os.path.join(folder, f"{name}.err")) as f:
            err = f.read()
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and "No space left on device" in lines[0] and "Traceback" not in err, err
    left = [line for line in done.stdout.splitlines() if line.startswith(disk)]
    assert not [f for f in left if f.endswith((".mid", ".json", ".wav", ".tmp", "-stems"))], left
