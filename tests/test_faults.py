"""Faults: a write cut short by a file-size limit or a full disk never tears a log or leaves a
partial output, a torn log line is skipped and repaired, and inputs that are not regular files
(FIFOs, devices, folders) are refused by name without blocking."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from backline.files import append_record, read_records
from tests.hostile import run_cli, tree

CHART = "title: Log Song\nsection A:\n  | C | G |\n"


def _read(path: str, mode: str = "r") -> str | bytes:
    with open(path, mode) as f:
        return f.read()  # type: ignore[no-any-return]


def _chart(folder: str) -> str:
    path = os.path.join(folder, "song.chart")
    with open(path, "w") as f:
        f.write(CHART)
    return path


def _take_log(folder: str, chart: str) -> str:
    """Two real takes, then the log padded with valid records to 64 KB: larger than any file a
    take writes, so a file-size limit just above it cuts only the log's next record."""
    out = os.path.join(folder, "takes")
    assert run_cli(["takes", chart, "--seeds", "4,9", "-o", out]).code == 0
    log = os.path.join(out, "takes.jsonl")
    while os.path.getsize(log) < 64_000:
        append_record(log, {"event": "note", "text": "x" * 500})
    return log


def test_file_size_limit_cuts_no_log_line(tmp_path: object) -> None:
    folder = str(tmp_path)
    log = _take_log(folder, _chart(folder))
    before = _read(log, "rb")
    run = run_cli(["keep", os.path.dirname(log), "9"], fsize=len(before) + 40)  # the record needs ~90 bytes
    line = run.refused()
    assert "File too large" in line and os.path.basename(log) in line
    assert _read(log, "rb") == before  # the partial record was cut off again
    assert run_cli(["keep", os.path.dirname(log), "9"]).code == 0  # and the log goes on
    assert [r["seed"] for r in read_records(log) if r["event"] == "keep"] == [9]


def test_file_size_limit_leaves_no_partial_take(tmp_path: object) -> None:
    folder = str(tmp_path)
    chart = _chart(folder)
    out = os.path.join(folder, "out")
    os.makedirs(out)
    run = run_cli(["takes", chart, "--seeds", "4", "-o", out], fsize=200)
    assert "File too large" in run.refused()
    assert tree(out) == {}  # no .mid, no .take.json, no temporary file, no log line


def test_a_torn_line_is_skipped_with_a_warning_and_repaired(tmp_path: object) -> None:
    folder = str(tmp_path)
    log = _take_log(folder, _chart(folder))
    with open(log, "a") as f:  # a writer without this care, killed mid-record
        f.write('{"event": "keep", "seed": 4, "ti')
    run = run_cli(["keep", os.path.dirname(log), "9"])
    assert run.code == 0 and "Traceback" not in run.err
    assert "a torn or unreadable line is skipped" in run.err
    lines = str(_read(log)).splitlines()
    assert lines[-2] == '{"event": "keep", "seed": 4, "ti' and json.loads(lines[-1])["seed"] == 9
    comp = run_cli(["comp", _chart(folder), "--pick", "A=9", "--takes", os.path.dirname(log),
                    "-o", os.path.join(folder, "master.mid")])
    assert comp.code == 0 and "Traceback" not in comp.err


def _mount_tmpfs(folder: str, kilobytes: int, script: str) -> subprocess.CompletedProcess[str] | None:
    """Run ``script`` (sh) with a tmpfs of ``kilobytes`` mounted at ``folder``: in a user and
    mount namespace of its own (no root needed), else as root; None when neither is allowed."""
    mount = f"mount -t tmpfs -o size={kilobytes}k tmpfs {folder} && {script}"
    for argv in (["unshare", "-rm", "sh", "-c", mount], ["unshare", "-m", "sh", "-c", mount]):
        if not shutil.which("unshare"):
            break
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if "mount" not in done.stderr and "unshare" not in done.stderr:
            return done
    return None


