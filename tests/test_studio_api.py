"""The studio's API: checking, saving exactly, takes, albums — and the safety list."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from fastapi.testclient import TestClient

from backline.studio.app import MAX_BODY, create_app

CHART = "title: Studio Song\ntempo: 120\nsection A:\n  | C | Am | F | G |\n"


@pytest.fixture()
def studio(tmp_path: object) -> tuple[TestClient, str]:
    root = os.path.join(str(tmp_path), "root")
    os.makedirs(os.path.join(root, "songs"))
    with open(os.path.join(root, "songs", "a.chart"), "w") as f:
        f.write(CHART)
    with open(os.path.join(root, "songs", "b.chart"), "w") as f:
        f.write(CHART.replace("Studio Song", "Second Song"))
    with open(os.path.join(root, "album.toml"), "w") as f:
        f.write('title = "Record"\n# the opener\n[[track]]\nchart = "songs/a.chart"\n\n[[track]]\nchart = "songs/b.chart"\nseed = 4\n')
    with open(os.path.join(str(tmp_path), "secret.chart"), "w") as f:
        f.write(CHART)
    return TestClient(create_app(root)), root


def test_check_reports_line_and_column(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    r = client.post("/api/check", json={"text": "section A:\n  | C | Hx7 |\n"}).json()
    assert r == {"ok": False, "errors": [{"line": 2, "column": 9,
                                          "message": "unknown chord 'Hx7': a chord starts with a root A–G"}]}
    assert client.post("/api/check", json={"text": CHART}).json() == {"ok": True, "errors": []}


def test_list_read_and_save_exactly(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    assert client.get("/api/charts").json() == ["songs/a.chart", "songs/b.chart"]
    assert client.get("/api/chart", params={"path": "songs/a.chart"}).json()["text"] == CHART
    odd = "title:  Kept   As Typed\n\n\n section A:\n  |C|G|   # spacing stays\n"
    r = client.put("/api/chart", json={"path": "songs/a.chart", "text": odd}).json()
    assert r["saved"] == "songs/a.chart" and r["ok"] is False  # saved even with problems
    with open(os.path.join(root, "songs", "a.chart")) as f:
        assert f.read() == odd
    assert not [n for n in os.listdir(os.path.join(root, "songs")) if n.endswith(".tmp")]
    formatted = client.post("/api/format", json={"text": CHART.replace("| C |", "|C|")}).json()
    assert formatted["ok"] and "| C | Am | F | G |" in formatted["text"]


@pytest.mark.parametrize("path", ["../secret.chart", "/etc/passwd", "songs/../../secret.chart",
                                  "..\\secret.chart", "C:/x.chart"])
def test_paths_outside_the_root_are_refused(studio: tuple[TestClient, str], path: str) -> None:
    client, _ = studio
    assert client.get("/api/chart", params={"path": path}).status_code in (400, 403)
    assert client.put("/api/chart", json={"path": path, "text": CHART}).status_code in (400, 403)
    assert client.get("/api/file", params={"path": path}).status_code in (400, 403)


def test_symlinks_out_are_refused(studio: tuple[TestClient, str], tmp_path: object) -> None:
    client, root = studio
    os.symlink(os.path.join(str(tmp_path), "secret.chart"), os.path.join(root, "songs", "link.chart"))
    assert "songs/link.chart" not in client.get("/api/charts").json()
    assert client.get("/api/chart", params={"path": "songs/link.chart"}).status_code == 403
    assert client.put("/api/chart", json={"path": "songs/link.chart", "text": "x"}).status_code == 403


def test_request_size_is_limited(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    r = client.post("/api/check", json={"text": "#" * (MAX_BODY + 10)})
    assert r.status_code == 413


def test_only_charts_are_written(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    assert client.put("/api/chart", json={"path": "songs/evil.py", "text": "x"}).status_code == 400


@pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth is not installed")
def test_takes_are_queued_kept_and_served(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    results: list[dict] = []

    def click(seed: int) -> None:
        results.append(client.post("/api/takes", json={"path": "songs/a.chart", "seed": seed, "risk": 0.5}).json())

    threads = [threading.Thread(target=click, args=(s,)) for s in (3, 3, 8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["seed"] for r in results) == [3, 3, 8]
    takes = client.get("/api/takes", params={"path": "songs/a.chart"}).json()
    assert len(takes) == 3 and all(t["files"]["audio"].endswith(".wav") for t in takes)
    audio = client.get("/api/file", params={"path": takes[0]["files"]["audio"]})
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    midi = client.get("/api/file", params={"path": takes[0]["files"]["midi"]})
    assert midi.content[:4] == b"MThd"
    assert client.post("/api/keep", json={"path": "songs/a.chart", "seed": 8}).status_code == 200
    assert [t["seed"] for t in client.get("/api/takes", params={"path": "songs/a.chart"}).json() if t["kept"]] == [8]
    assert client.post("/api/keep", json={"path": "songs/a.chart", "seed": 99}).status_code == 404
    gone = client.post("/api/discard", json={"path": "songs/a.chart", "seed": 8}).json()
    assert gone["event"] == "discard"
    assert [t["seed"] for t in client.get("/api/takes", params={"path": "songs/a.chart"}).json()] == [3, 3]
    eight = next(t for t in takes if t["seed"] == 8)
    assert client.get("/api/file", params={"path": eight["files"]["audio"]}).status_code == 404


def test_album_order_is_saved_to_the_file(studio: tuple[TestClient, str]) -> None:
    client, root = studio
    assert client.get("/api/albums").json() == ["album.toml"]
    a = client.get("/api/album", params={"path": "album.toml"}).json()
    assert [t["title"] for t in a["tracks"]] == ["Studio Song", "Second Song"]
    r = client.put("/api/album/order", json={"path": "album.toml", "order": ["songs/b.chart", "songs/a.chart"]})
    assert [t["title"] for t in r.json()["tracks"]] == ["Second Song", "Studio Song"]
    with open(os.path.join(root, "album.toml")) as f:
        text = f.read()
    assert text.index("b.chart") < text.index("a.chart") and "seed = 4" in text and "# the opener" in text
    bad = client.put("/api/album/order", json={"path": "album.toml", "order": ["songs/a.chart"]})
    assert bad.status_code == 400
    assert client.get("/api/album/flow", params={"path": "album.toml"}).headers["content-type"] == "image/png"
    assert client.get("/api/arrangement", params={"path": "songs/a.chart"}).content[:4] == b"\x89PNG"


def test_openapi_documents_the_api(studio: tuple[TestClient, str]) -> None:
    client, _ = studio
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/check", "/api/charts", "/api/chart", "/api/takes", "/api/file", "/api/album/order"} <= set(paths)
