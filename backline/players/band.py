"""The band: every player reads the timeline, section by section, into a performance.

Each section occurrence is played from a fresh state with its own random source (seed,
section, player), so a take can be rebuilt section by section (comping) note for note.

>>> import backline
>>> song = backline.loads("style: rock\\nsection A:\\n  | C | Am | F | G |\\n")
>>> p = perform(song); sorted(t.name for t in p.tracks)
['Bass', 'Drums', 'Guitar', 'Keys', 'Pad']
"""

from __future__ import annotations

import bisect
import math

from ..checks import check
from ..model import Riff, SectionSpan, Song, Timeline, TimelineBar
from ..nogc import without_gc
from ..performance import Performance, Track
from ..styles import Style, load_style
from ..theory.chords import Chord
from .bass import play_bass
from .common import RANGES, BarCache, Note, bar_swing, rng_for
from .drums import play_drums
from .harmony import play_harmony
from .lines import play_phrase, riff_octave
from .solo import SOLO_PROGRAMS, play_solo

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any

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
        log: dict[str, Any] = {"section": span.name, "position": span.position, "seed": span_seed}
        played, who = _play_span(span, bars, style_of, span_seed, risk, last, following, song.riffs, cache, log)
        if risk > 0:
            _humanize(played, tl, style_of, span_seed, span.position, risk, hits, quiet)
        for inst, notes in played.items():
            parts[inst].extend(notes)
        solo_who = solo_who or who
        log["notes"] = {k: len(v) for k, v in played.items() if v}
        if played.get("solo"):
            pitches = [x.pitch for x in played["solo"]]
            log["solo"] = {"instrument": who, "low": min(pitches), "high": max(pitches), "notes": len(pitches)}
        choices.append(log)
    tracks = _tracks(parts, tl, style_of, main, solo_who)
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
               riffs: dict[str, Riff], cache: BarCache,
               log: dict[str, Any]) -> tuple[dict[str, list[Note]], str | None]:
    sec = span.section
    out: dict[str, list[Note]] = {}
    riff_players = {inst for use in sec.riffs for inst in use.instruments}
    soloist = sec.solo
    solo_part = {"keys": "keys", "piano": "keys", "organ": "keys", "guitar": "guitar", "bass": "bass"}.get(
        soloist or "")
    out["drums"] = play_drums(span, bars, style_of, rng_for(seed, span.position, "drums", risk), risk, last, cache,
                              log)
    if "bass" not in riff_players and solo_part != "bass":
        out["bass"] = play_bass(span, bars, style_of, rng_for(seed, span.position, "bass", risk), risk, following, last,
                                 cache)
    for inst in ("keys", "guitar", "pad"):
        if inst in riff_players or inst == solo_part:
            continue
        out[inst] = play_harmony(inst, span, bars, style_of, rng_for(seed, span.position, inst, risk), risk, last,
                                 lighter=soloist is not None, cache=cache)
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
        out["solo"] = play_solo(span, bars, soloist, rng_for(seed, span.position, "solo", risk), risk, bars[0].key,
                                blues, bar_swing(bars[0], style.swing), style.swing_unit)
    return out, soloist


def _humanize(parts: dict[str, list[Note]], tl: Timeline, style_of: dict[int, Style], seed: int,
              position: int, risk: float, hits: set[float], quiet: list[tuple[float, float]]) -> None:
    """Risk's feel, for one section: each player's consistent push or lay-back plus a little
    spread, in ms, and velocity that breathes. Hits stay on their beat; stops stay silent."""
    span = tl.sections[position]
    bars = tl.bars[span.first_bar: span.first_bar + span.bar_count]
    starts = [b.start_beat for b in bars]
    per_ms = [b.tempo * b.meter.tempo_beat / 60_000 for b in bars]  # quarter notes per millisecond
    spread = (2.0 + 6.0 * risk) * risk
    vel_spread = 5.0 * risk * 1.7320508  # a uniform spread with the std of 5·risk
    import random

    new = tuple.__new__
    for inst, notes in parts.items():
        rng = random.Random(f"{seed}:feel:{inst}:{position}")
        uniform = rng.random
        pending: float | None = None  # random.gauss's second Box-Muller value (see below)
        push = style_of[bars[0].number].feel.get(inst, 0.0) * risk if bars else 0.0
        k = 0
        for i, n in enumerate(notes):
            start = n.start
            if hits and round(start, 6) in hits:
                continue
            while k + 1 < len(starts) and starts[k + 1] <= start + 1e-9:
                k += 1
            while k > 0 and starts[k] > start + 1e-9:
                k -= 1
            if pending is None:  # rng.gauss(0, spread) inlined: the same numbers, a third of the cost
                angle, radius = uniform() * TWO_PI, math.sqrt(-2.0 * math.log(1.0 - uniform()))
                z, pending = math.cos(angle) * radius, math.sin(angle) * radius
            else:
                z, pending = pending, None
            ms = push + z * spread
            ms = MAX_PUSH_MS if ms > MAX_PUSH_MS else (-MAX_PUSH_MS if ms < -MAX_PUSH_MS else ms)
            moved = start + ms * per_ms[k] if bars else start
            vel = n.velocity + round((uniform() * 2 - 1) * vel_spread)
            note = new(Note, (moved if moved > 0 else 0.0, n.length, n.pitch,
                              1 if vel < 1 else (127 if vel > 127 else vel)))
            notes[i] = _outside_stops(note, n, quiet) if quiet else note


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


def _tracks(parts: dict[str, list[Note]], tl: Timeline, style_of: dict[int, Style], main: Style,
            soloist: str | None) -> list[Track]:
    tracks = []
    for inst in ORDER:
        notes = parts.get(inst) or []
        if not notes:
            continue
        name = TRACK_NAMES.get(inst) or f"Solo ({soloist})"
        program = _program(inst, main, soloist)
        tidy = _tidy(notes, inst, tl.beats)
        if inst in ("bass", "keys", "guitar", "pad"):
            part = main.part(inst)
            tracks.append(Track(name, inst, CHANNELS[inst], program, tidy,
                                _program_changes(inst, tl, style_of, program),
                                volume=max(1, min(127, round(100 * min(1.0, part.level)))),
                                pan=max(0, min(127, 64 + part.pan)), reverb=part.reverb, chorus=part.chorus))
        else:
            reverb = main.drums.reverb if inst == "drums" else 40
            tracks.append(Track(name, inst, CHANNELS[inst], program, tidy, [], reverb=reverb))
    return tracks


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


def _tidy(notes: list[Note], inst: str, end: float) -> list[Note]:
    """Sorted, inside the song and the instrument's range, no two of one pitch overlapping."""
    low, high = RANGES.get(inst, (0, 127))
    fold = inst != "drums"
    new = tuple.__new__
    notes.sort()
    out: list[Note] = []
    end_at = [-math.inf] * 128  # pitch -> end of its latest note, and that note's index in out
    where = [0] * 128
    limit = end - 1e-9
    for n in notes:
        start, length, pitch, vel = n
        if start >= limit:
            break
        changed = False
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
