"""Every option and value a user gives, checked in one place.

The CLI, album files, batch specs, the studio's API and the Python API all read a value
with ``check``: the same range for the same thing everywhere, and the same words when a
value is refused. The ranges are data (``RANGES``); the check functions run at the edge,
where a user's text or a caller's argument comes in, and return the value in its proper
type or raise ``BadValue``. NaN and infinities are never numbers here, and booleans are not
numbers either. (mido checks MIDI message fields this way: a table of ranges, and one small
check function per kind of value.)

>>> check("risk", 0.5), check("transpose", "-3"), check("tempo", "90%"), check("rate", "48000")
(0.5, -3, Tempo(factor=0.9, bpm=None), 48000)
>>> check("risk", float("nan"))
Traceback (most recent call last):
...
backline.checks.BadValue: risk: nan is not a number: use 0 to 1
>>> str(BadValue.of("transpose", 99)), BadValue.of("transpose", 99).option
('transpose: 99 is out of range: use -24 to 24 semitones', 'transpose')
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from .records import NamedTuple


class Range(NamedTuple):
    """What one option accepts: a kind of value and its bounds (or its choices)."""

    kind: str  # "number" (float), "whole" (int), "choice", "tempo" (bpm or a percentage)
    low: float = 0
    high: float = 0
    unit: str = ""
    choices: tuple[object, ...] = ()


class Tempo(NamedTuple):
    """A tempo option: a factor of the chart's tempo (``90%``) or beats per minute (``96``)."""

    factor: float | None
    bpm: float | None


MAX_SEED = 2**32 - 1
RANGES: dict[str, Range] = {
    "risk": Range("number", 0, 1),
    "seed": Range("whole", 0, MAX_SEED),
    "transpose": Range("whole", -24, 24, "semitones"),
    "tempo": Range("tempo", 20, 400, "beats per minute"),  # or a percentage: tempo_factor x 100
    "tempo_factor": Range("number", 0.1, 4, "times the chart's tempo"),
    "count_in": Range("whole", 0, 8, "bars"),
    "loop": Range("whole", 1, 100, "times"),
    "takes": Range("whole", 1, 1000, "takes"),
    "jobs": Range("whole", 1, 64, "processes"),
    "gap_seconds": Range("number", 0, 60, "seconds"),
    "rate": Range("choice", choices=(44100, 48000)),
    "format": Range("choice", choices=("wav", "flac")),
    "port": Range("whole", 1, 65535),
}


class BadValue(ValueError):
    """A value an option does not accept; ``option`` names it, ``str()`` says what to give."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option, self.message = option, message

    @classmethod
    def of(cls, option: str, value: object) -> BadValue:
        """The error ``check`` raises for ``value`` (for callers that found it bad themselves)."""
        try:
            check(option, value)
        except BadValue as e:
            return e
        raise ValueError(f"{option}: {value!r} is a good value")


def allowed(option: str) -> str:
    """What an option accepts, in words: ``0 to 1``, ``wav or flac``.

    >>> allowed("count_in"), allowed("format"), allowed("tempo")
    ('0 to 8 bars', 'wav or flac', '20 to 400 beats per minute, or 10% to 400%')
    """
    r = RANGES[option]
    if r.kind == "choice":
        names = [str(c) for c in r.choices]
        return ", ".join(names[:-1]) + " or " + names[-1]
    low, high = (f"{int(r.low)}", f"{int(r.high)}") if r.kind == "whole" else (f"{r.low:g}", f"{r.high:g}")
    words = f"{low} to {high}" + (f" {r.unit}" if r.unit else "")
    if r.kind == "tempo":
        factor = RANGES["tempo_factor"]
        words += f", or {factor.low * 100:g}% to {factor.high * 100:g}%"
    return words


def _shown(value: object) -> str:
    """A value as a message quotes it: numbers as numbers (text that reads as one too), else quoted."""
    text = value.strip() if isinstance(value, str) else repr(value)
    if isinstance(value, str):
        try:
            float(text)
        except ValueError:
            text = repr(text)
    return text if len(text) <= 40 else text[:40] + "…"


def _number(option: str, value: object) -> float:
    """A finite float from a number or a number's text."""
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise BadValue(option, f"{_shown(value)} is not a number: use {allowed(option)}") from None
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue(option, f"expected a number, not {_shown(value)}: use {allowed(option)}")
    elif isinstance(value, int):  # any int is finite, if too large for a float: out of range
        return float(value) if abs(value) < 2**1000 else float(1 if value > 0 else -1) * 2.0**1000
    else:
        number = value
    if number != number or number in (float("inf"), float("-inf")):
        raise BadValue(option, f"{_shown(value)} is not a number: use {allowed(option)}")
    return number


