"""The soloist: an improvised line over the changes, in the vocabulary of the style's genre.

A vocabulary (the style's ``solo``) is the soloist's habits as data: rhythm cells (sixteenths
and ghost notes in funk; swung eighths, triplets and enclosures in jazz; repeated riffs, blue
notes and bends in blues and rock; long lyrical notes in bossa), how notes are articulated and
accented, how long phrases are and how long the breaths between them.

Whatever the vocabulary, notes on the beat are chord tones (the 3rd and 7th first), the scale
fits each chord (altered dominants included), a motif is stated, repeated and moved to fit the
next chord, and the line climbs in register and density across the section. Risk sets
density, range and outside notes.
"""

from __future__ import annotations

import math

from ..model import SectionSpan, TimelineBar
from ..performance import BEND, Control, Note
from ..theory.chords import Chord
from ..theory.pitch import Key
from .common import bar_at, chord_at, level_at, swing_offset, velocity

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    import random
    from typing import NamedTuple
else:
    from ..records import NamedTuple

SOLO_RANGES = {"guitar": (52, 88), "keys": (55, 88), "piano": (55, 88), "organ": (55, 84),
               "sax": (44, 75), "tenor-sax": (44, 75), "alto-sax": (49, 81), "trumpet": (52, 82),
               "flute": (60, 93), "vibes": (53, 89), "synth": (55, 88), "bass": (33, 60)}
SOLO_PROGRAMS = {"sax": 66, "tenor-sax": 66, "alto-sax": 65, "trumpet": 56, "flute": 73, "organ": 17,
                 "vibes": 11, "synth": 81, "piano": 0, "bass": 33}
WHOLE_STEP = 8191  # pitch-bend value for +2 semitones (the General MIDI default range)


class Vocabulary(NamedTuple):
    """A genre's soloing habits. A rhythm cell is a few beats, each beat a grid: ``x`` a note,
    ``-`` held, ``.`` a rest; a beat's grid length is its subdivision (``.x.x`` sixteenths,
    ``xxx`` triplets, ``x-`` eighths)."""

    cells: tuple[str, ...]  # sparse to dense
    articulation: float  # how much of its duration a note sounds
    ghost: float  # the share of off-beat notes played as ghost notes (soft and short)
    enclosure: float  # the chance a guide tone on a strong beat is approached from above and below
    bend: float  # the chance an off-beat note is bent up into its pitch (pitch bend)
    blue: float  # the chance an off-beat note is a blue note (flat 3rd or flat 5th)
    repeat: float  # the chance a phrase repeats the last one's rhythm (riffing)
    phrase_beats: tuple[int, ...]  # phrase lengths to choose from
    breath: tuple[float, ...]  # rests between phrases, in beats
    entry: tuple[float, ...]  # where in the beat phrases come in
    upbeat_accent: int  # velocity added to notes off the beat (jazz leans on the upbeats)
    level: int  # velocity relative to the dynamics
    step: float  # how far (scale steps) a line moves per note, on average


