"""The album master: the tracks' audio in order with their gaps, and a CUE sheet.

>>> cue_time(75.5), cue_text('Say "Hi"\\nTRACK 99 AUDIO')
('01:15:38', "Say 'Hi' TRACK 99 AUDIO")
"""

from __future__ import annotations

import os
from typing import Any

from ..files import write_atomic, write_atomic_with
from . import Album

BLOCK = 1 << 18  # frames copied at a time: the master is streamed, never held whole in memory
CUE_TEXT = 80  # characters of a CUE title or performer (what CD-Text holds)


def cue_time(seconds: float) -> str:
    """MM:SS:FF with 75 frames a second, as CUE sheets count."""
    frames = int(seconds * 75 + 0.5)
    m, rest = divmod(frames, 75 * 60)
    s, f = divmod(rest, 75)
    return f"{m:02d}:{s:02d}:{f:02d}"


def cue_text(text: str) -> str:
    """A title or name made safe inside a CUE sheet's double quotes: CUE has no escapes, so a
    double quote becomes a single one and line breaks and other control characters a space
    (no title can end its quotes or start a line such as ``FILE "/etc/passwd" WAVE``)."""
    cleaned = "".join(" " if ch.isspace() or ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 else ch
                      for ch in str(text)).replace('"', "'")
    return " ".join(cleaned.split())[:CUE_TEXT]


def write_master(album: Album, rows: list[dict[str, Any]], gaps: list[float], outdir: str,
                 fmt: str) -> dict[str, Any]:
    """Join the tracks (each already at -14 LUFS, so the album plays at one loudness), block by
    block into the master file (written atomically), and write its CUE sheet."""
    import soundfile

    rate, channels = 0, 2
    for i, row in enumerate(rows):
        info = soundfile.info(row["audio"])
        if rate and info.samplerate != rate:
            raise ValueError(f"track {i + 1} is at {info.samplerate} Hz, the album at {rate} Hz")
        rate, channels = info.samplerate, info.channels
    name = "album." + fmt
    path = os.path.join(outdir, name)
    starts: list[float] = []

    def write(f: Any) -> None:
        import numpy as np

        now = 0
        with soundfile.SoundFile(f, "w", rate, channels, subtype="PCM_24", format=fmt.upper()) as out:
            for i, row in enumerate(rows):
                starts.append(now / rate)
                with soundfile.SoundFile(row["audio"]) as track:
                    for block in track.blocks(BLOCK, dtype="float32", always_2d=True):
                        out.write(block)
                        now += len(block)
                if i < len(rows) - 1:
                    silence = round(gaps[i] * rate)
                    out.write(np.zeros((silence, channels), np.float32))
                    now += silence
        starts.append(now / rate)

    write_atomic_with(path, write)
    artist, title = cue_text(album.artist), cue_text(album.title)
    lines = [f'PERFORMER "{artist}"', f'TITLE "{title}"', f'FILE "{name}" WAVE']
    for i, (row, start) in enumerate(zip(rows, starts, strict=False), start=1):
        lines += [f"  TRACK {i:02d} AUDIO", f'    TITLE "{cue_text(row["title"])}"', f'    PERFORMER "{artist}"',
                  f"    INDEX 01 {cue_time(start)}"]
    cue = os.path.join(outdir, "album.cue")
    write_atomic(cue, "\n".join(lines) + "\n")
    return {"audio": path, "cue": cue, "audio_seconds": round(starts[-1], 3)}
