"""Editing an album's running order in its file, keeping everything the user wrote.

Each ``[[track]]`` table moves with the comments that touch it: the comment lines directly above
its ``[[track]]`` line and those directly below its last key (no blank line between). Other
comments and blank lines between tracks stay where they are (a ``# --- side B ---`` marks a
place, not a track). The result is read back and must hold exactly the same tracks, in the new
order, or nothing is written.

>>> text = 'title = "A"\\n# opener\\n[[track]]\\nchart = "a.chart"\\n\\n[[track]]\\nchart = "b.chart"\\n'
>>> print(reorder_text(text, [1, 0]), end="")
title = "A"
[[track]]
chart = "b.chart"
<BLANKLINE>
# opener
[[track]]
chart = "a.chart"
>>> move(4, 0, 3), move(4, 3, 0), move(4, 2, 2)
([1, 2, 3, 0], [3, 0, 1, 2], [0, 1, 2, 3])
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from . import AlbumError

HEADER = re.compile(r"\s*\[\[\s*track\s*\]\]\s*(#.*)?")


def move(count: int, src: int, dst: int) -> list[int]:
    """The running order (current positions) after moving the track at ``src`` to ``dst``."""
    if not (0 <= src < count and 0 <= dst < count):
        raise AlbumError(f"positions run from 0 to {count - 1}")
    order = [i for i in range(count) if i != src]
    order.insert(dst, src)
    return order


def _kind(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return "blank"
    if stripped.startswith("#"):
        return "comment"
    return "header" if HEADER.fullmatch(line.rstrip("\r\n")) else "key"


def _pieces(text: str) -> tuple[list[str], list[list[str]], list[list[str]], list[str]]:
    """(head, track chunks, gaps between chunks, tail): text = head + c0 + g1 + c1 + … + tail."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    kinds = [_kind(line) for line in lines]
    headers = [i for i, k in enumerate(kinds) if k == "header"]
    if not headers:
        raise AlbumError("the album has no [[track]] tables")
    bounds = []  # (start, end) of each chunk, end exclusive
    prev_end = 0
    for n, h in enumerate(headers):
        start = h
        while start - 1 >= prev_end and kinds[start - 1] == "comment":
            start -= 1
        limit = headers[n + 1] if n + 1 < len(headers) else len(lines)
        end = h + 1
        for i in range(h + 1, limit):
            if kinds[i] == "key":
                end = i + 1
        while end < limit and kinds[end] == "comment":
            end += 1
        if n + 1 < len(headers):  # comments touching the next header are the next track's
            nxt = headers[n + 1]
            above = nxt
            while above - 1 >= end and kinds[above - 1] == "comment":
                above -= 1
            if above == end:  # one comment run touches both: it is above the next track
                while end > h + 1 and kinds[end - 1] == "comment":
                    end -= 1
        bounds.append((start, end))
        prev_end = end
    head = lines[: bounds[0][0]]
    chunks = [lines[s:e] for s, e in bounds]
    gaps = [lines[bounds[i - 1][1]: bounds[i][0]] for i in range(1, len(bounds))]
    tail = lines[bounds[-1][1]:]
    return head, chunks, gaps, tail


def reorder_text(text: str, order: list[int]) -> str:
    """The album text with its tracks in ``order`` (a permutation of the current positions)."""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise AlbumError(f"the album file is not valid TOML: {e}") from None
    tracks = before.get("track")
    if not isinstance(tracks, list):
        raise AlbumError("the album has no [[track]] tables")
    if sorted(order) != list(range(len(tracks))) or any(isinstance(i, bool) for i in order):
        raise AlbumError(f"the order must name each of the {len(tracks)} positions (0 to {len(tracks) - 1}) once")
    if order == list(range(len(tracks))):
        return text
    head, chunks, gaps, tail = _pieces(text)
    if len(chunks) != len(tracks):
        raise AlbumError("the album's tracks are not all written as [[track]] tables; reorder it by hand")
    out = list(head)
    for position, index in enumerate(order):
        if position:
            out += gaps[position - 1]
        out += chunks[index]
    out += tail
    new = "".join(out)
    _same_album(before, new, [tracks[i] for i in order])
    return new


def _same_album(before: dict[str, Any], new: str, tracks: list[Any]) -> None:
    try:
        after = tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        after = {}
    rest = {k: v for k, v in before.items() if k != "track"}
    if after.get("track") != tracks or {k: v for k, v in after.items() if k != "track"} != rest:
        raise AlbumError("this album file cannot be reordered safely (unusual layout); reorder it by hand")


def reorder_album(path: str, order: list[int], version: str | None) -> str:
    """Save the album at ``path`` with its tracks in ``order``, if it is still at ``version``
    (``backline.versioned.Stale`` otherwise); returns the new version."""
    from ..versioned import read, save

    text, current = read(path)
    if version is not None and version != current:
        from ..versioned import Stale

        raise Stale("the album file changed since it was opened", text, current)
    return save(path, reorder_text(text, order), current)
