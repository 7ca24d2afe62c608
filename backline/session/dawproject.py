"""DAWproject (the open exchange format of Bitwig Studio, Studio One and Cubase): a ZIP
holding ``project.xml`` and ``metadata.xml``, written with the standard library's ElementTree
and checked in the tests against the format's published XML schemas (bitwig/dawproject).

The arrangement counts quarter notes (``timeUnit="beats"``): tempo points (held, as they are
played) and time signatures, section markers, and per instrument a folder track with its
notes; the stems are audio clips on lanes timed in seconds, referenced beside the project
(``stems/…``, ``external="true"``) rather than copied into it.

>>> import backline, zipfile, io
>>> from backline.session.plan import session_plan
>>> perf = backline.perform(backline.loads("section A:\\n  | C | G |\\n"))
>>> z = zipfile.ZipFile(io.BytesIO(dawproject_bytes(session_plan(perf, 1), [], 44100)))
>>> sorted(z.namelist())
['metadata.xml', 'project.xml']
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .reaper import PPQ, Lane, midi_events, number

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from .plan import Plan


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"id{self.n}"


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, attrs)


def project_xml(plan: Plan, lanes: list[Lane], rate: int) -> str:
    """``project.xml`` for a session plan and its lanes."""
    from .. import __version__

    ids = _Ids()
    root = ET.Element("Project", version="1.0")
    _sub(root, "Application", name="backline", version=__version__)
    transport = _sub(root, "Transport")
    first = plan.tempo[0]
    meter = first.meter or plan.first_meter
    tempo_id, sig_id = ids(), ids()
    _sub(transport, "Tempo", unit="bpm", value=number(first.bpm), min="20", max="666", id=tempo_id, name="Tempo")
    _sub(transport, "TimeSignature", numerator=str(meter.num), denominator=str(meter.den), id=sig_id)
    structure = _sub(root, "Structure")
    master = ids()
    placed: list[tuple[str, str, Lane]] = []  # (kind, track id, lane)
    for lane in lanes:
        placed += _folder(structure, lane, ids, master)
    master_track = _sub(structure, "Track", contentType="audio notes", loaded="true", id=ids(), name="Master")
    _channel(master_track, master, ids, role="master")
    arrangement = _sub(root, "Arrangement", id=ids())
    top = _sub(arrangement, "Lanes", timeUnit="beats", id=ids())
    for kind, track_id, lane in placed:
        _clip_lane(top, kind, track_id, lane, plan, rate, ids)
    markers = _sub(arrangement, "Markers", id=ids())
    for m in plan.markers:
        _sub(markers, "Marker", time=number(m.beat), name=m.name)
    tempo = _sub(arrangement, "TempoAutomation", unit="bpm", id=ids())
    _sub(tempo, "Target", parameter=tempo_id)
    for p in plan.tempo:
        _sub(tempo, "RealPoint", time=number(p.beat), value=number(p.bpm), interpolation="hold")
    signatures = _sub(arrangement, "TimeSignatureAutomation", id=ids())
    _sub(signatures, "Target", parameter=sig_id)
    for p in plan.tempo:
        if p.meter is not None:
            _sub(signatures, "TimeSignaturePoint", time=number(p.beat), numerator=str(p.meter.num),
                 denominator=str(p.meter.den))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _channel(track: ET.Element, channel_id: str, ids: _Ids, role: str = "regular",
             destination: str | None = None, muted: bool = False) -> None:
    attrs = {"audioChannels": "2", "role": role, "solo": "false", "id": channel_id}
    if destination:
        attrs["destination"] = destination
    channel = _sub(track, "Channel", **attrs)
    _sub(channel, "Mute", value="true" if muted else "false", id=ids(), name="Mute")
    _sub(channel, "Pan", unit="normalized", value="0.5", min="0", max="1", id=ids(), name="Pan")
    _sub(channel, "Volume", unit="linear", value="1", min="0", max="2", id=ids(), name="Volume")


def _folder(structure: ET.Element, lane: Lane, ids: _Ids, master: str) -> list[tuple[str, str, Lane]]:
    """A folder track for the instrument (a submix), with its audio track and its notes track."""
    folder = _sub(structure, "Track", contentType="audio notes", loaded="true", id=ids(), name=lane.name)
    bus = ids()
    _channel(folder, bus, ids, role="submix", destination=master, muted=lane.muted)
    out = []
    for kind, content, present in (("audio", "audio", lane.wav is not None), ("notes", "notes", lane.midi is not None)):
        if not present:
            continue
        track_id = ids()
        child = _sub(folder, "Track", contentType=content, loaded="true", id=track_id,
                     name=f"{lane.name} {'audio' if kind == 'audio' else 'MIDI'}")
        _channel(child, ids(), ids, destination=bus)
        out.append((kind, track_id, lane))
    return out


def _clip_lane(top: ET.Element, kind: str, track_id: str, lane: Lane, plan: Plan, rate: int, ids: _Ids) -> None:
    if kind == "audio":
        assert lane.wav is not None
        lanes = _sub(top, "Lanes", track=track_id, timeUnit="seconds", id=ids())
        clip = _sub(_sub(lanes, "Clips", id=ids()), "Clip", time="0", duration=number(lane.wav_seconds),
                    name=lane.name)
        audio = _sub(clip, "Audio", channels="2", sampleRate=str(rate), duration=number(lane.wav_seconds),
                     id=ids())
        _sub(audio, "File", path=lane.wav, external="true")
        return
    assert lane.midi is not None
    lanes = _sub(top, "Lanes", track=track_id, id=ids())
    clip = _sub(_sub(lanes, "Clips", id=ids()), "Clip", time="0", duration=number(plan.end_beats), name=lane.name)
    notes = _sub(clip, "Notes", id=ids())
    for start, length, channel, key, velocity in notes_of(lane.midi):
        _sub(notes, "Note", time=number(start), duration=number(length), channel=str(channel), key=str(key),
             vel=number(velocity / 127), rel="0.5")


def notes_of(smf: bytes) -> list[tuple[float, float, int, int, int]]:
    """(start, length in quarter notes, channel, key, velocity) of every note in a MIDI file."""
    open_notes: dict[tuple[int, int], list[tuple[int, int]]] = {}
    out: list[tuple[float, float, int, int, int]] = []
    events, _ = midi_events(smf)
    for tick, data in events:
        kind, channel = data[0] & 0xF0, data[0] & 0x0F
        if kind == 0x90 and data[2] > 0:
            open_notes.setdefault((channel, data[1]), []).append((tick, data[2]))
        elif kind in (0x80, 0x90) and open_notes.get((channel, data[1])):
            start, velocity = open_notes[(channel, data[1])].pop(0)
            out.append((start / PPQ, (tick - start) / PPQ, channel, data[1], velocity))
    out.sort()
    return out


def metadata_xml(plan: Plan, artist: str = "") -> str:
    """``metadata.xml``: title and artist."""
    root = ET.Element("MetaData")
    ET.SubElement(root, "Title").text = plan.title
    if artist:
        ET.SubElement(root, "Artist").text = artist
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def dawproject_bytes(plan: Plan, lanes: list[Lane], rate: int, artist: str = "") -> bytes:
    """The ``.dawproject`` file: a ZIP of project.xml and metadata.xml."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.xml", project_xml(plan, lanes, rate))
        z.writestr("metadata.xml", metadata_xml(plan, artist))
    return buf.getvalue()
