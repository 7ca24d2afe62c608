"""Keys, guitar and pad: voicings led smoothly from chord to chord, in the chair the arranger gave.

- A comping part plays its style's rhythm (chords, strums, arpeggios, chops; a pattern may
  span two bars), but like a player, not a sequencer: it strikes beat 1 only in the share of
  bars its style asks for (``beat1``); elsewhere it anticipates the chord change by the
  style's ``push`` (an eighth or a sixteenth, tied over the bar line) or rests on the one.
- A pad holds each chord until it changes, keeps the notes two chords share, moves the other
  voices the least way, and swells with expression (CC11) into a louder section.
- A piano with ``pedal`` lifts and presses the sustain pedal (CC64) at each chord change.
- A hit is one accented stab, then nothing until the next chord slot. N.C. and stops are silent.
"""

from __future__ import annotations

from ..arranger import comb
from ..model import ChordSpan, SectionSpan, TimelineBar
from ..performance import EXPRESSION, SUSTAIN, Control, Note
from ..styles import Part, Style
from ..theory.chords import Chord
from .common import (
    BarCache,
    bar_key,
    bar_swing,
    level_at,
    meter_key,
    remember,
    swing_offset,
    velocity,
)
from .voicing import voice

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    import random
    from typing import NamedTuple

    from ..arranger import Arrangement
else:
    from ..records import NamedTuple

SHORT = {"m": 0.35}
DYADS = {"F": 7, "S": 9, "B": 10}  # the shuffle's second note above the root
STAB = 0.5  # quarter notes: the longest a hit's stab rings (less when the slot is shorter)
PEDAL_AFTER = 0.125  # quarter notes: the pedal goes down just after the chord sounds (legato pedalling)
SWELL_FROM, SWELL_TO, STEADY = 72, 120, 96  # expression values for a pad's swell and its resting level

Event = tuple[float, str, float]  # (position in the bar, token, length)


def play_harmony(instrument: str, span: SectionSpan, bars: list[TimelineBar], style_of: dict[int, Style],
                 rng: random.Random, risk: float, last_span: bool, arr: Arrangement,
                 cache: BarCache | None = None) -> tuple[list[Note], list[Control]]:
    """One harmony instrument for one section occurrence: its notes and controller changes."""
    playing = [b for b in bars if instrument in b.players and _in_style(instrument, style_of[b.number], arr)]
    if not playing:
        return [], []
    part = style_of[playing[0].number].part(instrument)
    if not arr.plays(instrument):
        return _stabs_only(playing, style_of, instrument), []
    if part.role == "pad":
        return _pad(instrument, span, playing, style_of, arr, last_span)
    return _comp_section(instrument, span, playing, style_of, rng, risk, last_span, arr, cache)


def _in_style(instrument: str, style: Style, arr: Arrangement) -> bool:
    """Whether the style has this part here (the chart's ``only:`` brings any part in)."""
    return instrument in style.instruments or arr.span.section.players is not None


# ---- comping ------------------------------------------------------------------------------------

def _comp_section(instrument: str, span: SectionSpan, bars: list[TimelineBar], style_of: dict[int, Style],
                  rng: random.Random, risk: float, last_span: bool, arr: Arrangement,
                  cache: BarCache | None) -> tuple[list[Note], list[Control]]:
    notes: list[Note] = []
    changes: list[float] = []  # where a new chord sounds (for the pedal)
    previous: list[int] | None = None
    plans = _plan(bars, style_of, instrument, arr, rng, risk)
    for k, bar in enumerate(bars):
        style = style_of[bar.number]
        part = style.part(instrument)
        final = last_span and bar.bar_in_section == span.bar_count - 1
        if final:
            bar_notes, previous = _final(bar, part, previous)
        else:
            plan = plans[k]
            key = (instrument, bar_key(bar), tuple(previous) if previous else None, plan, arr.lighter)
            bar_notes, previous = remember(cache if risk == 0 else None, key, bar, _comp_bar, style, part,
                                           previous, rng, risk, arr.lighter, plan)
        notes.extend(bar_notes)
        changes.extend(_change_times(bar, None if final else plans[k]))
    controls = _pedal(changes, bars, style_of, instrument) if _pedalled(bars, style_of, instrument) else []
    return notes, controls


