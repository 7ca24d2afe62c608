"""Rendering a song to files: the MIDI take and its sidecar that reproduces it.

>>> import backline, tempfile
>>> song = backline.loads("title: Tiny\\nsection A:\\n  | C | G |\\n")
>>> r = render_midi(song, tempfile.mkdtemp()); r["bars"], r["midi"].endswith("tiny.mid")
(2, True)
"""

from __future__ import annotations

import contextlib
import json
import os

from .files import slug, write_atomic
from .model import Song

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any


def chart_hash(song: Song) -> str:
    """SHA-256 of the chart's text: what a take was made from."""
    try:  # CPython's own SHA-256: loading hashlib (OpenSSL) costs ~2 ms of every CLI start
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:
        from hashlib import sha256
    return sha256(song.text.encode("utf-8")).hexdigest()


def take_record(perf: Any, count_in: int = 0, click: bool = False) -> dict[str, Any]:
    """What reproduces a take: chart hash, seed, risk, styles, version, per-section choices."""
    from . import __version__

    return {"chart": perf.song.path, "chart_sha256": chart_hash(perf.song), "title": perf.song.title,
            "seed": perf.seed, "risk": perf.risk, "styles": perf.styles, "backline": __version__,
            "count_in": count_in, "click": click, "sections": perf.choices}


def render_midi(song: Song, outdir: str, seed: int = 0, risk: float = 0.0, style: str | None = None,
                count_in: int = 0, click: bool = False, styles_dir: str | None = None,
                name: str | None = None, audio: dict[str, Any] | None = None) -> dict[str, Any]:
    """Perform ``song`` and write ``OUTDIR/<slug>.mid`` and ``<slug>.take.json``; with ``audio``
    (keyword arguments of ``backline.audio.render_audio``) the mix and stems as well."""
    return render_take(song, outdir, seed, risk, style, count_in, click, styles_dir, name, audio)[0]


def render_take(song: Song, outdir: str, seed: int = 0, risk: float = 0.0, style: str | None = None,
                count_in: int = 0, click: bool = False, styles_dir: str | None = None,
                name: str | None = None, audio: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
    """``render_midi``, also returning the performance (for pictures)."""
    from .checks import check
    from .players.band import perform

    count_in = check("count_in", count_in)
    perf = perform(song, seed=seed, risk=risk, style=style, styles_dir=styles_dir)
    base = os.path.join(outdir, name or slug(song.title))
    midi_path = base + ".mid"
    try:
        return _write_take(perf, song, base, count_in, click, audio), perf
    except BaseException:  # a full disk, Ctrl-C: no file of a take that is not whole
        for path in (midi_path, base + ".take.json"):
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise


def _write_take(perf: Any, song: Song, base: str, count_in: int, click: bool,
                audio: dict[str, Any] | None) -> dict[str, Any]:
    midi_path = base + ".mid"
    outdir = os.path.dirname(base)
    perf.to_midi(midi_path, count_in=count_in, click=click)
    record = take_record(perf, count_in, click)
    write_atomic(base + ".take.json", json.dumps(record, indent=2, allow_nan=False) + "\n")
    count_seconds = 0.0
    if count_in and perf.timeline.bars:
        first = perf.timeline.bars[0]
        count_seconds = count_in * first.seconds
    from .takes import describe

    result = {"title": song.title, "midi": midi_path, "take": base + ".take.json",
              "bars": len(perf.timeline.bars), "seconds": round(perf.seconds + count_seconds, 3),
              "seed": perf.seed, "risk": perf.risk, "styles": perf.styles, "describe": describe(perf)}
    if audio is not None:
        from .audio import render_audio

        made = render_audio(perf, outdir, os.path.basename(base), count_in=count_in, click=click, **audio)
        result.update({"audio": made["audio"], "loudness": made["loudness"], "peak_dbfs": made["peak_dbfs"],
                       "audio_seconds": made["seconds"]})
        if "stems" in made:
            result["stems"] = made["stems"]
    return result