VOCABULARIES: dict[str, Vocabulary] = {
    "jazz": Vocabulary(  # swung eighths, triplets, lines that start on the and
        cells=("x- -x", ".x .x", ".x xx .x", "xx .x .x", ".x xx xxx", "xxx .x .x", ".x xx .x xx"),
        articulation=0.92, ghost=0.12, enclosure=0.7, bend=0.0, blue=0.05, repeat=0.15,
        phrase_beats=(6, 8, 8, 12, 16), breath=(1.0, 1.5, 2.0), entry=(0.5, 0.5, 1.5), upbeat_accent=6,
        level=0, step=1.3),
    "funk": Vocabulary(  # sixteenths around the beat, ghost notes, short notes, riffs
        cells=("...x x...", ".x.. .x.x", "..x. x..x", ".x.x ...x", "x.xx .x..", ".xx. x.xx", "xx.x .xx."),
        articulation=0.45, ghost=0.35, enclosure=0.0, bend=0.08, blue=0.2, repeat=0.55,
        phrase_beats=(4, 4, 6, 8), breath=(1.0, 1.5, 2.0), entry=(0.25, 0.75), upbeat_accent=5, level=2,
        step=1.0),
    "blues": Vocabulary(  # triplet feel, long bent notes, call and response
        cells=("x-- --- --x", "x-- x--", "--x x-- ---", "x-- --x x-- ---", "xxx x-- x--", "x-- xxx x--",
               "xxx xxx x-- ---"),
        articulation=0.95, ghost=0.0, enclosure=0.0, bend=0.4, blue=0.35, repeat=0.45,
        phrase_beats=(4, 6, 8), breath=(1.0, 2.0, 2.0), entry=(0.0, 0.0, 2.0 / 3.0), upbeat_accent=0, level=4,
        step=1.1),
    "rock": Vocabulary(  # on the beat: quarters, eighths, sixteenth runs in fours, bends
        cells=("x--- x---", "x- x-", "x- xx", "x-x- x-xx", "xx x-", "x-x- xxx-", "xxxx x---"),
        articulation=0.85, ghost=0.0, enclosure=0.0, bend=0.35, blue=0.15, repeat=0.45,
        phrase_beats=(4, 4, 8, 8), breath=(1.0, 2.0, 2.0), entry=(0.0, 0.0, 0.5), upbeat_accent=0, level=6,
        step=1.2),
    "bossa": Vocabulary(  # long lyrical notes, breathing
        cells=("x- -- -- --", "x- -x -- --", ".x -- x- --", "x- -- x- --", ".x -x --", "x- .x -x --"),
        articulation=0.97, ghost=0.0, enclosure=0.1, bend=0.0, blue=0.0, repeat=0.3,
        phrase_beats=(8, 12, 16), breath=(2.0, 3.0, 4.0), entry=(0.0, 0.5, 1.0), upbeat_accent=-4, level=-10,
        step=0.8),
    "latin": Vocabulary(  # syncopated 3-3-2 and anticipations
        cells=("x..x ..x.", "x..x ..x. x...", ".x.. x..x", "x..x ..x. .x.x", "..x. .x..", "xx.x .xx."),
        articulation=0.7, ghost=0.1, enclosure=0.1, bend=0.0, blue=0.0, repeat=0.5,
        phrase_beats=(4, 6, 8), breath=(1.0, 2.0), entry=(0.0, 0.75), upbeat_accent=3, level=0, step=1.0),
    "country": Vocabulary(  # chicken-picked off-beats, hybrid-picked sixteenth runs, bends
        cells=(".x x.", ".x .x", "..xx .x", "xxx .x", ".x xxx x.", ".xx. .xxx"),
        articulation=0.55, ghost=0.05, enclosure=0.0, bend=0.3, blue=0.1, repeat=0.35,
        phrase_beats=(4, 6, 8), breath=(1.0, 2.0), entry=(0.5, 0.0), upbeat_accent=2, level=2, step=1.1),
    "lyrical": Vocabulary(  # a singer's line: pickups on the and, syncopations, a long note to end on
        cells=(".x -- x-", ".x x-", "x- .x --", ".x x. .x --", ".x xx x-", "xx .x x. --"),
        articulation=0.9, ghost=0.0, enclosure=0.1, bend=0.0, blue=0.0, repeat=0.35,
        phrase_beats=(6, 8, 8), breath=(2.0, 2.0, 3.0), entry=(0.5, 1.5), upbeat_accent=-2, level=-4,
        step=1.0),
}


