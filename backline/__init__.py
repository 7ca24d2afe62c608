"""backline: album pre-production from plain-text charts.

>>> import backline
>>> song = backline.loads("title: Demo\\nsection A:\\n  | C | Am | F | G |\\n")
>>> song.timeline().seconds
8.0
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any

    from .model import Song

__version__ = "0.1.0"

__all__ = ["__version__", "load", "loads", "perform"]


def load(path: str, styles: Any = None) -> Song:
    """Read and check a chart file; raise ``ChartInvalid`` with every problem found."""
    from .chart.load import load_chart

    return load_chart(path, styles)


def loads(text: str, path: str = "<chart>", styles: Any = None) -> Song:
    """Parse chart text (see ``load``)."""
    from .chart.parser import parse_chart

    return parse_chart(text, path, styles)


def perform(song: Song, seed: int = 0, risk: float = 0.0, style: str | None = None) -> Any:
    """Play a song as a band: a ``Performance`` with notes per instrument."""
    from .players.band import perform as _perform

    return _perform(song, seed=seed, risk=risk, style=style)
