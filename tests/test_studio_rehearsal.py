"""The rehearsal room in a real browser: the chord grid and its playhead, play that starts at once
from the in-page SoundFont synth, and tempo, transpose, mute/solo/volume, loop, count-in and click
that change the sound live — checked by listening to the page's own output (spectra, levels)."""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tests.conftest import needs_shared, shared_charts
from tests.studio_page import (
    Studio,
    browser_fixture,  # noqa: F401  (the fixture "browser")
    close_page,
    copy_shared,
    needs_browser,
    open_chart,
    open_page,
    position,
    start_studio,
    stop_studio,
    wait_playable,
)

pytestmark = [*needs_browser, needs_shared]
LIMIT_MS = 300.0

# The page's output through an AnalyserNode: power spectrum summed over ~0.5 s.
LISTEN = """async (ms) => {
  const p = window.studio.player;
  if (!window.__an) { window.__an = p.ctx.createAnalyser(); window.__an.fftSize = 16384; window.__an.smoothingTimeConstant = 0; p.meter.connect(window.__an); }
  const an = window.__an, buf = new Float32Array(an.frequencyBinCount), acc = new Float64Array(buf.length);
  const steps = Math.max(1, Math.round(ms / 60));
  for (let k = 0; k < steps; k++) {
    await new Promise((r) => setTimeout(r, 60));
    an.getFloatFrequencyData(buf);
    for (let i = 0; i < buf.length; i++) acc[i] += Math.pow(10, buf[i] / 10);
  }
  return {rate: p.ctx.sampleRate, spectrum: Array.from(acc)};
}"""


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    root = str(tmp_path_factory.mktemp("rehearsal"))
    copy_shared(root)
    s = start_studio(root)
    yield s
    stop_studio(s)


def listen(page: Any, ms: int = 480) -> tuple[np.ndarray, np.ndarray]:
    d = page.evaluate(LISTEN, ms)
    spectrum = np.array(d["spectrum"])
    freqs = np.arange(len(spectrum)) * d["rate"] / 2 / len(spectrum)
    return freqs, spectrum


def chroma(freqs: np.ndarray, spectrum: np.ndarray) -> np.ndarray:
    """Energy per pitch class (C..B) between 60 Hz and 2 kHz."""
    ok = (freqs > 60) & (freqs < 2000)
    pcs = np.rint(69 + 12 * np.log2(freqs[ok] / 440.0)).astype(int) % 12
    out = np.bincount(pcs, weights=spectrum[ok], minlength=12)
    return out / out.sum()


def set_range(page: Any, selector: str, value: float) -> None:
    page.eval_on_selector(selector, "(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", value)


def test_play_and_grid_within_300_ms_on_every_shared_chart(studio: Studio, browser: Any, artifacts: str) -> None:
    """Open each contract chart: the grid and its playhead appear within 300 ms of the click, and
    pressing play gives sound (the synth's first non-silent frame) within 300 ms."""
    page = open_page(browser, studio)
    figures = {}
    for chart in shared_charts():
        name = os.path.basename(chart)
        open_chart(page, name)
        grid_ms = page.evaluate("window.studio.timings.gridMs")
        wait_playable(page)
        page.click("#play")
        page.wait_for_function("window.studio.player.soundAfter !== null", timeout=10_000)
        sound_ms = page.evaluate("window.studio.player.soundAfter")
        time.sleep(0.4)
        moved = position(page)
        page.click("#play")  # pause
        figures[name] = {"grid_ms": round(grid_ms, 1), "play_to_sound_ms": round(sound_ms, 1)}
        assert moved > 0.2, f"{name}: the song does not move after play ({moved:.2f} s)"
        assert page.locator(".gbar.now").count() == 1
    with open(os.path.join(artifacts, "studio-play-latency.json"), "w") as f:
        json.dump(figures, f, indent=2)
    print("studio play latency:", figures)
    close_page(page)
    for name, fig in figures.items():
        assert fig["grid_ms"] <= LIMIT_MS, f"{name}: grid after {fig['grid_ms']} ms"
        assert fig["play_to_sound_ms"] <= LIMIT_MS, f"{name}: sound after {fig['play_to_sound_ms']} ms"


def test_grid_shows_sections_repeats_meter_tempo_and_directions(studio: Studio, browser: Any, artifacts: str) -> None:
    page = open_page(browser, studio)
    open_chart(page, "sevens.chart")
    heads = page.locator(".occ-head .sec-play").all_inner_texts()
    assert heads == ["Riff", "Verse", "Riff", "Middle", "Return", "Verse", "Riff"]
    middle = page.locator(".occ").nth(3)
    assert middle.locator(".gbar").first.locator(".meter").inner_text() == "4/4"   # meter change
    assert middle.locator(".gbar").first.locator(".tempo").inner_text() == "♩=120"  # tempo change
    assert "feel: half-time" in middle.locator(".occ-head").inner_text()
    assert "B7sus4" in middle.locator(".gbar").nth(7).inner_text()
    assert page.locator(".occ").nth(4).locator(".like").inner_text() == "like Riff"
    assert "tempo: 120 -> 150" in page.locator(".occ").nth(4).locator(".occ-head").inner_text()
    assert page.locator(".occ").first.locator(".gbar").first.locator(".meter").inner_text().startswith("7/8")
    open_chart(page, "stone-stair.chart")
    chorus = page.locator(".occ-head", has_text="Chorus")
    assert chorus.nth(2).locator(".repeat").inner_text() == "×2 (1 of 2)"
    assert chorus.nth(3).locator(".repeat").inner_text() == "×2 (2 of 2)"
    outro = page.locator(".occ").last
    assert outro.locator(".slot.hit").count() == 3          # Am! E7#9! Am!
    assert outro.locator(".gbar").last.inner_text().startswith("N.C.")
    assert "dynamics: mf -> ff" in outro.locator(".occ-head").inner_text()
    page.screenshot(path=os.path.join(artifacts, "studio-grid-1400.png"))
    close_page(page)


