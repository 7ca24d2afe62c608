"""What a chart or an album can be downloaded as: one registry each, kind -> maker (run in a worker).

A chart maker takes the chart's text and its path (for messages); an album maker takes the
root and the album file's absolute path (its tracks are confined to the root by
``backline.studio.jobs._checked_album``). Each gives (file extension, media type, bytes). New
kinds — the songbook (``book``) and the DAW session (``session``) — are added here, one entry
each, and appear at ``GET /api/chart/download/{kind}?path=…`` and
``GET /api/album/download/{kind}?path=…``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Maker = Callable[[str, str], tuple[str, str, bytes]]


def _chart(text: str, name: str) -> tuple[str, str, bytes]:
    return "chart", "text/plain; charset=utf-8", text.encode("utf-8")


def _export(fmt: str, ext: str, media: str) -> Maker:
    def make(text: str, name: str) -> tuple[str, str, bytes]:
        from ..interchange import export_song
        from .jobs import _parse

        data = export_song(_parse(text, name), fmt)
        return ext, media, data.encode("utf-8") if isinstance(data, str) else data

    return make


KINDS: dict[str, Maker] = {
    "chart": _chart,
    "musicxml": _export("musicxml", "musicxml", "application/vnd.recordare.musicxml+xml"),
    "chordpro": _export("chordpro", "cho", "text/plain; charset=utf-8"),
    "ireal": _export("ireal", "txt", "text/plain; charset=utf-8"),
    # "book": …      (issue 19: the songbook, PDF)
    # "session": …   (issue 19: Reaper .rpp / DAWproject)
}


AlbumMaker = Callable[[str, str], tuple[str, str, bytes]]

ALBUM_KINDS: dict[str, AlbumMaker] = {
    # "book": …      (issue 19: the album's songbook, PDF)
    # "session": …   (issue 19: the album's DAW session)
}


def make_album(kind: str, root: str, album: str) -> Any:
    """Run in a worker: the download ``kind`` of an album."""
    return ALBUM_KINDS[kind](root, album)


def make(kind: str, text: str, name: str) -> Any:
    """Run in a worker: the download ``kind`` of a chart's text."""
    return KINDS[kind](text, name)