class BarPlan(NamedTuple):
    """How one comping bar begins and ends (hashable: equal bars share a cache entry)."""

    tokens: tuple[str, ...]
    new: bool  # the bar opens on a new chord
    strike: bool  # beat 1 is struck
    pushed_in: bool  # the previous bar anticipated this bar's chord
    out_push: float  # how early this bar anticipates the next bar's chord (0: it does not)
    next_chord: Chord | None
    next_first: float  # where the next bar's first onset after beat 1 falls
    next_token: str  # how the next bar's first chord is played (a strum, a chop, an arpeggio note)


def _plan(bars: list[TimelineBar], style_of: dict[int, Style], instrument: str, arr: Arrangement,
          rng: random.Random, risk: float) -> list[BarPlan]:
    """Decide, bar by bar, where the part strikes beat 1 and which chord changes it anticipates."""
    tokens = [_tokens(b, style_of[b.number].part(instrument), arr) for b in bars]
    news, strike, pushed = [], [], []
    for k, bar in enumerate(bars):
        part = style_of[bar.number].part(instrument)
        first = bar.chords[0] if bar.chords else None
        new = k == 0 or _is_new(bars[k - 1], first)
        news.append(new)
        if first is None or first.chord is None or first.hit:
            strike.append(True)
            pushed.append(False)
            continue
        if k == 0:  # the section's first bar: on the one, unless the style never is
            strike.append(part.beat1 > 0 or not _later_onset(tokens[k], bar))
            pushed.append(False)
            continue
        band_push = k in arr.pushed
        if risk > 0 and new and part.push > 0 and rng.random() < 0.3 * risk:
            band_push = not band_push  # this take pushes another change, or lets one land
        push = band_push and part.push > 0 and bars[k - 1].chords[-1].length > part.push + 1e-6
        hit1 = rng.random() < part.beat1 if risk > 0 else comb(k, part.beat1)
        strike.append(not push and (hit1 or (new and not _later_onset(tokens[k], bar))))
        pushed.append(push)
    plans: list[BarPlan] = []
    for k, bar in enumerate(bars):
        part = style_of[bar.number].part(instrument)
        out_push, nxt_chord, nxt_first, nxt_token = 0.0, None, 0.0, "x"
        if k + 1 < len(bars) and pushed[k + 1]:
            out_push = part.push
            nxt = bars[k + 1]
            nxt_chord = nxt.chords[0].chord
            onsets = _onsets(tokens[k + 1], nxt.length / len(tokens[k + 1]))
            later = [p for p, _, _ in onsets if p > 1e-6]
            nxt_first = min(later[0] if later else nxt.length, nxt.chords[0].end)
            nxt_token = next((t for p, t, _ in onsets if p < 1e-6), _change_token(onsets))
        plans.append(BarPlan(tokens[k], news[k], strike[k], pushed[k], out_push, nxt_chord, nxt_first, nxt_token))
    return plans


def _is_new(before: TimelineBar, first: ChordSpan | None) -> bool:
    """Whether the bar opens on a chord other than the one sounding at the end of ``before``."""
    if first is None or first.chord is None:
        return True
    last = before.chords[-1] if before.chords else None
    return last is None or last.chord != first.chord or last.hit or last.stop


def _later_onset(tokens: tuple[str, ...], bar: TimelineBar) -> bool:
    """Whether the pattern strikes again inside the bar's first chord (so beat 1 may rest)."""
    step = bar.length / len(tokens)
    end = bar.chords[0].end if bar.chords else bar.length
    return any(1e-6 < p < end - 1e-6 for p, _, _ in _onsets(tokens, step))


def _tokens(bar: TimelineBar, part: Part, arr: Arrangement) -> tuple[str, ...]:
    tier = "low" if arr.lighter else arr.tier(bar)
    bars = part.pattern(meter_key(bar.meter), tier)
    if bars is None:
        return _generic(bar, tier)
    return bars[bar.bar_in_section % len(bars)]


def _generic(bar: TimelineBar, level: str) -> tuple[str, ...]:
    """Any meter: a chord on each pulse group (the first only when soft), held through it."""
    out: list[str] = []
    groups = bar.meter.groups if any(g > 1 for g in bar.meter.groups) else (1,) * bar.meter.num
    for gi, g in enumerate(groups):
        out.append("x" if gi == 0 or level != "low" else "-")
        out.extend("-" * (g - 1))
    return tuple(out)


