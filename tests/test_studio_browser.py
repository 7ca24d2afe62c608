"""The studio in a real browser (Debian's Chromium driven by Playwright): type a broken chart
and see it marked, fix it, render a take and hear it load, reorder the album."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (make test installs it)"),
              pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="fluidsynth is not installed")]
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHART = "title: Browser Song\ntempo: 120\nstyle: pop\nsection A:\n  | C | Am | F | G |\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    import uvicorn

    from backline.studio.app import create_app

    root = str(tmp_path_factory.mktemp("studio"))
    for name, title in (("one.chart", "Browser Song"), ("two.chart", "Second Song"), ("three.chart", "Third Song")):
        with open(os.path.join(root, name), "w") as f:
            f.write(CHART.replace("Browser Song", title))
    with open(os.path.join(root, "album.toml"), "w") as f:
        f.write('title = "Browser Album"\n[[track]]\nchart = "one.chart"\n[[track]]\nchart = "two.chart"\n'
                '[[track]]\nchart = "three.chart"\n')
    port = free_port()
    app = create_app(root, port=port)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield app.state.url, root  # the URL carries the per-launch token, as the printed one does
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> object:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_edit_check_render_and_reorder(server: tuple[str, str], browser: object, artifacts: str) -> None:
    url, root = server
    page = browser.new_page(viewport={"width": 1300, "height": 1000})  # type: ignore[attr-defined]
    page.goto(url)
    page.click("text=one.chart")
    page.wait_for_selector("#check-state.ok")
    page.fill("#editor", CHART.replace("| Am |", "| Hx7 |"))
    page.wait_for_selector("mark.err")
    assert page.inner_text("mark.err") == "Hx7"
    assert "5:9: unknown chord 'Hx7'" in page.inner_text("#errors")
    page.screenshot(path=os.path.join(artifacts, "studio-error.png"))
    page.fill("#editor", CHART.replace("| Am |", "| Am7 |"))
    page.wait_for_selector("#check-state.ok")
    assert page.query_selector("mark.err") is None
    page.click("#save")
    page.wait_for_function("document.querySelector('#status').textContent === 'saved'")
    with open(os.path.join(root, "one.chart")) as f:
        assert "| Am7 |" in f.read()
    page.fill("#seed", "5")
    page.click("#render")
    page.wait_for_function("document.querySelector('#audio').readyState >= 1", timeout=120_000)
    assert "seed 5" in page.inner_text("#ab-state")
    assert page.query_selector("#takes tbody tr") is not None
    page.screenshot(path=os.path.join(artifacts, "studio-take.png"))
    page.click("text=album.toml")
    page.wait_for_selector("#tracks li")
    page.locator("#tracks li").nth(2).drag_to(page.locator("#tracks li").nth(0))
    page.wait_for_function("document.querySelector('#status').textContent === 'running order saved'")
    with open(os.path.join(root, "album.toml")) as f:
        text = f.read()
    assert text.index("three.chart") < text.index("one.chart") < text.index("two.chart")
    assert page.inner_text("#tracks li:first-child").startswith("Third Song")
    page.screenshot(path=os.path.join(artifacts, "studio-album.png"))
    page.close()
