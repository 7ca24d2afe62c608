"""The CLI starts fast: `backline render` loads only what a MIDI render needs.

Each module kept out here was measured to cost start-up time (see backline/records.py and
bench/run.py): typing ~5 ms, hashlib ~2 ms, shutil ~1.5 ms, fractions ~1.3 ms, difflib ~0.7 ms.
Charts with riffs or melodies load the note parser (and fractions) on demand.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("typing", "hashlib", "shutil", "fractions", "difflib", "random", "mido", "numpy", "rich", "tomllib")
CHART = """title: Start-up
tempo: 120
style: rock
section Verse:
  | E | A | B7 | E |
section Chorus:
  dynamics: f
  | A | B | E | C#m |
form: Verse Chorus Verse Chorus
"""


def test_render_loads_no_heavy_modules(tmp_path):
    chart = tmp_path / "song.chart"
    chart.write_text(CHART)
    out_dir = tmp_path / "out"
    code = ("import sys, json\nfrom backline.cli import main\n"
            f"status = main(['render', {str(chart)!r}, '-o', {str(out_dir)!r}])\n"
            f"print(json.dumps([status, [m for m in {HEAVY!r} if m in sys.modules]]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    status, loaded = json.loads(out.strip().splitlines()[-1])
    assert status == 0
    assert loaded == [], f"backline render imported {loaded}: keep these imports lazy"
    assert (out_dir / "start-up.mid").stat().st_size > 1000
