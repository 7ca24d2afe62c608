"""The band: every player reads the timeline, section by section, into a performance.

Each section occurrence is played from a fresh state with its own random source (seed,
section, player), so a take can be rebuilt section by section (comping) note for note.

>>> import backline
>>> song = backline.loads("style: rock\\nsection A:\\n  | C | Am | F | G |\\n")
>>> p = perform(song); sorted(t.name for t in p.tracks)
['Bass', 'Drums', 'Guitar', 'Keys']
"""

from __future__ import annotations

import bisect
import math

from ..arranger import Arrangement, arrange
from ..checks import check
from ..model import Riff, SectionSpan, Song, Timeline, TimelineBar
from ..nogc import without_gc
from ..performance import Control, Performance, Track
from ..styles import DRUM_VOICES, Style, load_style
from ..theory.chords import Chord
from .bass import play_bass
from .common import RANGES, WOBBLES, BarCache, Note, bar_swing, rng_for
from .drums import play_drums
from .harmony import play_harmony
from .lines import play_phrase, riff_octave
from .solo import SOLO_PROGRAMS, play_solo

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from ..records import NamedTuple

__all__ = ["Performance", "Track", "perform"]  # the records live in backline.performance

TWO_PI = 2.0 * math.pi
CHANNELS = {"keys": 0, "bass": 1, "guitar": 2, "pad": 3, "melody": 4, "solo": 5, "drums": 9}
TRACK_NAMES = {"drums": "Drums", "bass": "Bass", "keys": "Keys", "guitar": "Guitar", "pad": "Pad",
               "melody": "Melody"}
ORDER = ("drums", "bass", "keys", "guitar", "pad", "melody", "solo")
MAX_PUSH_MS = 15.0


@without_gc
def perform(song: Song, seed: int = 0, risk: float = 0.0, style: str | None = None,
            styles_dir: str | None = None, timeline: Timeline | None = None,
            seeds: dict[str, int] | None = None) -> Performance:
    """Play ``song`` as a band. Risk 0 plays the chart exactly and ignores the seed.

    ``seeds`` gives some sections a seed of their own (a comp of several takes): each section
    is played from a fresh state, so a section sounds the same here as in its own take.
    """
    risk, seed = check("risk", risk), check("seed", seed)  # NaN, 5 or "x" refused, not clamped
    seeds = {name: check("seed", s) for name, s in seeds.items()} if seeds else None
    seed_used = seed if risk > 0 else 0
    tl = timeline or song.timeline()
    style_of = {b.number: load_style(style or b.style, styles_dir) for b in tl.bars}
    main = style_of[0] if tl.bars else load_style(style or song.style, styles_dir)
    parts: dict[str, list[Note]] = {k: [] for k in ORDER}
    controls: dict[str, list[Control]] = {k: [] for k in ORDER}
    arrangement = arrange(tl, style, styles_dir)
    steady = risk == 0 and len(tl.tempo_map) <= 1  # the feel is then played in one pass over each track
    solo_who: str | None = None
    choices: list[dict[str, Any]] = []
    cache: BarCache = {}  # identical bars are played once (risk 0)
    hits = {round(b.start_beat + c.beat, 6) for b in tl.bars for c in b.chords if c.hit}
    quiet = [(b.start_beat + c.beat, b.start_beat + c.end) for b in tl.bars for c in b.chords if c.stop]
    for n, span in enumerate(tl.sections):
        bars = tl.bars[span.first_bar: span.first_bar + span.bar_count]
        last = n == len(tl.sections) - 1
        following = _first_chord(tl, n + 1)
        span_seed = (seeds or {}).get(span.name, seed_used) if risk > 0 else 0
        arr = arrangement[n]
        log: dict[str, Any] = {"section": span.name, "position": span.position, "seed": span_seed,
                               "energy": arr.energy, "band": sorted(k for k, c in arr.chairs.items() if c.plays)}
        played, who = _play_span(span, bars, style_of, span_seed, risk, last, following, song.riffs, cache, log,
                                 arr, controls)
        if not steady:
            _humanize(played, tl, style_of, span_seed, span.position, risk, hits, quiet)
        for inst, notes in played.items():
            parts[inst].extend(notes)
        solo_who = solo_who or who
        log["notes"] = {k: len(v) for k, v in played.items() if v}
        if played.get("solo"):
            pitches = [x.pitch for x in played["solo"]]
            log["solo"] = {"instrument": who, "low": min(pitches), "high": max(pitches), "notes": len(pitches)}
        choices.append(log)
    feel = _steady_feel(tl, style_of, hits, quiet) if steady else None
    tracks = _tracks(parts, controls, tl, style_of, main, solo_who, feel)
    names = list(dict.fromkeys(s.name for s in style_of.values()))
    return Performance(song, tl, tracks, seed_used, risk, names, choices)


