"""Performance records: what the players emit and every output reads.

A ``Performance`` is a take: per instrument a ``Track`` of ``Note`` records and ``Control``
events (sustain pedal, expression, pitch bend). These records sit below both the players
that make them and the encoders (MIDI, audio, pictures, exports) that read them, so an
encoder never imports a player.

>>> n = Note(0.0, 1.0, 60, 90); n.start + n.length
1.0
>>> Control(2.0, SUSTAIN, 127), Control(2.5, BEND, -4096).value
(Control(beat=2.0, number=64, value=127), -4096)
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from .model import Song, Timeline
else:
    from .records import NamedTuple

SUSTAIN = 64  # CC64, the sustain pedal: 127 down, 0 up
EXPRESSION = 11  # CC11, expression: a swell within the track's volume
BEND = 128  # not a controller number: a pitch bend, value -8192..8191 (0 is centre)


class Note(NamedTuple):
    """A played note: start and length in quarter notes from the song's start."""

    start: float
    length: float
    pitch: int
    velocity: int


class Control(NamedTuple):
    """A controller change at ``beat`` (quarter notes): ``number`` is a MIDI controller
    (``SUSTAIN``, ``EXPRESSION``, …) with ``value`` 0–127, or ``BEND`` with -8192..8191."""

    beat: float
    number: int
    value: int


class Track(NamedTuple):
    """One instrument's part: its notes and how it is set up (program, pan, sends)."""

    name: str
    instrument: str
    channel: int
    program: int
    notes: list[Note]
    programs: list[tuple[float, int]]  # (beat, program) changes
    volume: int = 100
    pan: int = 64
    reverb: int = 40
    chorus: int = 0
    controls: tuple[Control, ...] = ()  # sorted by beat


class Performance(NamedTuple):
    """A take: the song as notes per instrument, with the seed and risk that made it."""

    song: Song
    timeline: Timeline
    tracks: list[Track]
    seed: int
    risk: float
    styles: list[str]
    choices: list[dict[str, Any]]

    @property
    def seconds(self) -> float:
        return self.timeline.seconds

    def track(self, instrument: str) -> Track | None:
        return next((t for t in self.tracks if t.instrument == instrument), None)

    def to_midi(self, path: str, count_in: int = 0, click: bool = False) -> None:
        """Write a type-1 MIDI file (see ``backline.midi.encode``)."""
        from .files import write_atomic
        from .midi.encode import encode_performance

        write_atomic(path, encode_performance(self, count_in=count_in, click=click))

    def to_bytes(self, count_in: int = 0, click: bool = False) -> bytes:
        """The MIDI file's bytes (see ``to_midi``)."""
        from .midi.encode import encode_performance

        return encode_performance(self, count_in=count_in, click=click)
