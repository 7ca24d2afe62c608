"""Before/after pictures side by side: ``python bench/compare_pictures.py [REV] [OUT_DIR]``.

Every picture of the shared album (each chart's arrangement map and piano roll, and the
album's flow chart) is drawn twice from the same takes of this checkout: by ``backline/plot.py``
as it was at REV (default d736c56, before the pictures were drawn with collections and cached)
and by this checkout's. Each pair is written side by side into OUT_DIR (default
out/test-artifacts/pictures-before-after), with the share of pixels that differ, for looking
at them: the takes are the same, so any difference is the drawing's.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
ALBUM = os.path.join(os.path.dirname(ROOT), "shared", "charts", "album.toml")
BEFORE = "d736c56"


def old_plot(rev: str, folder: str) -> Any:
    """``backline/plot.py`` as it was at ``rev``, loaded as ``backline.plot_before``."""
    source = subprocess.run(["git", "-C", ROOT, "show", f"{rev}:backline/plot.py"], check=True,
                            capture_output=True, text=True).stdout
    path = os.path.join(folder, "plot_before.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location("backline.plot_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def side_by_side(before: str, after: str, out: str) -> tuple[float, float]:
    """Write ``before`` and ``after`` next to each other (labelled) to ``out``; returns the shares
    of pixels that differ at all and by more than a faint shade (24 of 255)."""
    import numpy as np
    from PIL import Image, ImageDraw

    a, b = Image.open(before).convert("RGB"), Image.open(after).convert("RGB")
    gap, head = 24, 36
    canvas = Image.new("RGB", (a.width + b.width + gap, max(a.height, b.height) + head), "white")
    canvas.paste(a, (0, head))
    canvas.paste(b, (a.width + gap, head))
    draw = ImageDraw.Draw(canvas)
    draw.text((10, 8), f"BEFORE ({BEFORE}): {os.path.basename(out)}", fill="black", font_size=22)
    draw.text((a.width + gap + 10, 8), "AFTER (collections, cached)", fill="black", font_size=22)
    draw.rectangle((a.width, 0, a.width + gap - 1, canvas.height), fill="#888888")
    canvas.save(out)
    if a.size != b.size:
        return 1.0, 1.0
    diff = np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int)).max(axis=2)
    return float((diff > 0).mean()), float((diff > 24).mean())


def main() -> None:
    global BEFORE
    os.environ["BACKLINE_CACHE_DIR"] = "off"
    from backline import plot
    from backline.album import load_album
    from backline.album.render import _song
    from backline.players.band import perform

    BEFORE = sys.argv[1] if len(sys.argv) > 1 else BEFORE
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "out", "test-artifacts", "pictures-before-after")
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="backline-compare-")
    before = old_plot(BEFORE, tmp)
    album = load_album(ALBUM)
    pairs: list[tuple[str, Any, Any, Any]] = []
    for i, track in enumerate(album.tracks, start=1):
        song = _song(track)
        perf = perform(song, seed=track.seed, risk=track.risk, style=track.style)
        name = f"{i:02d}-{os.path.splitext(os.path.basename(track.chart))[0]}"
        for kind, old, new in (("arrangement", before.arrangement_map, plot.arrangement_map),
                               ("piano-roll", before.piano_roll, plot.piano_roll)):
            pairs.append((f"{name}-{kind}.png", old, new, perf))
    subprocess.run([os.path.join(ROOT, ".venv", "bin", "backline"), "album", ALBUM, "-o", tmp, "--no-pictures"],
                   check=True, stderr=subprocess.DEVNULL)
    with open(os.path.join(tmp, "report.json"), encoding="utf-8") as f:
        report = json.load(f)
    pairs.append(("album-flow.png", before.album_flow, plot.album_flow, report))
    for name, old, new, what in pairs:
        a, b = os.path.join(tmp, "before-" + name), os.path.join(tmp, "after-" + name)
        old(what, a)
        new(what, b)
        some, clear = side_by_side(a, b, os.path.join(out, name))
        print(f"{name}: {some:.3%} of pixels differ at all, {clear:.3%} by more than a faint shade")


if __name__ == "__main__":
    main()
