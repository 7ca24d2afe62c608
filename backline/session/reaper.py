"""Reaper projects (``.rpp``), built as an element tree and written by the ``rpp`` library.

``rpp`` (PyPI, BSD) reads and writes RPP's bracketed text with its quoting rules; the tests
read every project back with it. What goes in: the tempo envelope (one square point per
tempo step, with the time signature where a meter starts), section markers and regions, and
per instrument a folder track holding its stem (a WAV item) and its MIDI (an in-project MIDI
item in quarter notes, so it follows the tempo map).

>>> import backline
>>> from backline.session.plan import session_plan
>>> perf = backline.perform(backline.loads("tempo: 100\\nsection A:\\n  | C | G |\\n"))
>>> text = project_text(reaper_project(session_plan(perf, 1), [], 44100))
>>> [line.strip() for line in text.splitlines() if line.strip().startswith(("PT", "MARKER"))][:3]
['PT 0 100 1 262148', 'MARKER 1 0 Count-in 0', 'MARKER 2 2.4 A 0']
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from ..model import Meter
    from .plan import Plan
else:
    from ..records import NamedTuple

PPQ = 480  # the MIDI encoder's ticks a quarter note: events are copied tick for tick


class Lane(NamedTuple):
    """One instrument in a session: its stem (a WAV, relative to the project) and its MIDI."""

    name: str
    wav: str | None
    wav_seconds: float
    midi: bytes | None  # a Standard MIDI File whose channel events are the item's
    muted: bool = False


def number(value: float) -> str:
    """A position or tempo as Reaper writes them: enough digits for a sample at 192 kHz.

    >>> number(2.0), number(1 / 3), number(96.00000000001)
    ('2', '0.3333333333', '96')
    """
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def time_signature_code(meter: Meter) -> int:
    """Reaper's packed time signature: numerator + denominator × 65536.

    >>> from backline.model import Meter
    >>> time_signature_code(Meter(4, 4, (1, 1, 1, 1))), time_signature_code(Meter(7, 8, (2, 2, 3)))
    (262148, 524295)
    """
    return meter.num + (meter.den << 16)


def reaper_project(plan: Plan, lanes: list[Lane], rate: int) -> Any:
    """The project as an ``rpp.Element`` tree."""
    from rpp import Element

    first = plan.tempo[0]
    meter = first.meter or plan.first_meter
    root = Element("REAPER_PROJECT", ["0.1", "7.0/backline", "0"], [
        ["TITLE", plan.title],
        ["TEMPO", number(first.bpm), str(meter.num), str(meter.den)],
        ["SAMPLERATE", str(rate), "0", "0"],
        ["TIMEMODE", "1", "5", "-1", "30", "0", "0", "-1"],
    ])
    root.append(_tempo_envelope(plan))
    for i, m in enumerate(plan.markers, start=1):
        root.append(["MARKER", str(i), number(m.start), m.name, "0"])
    for i, m in enumerate(plan.markers, start=1):
        root.append(["MARKER", str(i), number(m.start), m.name, "1"])
        root.append(["MARKER", str(i), number(m.end), "", "1"])
    for lane in lanes:
        root.extend(_folder(lane, plan))
    return root


def _tempo_envelope(plan: Plan) -> Any:
    from rpp import Element

    env = Element("TEMPOENVEX", [], [["ACT", "1", "-1"], ["VIS", "1", "0", "1"], ["LANEHEIGHT", "0", "0"],
                                     ["ARM", "0"], ["DEFSHAPE", "1", "-1", "-1"]])
    for p in plan.tempo:  # shape 1: square, the tempo holds until the next point (as it is played)
        point = ["PT", number(p.seconds), number(p.bpm), "1"]
        if p.meter is not None:
            point.append(str(time_signature_code(p.meter)))
        env.append(point)
    return env


def _folder(lane: Lane, plan: Plan) -> list[Any]:
    """A folder track named after the instrument, holding its audio track and its MIDI track."""
    from rpp import Element

    children = []
    if lane.wav is not None:
        children.append(("audio", _audio_item(lane)))
    if lane.midi is not None:
        children.append(("MIDI", _midi_item(lane, plan)))
    tracks = [Element("TRACK", [], [["NAME", lane.name], ["ISBUS", "1", "1"],
                                    ["MUTESOLO", "1" if lane.muted else "0", "0", "0"]])]
    for k, (kind, item) in enumerate(children):
        last = k == len(children) - 1
        tracks.append(Element("TRACK", [], [["NAME", f"{lane.name} {kind}"],
                                            ["ISBUS", "2", "-1"] if last else ["ISBUS", "0", "0"], item]))
    return tracks


def _audio_item(lane: Lane) -> Any:
    from rpp import Element

    assert lane.wav is not None
    return Element("ITEM", [], [
        ["POSITION", "0"], ["LENGTH", number(lane.wav_seconds)], ["LOOP", "0"],
        ["NAME", lane.wav.rsplit("/", 1)[-1]],
        Element("SOURCE", ["WAVE"], [["FILE", lane.wav]]),
    ])


def _midi_item(lane: Lane, plan: Plan) -> Any:
    from rpp import Element

    assert lane.midi is not None
    events, end_tick = midi_events(lane.midi)
    source = Element("SOURCE", ["MIDI"], [["HASDATA", "1", str(PPQ), "QN"]])
    now = 0
    for tick, data in events:
        source.append(["E", str(tick - now), *(f"{b:02x}" for b in data), *(["00"] * (3 - len(data)))])
        now = tick
    source.append(["E", str(max(0, end_tick - now)), "b0", "7b", "00"])  # all notes off: the source's end
    return Element("ITEM", [], [
        ["POSITION", "0"], ["LENGTH", number(plan.end_seconds)], ["LOOP", "0"], ["NAME", lane.name],
        source,
    ])


def midi_events(smf: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """The channel messages of a Standard MIDI File at ``PPQ``, as (absolute tick, bytes), and
    the tick its tracks end at (mido reads the file)."""
    import io

    import mido

    midi = mido.MidiFile(file=io.BytesIO(smf))
    if midi.ticks_per_beat != PPQ:
        raise ValueError(f"expected {PPQ} ticks a quarter note, not {midi.ticks_per_beat}")
    events: list[tuple[int, int, bytes]] = []
    end = 0
    for track in midi.tracks:
        tick = 0
        for k, msg in enumerate(track):
            tick += msg.time
            if not msg.is_meta and msg.type != "sysex":
                events.append((tick, k, bytes(msg.bytes())))
        end = max(end, tick)
    events.sort(key=lambda e: (e[0], e[1]))
    return [(t, data) for t, _, data in events], end


def project_text(root: Any) -> str:
    """The RPP text of a project tree."""
    import rpp

    return str(rpp.dumps(root))
