"""Expand a song's form into a timeline: bars with absolute beats and seconds.

The tempo map is stepwise (a ramp moves one step a pulse) and the seconds of every bar
are computed from the same integer microseconds-per-quarter the MIDI file carries, so
the timeline and the file agree to the microsecond.

>>> from backline.chart.parser import parse_chart
>>> t = parse_chart("tempo: 120\\nsection A:\\n  | C | G |\\n").timeline()
>>> len(t.bars), t.seconds
(2, 4.0)
"""

from __future__ import annotations

from .model import (
    DYNAMICS,
    INSTRUMENTS,
    ChordSpan,
    Meter,
    Phrase,
    Section,
    SectionSpan,
    Slot,
    Song,
    TempoChange,
    Timeline,
    TimelineBar,
)
from .theory.chords import Chord
from .theory.pitch import Key

DEFAULT_LEVEL = float(DYNAMICS["mf"])


def build_timeline(song: Song) -> Timeline:
    """Lay out every bar of the form in time (see module doc)."""
    bars: list[TimelineBar] = []
    spans: list[SectionSpan] = []
    tempo_map: list[TempoChange] = []
    beat = 0.0
    seconds = 0.0
    carry: tuple[Chord | None, bool] = (None, False)
    spans_of: dict[tuple[object, ...], tuple[tuple[ChordSpan, ...], tuple[Chord | None, bool]]] = {}
    for index, name in enumerate(song.form):
        sec = song.sections[name]
        meter = sec.meter or song.meter
        n = len(sec.bars)
        bar_beats = meter.bar_beats
        length = n * bar_beats
        changes_before = len(tempo_map)
        _tempo_steps(tempo_map, sec, song, meter, beat, length)
        steady = len(tempo_map) <= changes_before + 1 and tempo_map[-1].beat <= beat
        steady_seconds = bar_beats * tempo_map[-1].us_per_quarter / 1e6
        steady_tempo = tempo_map[-1].bpm / meter.tempo_beat
        span_start_seconds = seconds
        key = sec.key or song.key
        players = _players(sec)
        style = sec.style or song.style
        feel = sec.feel or song.feel
        swing = sec.swing if sec.feel else song.swing
        dyn = sec.dynamics
        for i, bar in enumerate(sec.bars):
            start = beat + i * bar_beats
            memo_key = (bar.slots, meter, sec.transpose, key, carry)
            known = spans_of.get(memo_key)
            if known is None:
                known = spans_of[memo_key] = _chord_spans(bar.slots, meter, sec.transpose, key, carry)
            chords, carry = known
            if steady:
                bar_seconds, tempo = steady_seconds, steady_tempo
            else:
                bar_seconds = _span_seconds(tempo_map, start, start + bar_beats)
                tempo = _bpm_at(tempo_map, start) / meter.tempo_beat
            frac0, frac1 = i / n, (i + 1) / n
            bars.append(TimelineBar(
                number=len(bars), span=index, bar_in_section=i, start_beat=start,
                length=bar_beats, start_seconds=seconds, seconds=bar_seconds, meter=meter,
                key=key, tempo=tempo,
                level=dyn.at(frac0) if dyn else DEFAULT_LEVEL,
                level_end=dyn.at(frac1) if dyn else DEFAULT_LEVEL,
                style=style, feel=feel, swing=swing, players=players, chords=chords, solo=sec.solo,
            ))
            seconds += bar_seconds
        spans.append(SectionSpan(name, index, len(bars) - n, n, beat, beat + length,
                                 span_start_seconds, sec))
        beat += length
    return Timeline(song, bars, spans, tempo_map, beat, seconds)


def _players(sec: Section) -> frozenset[str]:
    who = set(sec.players if sec.players is not None else INSTRUMENTS)
    return frozenset(who - set(sec.tacet))


def _tempo_steps(tempo_map: list[TempoChange], sec: Section, song: Song, meter: Meter,
                 start: float, length: float) -> None:
    """Append the tempo changes of a section: one value, or one step per pulse of a ramp."""
    ramp = sec.tempo
    first = ramp.start if ramp else song.tempo
    last = ramp.end if ramp else song.tempo
    if first == last:
        _set_tempo(tempo_map, start, first * meter.tempo_beat)
        return
    step = meter.tempo_beat if meter.compound else min(1.0, meter.pulse_beats)
    count = max(1, round(length / step))
    for i in range(count):
        bpm = first + (last - first) * (i / (count - 1) if count > 1 else 1.0)
        _set_tempo(tempo_map, start + i * step, bpm * meter.tempo_beat)


