"""The checks on values the studio's API takes, in one place (risk, seed, tempo, text sizes).

When the shared validation module (the hardening issue) lands, these become thin calls to it.
Each check returns the value or raises ``ValueError`` with a line a user can act on; pydantic
turns that into a 422 naming the field.

>>> risk(0.5), seed(42)
(0.5, 42)
>>> risk(float("nan"))
Traceback (most recent call last):
ValueError: must be a number from 0 to 1
"""

from __future__ import annotations

import math

SEED_LIMIT = 2**32
TEXT_LIMIT = 500_000  # characters of a chart sent in one request
NAME_LIMIT = 200
NOTES_LIMIT = 5000


def _finite(value: float, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not low <= value <= high:
        raise ValueError(what)
    return float(value)


def risk(value: float) -> float:
    """How far the band may stray from the style's patterns: 0 to 1."""
    return _finite(value, 0.0, 1.0, "must be a number from 0 to 1")


def seed(value: int) -> int:
    """A take's seed: a whole number from 0 to 4294967295."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < SEED_LIMIT:
        raise ValueError(f"must be a whole number from 0 to {SEED_LIMIT - 1}")
    return value


def tempo(value: float) -> float:
    """A tempo in beats per minute: 20 to 400."""
    return _finite(value, 20.0, 400.0, "must be a tempo from 20 to 400 bpm")


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