def chord_scale(chord: Chord, key: Key, blues: bool) -> list[int]:
    """Pitch classes of the scale a soloist plays over ``chord`` (see MUSICIANSHIP.md).

    >>> from backline.theory.chords import parse_chord
    >>> chord_scale(parse_chord("G7alt"), Key("C"), False)
    [7, 8, 10, 11, 1, 3, 5]
    """
    i = chord.intervals
    if blues and (chord.is_dominant or chord.is_minor):
        steps = [0, 3, 5, 6, 7, 10]  # minor pentatonic plus the blue note
        if chord.is_dominant:
            steps = [0, 3, 4, 7, 9, 10]  # major/minor blues mix over dominants
    elif 4 in i and 10 in i:
        if {3, 8} <= i or (1 in i and 3 in i):
            steps = [0, 1, 3, 4, 6, 8, 10]  # altered
        elif 1 in i:
            steps = [0, 1, 3, 4, 6, 7, 9, 10]  # half-whole
        elif 6 in i:
            steps = [0, 2, 4, 6, 7, 9, 10]  # lydian dominant
        else:
            steps = [0, 2, 4, 5, 7, 9, 10]  # mixolydian
    elif 3 in i and 6 in i and 10 in i:
        steps = [0, 2, 3, 5, 6, 8, 10]  # locrian natural 2
    elif 3 in i and 6 in i and 9 in i:
        steps = [0, 2, 3, 5, 6, 8, 9, 11]  # whole-half
    elif 3 in i and 4 not in i:
        steps = [0, 2, 3, 5, 7, 9, 10] if 8 not in i else [0, 2, 3, 5, 7, 8, 10]  # dorian / aeolian
    elif 11 in i:
        steps = [0, 2, 4, 6, 7, 9, 11] if 6 in i else [0, 2, 4, 5, 7, 9, 11]
    elif 5 in i and 4 not in i and 3 not in i:
        steps = [0, 2, 4, 5, 7, 9, 10]  # sus: mixolydian
    else:
        steps = [0, 2, 4, 7, 9] if 10 not in i else [0, 2, 4, 5, 7, 9, 10]  # major pentatonic
    root = chord.root_pc
    return [(root + s) % 12 for s in steps]


def chord_tone_pcs(chord: Chord) -> set[int]:
    """Root, third, fifth and seventh (the targets for strong beats)."""
    keep = {0, 3, 4, 5, 6, 7, 8, 9, 10, 11} & set(chord.intervals)
    return {(chord.root_pc + k) % 12 for k in keep}


def _snap(target: float, pcs: set[int] | list[int], low: int, high: int, avoid: int | None = None) -> int:
    best, best_d = None, 1e9
    allowed = set(pcs)
    for p in range(low, high + 1):
        if p % 12 in allowed:
            d = abs(p - target) + (0.6 if p == avoid else 0)
            if d < best_d:
                best, best_d = p, d
    return best if best is not None else round(target)


class _Onset(NamedTuple):
    at: float  # quarter notes from the song's start, straight (before swing)
    length: float
    phrase_pos: float  # 0 at the phrase's start, 1 at its end


def play_solo(span: SectionSpan, bars: list[TimelineBar], instrument: str, rng: random.Random,
              risk: float, key: Key, blues: bool, swing_ratio: float, swing_unit: int,
              vocabulary: str = "lyrical") -> tuple[list[Note], list[Control]]:
    """An improvised line over one section occurrence: its notes and pitch bends."""
    vocab = VOCABULARIES.get(vocabulary, VOCABULARIES["lyrical"])
    low, high = SOLO_RANGES.get(instrument, (55, 84))
    onsets = _rhythm(span, bars, vocab, rng, risk)
    notes, controls = _pitches(onsets, span, bars, vocab, instrument, rng, risk, key, blues, low, high,
                               swing_ratio, swing_unit)
    return _no_long_notes(notes, bars), controls


def _rhythm(span: SectionSpan, bars: list[TimelineBar], vocab: Vocabulary, rng: random.Random,
            risk: float) -> list[_Onset]:
    """Phrases of the vocabulary's cells on the beat grid, each coming in where the genre does
    (on the beat, the and, the e or a), with breaths between; a riff repeats its rhythm."""
    start, end = span.start_beat, span.end_beat
    out: list[_Onset] = []
    t = start
    entry = rng.choice(vocab.entry)
    last_phrase: list[tuple[float, float]] | None = None  # (offset, length) of the last phrase's notes
    while t < end - 0.5:
        progress = (t - start) / max(1e-9, end - start)
        phrase_end = min(end, t + rng.choice(vocab.phrase_beats))
        if last_phrase and rng.random() < vocab.repeat:
            shape = [(o, d) for o, d in last_phrase if t + o < phrase_end - 1e-6]
        else:
            shape = [(o, d) for o, d in _phrase_shape(vocab, rng, phrase_end - t, 0.3 + 0.5 * progress + 0.25 * risk)
                     if o >= entry - 1e-6]
        for o, d in shape:
            out.append(_Onset(t + o, min(d, end - t - o), o / max(1e-9, phrase_end - t)))
        if shape:
            last_phrase = shape
        t = math.floor(phrase_end + rng.choice(vocab.breath) * (1.2 - 0.4 * progress))
        entry = rng.choice(vocab.entry)
    return out


