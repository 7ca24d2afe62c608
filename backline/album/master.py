"""The album master: the tracks' audio in order with their gaps, and a CUE sheet.

>>> cue_time(75.5)
'01:15:38'
"""

from __future__ import annotations

import io
import os
from typing import Any

from ..files import write_atomic
from . import Album


def cue_time(seconds: float) -> str:
    """MM:SS:FF with 75 frames a second, as CUE sheets count."""
    frames = int(seconds * 75 + 0.5)
    m, rest = divmod(frames, 75 * 60)
    s, f = divmod(rest, 75)
    return f"{m:02d}:{s:02d}:{f:02d}"


def write_master(album: Album, rows: list[dict[str, Any]], gaps: list[float], outdir: str,
                 fmt: str) -> dict[str, Any]:
    """Join the tracks (each already at -14 LUFS, so the album plays at one loudness)."""
    import numpy as np
    import soundfile

    parts, starts, now, rate = [], [], 0, 0
    for i, row in enumerate(rows):
        data, r = soundfile.read(row["audio"], dtype="float32", always_2d=True)
        if rate and r != rate:
            raise ValueError(f"track {i + 1} is at {r} Hz, the album at {rate} Hz")
        rate = r
        starts.append(now / rate)
        parts.append(data)
        now += len(data)
        if i < len(rows) - 1:
            silence = np.zeros((round(gaps[i] * rate), data.shape[1]), np.float32)
            parts.append(silence)
            now += len(silence)
    master = np.concatenate(parts)
    name = "album." + fmt
    path = os.path.join(outdir, name)
    buf = io.BytesIO()
    soundfile.write(buf, master, rate, subtype="PCM_24", format=fmt.upper())
    write_atomic(path, buf.getvalue())
    lines = [f'PERFORMER "{album.artist}"', f'TITLE "{album.title}"', f'FILE "{name}" WAVE']
    for i, (row, start) in enumerate(zip(rows, starts, strict=True), start=1):
        lines += [f"  TRACK {i:02d} AUDIO", f'    TITLE "{row["title"]}"', f'    PERFORMER "{album.artist}"',
                  f"    INDEX 01 {cue_time(start)}"]
    cue = os.path.join(outdir, "album.cue")
    write_atomic(cue, "\n".join(lines) + "\n")
    return {"audio": path, "cue": cue, "audio_seconds": round(len(master) / rate, 3)}
