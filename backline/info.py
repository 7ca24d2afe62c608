"""What ``backline info`` tells about a song, as plain data.

>>> import backline
>>> song_info(backline.loads("tempo: 90\\nsection A:\\n  | C | G |\\n"))["bars"]
2
"""

from __future__ import annotations

from typing import Any

from .model import Song


def song_info(song: Song) -> dict[str, Any]:
    """Title, key, tempo map, meters, bars, seconds, sections in form order, chords used."""
    t = song.timeline()
    tempo_map = []
    last = None
    for bar in t.bars:
        bpm = round(bar.tempo, 2)
        if bpm != last:
            tempo_map.append({"bar": bar.number + 1, "bpm": bpm})
            last = bpm
    meters = list(dict.fromkeys(str(b.meter) for b in t.bars))
    return {
        "path": song.path,
        "title": song.title,
        "artist": song.artist,
        "key": str(song.key),
        "tempo": song.tempo,
        "tempo_map": tempo_map,
        "meters": meters,
        "styles": list(dict.fromkeys(b.style for b in t.bars)),
        "bars": len(t.bars),
        "beats": t.beats,
        "seconds": round(t.seconds, 3),
        "sections": [{"name": s.name, "bar": s.first_bar + 1, "bars": s.bar_count,
                      "seconds": round(s.start_seconds, 3)} for s in t.sections],
        "chords": t.chords_used(),
    }