def _whole(option: str, value: object) -> int:
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 30:
            raise BadValue(option, f"{_shown(value)} is not a whole number: use {allowed(option)}")
        return int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(option, f"expected a whole number, not {_shown(value)}: use {allowed(option)}")
    return value


def _in_range(option: str, number: float, r: Range, shown: object) -> None:
    if not r.low <= number <= r.high:
        raise BadValue(option, f"{_shown(shown)} is out of range: use {allowed(option)}")


def check(option: str, value: Any) -> Any:
    """``value`` read as ``option`` takes it (an int, a float, a choice or a ``Tempo``), or ``BadValue``.

    Text is read too (the CLI's and the studio's values arrive as text).
    """
    r = RANGES[option]
    if r.kind == "number":
        number = _number(option, value)
        _in_range(option, number, r, value)
        return number
    if r.kind == "whole":
        whole = _whole(option, value)
        _in_range(option, whole, r, value)
        return whole
    if r.kind == "choice":
        for choice in r.choices:
            if not isinstance(value, bool) and (value == choice or str(value).strip() == str(choice)):
                return choice
        raise BadValue(option, f"{_shown(value)} is not one of them: use {allowed(option)}")
    return _tempo(option, value, r)


def _tempo(option: str, value: object, r: Range) -> Tempo:
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            percent = _number(option, value.strip()[:-1])
        except BadValue:
            raise BadValue(option, f"{_shown(value)} is not a number: use {allowed(option)}") from None
        factor = RANGES["tempo_factor"]
        if not factor.low * 100 <= percent <= factor.high * 100:
            raise BadValue(option, f"{_shown(value)} is out of range: use {allowed(option)}")
        return Tempo(percent / 100, None)
    bpm = _number(option, value)
    _in_range(option, bpm, r, value)
    return Tempo(None, bpm)


def check_all(values: dict[str, Any]) -> dict[str, Any]:
    """Every ``option: value`` checked; None values are left out (not given).

    >>> check_all({"seed": "7", "risk": 1, "style": None})
    {'seed': 7, 'risk': 1.0}
    """
    return {k: check(k, v) for k, v in values.items() if v is not None}


def finite(value: object, where: str = "value") -> None:
    """Refuse NaN or an infinity anywhere in a JSON-bound value (dicts, lists, numbers).

    >>> finite({"a": [1.0, 2]}); finite({"a": [float("inf")]}, "take")
    Traceback (most recent call last):
    ...
    backline.checks.BadValue: take: inf is not a number: JSON has no such value
    """
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            raise BadValue(where, f"{v} is not a number: JSON has no such value")
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)


MAX_AUDIO_SECONDS = 2 * 3600  # a song rendered to audio: beyond this, refused before any work


def check_audio_length(seconds: float, what: str = "the song") -> None:
    """Refuse audio longer than ``MAX_AUDIO_SECONDS`` before it is rendered (a 90-byte chart at
    tempo 20 once asked for 126 GiB of samples).

    >>> check_audio_length(7300, "'Long'")
    Traceback (most recent call last):
    ...
    backline.checks.BadValue: audio: 'Long' lasts 2:01:40; audio is limited to 2 hours (MIDI is not)
    """
    if not seconds <= MAX_AUDIO_SECONDS:
        minutes, secs = divmod(int(seconds), 60)
        hours, minutes = divmod(minutes, 60)
        raise BadValue("audio", f"{what} lasts {hours}:{minutes:02d}:{secs:02d}; audio is limited to "
                       f"{MAX_AUDIO_SECONDS // 3600} hours (MIDI is not)")
