"""Chart problems as values: where, what, and what to write instead.

>>> str(Problem("song.chart", 3, 5, "unknown chord 'Hx7'", "a chord starts with a root A–G"))
"song.chart:3:5: error: unknown chord 'Hx7': a chord starts with a root A–G"
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from ..records import NamedTuple


class Problem(NamedTuple):
    """One error in a chart, at a 1-based line and column."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: error: {self.message}"
        return f"{text}: {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "column": self.column,
                "message": self.message + (f": {self.hint}" if self.hint else "")}


class ChartInvalid(Exception):
    """Raised by ``backline.load`` when a chart has problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.line, p.column, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, options: list[str] | tuple[str, ...]) -> str:
    """A hint naming the closest option, or listing them.

    >>> did_you_mean("tempoo", ["tempo", "title"])
    "did you mean 'tempo'?"
    """
    import difflib  # only when there is a problem to explain

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "use one of: " + ", ".join(options)