def _phrase_shape(vocab: Vocabulary, rng: random.Random, length: float, density: float) -> list[tuple[float, float]]:
    """Cells strung to fill a phrase, denser as the solo builds: (offset, length) per note."""
    shape: list[tuple[float, float]] = []
    o = 0.0
    cells = vocab.cells
    while o < length - 1e-6:
        pick = min(len(cells) - 1, int(len(cells) * min(0.99, density * rng.random() * 1.6)))
        for at, held in cell_notes(cells[pick]):
            if o + at < length - 1e-6:
                shape.append((o + at, min(held, length - o - at)))
        o += len(cells[pick].split())
    return shape


def cell_notes(cell: str) -> list[tuple[float, float]]:
    """(offset, length) in beats of each note of a cell.

    >>> cell_notes("x- .x"), [round(at, 2) for at, _ in cell_notes("xxx x-")]
    ([(0.0, 1.0), (1.5, 0.5)], [0.0, 0.33, 0.67, 1.0])
    """
    out: list[tuple[float, float]] = []
    for b, beat in enumerate(cell.split()):
        step = 1.0 / len(beat)
        for i, ch in enumerate(beat):
            at = b + i * step
            if ch == "x":
                out.append((at, step))
            elif ch == "-" and out and abs(out[-1][0] + out[-1][1] - at) < 1e-9:
                out[-1] = (out[-1][0], out[-1][1] + step)
    return out


def _pitches(onsets: list[_Onset], span: SectionSpan, bars: list[TimelineBar], vocab: Vocabulary,
             instrument: str, rng: random.Random, risk: float, key: Key, blues: bool, low: int, high: int,
             swing_ratio: float, swing_unit: int) -> tuple[list[Note], list[Control]]:
    """Pitches for the rhythm: chord tones on the beat (approached by enclosures in jazz), scale
    tones between, blue notes, bends, ghost notes; the line arches within a phrase and climbs
    across the section."""
    width = high - low
    total = max(1e-9, span.end_beat - span.start_beat)
    notes: list[Note] = []
    controls: list[Control] = []
    pitch = low + width * 0.35
    direction = 1
    planned: dict[int, int] = {}  # onset index -> pitch chosen ahead (an enclosure's notes)
    for n, o in enumerate(onsets):
        bar = bar_at(bars, o.at)
        pos = o.at - bar.start_beat
        sounding = chord_at(bar, pos)
        chord = sounding.chord if sounding else None
        if chord is None:
            continue
        progress = (o.at - span.start_beat) / total
        on_beat = abs(pos - round(pos)) < 1e-6
        scale = chord_scale(chord, key, blues)
        center = low + width * (0.3 + 0.35 * progress + 0.1 * risk)
        arch = center + width * 0.18 * math.sin(math.pi * o.phrase_pos)
        if rng.random() < 0.25:
            direction = -direction
        intended = min(high - 2, max(low + 2, 0.5 * (pitch + direction * vocab.step * 1.6) + 0.5 * arch))
        if n in planned:
            p = planned.pop(n)
        elif on_beat:
            p = _snap(intended, chord_tone_pcs(chord), low, high, avoid=int(pitch))
        elif risk > 0 and rng.random() < 0.12 * risk:
            p = min(high, max(low, _snap(intended, scale, low, high) + rng.choice((-1, 1))))  # an outside neighbour
        elif vocab.blue and rng.random() < vocab.blue and not chord.is_minor:
            p = _snap(intended, {(chord.root_pc + 3) % 12, (chord.root_pc + 6) % 12}, low, high)  # a blue note
        else:
            p = _snap(intended, scale, low, high, avoid=int(pitch))
        if vocab.enclosure and not planned:
            _plan_enclosure(onsets, n, bars, vocab, rng, scale, low, high, planned)
        length = o.length * vocab.articulation
        ghost = not on_beat and vocab.ghost and rng.random() < vocab.ghost
        accent = (8 if on_beat else vocab.upbeat_accent) + vocab.level + round(10 * progress)
        vel = velocity(level_at(bar, pos), accent + rng.randrange(-3, 4))
        if ghost:
            vel, length = max(20, vel - 40), min(length, 0.2)
        shown = o.at if on_beat else bar.start_beat + swing_offset(pos, swing_ratio, swing_unit)
        note = Note(shown, max(0.08, length), p, vel)
        if (vocab.bend and not on_beat and not ghost and length >= 0.2 and rng.random() < vocab.bend
                and p - 2 >= low):
            note, bend = _bend(note, p, scale)
            controls.extend(bend)
        notes.append(note)
        pitch = p
    return notes, controls


