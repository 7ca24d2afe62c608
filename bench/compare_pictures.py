"""Before/after pictures side by side: ``python bench/compare_pictures.py BEFORE_DIR [OUT_DIR]``.

BEFORE_DIR holds an album's pictures drawn by an earlier backline (``backline album
../shared/charts/album.toml -o BEFORE_DIR`` run on that version). The same album is drawn
again with this checkout (picture cache off), and each picture is written beside its
"before" twin into OUT_DIR (default out/test-artifacts/pictures-before-after), with the
share of pixels that differ, for looking at them side by side.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ALBUM = os.path.join(os.path.dirname(ROOT), "shared", "charts", "album.toml")


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
    draw.text((10, 8), "BEFORE: " + os.path.basename(before), fill="black", font_size=22)
    draw.text((a.width + gap + 10, 8), "AFTER", fill="black", font_size=22)
    draw.rectangle((a.width, 0, a.width + gap - 1, canvas.height), fill="#888888")
    canvas.save(out)
    if a.size != b.size:
        return 1.0, 1.0
    diff = np.abs(np.asarray(a, dtype=int) - np.asarray(b, dtype=int)).max(axis=2)
    return float((diff > 0).mean()), float((diff > 24).mean())


def main() -> None:
    before = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "out", "test-artifacts", "pictures-before-after")
    os.makedirs(out, exist_ok=True)
    after = tempfile.mkdtemp(prefix="backline-after-")
    backline = os.path.join(ROOT, ".venv", "bin", "backline")
    subprocess.run([backline, "album", ALBUM, "-o", after], check=True, stderr=subprocess.DEVNULL,
                   env={**os.environ, "BACKLINE_CACHE_DIR": "off"})
    for name in sorted(n for n in os.listdir(before) if n.endswith(".png")):
        some, clear = side_by_side(os.path.join(before, name), os.path.join(after, name), os.path.join(out, name))
        print(f"{name}: {some:.3%} of pixels differ at all, {clear:.3%} by more than a faint shade")


if __name__ == "__main__":
    main()
