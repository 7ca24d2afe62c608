"""Shared set-up of the studio's HTTP tests: a root folder with charts and an album, and a client
that carries the token and the studio's own Origin (as the page does)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from backline.studio.app import create_app
from backline.studio.context import Limits

TOKEN = "5" * 64
PORT = 8000
BASE = f"http://127.0.0.1:{PORT}"
HEADERS = {"X-Backline-Token": TOKEN, "Origin": BASE}
CHART = "title: Studio Song\ntempo: 120\nsection A:\n  | C | Am | F | G |\n"
ALBUM = ('title = "Record"\n# the opener\n[[track]]\nchart = "songs/a.chart"\n\n'
         '[[track]]\nchart = "songs/b.chart"\nseed = 4\n# b was best at seed 4\n\n'
         '# --- side B ---\n\n'
         '[[track]]\nchart = "songs/c.chart"  # the closer\n')


def make_root(base: str) -> str:
    """``base/root`` with three charts and an album; ``base/secret.chart`` lies outside it."""
    root = os.path.join(base, "root")
    os.makedirs(os.path.join(root, "songs"))
    for name, title in (("a", "Studio Song"), ("b", "Second Song"), ("c", "Third Song")):
        with open(os.path.join(root, "songs", f"{name}.chart"), "w") as f:
            f.write(CHART.replace("Studio Song", title))
    with open(os.path.join(root, "album.toml"), "w") as f:
        f.write(ALBUM)
    with open(os.path.join(base, "secret.chart"), "w") as f:
        f.write(CHART.replace("Studio Song", "SECRET-OUTSIDE"))
    with open(os.path.join(base, ".env"), "w") as f:
        f.write("PASSWORD=SECRET-OUTSIDE\n")
    return root


@contextmanager
def studio_client(root: str, limits: Limits | None = None, **headers: str) -> Iterator[TestClient]:
    app = create_app(root, token=TOKEN, host="127.0.0.1", port=PORT, limits=limits)
    with TestClient(app, base_url=BASE, headers={**HEADERS, **headers}) as client:
        yield client


def tree(root: str) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` with its size and mtime: to show nothing was written."""
    out: dict[str, tuple[int, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            full = os.path.join(folder, name)
            st = os.lstat(full)
            out[os.path.relpath(full, root)] = (st.st_size if name in files else 0, st.st_mtime_ns)
    return out
