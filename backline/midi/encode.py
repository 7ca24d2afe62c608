"""Standard MIDI File (type 1) encoding of a performance.

A small, direct encoder: measured here, ``import mido`` alone costs about 55 ms and its
writer 381 ms for 30,000 notes, against this module's few milliseconds; a CLI that must
finish a 200-bar song in well under 100 ms cannot afford either (see bench/). mido reads
the files back in the tests.

>>> vlq(0), vlq(127), vlq(128), vlq(0x0FFFFFFF)
(b'\\x00', b'\\x7f', b'\\x81\\x00', b'\\xff\\xff\\xff\\x7f')
"""

from __future__ import annotations

import struct

from ..model import Meter, Timeline
from ..nogc import without_gc
from ..performance import BEND

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from ..performance import Performance, Track

TPQ = 480
CLICK_CHANNEL = 15
CLICK_PROGRAM = 115  # woodblock
ORDER_META, ORDER_SETUP, ORDER_OFF, ORDER_ON = 0, 1, 2, 3  # events at one tick sort by this
ORDER_CONTROL = ORDER_OFF  # controllers: after set-up; before note-ons, and beside note-offs by their bytes

Event = tuple[int, bytes]  # (tick * 4 + order, bytes after the delta time)


def vlq(value: int) -> bytes:
    """A MIDI variable-length quantity."""
    if value < len(_SHORT):
        return _SHORT[value]
    return _vlq(value)


