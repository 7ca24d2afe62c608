"""Batch: a real Dask cluster (scheduler and two workers as processes on loopback), a worker
killed mid-batch, outputs identical to a local run, and a rerun that does nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from backline.batch import BatchError, expand, load_spec
from backline.batch.run import run_batch

DASK = os.path.join(os.path.dirname(sys.executable), "dask")
CHART = "title: {t}\ntempo: 140\nstyle: {s}\nsection A:\n  | C | Am | F | G7 |\n  | C | F | G7 | C |\n"


def write_spec(folder: str, outputs: str = "midi = true\nlabels = true\nmix = true\n") -> str:
    for name, style in (("one", "rock"), ("two", "bossa-nova")):
        with open(os.path.join(folder, f"{name}.chart"), "w") as f:
            f.write(CHART.format(t=name.title(), s=style))
    path = os.path.join(folder, "spec.toml")
    with open(path, "w") as f:
        f.write('charts = ["*.chart"]\n[matrix]\ntranspose = [0, 2, 5]\nseed = [1, 2]\nrisk = [0.5]\n'
                f"[outputs]\n{outputs}")
    return path


def test_spec_expands_and_checks(tmp_path: object) -> None:
    spec = load_spec(write_spec(str(tmp_path)))
    items = expand(spec)
    assert len(items) == 2 * 3 * 2 and len({i.key for i in items}) == 12
    bad = os.path.join(str(tmp_path), "bad.toml")
    with open(bad, "w") as f:
        f.write('charts = ["*.chart"]\n[matrix]\nkeys = [1]\n')
    with pytest.raises(BatchError, match=r"matrix\.keys"):
        load_spec(bad)


def test_local_batch_labels_and_rerun(tmp_path: object) -> None:
    spec = load_spec(write_spec(str(tmp_path), "midi = true\nlabels = true\n"))
    items = expand(spec)
    out = os.path.join(str(tmp_path), "out")
    first = run_batch(items, out, jobs=2)
    assert (first["rendered"], first["failed"]) == (12, 0)
    with open(first["manifest"]) as f:
        rows = [json.loads(line) for line in f]
    assert [r["key"] for r in rows] == [i.key for i in items] and all(r["ok"] for r in rows)
    with open(os.path.join(out, rows[2]["files"]["labels"])) as f:
        labels = json.load(f)
    assert labels["song_key"] == "D major" and labels["params"]["transpose"] == 2
    assert labels["chords"][0]["chord"] == "D" and labels["downbeats"][:2] == [0.0, pytest.approx(60 / 140 * 4)]
    assert len(labels["beats"]) == 32 and labels["sections"][0]["name"] == "A"
    again = run_batch(items, out, jobs=2)
    assert (again["rendered"], again["skipped"]) == (0, 12)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not os.path.exists(DASK) or shutil.which("fluidsynth") is None,
                    reason="dask or fluidsynth is not installed")
def test_dask_cluster_survives_a_killed_worker(tmp_path: object) -> None:
    spec = load_spec(write_spec(str(tmp_path)))
    items = expand(spec)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    try:
        time.sleep(2)
        for _ in range(2):
            procs.append(subprocess.Popen([DASK, "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "1",
                                           "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        time.sleep(3)
        out = os.path.join(str(tmp_path), "dask")
        result: dict = {}
        runner = threading.Thread(target=lambda: result.update(
            run_batch(items, out, engine="dask", address=f"tcp://127.0.0.1:{port}")))
        runner.start()
        deadline = time.time() + 120
        while time.time() < deadline and len(os.listdir(os.path.join(out, "items"))
                                             if os.path.isdir(os.path.join(out, "items")) else []) < 2:
            time.sleep(0.1)
        procs[1].send_signal(signal.SIGKILL)  # a worker dies mid-batch
        runner.join(timeout=300)
        assert result["failed"] == 0 and result["items"] == 12
        with open(result["manifest"]) as f:
            rows = [json.loads(line) for line in f]
        assert all(r["ok"] for r in rows) and len(rows) == 12
        local = os.path.join(str(tmp_path), "local")
        run_batch(items, local, jobs=2)
        for item in items:
            for name in ("take.mid", "labels.json", "mix.wav"):
                with open(os.path.join(out, "items", item.key, name), "rb") as a, \
                        open(os.path.join(local, "items", item.key, name), "rb") as b:
                    assert a.read() == b.read(), (item.key, name)
        again = run_batch(items, out, engine="dask", address=f"tcp://127.0.0.1:{port}")
        assert (again["rendered"], again["skipped"]) == (0, 12)
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=10)
