"""What the studio page's browser tests share: a real server on a free port over a folder of charts,
Debian's Chromium driven by Playwright, and a page opened the way a user opens it (the printed URL
with its token)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SHARED

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = [pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (make test installs it)"),
                 pytest.mark.skipif(not os.path.exists(os.path.join(os.path.dirname(__file__), "..", "backline",
                                                                    "studio", "static", "vendor", "spessasynth_lib.js")),
                                    reason="the page's synth is not vendored (make vendor)")]
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "5e" * 32
SONG = "title: Browser Song\ntempo: 120\nstyle: pop\n\nsection A:\n  | C | Am | F | G |\n"


class Studio:
    """A running studio: its URL (with the token), its root folder, and the server."""

    def __init__(self, base: str, root: str, server: Any, thread: threading.Thread) -> None:
        self.base, self.root, self.server, self.thread = base, root, server, thread
        self.url = base + "?token=" + TOKEN

    def path(self, rel: str) -> str:
        return os.path.join(self.root, rel)

    def read(self, rel: str) -> str:
        with open(self.path(rel), encoding="utf-8") as f:
            return f.read()

    def write(self, rel: str, text: str) -> None:
        os.makedirs(os.path.dirname(self.path(rel)) or ".", exist_ok=True)
        with open(self.path(rel), "w", encoding="utf-8") as f:
            f.write(text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_studio(root: str) -> Studio:
    import uvicorn

    from backline.studio.app import create_app

    port = free_port()
    app = create_app(root, token=TOKEN, host="127.0.0.1", port=port)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    return Studio(f"http://127.0.0.1:{port}/", root, srv, thread)


def stop_studio(studio: Studio) -> None:
    studio.server.should_exit = True
    studio.thread.join(timeout=10)


def copy_shared(root: str) -> list[str]:
    """The contract charts (and their album) into ``root``; their names."""
    names = []
    for p in sorted(glob.glob(os.path.join(SHARED, "*.chart"))) + glob.glob(os.path.join(SHARED, "album.toml")):
        shutil.copyfile(p, os.path.join(root, os.path.basename(p)))
        names.append(os.path.basename(p))
    return names


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class PageErrors(list[str]):
    """Uncaught errors of a page: a test fails on any."""


def open_page(browser: Any, studio: Studio, width: int = 1400, height: int = 1000, path: str = "",
              touch: bool = False) -> Any:
    """A fresh browser context (no cookie yet) that opens the printed URL, like a new user."""
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=touch,
                                  accept_downloads=True)
    page = context.new_page()
    page.errors = PageErrors()  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    page.goto(studio.url)
    page.wait_for_selector("#charts a")
    if path:
        page.goto(studio.base.rstrip("/") + path)
    return page


def close_page(page: Any) -> None:
    errors = list(page.errors)
    page.context.close()
    assert not errors, f"the page threw: {errors}"


def open_chart(page: Any, name: str) -> None:
    page.click(f"#charts a[data-path='{name}']")
    page.wait_for_selector(".gbar.now")


def wait_playable(page: Any, timeout: float = 30_000) -> None:
    page.wait_for_function("window.studio.player.loaded && !document.querySelector('#play').disabled",
                           timeout=timeout)


def position(page: Any) -> float:
    return float(page.evaluate("window.studio.player.position()"))