def _onsets(tokens: tuple[str, ...], step: float) -> list[Event]:
    """(position, token, length) of each onset of a token grid ('-' holds, '.' rests)."""
    out: list[Event] = []
    for i, t in enumerate(tokens):
        if t in ("-", "."):
            continue
        j = i + 1
        while j < len(tokens) and tokens[j] == "-":
            j += 1
        out.append((i * step, t, (j - i) * step))
    return out


def _comp_bar(bar: TimelineBar, style: Style, part: Part, previous: list[int] | None, rng: random.Random,
              risk: float, lighter: bool, plan: BarPlan) -> tuple[list[Note], list[int] | None]:
    events = _bar_events(bar, plan)
    swing = bar_swing(bar, style.swing)
    out: list[Note] = []
    voicings: dict[float, list[int]] = {}
    if plan.pushed_in and previous is not None and bar.chords:
        voicings[bar.chords[0].beat] = previous  # the anticipation already voiced this chord
    for pos, token, length in events:
        span = _span_at(bar, pos)
        if span is None or span.chord is None:
            continue
        at_change = abs(pos - span.beat) < 1e-6
        if risk > 0 and not at_change and not span.hit and rng.random() < 0.1 * risk:
            continue  # leave a hole: space is a choice too
        voicing = voicings.get(span.beat)
        if voicing is None:
            voicing = voice(span.chord, part.voicing, part.register, previous)
            if risk > 0 and rng.random() < 0.35 * risk:  # another inversion, still led smoothly
                voicing = voice(span.chord, part.voicing, part.register, [p + rng.choice((-5, 5)) for p in voicing])
            voicings[span.beat] = voicing
            previous = voicing
        if span.hit:
            dur = min(span.length * 0.9, STAB)
            token = "X"
        else:
            dur = min(pos + length, span.end) - pos
            dur *= SHORT.get(token, 0.95)
        start = pos if at_change else swing_offset(pos, swing, style.swing_unit)
        accent = (10 if token in "XDU" else 0) + (14 if span.hit else 0) + (4 if pos == 0 else 0)
        vel = velocity(level_at(bar, pos), accent - (12 if lighter else 0), part.level)
        strum = 0.0 if span.hit else part.strum_ms  # a stab is struck together
        out.extend(_sound(token, voicing, bar.start_beat + start, max(0.08, dur), vel, strum, bar, span.chord))
    if plan.out_push and plan.next_chord is not None:
        voicing = voice(plan.next_chord, part.voicing, part.register, previous)
        previous = voicing
        at = bar.length - plan.out_push
        token = plan.next_token
        dur = (plan.out_push + plan.next_first) * SHORT.get(token, 0.95)
        vel = velocity(level_at(bar, at), 6 - (12 if lighter else 0), part.level)
        out.extend(_sound(token, voicing, bar.start_beat + at, max(0.08, dur), vel, part.strum_ms, bar,
                          plan.next_chord))
    return out, previous


def _bar_events(bar: TimelineBar, plan: BarPlan) -> list[Event]:
    """The bar's onsets: the pattern, with chord changes it misses added, beat 1 struck or not,
    hits reduced to their stab, and room left at the end for an anticipation."""
    step = bar.length / len(plan.tokens)
    events = _onsets(plan.tokens, step)
    for span in bar.chords:
        if span.chord is None:
            continue
        inside = [e for e in events if span.beat - 1e-6 <= e[0] < span.end - 1e-6]
        if span.hit:  # one stab, nothing else until the next chord slot
            events = [e for e in events if not span.beat - 1e-6 <= e[0] < span.end - 1e-6]
            events.append((span.beat, "X", span.length))
            continue
        if span.beat < 1e-6 and (plan.pushed_in or not plan.strike):
            events = [e for e in events if e[0] > 1e-6]
            continue
        if (span.beat > 1e-6 or plan.new) and not any(abs(e[0] - span.beat) < 1e-6 for e in inside):
            later = [e[0] for e in events if e[0] > span.beat]
            end = min(later[0] if later else bar.length, span.end)
            events.append((span.beat, _change_token(events), end - span.beat))
    events.sort()
    if plan.out_push:
        cut = bar.length - plan.out_push
        events = [(p, t, min(length, cut - p)) for p, t, length in events if p < cut - 1e-6]
    return events