def _first_chord(tl: Timeline, span_no: int) -> Chord | None:
    if span_no >= len(tl.sections):
        return None
    span = tl.sections[span_no]
    for c in tl.bars[span.first_bar].chords:
        if c.chord is not None:
            return c.chord
    return None


def _play_span(span: SectionSpan, bars: list[TimelineBar], style_of: dict[int, Style], seed: int,
               risk: float, last: bool, following: Chord | None,
               riffs: dict[str, Riff], cache: BarCache, log: dict[str, Any], arr: Arrangement,
               controls: dict[str, list[Control]]) -> tuple[dict[str, list[Note]], str | None]:
    sec = span.section
    out: dict[str, list[Note]] = {}
    riff_players = {inst for use in sec.riffs for inst in use.instruments}
    soloist = sec.solo
    solo_part = {"keys": "keys", "piano": "keys", "organ": "keys", "guitar": "guitar", "bass": "bass"}.get(
        soloist or "")
    out["drums"] = play_drums(span, bars, style_of, rng_for(seed, span.position, "drums", risk), risk, last, arr, cache,
                              log)
    if "bass" not in riff_players and solo_part != "bass":
        out["bass"] = play_bass(span, bars, style_of, rng_for(seed, span.position, "bass", risk), risk, following, last,
                                arr, cache)
    for inst in ("keys", "guitar", "pad"):
        if inst in riff_players or inst == solo_part:
            continue
        out[inst], ctl = play_harmony(inst, span, bars, style_of, rng_for(seed, span.position, inst, risk), risk,
                                      last, arr, cache=cache)
        controls[inst].extend(ctl)
    for use in sec.riffs:
        phrase = riffs[use.riff].phrase.transposed(sec.transpose)
        for inst in use.instruments:
            out.setdefault(inst, []).extend(
                play_phrase(phrase, span, bars, loop=True, shift=riff_octave(phrase, inst),
                            level_scale=style_of[bars[0].number].part(inst).level, who=inst))
    if sec.melody is not None:
        out["melody"] = play_phrase(sec.melody.transposed(sec.transpose), span, bars, loop=False, shift=0)
    if soloist:
        style = style_of[bars[0].number]
        blues = "blues" in style.name or (bars[0].key.is_minor and style.swing > 0.6)
        out["solo"], bends = play_solo(span, bars, soloist, rng_for(seed, span.position, "solo", risk), risk,
                                       bars[0].key, blues, bar_swing(bars[0], style.swing), style.swing_unit,
                                       style.solo)
        controls["solo"].extend(bends)
    return out, soloist


def _humanize(parts: dict[str, list[Note]], tl: Timeline, style_of: dict[int, Style], seed: int,
              position: int, risk: float, hits: set[float], quiet: list[tuple[float, float]]) -> None:
    """The band's feel, for one section: each player's (and drum voice's) consistent push or
    lay-back from the style, a small human wobble and velocities that are never uniform, all
    fixed at risk 0 (no dice: the same bytes every time); risk loosens it with random spread.
    Hits stay exactly on their beat together; stops stay silent. The guide melody is as written."""
    span = tl.sections[position]
    bars = tl.bars[span.first_bar: span.first_bar + span.bar_count]
    if not bars:
        return
    starts = [b.start_beat for b in bars]
    edges = (starts[0], bars[-1].end_beat)
    per_ms = [b.tempo * b.meter.tempo_beat / 60_000 for b in bars]  # quarter notes per millisecond
    style = style_of[bars[0].number]
    for inst, notes in parts.items():
        if inst == "melody" or not notes:
            continue
        push = _pushes_by_pitch(style, inst)
        if risk == 0 and min(per_ms) == max(per_ms):
            _feel_steady(notes, push, style.feel.get("spread", 3.0), per_ms[0], hits, quiet, edges)
        else:
            _feel(notes, push, style.feel.get("spread", 3.0), starts, per_ms, hits, quiet, edges, risk,
                  f"{seed}:feel:{inst}:{position}")