def _set_tempo(tempo_map: list[TempoChange], beat: float, quarter_bpm: float) -> None:
    us = round(60_000_000 / quarter_bpm)
    if tempo_map and tempo_map[-1].us_per_quarter == us:
        return
    if tempo_map and tempo_map[-1].beat == beat:
        tempo_map[-1] = TempoChange(beat, us)
        if len(tempo_map) > 1 and tempo_map[-2].us_per_quarter == us:
            tempo_map.pop()
        return
    tempo_map.append(TempoChange(beat, us))


def _span_seconds(tempo_map: list[TempoChange], start: float, end: float) -> float:
    """Seconds between two beats; the map only grows at or before ``start`` plus this section."""
    total = 0.0
    for i in range(len(tempo_map) - 1, -1, -1):
        if tempo_map[i].beat <= start:
            break
    for j in range(i, len(tempo_map)):
        seg_start = max(start, tempo_map[j].beat)
        seg_end = min(end, tempo_map[j + 1].beat) if j + 1 < len(tempo_map) else end
        if seg_end > seg_start:
            total += (seg_end - seg_start) * tempo_map[j].us_per_quarter / 1e6
        if seg_end >= end:
            break
    return total


def _bpm_at(tempo_map: list[TempoChange], beat: float) -> float:
    for change in reversed(tempo_map):
        if change.beat <= beat:
            return change.bpm
    return tempo_map[0].bpm


def _chord_spans(slots: tuple[Slot, ...], meter: Meter, transpose: int, key: Key,
                 carry: tuple[Chord | None, bool]) -> tuple[tuple[ChordSpan, ...], tuple[Chord | None, bool]]:
    """Turn a bar's slots into chord spans: '.' holds, and after a hit the band stops.

    ``carry`` is what sounds at the bar line: the last chord and whether the band stopped.
    """
    lengths = _slot_lengths(len(slots), meter)
    spans: list[ChordSpan] = []
    last, stopped = carry
    pos = 0.0
    for slot, length in zip(slots, lengths, strict=True):
        if slot.hold and spans and not spans[-1].hit:
            prev = spans[-1]
            spans[-1] = ChordSpan(prev.beat, prev.length + length, prev.chord, False, prev.stop)
        elif slot.hold:
            stop = stopped or bool(spans and spans[-1].hit)
            spans.append(ChordSpan(pos, length, None if stop else last, stop=stop))
        elif slot.chord is None:
            spans.append(ChordSpan(pos, length, None))
            last, stopped = None, False
        else:
            chord = slot.chord.transpose(transpose, key) if transpose else slot.chord
            spans.append(ChordSpan(pos, length, chord, hit=slot.hit))
            last, stopped = chord, slot.hit
        pos += length
    return tuple(spans), (last, stopped or spans[-1].stop)


def _slot_lengths(count: int, meter: Meter) -> list[float]:
    if meter.num % count == 0:
        return [meter.bar_beats / count] * count
    return [g * meter.pulse_beats for g in meter.groups]


def transpose_song(song: Song, semitones: int) -> Song:
    """A copy of the song moved by ``semitones``: chords, keys, riffs and melodies."""
    from .model import Bar, Riff

    if semitones == 0:
        return song
    key = song.key.transpose(semitones)
    sections = {}
    for name, sec in song.sections.items():
        sec_key = sec.key.transpose(semitones) if sec.key else key
        bars = tuple(Bar(tuple(Slot(s.chord.transpose(semitones, sec_key) if s.chord else None, s.hit, s.hold)
                               for s in b.slots), b.line, b.column) for b in sec.bars)
        melody: Phrase | None = sec.melody.transposed(semitones) if sec.melody else None
        sections[name] = sec._replace(bars=bars, key=sec.key.transpose(semitones) if sec.key else None,
                                      melody=melody)
    riffs = {n: Riff(r.name, r.phrase.transposed(semitones), r.line) for n, r in song.riffs.items()}
    return song._replace(key=key, sections=sections, riffs=riffs)