def _plan_enclosure(onsets: list[_Onset], n: int, bars: list[TimelineBar], vocab: Vocabulary,
                    rng: random.Random, scale: list[int], low: int, high: int, planned: dict[int, int]) -> None:
    """When the next three notes lead onto a strong beat, maybe approach that beat's guide tone
    (a 3rd or 7th) from a scale step above and a half step below: an enclosure."""
    if n + 3 >= len(onsets) or rng.random() >= vocab.enclosure:
        return
    target_onset = onsets[n + 3]
    bar = bar_at(bars, target_onset.at)
    pos = target_onset.at - bar.start_beat
    if not strong(bar, pos) or target_onset.at - onsets[n].at > 2.0:
        return
    for k in (1, 2):
        b = bar_at(bars, onsets[n + k].at)
        if strong(b, onsets[n + k].at - b.start_beat):
            return
    sounding = chord_at(bar, pos)
    if sounding is None or sounding.chord is None:
        return
    tones = chord_tone_pcs(sounding.chord)
    guide = {(sounding.chord.root_pc + i) % 12 for i in (3, 4, 10, 11)} & tones or tones  # 3rds and 7ths
    target = _snap((low + high) / 2 + rng.choice((-4, 0, 4)), guide, low + 2, high - 2)
    above = next((target + k for k in (1, 2) if (target + k) % 12 in scale), target + 2)
    planned[n + 1] = min(high, above)
    planned[n + 2] = max(low, target - 1)
    planned[n + 3] = target


def strong(bar: TimelineBar, pos: float) -> bool:
    """Whether ``pos`` (quarter notes into the bar) is a strong beat: the downbeat, the middle
    of an even bar of quarter notes, or the start of a pulse group (6/8, 7/8).

    >>> from backline.chart.parser import parse_chart
    >>> bar = parse_chart("section A:\\n  | C |\\n").timeline().bars[0]
    >>> [strong(bar, p) for p in (0.0, 1.0, 2.0, 2.5)]
    [True, False, True, False]
    """
    if abs(pos - round(pos * 2) / 2) > 1e-6:
        return False
    meter = bar.meter
    if meter.den <= 4:
        if abs(pos) < 1e-6:
            return True
        return meter.num % 2 == 0 and abs(pos - bar.length / 2) < 1e-6
    return any(abs(pos - g) < 1e-6 for g in meter.group_starts())


def _bend(note: Note, target: int, scale: list[int]) -> tuple[Note, list[Control]]:
    """The note played a step below and bent up into ``target`` (a whole step when the step
    below is a scale tone, else a half step), then released as it ends."""
    down = 2 if (target - 2) % 12 in scale else 1
    amount = WHOLE_STEP if down == 2 else WHOLE_STEP // 2
    start, end = note.start, note.start + note.length
    rise = min(0.25, note.length / 2)
    bend = [Control(start, BEND, 0), Control(start + rise / 2, BEND, amount // 2),
            Control(start + rise, BEND, amount), Control(end, BEND, 0)]
    return Note(note.start, note.length, target - down, note.velocity), bend


def _no_long_notes(notes: list[Note], bars: list[TimelineBar]) -> list[Note]:
    """Never sit on one pitch for more than two bars: move a repeated note a step."""
    if not notes:
        return notes
    limit = 2 * bars[0].length
    out = [notes[0]]
    run_start = notes[0].start
    for n in notes[1:]:
        if n.pitch == out[-1].pitch and n.start + n.length - run_start > limit:
            n = Note(n.start, n.length, n.pitch + 2, n.velocity)
            run_start = n.start
        elif n.pitch != out[-1].pitch:
            run_start = n.start
        out.append(n)
    return out