def _feel_steady(notes: list[Note], push: list[float], wobble_ms: float, per_ms: float, hits: set[float],
                 quiet: list[tuple[float, float]], edges: tuple[float, float]) -> None:
    """The feel at risk 0 and one tempo: the same moves as :func:`_feel`, precomputed in beats
    (this loop runs over every note of a take: measured 5x faster than the general one)."""
    off = [ms * per_ms for ms in push]
    wob = [wobble_ms * per_ms * w for w in WOBBLES]
    lean = [round(3.0 * w) for w in WOBBLES]
    size = len(WOBBLES)
    limit = MAX_PUSH_MS * per_ms
    first, last = edges
    new = tuple.__new__
    for i, n in enumerate(notes):
        start, length, pitch, vel = n
        if hits and round(start, 6) in hits:
            continue
        j = (i * 7 + pitch) % size
        d = off[pitch] + wob[j]
        d = limit if d > limit else (-limit if d < -limit else d)
        moved = start + d
        if moved < first <= start:
            moved = first  # a section's entries are not early into the section before
        if moved + length > last > start + length - 1e-9:
            length = last - moved  # nor late into the next
        vel += lean[(j + 11) % size]
        note = new(Note, (moved, length, pitch, 1 if vel < 1 else (127 if vel > 127 else vel)))
        notes[i] = _outside_stops(note, n, quiet) if quiet else note


def _feel(notes: list[Note], push: list[float], wobble_ms: float, starts: list[float], per_ms: list[float],
          hits: set[float], quiet: list[tuple[float, float]], edges: tuple[float, float], risk: float,
          seed: str) -> None:
    """The feel for any tempo map and risk: push plus the fixed wobble, and at risk a random
    spread of (2 + 6·risk)·risk ms and velocities ±5·risk (std)."""
    rng = None
    if risk > 0:
        import random

        rng = random.Random(seed)
    spread = (2.0 + 6.0 * risk) * risk
    vel_spread = 5.0 * risk * 1.7320508  # a uniform spread with the std of 5·risk
    size = len(WOBBLES)
    first, last = edges
    pending: float | None = None  # random.gauss's second Box-Muller value (see below)
    new = tuple.__new__
    k = 0
    for i, n in enumerate(notes):
        start, length, pitch, vel = n
        if hits and round(start, 6) in hits:
            continue
        while k + 1 < len(starts) and starts[k + 1] <= start + 1e-9:
            k += 1
        while k > 0 and starts[k] > start + 1e-9:
            k -= 1
        j = (i * 7 + pitch) % size
        ms = push[pitch] + wobble_ms * WOBBLES[j]
        vel += round(3.0 * WOBBLES[(j + 11) % size])
        if rng is not None:
            if pending is None:  # rng.gauss(0, spread) inlined: the same numbers, a third of the cost
                uniform = rng.random
                angle, radius = uniform() * TWO_PI, math.sqrt(-2.0 * math.log(1.0 - uniform()))
                z, pending = math.cos(angle) * radius, math.sin(angle) * radius
            else:
                z, pending = pending, None
            ms += z * spread
            vel += round((rng.random() * 2 - 1) * vel_spread)
        ms = MAX_PUSH_MS if ms > MAX_PUSH_MS else (-MAX_PUSH_MS if ms < -MAX_PUSH_MS else ms)
        moved = start + ms * per_ms[k]
        if moved < first <= start:
            moved = first
        if moved + length > last > start + length - 1e-9:
            length = last - moved
        note = new(Note, (moved, length, pitch, 1 if vel < 1 else (127 if vel > 127 else vel)))
        notes[i] = _outside_stops(note, n, quiet) if quiet else note


