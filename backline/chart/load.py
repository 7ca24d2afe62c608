"""Load a chart file: bytes checked at the edge, then parsed.

>>> import tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "x.chart"); _ = open(p, "w").write("section A:\\n  | C |\\n")
>>> load_chart(p).title
'X'
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Song
from .errors import ChartInvalid, Problem
from .parser import MAX_TEXT, parse_chart


def read_text(path: str) -> str:
    """The chart's text, or ``ChartInvalid`` for unreadable, binary or non-UTF-8 files."""
    from ..files import InputError, read_input

    try:
        data = read_input(path, MAX_TEXT * 4)  # a FIFO, a device or a folder is refused unread
    except InputError as e:
        raise ChartInvalid([Problem(path, 1, 1, str(e).removeprefix(f"{path}: "))]) from None
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise ChartInvalid([Problem(path, line, 1, "this is a binary file, not a chart",
                                    "a chart is UTF-8 text")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise ChartInvalid([Problem(path, line, col, f"byte 0x{data[e.start]:02x} is not UTF-8",
                                    "save the chart as UTF-8")]) from None
    return text.removeprefix("\ufeff")


def load_chart(path: str, styles: Iterable[str] | None = None) -> Song:
    """Read, decode and parse a chart file."""
    return parse_chart(read_text(path), path, styles)