def _span_at(bar: TimelineBar, pos: float) -> ChordSpan | None:
    for span in bar.chords:
        if span.beat - 1e-9 <= pos < span.end - 1e-9:
            return span
    return None


def _dyad(token: str, chord: Chord | None) -> int:
    """The shuffle's upper note over the root: the fifth, the sixth (on a chord that takes it:
    major, dominant, minor seventh), the seventh the chord has.

    >>> from backline.theory.chords import parse_chord
    >>> _dyad("S", parse_chord("A7")), _dyad("S", parse_chord("Am")), _dyad("B", parse_chord("F"))
    (9, 7, 9)
    """
    ints = chord.intervals if chord is not None else frozenset({0, 4, 7})
    fifth = 6 if 6 in ints and 7 not in ints else (8 if 8 in ints and 7 not in ints else 7)
    sixth_ok = 8 not in ints and 6 not in ints and (3 not in ints or 10 in ints or 9 in ints)
    if token == "F" or not sixth_ok:
        return fifth
    if token == "B":
        return next((i for i in (10, 11) if i in ints), 9)
    return 9


def _sound(token: str, voicing: list[int], start: float, dur: float, vel: int, strum_ms: float,
           bar: TimelineBar, chord: Chord | None = None) -> list[Note]:
    """A chord, a strum (low to high, or high to low for an upstroke) or one arpeggio note."""
    if token.isdigit():
        idx = int(token) - 1
        pitch = voicing[idx % len(voicing)] + 12 * (idx // len(voicing))
        return [Note(start, dur, pitch, vel)]
    if token in DYADS:  # the shuffle: the root with its fifth, sixth or flat seventh
        root = voicing[0]
        return [Note(start, dur, root, vel), Note(start, dur, root + _dyad(token, chord), vel - 3)]
    order = voicing[::-1] if token in ("u", "U") else voicing
    spread = strum_ms / 1000 * bar.tempo / 60 * (1.0 if token in ("d", "u", "D", "U") else 0.4)
    new = tuple.__new__  # Note's own __new__ only adds a call around this
    return [new(Note, (start + i * spread, max(0.05, dur - i * spread), p, vel - (3 if i else 0)))
            for i, p in enumerate(order)]


def _change_token(onsets: list[Event]) -> str:
    """At a chord change the pattern misses: a chord the way the pattern plays them (not an arpeggio note)."""
    first = next((t for _, t, _ in onsets), "x")
    return "x" if first.isdigit() else first


def _final(bar: TimelineBar, part: Part, previous: list[int] | None) -> tuple[list[Note], list[int] | None]:
    """The song's last bar: the first chord held to the end (a hit stays a stab)."""
    for span in bar.chords:
        if span.chord is None:
            continue
        voicing = voice(span.chord, part.voicing, part.register, previous)
        length = min(span.length * 0.9, STAB) if span.hit else bar.length - span.beat
        vel = velocity(level_at(bar, span.beat), 12 if span.hit else 0, part.level)
        return [Note(bar.start_beat + span.beat, length * 0.98, p, vel) for p in voicing], voicing
    return [], previous


def _stabs_only(bars: list[TimelineBar], style_of: dict[int, Style], instrument: str) -> list[Note]:
    """A part the arranger left out still plays the chart's hits with the band."""
    out: list[Note] = []
    previous: list[int] | None = None
    for bar in bars:
        part = style_of[bar.number].part(instrument)
        for span in bar.chords:
            if span.hit and span.chord is not None:
                previous = voice(span.chord, part.voicing, part.register, previous)
                vel = velocity(bar.level, 14, part.level)
                out.extend(Note(bar.start_beat + span.beat, min(span.length * 0.9, STAB), p, vel) for p in previous)
    return out


# ---- the sustain pedal --------------------------------------------------------------------------

def _pedalled(bars: list[TimelineBar], style_of: dict[int, Style], instrument: str) -> bool:
    return instrument == "keys" and any(style_of[b.number].keys.pedal for b in bars)


def _change_times(bar: TimelineBar, plan: BarPlan | None) -> list[float]:
    """Where a new chord starts sounding in the bar (an anticipation moves its change early)."""
    out = []
    for span in bar.chords:
        if span.chord is None or (span.beat < 1e-6 and plan is not None and (plan.pushed_in or not plan.new)):
            continue
        out.append(bar.start_beat + span.beat)
    if plan is not None and plan.out_push:
        out.append(bar.end_beat - plan.out_push)
    return out


def _pedal(changes: list[float], bars: list[TimelineBar], style_of: dict[int, Style],
           instrument: str) -> list[Control]:
    """Legato pedalling: up as each chord sounds, down just after; up before stops and at the end."""
    quiet = [bar.start_beat + s.beat for bar in bars for s in bar.chords if s.hit or s.chord is None]
    out: list[Control] = []
    for t in sorted(set(changes)):
        out.append(Control(t, SUSTAIN, 0))
        out.append(Control(t + PEDAL_AFTER, SUSTAIN, 127))
    for t in quiet:
        out.append(Control(t, SUSTAIN, 0))
    out.append(Control(bars[-1].end_beat - 0.05, SUSTAIN, 0))
    out.sort()
    return out


# ---- pads ---------------------------------------------------------------------------------------

def _pad(instrument: str, span: SectionSpan, bars: list[TimelineBar], style_of: dict[int, Style],
         arr: Arrangement, last_span: bool) -> tuple[list[Note], list[Control]]:
    """Held chords: a note that two chords share is held through the change, the others move
    the least way; a hit is a stab. Expression rests at a steady level and swells into a build."""
    notes: list[Note] = []
    sounding: dict[int, int] = {}  # pitch -> index in notes of the note still sounding
    previous: list[int] | None = None
    for k, bar in enumerate(bars):
        part = style_of[bar.number].part(instrument)
        for s in bar.chords:
            start = bar.start_beat + s.beat
            if s.chord is None:
                sounding.clear()
                continue
            if s.hit:
                previous = voice(s.chord, part.voicing, part.register, previous)
                vel = velocity(level_at(bar, s.beat), 10, part.level)
                notes.extend(Note(start, min(s.length * 0.9, STAB), p, vel) for p in previous)
                sounding.clear()
                continue
            early = start
            if s.beat == 0 and k in arr.pushed and part.push > 0 and sounding:
                early = start - part.push  # the band pushes this change: the pad moves with it
            voicing = voice(s.chord, part.voicing, part.register, previous)
            vel = velocity(level_at(bar, s.beat), -6 + (4 if s.beat == 0 else 0), part.level)
            end = start + s.length
            now: dict[int, int] = {}
            for p in voicing:
                i = sounding.get(p)
                if i is not None:  # a common tone: held through the change, not struck again
                    n = notes[i]
                    notes[i] = Note(n.start, end - n.start, p, n.velocity)
                else:
                    i = len(notes)
                    notes.append(Note(early, end - early, p, vel))
                now[p] = i
            for p, i in sounding.items():
                if p not in now:
                    n = notes[i]
                    notes[i] = Note(n.start, early - n.start, p, n.velocity)
            sounding = now
            previous = voicing
    notes = [Note(n.start, n.length * 0.995 if not last_span else n.length * 0.98, n.pitch, n.velocity)
             for n in notes]
    return notes, _swell(bars, arr, style_of, instrument)


def _swell(bars: list[TimelineBar], arr: Arrangement, style_of: dict[int, Style], instrument: str) -> list[Control]:
    """Expression: steady from the section's start; a rise over the last bar (two in a long
    section) when the next section is louder; and a rise with a written crescendo."""
    if not bars or not any(style_of[b.number].part(instrument).swell for b in bars):
        return []
    start = bars[0].start_beat
    out = [Control(start, EXPRESSION, STEADY)]
    ramps = [b for b in bars if b.level_end > b.level + 1]
    if arr.builds or ramps:
        length = bars[-1].length * (2 if len(bars) >= 8 else 1)
        first = max(start, bars[-1].end_beat - length)
        steps = 16
        for i in range(steps + 1):
            t = first + (bars[-1].end_beat - first - 0.05) * i / steps
            out.append(Control(t, EXPRESSION, round(SWELL_FROM + (SWELL_TO - SWELL_FROM) * i / steps)))
    return out