def test_a_full_disk_cuts_no_log_line_and_leaves_no_partial_file(tmp_path: object) -> None:
    folder = str(tmp_path)
    chart = _chart(folder)
    log = _take_log(folder, chart)
    disk = os.path.join(folder, "disk")
    os.makedirs(disk)
    empty = len(json.dumps({"event": "note", "text": ""}, separators=(", ", ": "))) + 1
    need = -os.path.getsize(log) % 4096
    append_record(log, {"event": "note", "text": "x" * ((need if need >= empty else need + 4096) - empty)})
    assert os.path.getsize(log) % 4096 == 0  # so the next record needs a page of its own
    backline = f"{sys.executable} -m backline"
    # On the small disk: the log (64 KB, padded to a page), the disk filled up, then a keep
    # (its record needs a new page) and a take (its MIDI file needs pages).
    script = (f"cp {log} {disk}/takes.jsonl && "
              f"head -c 1000000 /dev/zero > {disk}/filler 2>/dev/null; "
              f"{backline} keep {disk} 9 2>{disk}.keep.err; echo keep=$?; "
              f"{backline} takes {chart} --seeds 6 -o {disk} 2>{disk}.takes.err; echo takes=$?; "
              f"md5sum {disk}/takes.jsonl; ls -a {disk}")
    done = _mount_tmpfs(disk, 128, script)
    if done is None:
        pytest.skip("no tmpfs can be mounted here (no user namespaces, not root); "
                    "the file-size-limit tests above inject the same fault")
    assert "keep=1" in done.stdout and "takes=1" in done.stdout, done.stdout + done.stderr
    for name in ("keep", "takes"):
        err = str(_read(f"{disk}.{name}.err"))
        assert "No space left on device" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    original = subprocess.run(["md5sum", log], capture_output=True, text=True).stdout.split()[0]
    assert original in done.stdout  # the log is byte for byte as it was
    listed = done.stdout.split()
    assert not any(n.endswith((".mid", ".tmp", ".json")) for n in listed), done.stdout


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_inputs_that_are_not_regular_files_are_refused_without_blocking(tmp_path: object, kind: str) -> None:
    folder = str(tmp_path)
    target = {"fifo": os.path.join(folder, "pipe.chart"), "device": "/dev/zero",
              "folder": os.path.join(folder, "dir.chart")}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        os.makedirs(target)
    words = {"fifo": "is a FIFO (named pipe), not a regular file", "device": "is a device, not a regular file",
             "folder": "is a folder, not a regular file"}[kind]
    good = _chart(folder)
    for args in (["check", target], ["render", target, "-o", os.path.join(folder, "out")], ["info", target],
                 ["fmt", target], ["check", good, target, "--jobs", "2"]):
        run = run_cli(args, timeout=10)
        assert words in run.err and run.code == 1, (args, run.err)
        run.bounded()
    album = os.path.join(folder, "album.toml")
    with open(album, "w") as f:
        f.write(f'[[track]]\nchart = "{target}"\n')
    assert words in run_cli(["album", album, "-o", os.path.join(folder, "al")], timeout=10).refused()
    spec = os.path.join(folder, "spec.toml")
    with open(spec, "w") as f:
        f.write(f'charts = ["{target}"]\n')
    batch = run_cli(["batch", spec, "-o", os.path.join(folder, "b")], timeout=10).refused()
    assert words in batch or (kind == "folder" and "nothing matches" in batch)  # a folder names its charts
    assert words in run_cli(["album", target, "-o", os.path.join(folder, "al")], timeout=10).refused()
    assert not os.path.exists(os.path.join(folder, "out")) and not os.path.exists(os.path.join(folder, "b"))


def test_fmt_writes_through_a_symlink_to_its_target(tmp_path: object) -> None:
    folder = str(tmp_path)
    target = os.path.join(folder, "real.chart")
    with open(target, "w") as f:
        f.write("title:X\nsection A:\n    |C|G|\n")
    link = os.path.join(folder, "link.chart")
    os.symlink("real.chart", link)
    assert run_cli(["fmt", link]).code == 0
    assert os.path.islink(link) and os.readlink(link) == "real.chart"
    assert _read(target) == "title: X\nsection A:\n  | C | G |\n"