def test_seek_loop_count_in_and_tempo_live(studio: Studio, browser: Any) -> None:
    page = open_page(browser, studio)
    open_chart(page, "stone-stair.chart")   # 96 bpm, 4/4: a bar is 2.5 s
    wait_playable(page)
    # click a bar: play from there, the playhead on it
    page.click(".gbar[data-bar='8']")
    page.wait_for_function("window.studio.player.soundAfter !== null")
    assert 20.0 <= position(page) < 21.0
    assert page.locator(".gbar.now").get_attribute("data-bar") == "8"
    # click a section's name: play from its first bar (the first Chorus starts at bar 17: 40 s)
    page.locator(".occ-head .sec-play", has_text="Chorus").first.click()
    page.wait_for_function("window.studio.player.position() >= 40")
    assert 40.0 <= position(page) < 41.5
    # tempo 50% and 150%: the song moves at half and one and a half times the clock, without a render
    for rate, expect in ((50, 0.5), (150, 1.5)):
        set_range(page, "#rate", rate)
        a, t = position(page), time.monotonic()
        time.sleep(1.2)
        b, dt = position(page), time.monotonic() - t
        assert abs((b - a) / dt - expect) < 0.12, f"{rate}%: {(b - a) / dt:.2f}"
    set_range(page, "#rate", 100)
    # loop one bar (shift-click extends the selection from the last clicked bar)
    page.click(".gbar[data-bar='1']")
    page.click(".gbar[data-bar='2']", modifiers=["Shift"])
    assert page.locator(".gbar.selected").count() == 2
    seen = []
    for _ in range(26):
        time.sleep(0.25)
        seen.append(position(page))
    assert all(2.4 <= s < 7.55 for s in seen), seen          # bars 2-3: 2.5 s .. 7.5 s
    assert any(b < a for a, b in itertools.pairwise(seen)), "it never turned back"
    # a section's loop button loops that section
    page.locator(".occ-head", has_text="Intro").locator(".sec-loop").click()
    assert page.locator(".gbar.selected").count() == 4
    page.uncheck("#loop")
    assert page.locator(".gbar.selected").count() == 0
    # count-in: one bar of clicks first (sound at once), the band waits on the bar
    page.click("#stop")
    page.check("#count-in")
    page.click(".gbar[data-bar='4']")
    page.wait_for_function("window.studio.player.soundAfter !== null")
    assert page.evaluate("window.studio.player.soundAfter") < 300
    time.sleep(1.0)
    assert position(page) == pytest.approx(10.0, abs=0.01)    # still counting in
    time.sleep(2.0)
    assert 10.2 < position(page) < 11.5                       # the band is playing
    page.click("#stop")
    close_page(page)


def test_transpose_mute_solo_volume_and_click_live(studio: Studio, browser: Any) -> None:
    page = open_page(browser, studio)
    open_chart(page, "stone-stair.chart")
    wait_playable(page)
    # transpose: the keys' pitch classes move by the semitones asked, drums untouched
    page.click("#mixer tr[data-instrument=keys] .solo")
    page.click(".gbar[data-bar='4']")
    time.sleep(0.2)
    c0 = chroma(*listen(page, 900))
    page.fill("#transpose", "3")
    page.click(".gbar[data-bar='4']")
    time.sleep(0.2)
    c3 = chroma(*listen(page, 900))
    shifts = [float(np.dot(np.roll(c0, k), c3)) for k in range(12)]
    assert int(np.argmax(shifts)) == 3, shifts
    page.fill("#transpose", "0")
    page.click("#mixer tr[data-instrument=keys] .solo")
    # solo the bass: the sound is low; mute everything: silence; the click alone: sound again
    def level() -> float:  # the same moment of the song each time: bar 5, after its downbeat
        page.click(".gbar[data-bar='4']")
        time.sleep(0.6)  # the analyser's window (0.37 s) holds no sound from before the click
        return float(listen(page)[1].sum())

    full = level()
    page.click("#mixer tr[data-instrument=bass] .solo")
    bass = level()
    assert bass > full * 0.01                                 # the bass sounds alone...
    page.click("#mixer tr[data-instrument=bass] .mute")      # ...for muting it leaves silence
    assert level() < full * 1e-4
    page.click("#mixer tr[data-instrument=bass] .mute")
    page.click("#mixer tr[data-instrument=bass] .solo")
    for row in page.locator("#mixer tr").all():
        row.locator(".mute").click()
    assert level() < full * 1e-4                             # everyone muted: silence
    page.check("#metronome")
    assert level() > full * 1e-3                             # the click alone
    page.uncheck("#metronome")
    page.locator("#mixer tr[data-instrument=drums] .mute").click()
    loud = level()                                           # the drums alone, at full and at a tenth
    set_range(page, "#mixer tr[data-instrument=drums] input[type=range]", 0.1)
    assert level() < loud * 0.05
    page.click("#stop")
    close_page(page)
