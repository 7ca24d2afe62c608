"""Chord symbols: parse jazz/pop spellings into root, bass, quality and pitch classes.

>>> c = parse_chord("Bbmaj7#11"); (c.root, c.quality, sorted(c.pitch_classes))
('Bb', 'maj7#11', [2, 4, 5, 9, 10])
>>> parse_chord("Dm7/C").bass_pc, str(parse_chord("Dm7/C").transpose(2, Key.parse("E minor")))
(0, 'Em7/D')
"""

from __future__ import annotations

import re
from functools import lru_cache

from .pitch import Key, pitch_class, spell

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from ..records import NamedTuple

ROOT = re.compile(r"([A-G])(#|b)?")
SLASH_BASS = re.compile(r"/([A-Ga-g])(#|b)?$")

# Interval (semitones) of each extension degree, natural and altered.
DEGREE = {"9": 14, "11": 17, "13": 21, "6": 9, "2": 14, "4": 17, "5": 7}
ALTERED = {("b", "5"): 6, ("#", "5"): 8, ("b", "9"): 13, ("#", "9"): 15, ("#", "11"): 18,
           ("b", "13"): 20, ("b", "6"): 20, ("#", "4"): 18, ("b", "11"): 16}


class ChordError(ValueError):
    """A chord symbol that cannot be read; ``hint`` says what to write instead."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class _Quality:
    """Running state while reading a quality suffix."""

    __slots__ = ("fifth", "kind", "seen_extension", "seventh", "third", "tones")

    def __init__(self) -> None:
        self.third: int | None = 4
        self.fifth: int | None = 7
        self.seventh: int | None = None
        self.tones: set[int] = set()
        self.seen_extension = False
        self.kind = "major"


# Token patterns, tried in order at each position of the suffix.
_TOKENS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), name)
    for p, name in [
        (r"[(),\s]", "punct"),
        (r"(?:maj|Maj|MA|Ma|M|\^|Δ|j)(7|9|11|13)?", "major7"),
        (r"min|mi|m|-", "minor"),
        (r"(?:dim|o|°)(7)?", "dim"),
        (r"(?:ø|h)(7|9|11)?", "halfdim"),
        (r"alt", "alt"),
        (r"sus(2|4)?", "sus"),
        (r"add([b#]?)(2|4|6|9|11|13)", "add"),
        (r"(?:no|omit)(3|5)", "omit"),
        (r"6/9|69", "sixnine"),
        (r"([b#+-])(5|6|9|11|13)", "altered"),
        (r"(?:aug|\+)", "aug"),
        (r"(7|9|11|13|6|5|2|4)", "number"),
    ]
]


def _read_quality(text: str) -> frozenset[int]:
    """Intervals (semitones above the root, mod 12) that a quality suffix names."""
    q = _Quality()
    pos = 0
    while pos < len(text):
        for pattern, name in _TOKENS:
            if name == "minor" and q.seen_extension:
                continue
            m = pattern.match(text, pos)
            if m and m.end() > pos:
                _apply(q, name, m, text)
                pos = m.end()
                break
        else:
            bad = text[pos:]
            raise ChordError(f"unknown chord quality {bad!r}",
                             "use m, maj7, 7, m7b5, dim7, sus4, add9, 6/9, alt, b9, #11 …")
    return _intervals(q)


def _apply(q: _Quality, name: str, m: re.Match[str], text: str) -> None:
    if name == "punct":
        return
    if name == "minor":
        if q.seen_extension:
            raise ChordError(f"'m' after an extension in {text!r}", "write the minor first: m7, m9")
        q.third, q.kind = 3, "minor"
    elif name == "major7":
        if m.group(1) is None and m.group(0) in ("maj", "Maj", "MA", "Ma", "M"):
            return  # a plain major triad, spelled out
        q.seventh, q.seen_extension = 11, True
        _extend(q, m.group(1))
    elif name == "dim":
        q.third, q.fifth, q.kind = 3, 6, "dim"
        if m.group(1):
            q.seventh, q.seen_extension = 9, True
    elif name == "halfdim":
        q.third, q.fifth, q.seventh, q.kind, q.seen_extension = 3, 6, 10, "halfdim", True
        if m.group(1) in ("9", "11"):
            _extend(q, m.group(1))
    elif name == "alt":
        q.seventh = 10 if q.seventh is None else q.seventh
        q.fifth = None
        q.tones |= {13, 15, 6, 8}
        q.seen_extension = True
    elif name == "sus":
        q.third = 2 if m.group(1) == "2" else 5
    elif name == "add":
        acc, deg = m.group(1), m.group(2)
        q.tones.add(ALTERED[(acc, deg)] if acc else DEGREE[deg])
    elif name == "omit":
        if m.group(1) == "3":
            q.third = None
        else:
            q.fifth = None
    elif name == "sixnine":
        q.tones |= {9, 14}
        q.seen_extension = True
    elif name == "altered":
        acc = {"+": "#", "-": "b"}.get(m.group(1), m.group(1))
        if acc == "b" and m.group(2) == "6" and q.seventh is None and not q.seen_extension:
            q.tones.add(8)
        elif (acc, m.group(2)) in ALTERED:
            step = ALTERED[(acc, m.group(2))]
            if m.group(2) == "5":
                q.fifth = step
            else:
                q.tones.add(step)
        else:
            raise ChordError(f"unknown alteration {m.group(0)!r}", "use b5 #5 b9 #9 #11 b13")
        if q.seventh is None and m.group(2) in ("9", "11", "13"):
            q.seventh = 10
    elif name == "aug":
        q.fifth = 8
        if q.kind == "major":
            q.kind = "aug"
    elif name == "number":
        _number(q, m.group(1))


def _number(q: _Quality, num: str) -> None:
    if num == "5" and not q.seen_extension and q.kind == "major":
        q.third, q.kind = None, "power"
    elif num == "7":
        if q.seventh is None:
            q.seventh = 9 if q.kind == "dim" else 10
    elif num in ("6",):
        q.tones.add(9)
    elif num in ("2", "4"):
        q.tones.add(DEGREE[num])
    else:
        if q.seventh is None:
            q.seventh = 9 if q.kind == "dim" else 10
        _extend(q, num)
    q.seen_extension = True


def _extend(q: _Quality, num: str | None) -> None:
    """Add 9, 11 or 13 and the extensions below them (no 11 on a major 13)."""
    if not num or num == "7":
        return
    q.tones.add(14)
    if num in ("11", "13") and (num == "11" or q.third == 3):
        q.tones.add(17)
    if num == "13":
        q.tones.add(21)


def _intervals(q: _Quality) -> frozenset[int]:
    tones = {0} | {t % 12 for t in q.tones}
    for part in (q.third, q.fifth, q.seventh):
        if part is not None:
            tones.add(part % 12)
    return frozenset(tones)


class Chord(NamedTuple):
    """A chord symbol: root and quality as written, an optional slash bass, its pitch classes.

    Build one with ``parse_chord`` or ``Chord.make``; the pitch numbers are worked out once.
    """

    root: str
    quality: str
    bass: str | None
    intervals: frozenset[int]
    root_pc: int
    bass_pc: int  # the lowest note: the slash bass, else the root
    pitch_classes: frozenset[int]

    @classmethod
    def make(cls, root: str, quality: str, bass: str | None, intervals: frozenset[int]) -> Chord:
        r = pitch_class(root)
        b = pitch_class(bass) if bass else r
        pcs = frozenset({(r + i) % 12 for i in intervals} | {b})
        return cls(root, quality, bass, intervals, r, b, pcs)

    @property
    def is_minor(self) -> bool:
        return 3 in self.intervals and 4 not in self.intervals

    @property
    def is_dominant(self) -> bool:
        return 4 in self.intervals and 10 in self.intervals

    def transpose(self, semitones: int, key: Key | None = None) -> Chord:
        """The chord moved by ``semitones``, spelled for ``key`` (flat keys get flats)."""
        if semitones % 12 == 0:
            return self

        def name(n: str) -> str:
            pc = pitch_class(n) + semitones
            return key.spell(pc) if key else spell(pc, "b" in n if "#" in n or "b" in n else None)

        return Chord.make(name(self.root), self.quality, name(self.bass) if self.bass else None,
                          self.intervals)

    def __str__(self) -> str:
        return self.root + self.quality + (f"/{self.bass}" if self.bass else "")


@lru_cache(maxsize=4096)
def parse_chord(symbol: str) -> Chord:
    """Read a chord symbol such as ``Am7``, ``C^7``, ``F#ø``, ``G7(b9,#11)`` or ``D/F#``.

    >>> sorted(parse_chord("C7alt").pitch_classes)
    [0, 1, 3, 4, 6, 8, 10]
    """
    if not symbol:
        raise ChordError("empty chord symbol")
    m = ROOT.match(symbol)
    if not m:
        first = symbol[0]
        if first.upper() in LETTERS and first.islower():
            raise ChordError(f"unknown chord {symbol!r}",
                             f"chord roots are capital letters: did you mean '{first.upper()}{symbol[1:]}'?")
        raise ChordError(f"unknown chord {symbol!r}", "a chord starts with a root A–G")
    root = m.group(0)
    rest = symbol[m.end():]
    bass = None
    sb = SLASH_BASS.search(rest)
    if sb and not rest.endswith("6/9"):
        bass = sb.group(1).upper() + (sb.group(2) or "")
        rest = rest[: sb.start()]
    try:
        intervals = _read_quality(rest)
    except ChordError as e:
        raise ChordError(f"unknown chord {symbol!r}: {e.message}", e.hint) from None
    return Chord.make(root, rest, bass, intervals)


LETTERS = frozenset("ABCDEFG")
