"""The checks on values the studio's API takes, in one place: numbers go through the shared
``backline.checks`` (the same ranges and words as the CLI and album files); sizes of texts are
the studio's own.

Each check returns the value or raises ``ValueError`` with a line a user can act on; pydantic
turns that into a 422 naming the field.

>>> risk(0.5), seed(42)
(0.5, 42)
>>> risk(float("nan"))
Traceback (most recent call last):
ValueError: nan is not a number: use 0 to 1
"""

from __future__ import annotations

from typing import Any

from ..checks import BadValue, check

TEXT_LIMIT = 500_000  # characters of a chart sent in one request
NAME_LIMIT = 200
NOTES_LIMIT = 5000


def _checked(option: str, value: Any) -> Any:
    try:
        return check(option, value)
    except BadValue as e:
        raise ValueError(e.message) from None


def risk(value: float) -> float:
    """How far the band may stray from the style's patterns: 0 to 1."""
    return float(_checked("risk", value))


def seed(value: int) -> int:
    """A take's seed: a whole number from 0 to 4294967295."""
    return int(_checked("seed", value))


def tempo(value: float) -> float:
    """A tempo in beats per minute (20 to 400)."""
    bpm = _checked("tempo", value).bpm
    if bpm is None:
        raise ValueError("give beats per minute, e.g. 96")
    return float(bpm)


def unicode(value: str) -> str:
    """Text that can be written as UTF-8 (JSON can carry lone surrogates, which cannot)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("holds characters that are not Unicode text (a lone surrogate)") from None
    return value


def text(value: str) -> str:
    """A chart's text sent in a request."""
    if len(value) > TEXT_LIMIT:
        raise ValueError(f"is longer than {TEXT_LIMIT:,} characters")
    return value


def name(value: str) -> str:
    """A take's name: one line."""
    if len(value) > NAME_LIMIT or "\n" in value:
        raise ValueError(f"must be one line of at most {NAME_LIMIT} characters")
    return value


def notes(value: str) -> str:
    """A take's notes."""
    if len(value) > NOTES_LIMIT:
        raise ValueError(f"must be at most {NOTES_LIMIT} characters")
    return value