def _vlq(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


_SHORT = [bytes((i,)) for i in range(128)] + [bytes((0x80 | (i >> 7), i & 0x7F)) for i in range(128, 2048)]


def meta(kind: int, data: bytes) -> bytes:
    return bytes((0xFF, kind)) + vlq(len(data)) + data


def text_meta(kind: int, text: str) -> bytes:
    return meta(kind, text.encode("utf-8"))


def encode_track(events: list[Event], notes: list[int], end_tick: int) -> bytes:
    """Sort events, write delta times, close with End of Track at ``end_tick``.

    ``notes`` holds channel messages packed as ints by :func:`pack` (sorting ints is
    several times faster than sorting tuples); ``events`` the rest, as (key, bytes)."""
    events.sort()  # ties at one key keep a fixed order: by their bytes
    notes.extend((key << 24) | i for i, (key, _) in enumerate(events))
    notes.sort()
    payload = _Payloads(enumerate(data for _, data in events))
    chunks: list[bytes] = []
    add = chunks.append
    short, limit = _SHORT, len(_SHORT)
    now = 0
    for k in notes:
        tick = k >> 26
        delta = tick - now
        add(short[delta] if delta < limit else _vlq(delta))
        add(payload[k & 0xFFFFFF])
        now = tick
    chunks.append(vlq(max(0, end_tick - now)))
    chunks.append(b"\xff\x2f\x00")
    body = b"".join(chunks)
    return b"MTrk" + struct.pack(">I", len(body)) + body


class _Payloads(dict[int, bytes]):
    """The bytes after each delta time: by index for ``events`` (below 0x800000), by packed
    message for notes (a status byte sets 0x800000); each message's bytes are made once."""

    def __missing__(self, message: int) -> bytes:
        data = self[message] = message.to_bytes(3, "big")
        return data


def pack(tick: int, order: int, status: int, data1: int, data2: int) -> int:
    """A channel message at ``tick`` as one sortable int (``order`` is ORDER_OFF or ORDER_ON).

    >>> hex(pack(1, ORDER_ON, 0x90, 60, 100))
    '0x7903c64'
    """
    return (((tick << 2) | order) << 24) | (status << 16) | (data1 << 8) | data2


def _time_signature(meter: Meter) -> bytes:
    dd = meter.den.bit_length() - 1
    clocks = 36 if meter.compound else 24
    return meta(0x58, bytes((meter.num, dd, clocks, 8)))


def _key_signature(sf: int, minor: bool) -> bytes:
    sf = max(-7, min(7, sf))
    return meta(0x59, struct.pack(">bB", sf, 1 if minor else 0))


def conductor(perf: Performance, offset: float, count_in: int) -> list[Event]:
    """Tempo map, meters, keys, section markers and chord symbols."""
    tl = perf.timeline
    song = perf.song
    ev: list[Event] = [(ORDER_META, text_meta(0x03, song.title))]
    if song.artist:
        ev.append((ORDER_META, text_meta(0x02, song.artist)))

    def tick(beat: float) -> int:
        return round((beat + offset) * TPQ)

    for change in tl.tempo_map:
        at = 0 if change.beat == 0 else tick(change.beat)
        ev.append((at * 4 + ORDER_META, meta(0x51, change.us_per_quarter.to_bytes(3, "big"))))
    if count_in and tl.bars:
        ev.append((ORDER_META, text_meta(0x06, "Count-in")))
    last_meter, last_key = None, None
    for bar in tl.bars:
        at = tick(bar.start_beat) if bar.number else 0  # the count-in shares the first bar's meter
        if bar.meter != last_meter:
            ev.append((at * 4 + ORDER_META, _time_signature(bar.meter)))
            last_meter = bar.meter
        if bar.key != last_key:
            ev.append((at * 4 + ORDER_META, _key_signature(bar.key.signature, bar.key.is_minor)))
            last_key = bar.key
    for span in tl.sections:
        ev.append((tick(span.start_beat) * 4 + ORDER_META, text_meta(0x06, span.name)))
    previous = None
    for bar in tl.bars:
        for c in bar.chords:
            name = str(c.chord) if c.chord else ("" if c.stop else "N.C.")
            if name and name != previous:
                ev.append((tick(bar.start_beat + c.beat) * 4 + ORDER_META, text_meta(0x01, name)))
            previous = name or previous
    return ev


def track_events(track: Track, offset: float) -> list[Event]:
    ch = track.channel
    ev: list[Event] = [(ORDER_META, text_meta(0x03, track.name))]
    if ch != 9:
        ev.append((ORDER_SETUP, bytes((0xC0 | ch, track.program))))
    for cc, value in ((7, track.volume), (10, track.pan), (91, track.reverb), (93, track.chorus)):
        ev.append((ORDER_SETUP, bytes((0xB0 | ch, cc, max(0, min(127, value))))))
    for beat, program in track.programs:
        ev.append((round((beat + offset) * TPQ) * 4 + ORDER_SETUP, bytes((0xC0 | ch, program))))
    return ev


def track_notes(track: Track, offset: float) -> list[int]:
    """The track's note-ons and note-offs, packed (see :func:`pack`)."""
    on = (ORDER_ON << 24) | ((0x90 | track.channel) << 16)
    off = (ORDER_OFF << 24) | ((0x80 | track.channel) << 16)
    out: list[int] = []
    add = out.append
    for start_beat, length, pitch, vel in track.notes:
        start = round((start_beat + offset) * TPQ)
        end = round((start_beat + length + offset) * TPQ)
        add((start << 26) | on | (pitch << 8) | vel)
        add(((end if end > start else start + 1) << 26) | off | (pitch << 8))
    if track.controls:
        out.extend(track_controls(track, offset))
    return out


def track_controls(track: Track, offset: float) -> list[int]:
    """The track's controller changes and pitch bends, packed (see :func:`pack`); at one
    tick they come after note-offs and before note-ons (a pedal lifts, then a chord sounds).

    >>> from backline.performance import BEND, SUSTAIN, Control, Track
    >>> t = Track("Keys", "keys", 0, 0, [], [], controls=(Control(1.0, SUSTAIN, 127), Control(0, BEND, -8192)))
    >>> [hex(k & 0xFFFFFF) for k in track_controls(t, 0.0)]
    ['0xb0407f', '0xe00000']
    """
    cc, bend = 0xB0 | track.channel, 0xE0 | track.channel
    out: list[int] = []
    for beat, number, value in track.controls:
        tick = round((beat + offset) * TPQ)
        if number == BEND:
            v = max(0, min(16383, value + 8192))
            out.append(pack(tick, ORDER_CONTROL, bend, v & 0x7F, v >> 7))
        else:
            out.append(pack(tick, ORDER_CONTROL, cc, number, max(0, min(127, value))))
    return out


def click_events(tl: Timeline, count_in: int, whole_song: bool) -> tuple[list[Event], list[int]]:
    """Woodblock clicks: the count-in bars, and the whole song with ``whole_song``."""
    ch = CLICK_CHANNEL
    ev: list[Event] = [(ORDER_META, text_meta(0x03, "Click")),
                       (ORDER_SETUP, bytes((0xC0 | ch, CLICK_PROGRAM)))]
    notes: list[int] = []
    if not tl.bars:
        return ev, notes
    first = tl.bars[0].meter
    offset = count_in * first.bar_beats

    def add(beat: float, accent: bool) -> None:
        t = round(beat * TPQ)
        pitch = 84 if accent else 77
        notes.append(pack(t, ORDER_ON, 0x90 | ch, pitch, 110 if accent else 85))
        notes.append(pack(t + TPQ // 8, ORDER_OFF, 0x80 | ch, pitch, 0))

    for b in range(count_in):
        for k, pos in enumerate(_click_positions(first)):
            add(b * first.bar_beats + pos, k == 0)
    if whole_song:
        for bar in tl.bars:
            for k, pos in enumerate(_click_positions(bar.meter)):
                add(offset + bar.start_beat + pos, k == 0)
    return ev, notes


def _click_positions(meter: Meter) -> list[float]:
    if meter.den <= 4 or not any(g > 1 for g in meter.groups):
        return [i * meter.pulse_beats for i in range(meter.num)]
    return meter.group_starts()


@without_gc
def encode_performance(perf: Performance, count_in: int = 0, click: bool = False,
                       only: tuple[str, ...] | None = None) -> bytes:
    """The whole file: conductor track, one track per instrument, and the click.

    ``only`` keeps just those instruments (``"click"`` for the click), for stems."""
    tl = perf.timeline
    offset = count_in * tl.bars[0].meter.bar_beats if tl.bars and count_in else 0.0
    end_tick = round((tl.beats + offset) * TPQ)
    chunks = [encode_track(conductor(perf, offset, count_in), [], end_tick)]
    for track in perf.tracks:
        if only is None or track.instrument in only:
            chunks.append(encode_track(track_events(track, offset), track_notes(track, offset), end_tick))
    if (count_in or click) and (only is None or "click" in only):
        chunks.append(encode_track(*click_events(tl, count_in, click), end_tick))
    header = b"MThd" + struct.pack(">IHHH", 6, 1, len(chunks), TPQ)
    return header + b"".join(chunks)
