"""The studio page in a real browser (Debian's Chromium driven by Playwright), as a new user works:
write and check a chart, never lose an edit, render takes and keep the right one, order an album,
start a song, import one, find everything by URL, at 1400 px and at 400 px, by mouse, touch and keys.
Each test names the "Why" of issue 16 it shows fixed."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.studio_page import (
    SONG,
    TOKEN,
    Studio,
    browser_fixture,  # noqa: F401  (the fixture "browser")
    close_page,
    needs_browser,
    open_chart,
    open_page,
    position,
    start_studio,
    stop_studio,
    wait_playable,
)

pytestmark = needs_browser
SHORT = "title: {title}\ntempo: 140\nstyle: pop\n\nsection A:\n  | C | Am | F | G |\n"
ALBUM = ('title = "Browser Album"\n\n# the opener\n[[track]]\nchart = "one.chart"\n\n'
         '# second: the ballad\n[[track]]\nchart = "two.chart"\n\n[[track]]\nchart = "three.chart"\n\n'
         '[[track]]\nchart = "four.chart"\n')


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    root = str(tmp_path_factory.mktemp("studio"))
    s = Studio("", root, None, None)  # type: ignore[arg-type]
    s.write("song.chart", SONG)
    for name, title in (("one", "First Song"), ("two", "Second Song"), ("three", "Third Song"), ("four", "Fourth Song")):
        s.write(f"{name}.chart", SHORT.format(title=title))
    s.write("album.toml", ALBUM)
    s.write("broken.chart", SHORT.format(title="Broken Song").replace("| Am |", "| Hx7 |"))
    s.write("broken-album.toml", 'title = "Half Done"\n[[track]]\nchart = "one.chart"\n[[track]]\nchart = "broken.chart"\n')
    studio = start_studio(root)
    yield studio
    stop_studio(studio)


def fetch(studio: Studio, url: str) -> tuple[int, bytes, dict[str, str]]:
    """GET with the token (as a script would), for files the page links to."""
    req = urllib.request.Request(studio.base.rstrip("/") + url, headers={"X-Backline-Token": TOKEN})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, r.read(), dict(r.headers)


def render_take(page: Any, seed: int | None = None, risk: float | None = None, name: str = "") -> None:
    before = page.locator("#takes tbody tr[data-id]").count()
    if seed is not None:
        page.fill("#seed", str(seed))
    if risk is not None:
        page.eval_on_selector("#risk", "(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", risk)
    page.fill("#take-name", name)
    page.click("#render")
    page.wait_for_function(f"document.querySelectorAll('#takes tbody tr[data-id]').length > {before}", timeout=120_000)


def take_rows(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all("#takes tbody tr[data-id]", """rows => rows.map(r => ({
        id: r.dataset.id, kept: r.classList.contains('kept'), seed: r.children[2].textContent,
        risk: r.children[3].textContent, name: r.querySelector('.take-name').value}))""")


# -------------------------------------------------------------------------------------------------
def test_check_save_and_unsaved_guard(studio: Studio, browser: Any, artifacts: str) -> None:
    """Why: unsaved edits vanished on switching songs or reloading, with no warning."""
    page = open_page(browser, studio)
    open_chart(page, "song.chart")
    assert page.is_hidden("#dirty")
    page.fill("#editor", SONG.replace("| Am |", "| Hx7 |"))
    page.wait_for_selector("mark.err")
    assert page.inner_text("mark.err") == "Hx7"
    assert "6:9" in page.inner_text("#errors") and "Hx7" in page.inner_text("#errors")
    assert page.is_visible("#dirty") and page.title().startswith("●")
    page.screenshot(path=os.path.join(artifacts, "studio-error-1400.png"))
    # another song: asked; "cancel" keeps the edit on screen
    messages: list[str] = []
    page.once("dialog", lambda d: (messages.append(d.message), d.dismiss()))
    page.click("#charts a[data-path='one.chart']")
    page.wait_for_timeout(300)
    assert messages and "unsaved" in messages[0]
    assert "Hx7" in page.input_value("#editor") and page.inner_text("#song-title") == "song.chart"
    assert page.url.endswith("/chart/song.chart")
    # reload: the browser's own "leave site?" question (beforeunload)
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.type), d.dismiss()))
    page.evaluate("location.reload()")
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert "Hx7" in page.input_value("#editor")
    # fix and save: byte-exact, unsaved mark gone, leaving asks nothing
    page.fill("#editor", SONG.replace("| Am |", "| Am7 |"))
    page.wait_for_selector("#check-state.ok")
    page.keyboard.press("Control+s")
    page.wait_for_selector("#dirty", state="hidden")
    assert studio.read("song.chart") == SONG.replace("| Am |", "| Am7 |")
    page.click("#charts a[data-path='one.chart']")
    page.wait_for_function("document.querySelector('#song-title').textContent === 'one.chart'")
    close_page(page)


def test_two_tabs_stale_save_offers_merge_or_reload(studio: Studio, browser: Any) -> None:
    """Why: two tabs on one chart, the last save silently won."""
    studio.write("tabs.chart", SHORT.format(title="Two Tabs"))
    first = open_page(browser, studio, path="/chart/tabs.chart")
    first.wait_for_selector(".gbar.now")
    second = open_page(browser, studio, path="/chart/tabs.chart")
    second.wait_for_selector(".gbar.now")
    second.fill("#editor", SHORT.format(title="Two Tabs").replace("| G |", "| G7 |"))
    second.click("#save")
    second.wait_for_selector("#dirty", state="hidden")
    first.fill("#editor", SHORT.format(title="Two Tabs").replace("| C |", "| Cmaj7 |"))
    first.click("#save")
    first.wait_for_selector("#merge:not([hidden])")
    diff = first.inner_text("#merge-diff")
    assert "- " in diff and "G7" in diff and "Cmaj7" in diff
    assert "G7" in studio.read("tabs.chart")  # nothing was overwritten
    first.click("#merge-theirs")
    assert "G7" in first.input_value("#editor") and first.is_hidden("#dirty")
    first.fill("#editor", first.input_value("#editor").replace("| C |", "| C6 |"))
    first.click("#save")
    first.wait_for_selector("#dirty", state="hidden")
    assert "G7" in studio.read("tabs.chart") and "C6" in studio.read("tabs.chart")
    close_page(first)
    close_page(second)


def test_takes_are_immutable_keep_and_discard_act_on_one_undo_and_ab(studio: Studio, browser: Any) -> None:
    """Why: a second render with seed 42 replaced the kept take and marked every "42" kept; discard
    deleted every take of that seed with no question and no undo; A/B then pointed at a deleted file."""
    page = open_page(browser, studio)
    open_chart(page, "one.chart")
    render_take(page, seed=42, risk=0.2, name="careful")
    first = take_rows(page)[0]
    page.locator(f"#takes tr[data-id='{first['id']}'] button", has_text="keep").click()
    page.wait_for_selector(f"#takes tr.kept[data-id='{first['id']}']")
    midi_before = fetch(studio, f"/api/takes/{first['id']}/files/midi?chart=one.chart")[1]
    render_take(page, seed=42, risk=0.9, name="wild")
    rows = take_rows(page)
    assert len(rows) == 2 and rows[0]["id"] != rows[1]["id"]
    assert [r["kept"] for r in rows if r["seed"] == "42"].count(True) == 1
    assert next(r for r in rows if r["kept"])["name"] == "careful"
    assert fetch(studio, f"/api/takes/{first['id']}/files/midi?chart=one.chart")[1] == midi_before
    # names and notes stay with their take
    wild = next(r for r in rows if not r["kept"])
    page.locator(f"#takes tr[data-id='{wild['id']}'] .take-notes").fill("bass too busy in bar 3")
    page.locator(f"#takes tr[data-id='{wild['id']}'] .take-notes").press("Tab")
    page.wait_for_timeout(500)
    # A/B: both visible; discarding A asks, removes only that take, and A/B no longer points at it
    page.locator(f"#takes tr[data-id='{first['id']}'] button", has_text="A").first.click()
    page.locator(f"#takes tr[data-id='{wild['id']}'] button", has_text="B").first.click()
    assert page.inner_text("#ab-a") == "careful" and page.inner_text("#ab-b") == "wild"
    assert page.is_enabled("#ab-switch")
    page.click("#ab-switch")
    page.wait_for_function("window.studio.player.playing")
    page.click("#ab-switch")                                  # now B, the one about to be thrown away
    page.wait_for_function(f"window.studio.player.loaded.key === {json.dumps(wild['id'])}")
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.locator(f"#takes tr[data-id='{wild['id']}'] button", has_text="discard").click()
    assert asked and "wild" in asked[0]
    assert len(take_rows(page)) == 2                        # dismissed: nothing happened
    page.once("dialog", lambda d: d.accept())
    page.locator(f"#takes tr[data-id='{wild['id']}'] button", has_text="discard").click()
    page.wait_for_function("document.querySelectorAll('#takes tbody tr[data-id]').length === 1")
    assert take_rows(page)[0]["id"] == first["id"] and take_rows(page)[0]["kept"]
    assert page.inner_text("#ab-b") == "—" and page.is_disabled("#ab-switch")
    assert page.evaluate("window.studio.player.loaded.key") != wild["id"]
    # undo
    page.locator("#takes-msg button", has_text="Undo").click()
    page.wait_for_function("document.querySelectorAll('#takes tbody tr[data-id]').length === 2")
    restored = page.locator(f"#takes tr[data-id='{wild['id']}']")
    assert restored.locator(".take-notes").input_value() == "bass too busy in bar 3"
    page.reload()
    page.wait_for_selector(f"#takes tr[data-id='{wild['id']}']")
    assert page.locator(f"#takes tr[data-id='{first['id']}'] .take-name").input_value() == "careful"
    close_page(page)


def test_render_uses_the_text_on_screen_and_a_copy_has_its_own_takes(studio: Studio, browser: Any) -> None:
    """Why: render used the saved file, not the editor; takes were filed by title (a copy showed the
    original's takes, a renamed title hid them)."""
    studio.write("orig.chart", SHORT.format(title="Same Title"))
    page = open_page(browser, studio)
    open_chart(page, "orig.chart")
    edited = SHORT.format(title="Same Title").replace("| F |", "| Dm7 |")
    page.fill("#editor", edited)
    page.wait_for_selector("#check-state.ok")
    assert page.is_visible("#dirty")
    render_take(page, seed=3)
    take = take_rows(page)[0]
    _status, text, _ = fetch(studio, f"/api/takes/{take['id']}/files/chart?chart=orig.chart")
    assert text.decode() == edited                          # the take is the text on screen...
    assert studio.read("orig.chart") == SHORT.format(title="Same Title")  # ...and the file is untouched
    page.click("#save")
    page.wait_for_selector("#dirty", state="hidden")
    studio.write("copy.chart", studio.read("orig.chart"))
    page.reload()
    page.wait_for_selector("#charts a[data-path='copy.chart']")
    open_chart(page, "copy.chart")
    page.wait_for_selector("#takes tbody td.hint")                # "No takes yet"
    assert take_rows(page) == []
    open_chart(page, "orig.chart")
    page.fill("#editor", page.input_value("#editor").replace("Same Title", "Renamed"))
    page.click("#save")
    page.wait_for_selector("#dirty", state="hidden")
    page.reload()
    page.wait_for_selector("#takes tbody tr[data-id]")
    assert [r["id"] for r in take_rows(page)] == [take["id"]]
    close_page(page)


def test_switching_songs_during_a_render_never_plays_the_old_take(studio: Studio, browser: Any) -> None:
    """Why: switching songs during a render auto-played the old song's take in the new view."""
    page = open_page(browser, studio)
    open_chart(page, "two.chart")
    # hold the render's answer until the user has moved on (a short chart renders in well under a second)
    page.evaluate("""() => { const f = window.fetch; window.__gate = new Promise((r) => { window.__open = r; });
        window.fetch = async (u, init) => { const r = await f(u, init);
          if (init && init.method === "POST" && String(u) === "/api/takes") await window.__gate; return r; }; }""")
    page.fill("#seed", "7")
    page.click("#render")
    open_chart(page, "three.chart")
    wait_playable(page)
    page.evaluate("window.__open()")
    page.wait_for_function("document.querySelector('#status').textContent.includes('two.chart')", timeout=120_000)
    assert not page.evaluate("window.studio.player.playing")
    assert page.inner_text("#song-title") == "three.chart"
    assert take_rows(page) == [] and page.inner_text("#ab-a") == "—"
    assert page.evaluate("window.studio.player.loaded === null || window.studio.player.loaded.key === 'text'")
    open_chart(page, "two.chart")
    page.wait_for_selector("#takes tbody tr[data-id]")
    assert [r["seed"] for r in take_rows(page)] == ["7"]
    close_page(page)


def test_bounce_and_downloads(studio: Studio, browser: Any) -> None:
    """The server's full mix stays as "bounce"; MIDI, WAV and stems download."""
    page = open_page(browser, studio)
    open_chart(page, "four.chart")
    render_take(page, seed=11)
    take = take_rows(page)[0]
    page.locator(f"#takes tr[data-id='{take['id']}'] button", has_text="bounce").click()
    page.wait_for_selector("#bounce-box:not([hidden])", timeout=120_000)
    page.wait_for_function("document.querySelector('#bounce').readyState >= 1", timeout=60_000)
    assert page.evaluate("document.querySelector('#bounce').duration") > 5
    links = page.eval_on_selector_all(f"#takes tr[data-id='{take['id']}'] .downloads a", "as => as.map(a => [a.textContent, a.getAttribute('href')])")
    kinds = {label: href for label, href in links}
    assert set(kinds) == {"MIDI", "WAV", "stems (zip)"}
    _status, body, headers = fetch(studio, kinds["MIDI"])
    assert body[:4] == b"MThd" and "attachment" in headers.get("content-disposition", "")
    assert fetch(studio, kinds["WAV"])[1][:4] == b"RIFF"
    assert fetch(studio, kinds["stems (zip)"])[1][:2] == b"PK"
    chart_link = page.get_attribute("#dl-chart", "href")
    assert fetch(studio, chart_link)[1].decode() == studio.read("four.chart")
    close_page(page)


# -------------------------------------------------------------------------------------------------
def album_order(studio: Studio, name: str = "album.toml") -> list[str]:
    return [line.split('"')[1] for line in studio.read(name).splitlines() if line.startswith("chart")]


def test_album_drag_and_drop_every_position_keeps_comments(studio: Studio, browser: Any, artifacts: str) -> None:
    """Why: a track could not go last, #1 dropped on #2 did nothing, a track dropped on itself moved,
    and the comment above a track stayed behind."""
    studio.write("album.toml", ALBUM)
    page = open_page(browser, studio)
    page.click("#albums a[data-path='album.toml']")
    page.wait_for_selector("#tracks li")
    rows = page.locator("#tracks li")

    def drag(src: int, dst: int) -> None:
        page.evaluate("document.querySelector('#album-msg').textContent = ''")
        rows.nth(src).drag_to(rows.nth(dst))
        if src != dst:
            page.wait_for_function("document.querySelector('#album-msg').textContent.includes('saved')")
        page.wait_for_timeout(200)

    drag(0, 3)                                               # the first to the last place
    assert album_order(studio) == ["two.chart", "three.chart", "four.chart", "one.chart"]
    assert "# the opener\n[[track]]\nchart = \"one.chart\"" in studio.read("album.toml")
    drag(0, 1)                                               # #1 onto #2: they swap
    assert album_order(studio) == ["three.chart", "two.chart", "four.chart", "one.chart"]
    assert "# second: the ballad\n[[track]]\nchart = \"two.chart\"" in studio.read("album.toml")
    text, mtime = studio.read("album.toml"), os.path.getmtime(studio.path("album.toml"))
    drag(2, 2)                                               # onto itself: nothing
    assert studio.read("album.toml") == text and os.path.getmtime(studio.path("album.toml")) == mtime
    assert page.locator("#tracks li .track-label").first.inner_text().startswith("Third Song")
    page.wait_for_function("document.querySelector('#flow').complete && document.querySelector('#flow').naturalWidth > 0",
                           timeout=60_000)                   # the running order's picture, redrawn
    page.screenshot(path=os.path.join(artifacts, "studio-album-1400.png"))
    # by keyboard: ↓ on the first moves it one down
    page.locator("#tracks li").first.locator("button.down").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#tracks li .track-label').textContent.startsWith('Second')")
    assert album_order(studio) == ["two.chart", "three.chart", "four.chart", "one.chart"]
    close_page(page)


def test_album_touch_reorder(studio: Studio, browser: Any) -> None:
    studio.write("album.toml", ALBUM)
    page = open_page(browser, studio, width=400, height=800, touch=True)
    page.goto(studio.base + "album/album.toml")
    page.wait_for_selector("#tracks li")
    handle = page.locator("#tracks li").nth(3).locator(".handle").bounding_box()
    target = page.locator("#tracks li").nth(0).bounding_box()
    assert handle and target
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    tx, ty = target["x"] + target["width"] / 2, target["y"] + target["height"] / 2
    opts = "{pointerType: 'touch', isPrimary: true, bubbles: true, pointerId: 7}"
    page.evaluate(f"([x, y]) => document.elementFromPoint(x, y).dispatchEvent(new PointerEvent('pointerdown', {{...{opts}, clientX: x, clientY: y}}))", [x, y])
    for k in range(1, 6):
        px, py = x + (tx - x) * k / 5, y + (ty - y) * k / 5
        page.evaluate(f"([x, y]) => document.dispatchEvent(new PointerEvent('pointermove', {{...{opts}, clientX: x, clientY: y}}))", [px, py])
    page.evaluate(f"([x, y]) => document.dispatchEvent(new PointerEvent('pointerup', {{...{opts}, clientX: x, clientY: y}}))", [tx, ty])
    page.wait_for_function("document.querySelector('#album-msg').textContent.includes('saved')")
    assert album_order(studio) == ["four.chart", "one.chart", "two.chart", "three.chart"]
    close_page(page)


def test_album_broken_chart_render_with_audio_and_report_page(studio: Studio, browser: Any, artifacts: str) -> None:
    """Why: one broken chart gave a blank album, a broken image and a 500, stuck on "rendering…";
    the report opened as raw Markdown with broken pictures; the album rendered without audio."""
    page = open_page(browser, studio)
    page.click("#albums a[data-path='broken-album.toml']")
    page.wait_for_selector("#tracks li.broken")
    msg = page.inner_text("#album-msg")
    assert "broken.chart" in msg and studio.root not in msg
    assert page.locator("#tracks li").count() == 2 and page.is_hidden("#flow")
    page.uncheck("#album-audio")
    page.click("#album-render")
    page.wait_for_function("document.querySelector('#album-msg').textContent.startsWith('Not rendered')")
    msg = page.inner_text("#album-msg")
    assert "track 2" in msg and "broken.chart" in msg and "Hx7" in msg and studio.root not in msg
    assert page.is_enabled("#album-render")
    # fix it from the message's button, come back with Back, render with audio
    page.click("#album-msg button")
    page.wait_for_function("document.querySelector('#song-title').textContent === 'broken.chart'")
    page.fill("#editor", studio.read("broken.chart").replace("Hx7", "Am"))
    page.keyboard.press("Control+s")
    page.wait_for_selector("#dirty", state="hidden")
    page.go_back()
    page.wait_for_function("document.querySelectorAll('#tracks li').length === 2 && !document.querySelector('#tracks li.broken')")
    page.check("#album-audio")
    page.click("#album-render")
    page.wait_for_selector("#album-result a", timeout=180_000)
    page.wait_for_function("document.querySelector('#flow').complete && document.querySelector('#flow').naturalWidth > 0")
    assert page.locator("#album-audio-player").count() == 1
    links = dict(page.eval_on_selector_all("#album-result a", "as => as.map(a => [a.textContent, a.getAttribute('href')])"))
    assert fetch(studio, links["Album master (WAV)"])[1][:4] == b"RIFF"
    assert b"TRACK 02 AUDIO" in fetch(studio, links["CUE sheet"])[1]
    with page.context.expect_page() as report_info:
        page.click("#album-result a:text('Report (opens as a page)')")
    report = report_info.value
    report.wait_for_load_state()
    assert report.evaluate("document.contentType") == "text/html"
    assert "Half Done" in report.inner_text("body")
    images = report.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
    assert images and all(images)
    report.screenshot(path=os.path.join(artifacts, "studio-report.png"))
    report.close()
    page.screenshot(path=os.path.join(artifacts, "studio-album-rendered-1400.png"))
    close_page(page)


# -------------------------------------------------------------------------------------------------
def test_urls_back_and_forward(studio: Studio, browser: Any) -> None:
    """Why: charts had no URLs, so Back left the app."""
    page = open_page(browser, studio)
    open_chart(page, "one.chart")
    open_chart(page, "two.chart")
    page.click("#albums a[data-path='album.toml']")
    page.wait_for_selector("#tracks li")
    assert page.url.endswith("/album/album.toml")
    page.go_back()
    page.wait_for_function("document.querySelector('#song-title').textContent === 'two.chart'")
    assert not page.is_hidden("#song") and page.url.endswith("/chart/two.chart")
    page.go_back()
    page.wait_for_function("document.querySelector('#song-title').textContent === 'one.chart'")
    page.go_forward()
    page.wait_for_function("document.querySelector('#song-title').textContent === 'two.chart'")
    page.reload()
    page.wait_for_selector(".gbar.now")
    assert page.inner_text("#song-title") == "two.chart"
    assert page.locator("#charts a[aria-current=page]").inner_text() == "two.chart"
    page.goto(studio.base + "chart/no-such.chart")
    page.wait_for_selector("#song-msg.error")
    msg = page.inner_text("#song-msg")
    assert "no-such.chart" in msg and studio.root not in msg and "/tmp" not in msg
    close_page(page)


def test_new_song_from_template_and_sketch_and_import(studio: Studio, browser: Any, tmp_path: Any) -> None:
    page = open_page(browser, studio)
    page.click("#new")
    page.wait_for_selector("#new-dialog[open]")
    assert page.locator("#template option").count() >= 1
    page.fill("#new-name", "Brand New")
    page.click("#new-create")
    page.wait_for_function("document.querySelector('#song-title').textContent.endsWith('.chart')")
    path = page.inner_text("#song-title")
    assert "title: Brand New" in studio.read(path)
    page.wait_for_selector(".gbar.now")
    # a sketch: style, key, tempo, form
    page.click("#new")
    page.check("input[name=from][value=sketch]")
    page.select_option("#sketch-style", "funk")
    page.fill("#sketch-key", "E minor")
    page.fill("#sketch-tempo", "104")
    page.fill("#new-name", "Sketched")
    page.click("#new-create")
    page.wait_for_function(f"document.querySelector('#song-title').textContent !== {json.dumps(path)}")
    text = studio.read(page.inner_text("#song-title"))
    assert "style: funk" in text and "E minor" in text and "104" in text
    page.wait_for_selector(".gbar.now")
    # import a ChordPro file through the file picker
    pro = tmp_path / "porch.cho"
    pro.write_text("{title: Porch Import}\n{key: G}\n{start_of_verse}\n[G]Down by the [C]porch [D]light\n{end_of_verse}\n")
    page.set_input_files("#import-file", str(pro))
    page.wait_for_function("document.querySelector('#song-title').textContent.includes('imported')", timeout=30_000)
    assert "Imported 1" in page.inner_text("#nav-msg")
    assert "title: Porch Import" in studio.read(page.inner_text("#song-title"))
    close_page(page)


def test_style_picker_and_risk_explained(studio: Studio, browser: Any) -> None:
    page = open_page(browser, studio)
    open_chart(page, "one.chart")
    page.wait_for_function("document.querySelectorAll('#style option').length > 3")
    assert "risk" in page.inner_text("#risk-help").lower()
    page.select_option("#style", "funk")
    assert page.inner_text("#risk-help").startswith("funk")
    close_page(page)


def test_narrow_400px_and_keyboard(studio: Studio, browser: Any, artifacts: str) -> None:
    """Why: at 400 px wide the page was cut off; the page must also work by keyboard."""
    page = open_page(browser, studio, width=400, height=860)
    assert page.evaluate("document.querySelector('meta[name=viewport]').content").startswith("width=device-width")
    page.screenshot(path=os.path.join(artifacts, "studio-welcome-400.png"))
    # keyboard: Tab to the song list, Enter opens a song
    page.focus("#charts a[data-path='song.chart']")
    page.keyboard.press("Enter")
    page.wait_for_selector(".gbar.now")
    assert page.get_attribute("#menu", "aria-expanded") == "false"   # the list folds away on a phone
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 400
    page.screenshot(path=os.path.join(artifacts, "studio-song-400.png"), full_page=True)
    page.click("#menu")
    assert page.is_visible("#charts")
    page.click("#menu")
    assert page.is_hidden("#charts")
    # editor: Tab indents, Enter keeps the indent, Shift+Tab outdents, Esc then Tab leaves
    page.fill("#editor", "section A:")
    page.focus("#editor")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("| C | G |")
    page.keyboard.press("Enter")
    page.keyboard.type("| F |")
    assert page.input_value("#editor") == "section A:\n  | C | G |\n  | F |"
    page.keyboard.press("Shift+Tab")
    assert page.input_value("#editor").endswith("\n| F |")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") != "editor"
    page.once("dialog", lambda d: d.accept())
    page.goto(studio.base + "album/album.toml")
    page.wait_for_selector("#tracks li")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 400
    page.screenshot(path=os.path.join(artifacts, "studio-album-400.png"), full_page=True)
    close_page(page)


def test_song_view_at_1400px(studio: Studio, browser: Any, artifacts: str) -> None:
    page = open_page(browser, studio)
    open_chart(page, "song.chart")
    wait_playable(page)
    page.click(".gbar[data-bar='2']")
    page.wait_for_function("window.studio.player.soundAfter !== null")
    time.sleep(0.5)
    assert position(page) > 4.0
    page.screenshot(path=os.path.join(artifacts, "studio-song-1400.png"))
    page.click("#play")
    # an edit played at once is the edit, not the text before it
    page.fill("#editor", SONG.replace("| Am |", "| Dm |"))
    page.click("#play")
    page.wait_for_function("window.studio.player.playing")
    assert page.locator(".gbar[data-bar='1'] .chords").inner_text() == "Dm"
    assert page.evaluate("window.studio.state.previewFor") == page.input_value("#editor")
    page.click("#stop")
    close_page(page)