def _pushes_by_pitch(style: Style, inst: str) -> list[float]:
    """Milliseconds ahead (+) or behind (-) for each pitch a player plays: the style's feel
    for the instrument, plus each drum voice's own (a snare laid back, a hat on top)."""
    base = style.feel.get(inst, 0.0)
    out = [base] * 128
    if inst == "drums":
        for voice, ms in style.feel.items():
            if voice in DRUM_VOICES:
                out[DRUM_VOICES[voice]] = base + ms
    return out


def _outside_stops(moved: Note, original: Note, quiet: list[tuple[float, float]]) -> Note:
    """Keep a humanized note out of the silences after hits."""
    k = bisect.bisect_right(quiet, (moved.start, float("inf")))
    if k and quiet[k - 1][0] <= moved.start < quiet[k - 1][1]:
        start = original.start
        if quiet[k - 1][0] <= start < quiet[k - 1][1]:  # an anticipation into a stop waits for its beat
            start = quiet[k - 1][1]
        moved = Note(start, max(0.05, original.start + original.length - start), moved.pitch, moved.velocity)
    end = moved.start + moved.length
    j = bisect.bisect_right(quiet, (moved.start, float("inf")))
    if j < len(quiet) and quiet[j][0] < end:
        moved = Note(moved.start, max(0.05, quiet[j][0] - moved.start), moved.pitch, moved.velocity)
    return moved


def _tracks(parts: dict[str, list[Note]], controls: dict[str, list[Control]], tl: Timeline,
            style_of: dict[int, Style], main: Style, soloist: str | None, feel: SteadyFeel | None) -> list[Track]:
    tracks = []
    for inst in ORDER:
        notes = parts.get(inst) or []
        if not notes:
            continue
        name = TRACK_NAMES.get(inst) or f"Solo ({soloist})"
        program = _program(inst, main, soloist)
        tidy = _tidy(notes, inst, tl.beats, feel.part(inst) if feel and inst != "melody" else None)
        if inst in ("bass", "keys", "guitar", "pad"):
            part = main.part(inst)
            tracks.append(Track(name, inst, CHANNELS[inst], program, tidy,
                                _program_changes(inst, tl, style_of, program),
                                volume=max(1, min(127, round(100 * min(1.0, part.level)))),
                                pan=max(0, min(127, 64 + part.pan)), reverb=part.reverb, chorus=part.chorus,
                                controls=_tidy_controls(controls[inst], tl.beats)))
        else:
            reverb = main.drums.reverb if inst == "drums" else 40
            tracks.append(Track(name, inst, CHANNELS[inst], program, tidy, [], reverb=reverb,
                                controls=_tidy_controls(controls[inst], tl.beats)))
    return tracks


def _tidy_controls(controls: list[Control], end: float) -> tuple[Control, ...]:
    """Sorted, inside the song, and no repeat of the value a controller already has."""
    out: list[Control] = []
    last: dict[int, int] = {}
    for c in sorted(controls):
        if c.beat >= end - 1e-9 or last.get(c.number) == c.value:
            continue
        last[c.number] = c.value
        out.append(c)
    return tuple(out)


def _program(inst: str, style: Style, soloist: str | None) -> int:
    if inst == "drums":
        return 0
    if inst == "solo":
        if soloist in ("keys", "guitar"):
            return style.programs[soloist]
        return SOLO_PROGRAMS.get(soloist or "", 65)
    return style.programs.get(inst, 0)


def _program_changes(inst: str, tl: Timeline, style_of: dict[int, Style], first: int) -> list[tuple[float, int]]:
    changes, current = [], first
    for bar in tl.bars:
        p = style_of[bar.number].programs.get(inst, current)
        if p != current:
            changes.append((bar.start_beat, p))
            current = p
    return changes


