"""Takes as a workflow: render several, log them, keep the good ones, comp a master.

The log is ``takes.jsonl`` in the output folder: one JSON object a line, appended, never
rewritten — a take (``"event": "take"``) or a keeper mark (``"event": "keep"``).

>>> import backline, tempfile
>>> song = backline.loads("title: T\\nsection A:\\n  | C | G |\\n")
>>> out = tempfile.mkdtemp()
>>> [t["seed"] for t in render_takes(song, out, seeds=[4, 9], risk=0.5)]
[4, 9]
>>> keep(out, 9)["seed"], keepers(out)
(9, [9])
"""

from __future__ import annotations

import os
import time

from .files import append_record, make_folder, read_records, slug
from .model import Song

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any

LOG = "takes.jsonl"


def new_seeds(count: int) -> list[int]:
    """Fresh seeds (printed by the CLI, so any take can be made again)."""
    return [int.from_bytes(os.urandom(3), "big") for _ in range(count)]


def describe(perf: Any) -> dict[str, Any]:
    """A few numbers that tell takes apart: density, fills, solo range."""
    bars = max(1, len(perf.timeline.bars))
    notes = sum(len(t.notes) for t in perf.tracks)
    fills = sum(len(c.get("fills", [])) for c in perf.choices)
    solos = [c["solo"] for c in perf.choices if "solo" in c]
    out: dict[str, Any] = {"notes_per_bar": round(notes / bars, 2), "fills": fills}
    if solos:
        out["solo_range"] = [min(s["low"] for s in solos), max(s["high"] for s in solos)]
    return out


def _append(outdir: str, record: dict[str, Any]) -> None:
    append_record(os.path.join(outdir, LOG), record)  # one write, own line, fsync; a torn line repaired


def render_takes(song: Song, outdir: str, seeds: list[int], risk: float, style: str | None = None,
                 styles_dir: str | None = None) -> list[dict[str, Any]]:
    """Render one take per seed into ``outdir`` and log each."""
    from .render import render_midi

    make_folder(outdir)
    records = []
    for seed in seeds:
        name = f"{slug(song.title)}-take-{seed}"
        result = render_midi(song, outdir, seed=seed, risk=risk, style=style, styles_dir=styles_dir, name=name)
        record = {"event": "take", "time": time.strftime("%Y-%m-%dT%H:%M:%S"), "chart": song.path,
                  "title": song.title, "seed": seed, "risk": risk,
                  "files": {"midi": result["midi"], "take": result["take"]}, **result["describe"]}
        _append(outdir, record)
        records.append(record)
    return records


def read_log(outdir: str) -> list[dict[str, Any]]:
    """The log's records; a torn line (a write cut short) is skipped with a warning."""
    return read_records(os.path.join(outdir, LOG))


def keep(outdir: str, seed: int) -> dict[str, Any]:
    """Mark the take with ``seed`` as a keeper; ``KeyError`` if no such take is logged."""
    takes = [r for r in read_log(outdir) if r.get("event") == "take" and r.get("seed") == seed]
    if not takes:
        raise KeyError(seed)
    record = {"event": "keep", "time": time.strftime("%Y-%m-%dT%H:%M:%S"), "seed": seed,
              "title": takes[-1].get("title"), "risk": takes[-1].get("risk")}
    _append(outdir, record)
    return record


def discard(outdir: str, seed: int) -> dict[str, Any]:
    """Throw a take away: its files go, the log remembers (``"event": "discard"``)."""
    takes = [r for r in read_log(outdir) if r.get("event") == "take" and r.get("seed") == seed]
    if not takes:
        raise KeyError(seed)
    midi = takes[-1]["files"]["midi"]
    for path in (midi, midi[:-4] + ".take.json", midi[:-4] + ".wav", midi[:-4] + ".flac"):
        if os.path.exists(path):
            os.unlink(path)
    record = {"event": "discard", "time": time.strftime("%Y-%m-%dT%H:%M:%S"), "seed": seed}
    _append(outdir, record)
    return record


def discarded(outdir: str) -> set[int]:
    return {r["seed"] for r in read_log(outdir) if r.get("event") == "discard" and isinstance(r.get("seed"), int)}


def keepers(outdir: str) -> list[int]:
    return list(dict.fromkeys(r["seed"] for r in read_log(outdir)
                              if r.get("event") == "keep" and isinstance(r.get("seed"), int)))


def comp(song: Song, picks: dict[str, int], risk: float, seed: int = 0, style: str | None = None,
         styles_dir: str | None = None) -> Any:
    """A master whose sections come from the picked takes (section name → seed); other
    sections from ``seed``. Each section is note for note the same as in its take."""
    from .players.band import perform

    return perform(song, seed=seed, risk=risk, style=style, styles_dir=styles_dir, seeds=picks)