class SteadyFeel(NamedTuple):
    """The feel of a risk-0 take at one tempo, ready to apply while a track is tidied: per
    section its first beat and each instrument's offsets (quarter notes) by pitch."""

    bounds: list[float]  # each section's first beat, and the song's end
    offsets: list[dict[str, list[float]]]  # per section: instrument -> offset by pitch
    wobble: list[list[float]]  # per section: the fixed human wobble, in quarter notes
    lean: list[int]  # velocity leans
    limit: float  # the largest move, in quarter notes
    hits: set[float]
    quiet: list[tuple[float, float]]

    def part(self, inst: str) -> tuple[SteadyFeel, str]:
        return self, inst


def _steady_feel(tl: Timeline, style_of: dict[int, Style], hits: set[float],
                 quiet: list[tuple[float, float]]) -> SteadyFeel | None:
    if not tl.bars:
        return None
    per_ms = tl.bars[0].tempo * tl.bars[0].meter.tempo_beat / 60_000
    bounds, offsets, wobble = [], [], []
    for span in tl.sections:
        style = style_of[span.first_bar] if span.bar_count else style_of[0]
        bounds.append(span.start_beat)
        offsets.append({inst: [ms * per_ms for ms in _pushes_by_pitch(style, inst)] for inst in ORDER})
        wobble.append([style.feel.get("spread", 3.0) * per_ms * w for w in WOBBLES])
    bounds.append(tl.beats)
    return SteadyFeel(bounds, offsets, wobble, [round(3.0 * w) for w in WOBBLES], MAX_PUSH_MS * per_ms,
                      hits, quiet)


def _tidy(notes: list[Note], inst: str, end: float, feel: tuple[SteadyFeel, str] | None = None) -> list[Note]:
    """Sorted, inside the song and the instrument's range, no two of one pitch overlapping;
    with ``feel``, each note also moved by the player's feel (as :func:`_humanize` would)."""
    low, high = RANGES.get(inst, (0, 127))
    fold = inst != "drums"
    new = tuple.__new__
    notes.sort()
    out: list[Note] = []
    end_at = [-math.inf] * 128  # pitch -> end of its latest note, and that note's index in out
    where = [0] * 128
    limit = end - 1e-9
    if feel is not None:
        plan = feel[0]
        bounds, size, lean, most = plan.bounds, len(WOBBLES), plan.lean, plan.limit
        hits, quiet = plan.hits, plan.quiet
        b, off, wob = 0, plan.offsets[0][inst], plan.wobble[0]
        first, last = bounds[0], bounds[1]
    for i, n in enumerate(notes):
        start, length, pitch, vel = n
        if start >= limit:
            break
        changed = False
        if feel is not None and not (hits and round(start, 6) in hits):
            while start >= last - 1e-9 and b + 2 < len(bounds):
                b += 1
                off, wob, first, last = plan.offsets[b][inst], plan.wobble[b], bounds[b], bounds[b + 1]
            j = (i * 7 + pitch) % size
            d = off[pitch] + wob[j]
            moved = start + (most if d > most else (-most if d < -most else d))
            if moved < first <= start:
                moved = first  # a section's entries are not early into the section before
            if moved + length > last > start + length - 1e-9:
                length = last - moved  # nor late into the next
            vel += lean[(j + 11) % size]
            vel = 1 if vel < 1 else (127 if vel > 127 else vel)
            if quiet:
                start, length, pitch, vel = _outside_stops(new(Note, (moved, length, pitch, vel)), n, quiet)
            else:
                start = moved
            changed = True
        if fold and not low <= pitch <= high:
            while pitch < low:
                pitch += 12
            while pitch > high:
                pitch -= 12
            changed = True
        stop = start + length
        if stop > end:
            length, stop = end - start, end
            changed = True
        if end_at[pitch] > start:
            k = where[pitch]
            p = out[k]
            if start - p[0] < 1e-6:
                continue
            out[k] = new(Note, (p[0], start - p[0], pitch, p[3]))
        if length <= 0:
            continue
        where[pitch] = len(out)
        end_at[pitch] = stop
        out.append(new(Note, (start, length, pitch, vel)) if changed else n)
    return out
