"""A song as LilyPond: its page header, the form, a chord grid per section (slashes, hits,
meter, key and tempo changes, repeats, the directions) or its guide melody with the lyrics
under it, and the riffs in notation.

Each section is printed once, where the form first reaches it; a section the form plays
several times in a row gets repeat bar lines and ``×N``.

>>> import backline
>>> song = backline.loads("title: T\\nkey: A minor\\nsection A:\\n  | Am | E7! . . . |\\nform: A A\\n")
>>> ly = song_part(song, Part.concert())
>>> '"E7"' in ly, "\\\\repeat volta 2" in ly, "b'4->" in ly
(True, True, True)
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from ..model import Meter, Phrase, Section, SectionSpan, Song, Timeline, TimelineBar
from ..theory.pitch import Key
from .lily import VALUES, chord_text, durations, key_command, pitch, string, tempo_unit, whole_fraction

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from ..records import NamedTuple

SLASH = "b'"  # slashes and hits sit on the middle line
TRANSPOSITIONS = {"C": 0, "Bb": 2, "Eb": 9, "F": 7}  # written above concert pitch, in semitones
PART_NAMES = {"C": "", "Bb": "B♭ part", "Eb": "E♭ part", "F": "F part"}
TREBLE_MIDDLE = 71  # b': the middle of the treble staff


class Part(NamedTuple):
    """Who reads the book: concert pitch, or a transposing instrument (``Bb``, ``Eb``, ``F``)."""

    name: str
    semitones: int

    @classmethod
    def concert(cls) -> Part:
        return cls("C", 0)

    @classmethod
    def named(cls, name: str) -> Part:
        return cls(name, TRANSPOSITIONS[name])

    @property
    def label(self) -> str:
        return PART_NAMES[self.name]


def clock(seconds: float) -> str:
    """``3:07``.

    >>> clock(187.4), clock(59.6)
    ('3:07', '1:00')
    """
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def song_part(song: Song, part: Part, picture: str | None = None, lyrics: object = None) -> str:
    """The song's pages as a LilyPond ``\\bookpart``; ``picture`` is an EPS of its arrangement map."""
    written = song.transposed(part.semitones) if part.semitones else song
    tl = written.timeline()
    out = ["\\bookpart {", _header(written, tl, part), _form_markup(written)]
    for span, repeats in _printed_sections(tl):
        out.append(_section_heading(written, tl, span, repeats))
        out.append(_section_score(written, tl, span, repeats, part))
    out += _riffs(written, part)
    if picture:
        out.append("\\markup \\vspace #1")
        out.append(f"\\markup \\fill-line {{ \\epsfile #X #95 {string(picture)} }}")
    out.append("}")
    return "\n".join(out) + "\n"


def _header(song: Song, tl: Timeline, part: Part) -> str:
    meters = ", ".join(dict.fromkeys(str(b.meter) for b in tl.bars))
    beat = "♩." if song.meter.compound else "♩"
    style = song.style + (f", {song.feel}" if song.feel else "")
    facts = [key_text(song.key), f"{beat} = {song.tempo:g}", meters, style, f"{len(tl.bars)} bars, {clock(tl.seconds)}"]
    subtitle = " · ".join(facts)
    head = ["\\header {", f"  title = {string(song.title)}", f"  subtitle = {string(subtitle)}"]
    if song.artist:
        head.append(f"  composer = {string(song.artist)}")
    if part.label:
        head.append(f"  instrument = {string(part.label)}")
    head.append("}")
    return "\n".join(head)


def key_text(key: Key) -> str:
    """``E♭ major``.

    >>> key_text(Key("Eb", "major")), key_text(Key("F#", "minor"))
    ('E♭ major', 'F♯ minor')
    """
    return f"{chord_text(key.tonic)} {key.mode}"


def form_text(song: Song) -> str:
    """The form with runs of one section written once with ``×N``.

    >>> import backline
    >>> form_text(backline.loads("section A:\\n  | C |\\nsection B:\\n  | G |\\nform: A A B A\\n"))
    'A ×2  B  A'
    """
    out: list[str] = []
    for name, count in _runs(song.form):
        out.append(name + (f" ×{count}" if count > 1 else ""))
    return "  ".join(out)


def _runs(names: list[str]) -> list[tuple[str, int]]:
    runs: list[tuple[str, int]] = []
    for name in names:
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + 1)
        else:
            runs.append((name, 1))
    return runs


def _form_markup(song: Song) -> str:
    return (f"\\markup \\line {{ \\bold {string('Form:')} {string(form_text(song))} }}\n"
            "\\markup \\vspace #0.5")


def _printed_sections(tl: Timeline) -> list[tuple[SectionSpan, int]]:
    """Each section's first occurrence, with how many times the form plays it there in a row."""
    out: list[tuple[SectionSpan, int]] = []
    seen: set[str] = set()
    k = 0
    spans = tl.sections
    while k < len(spans):
        n = 1
        while k + n < len(spans) and spans[k + n].name == spans[k].name:
            n += 1
        if spans[k].name not in seen:
            seen.add(spans[k].name)
            out.append((spans[k], n))
        k += n
    return out


def _section_heading(song: Song, tl: Timeline, span: SectionSpan, repeats: int) -> str:
    sec = span.section
    first = tl.bars[span.first_bar]
    words = [f"\\box \\bold \\larger {string(span.name)}"]
    if repeats > 1:
        words.append(f"\\bold {string(f'×{repeats}')}")
    words.append(string(f"{span.bar_count} bar{'s' if span.bar_count != 1 else ''}"))
    if sec.like:
        words.append(f"\\italic {string(f'like {sec.like}')}")
    if sec.dynamics is not None:
        words.append(_dynamics_markup(sec))
    notes = _directions(song, sec, first)
    if notes:
        words.append(f"\\italic {string(' · '.join(notes))}")
    return "\\markup \\vspace #0.6\n\\markup \\line { " + " \\hspace #1 ".join(words) + " }"


def _dynamics_markup(sec: Section) -> str:
    from ..model import DYNAMICS

    assert sec.dynamics is not None
    names = {v: k for k, v in DYNAMICS.items()}
    a, b = names.get(round(sec.dynamics.start), "mf"), names.get(round(sec.dynamics.end), "mf")
    if a == b:
        return f"\\dynamic {a}"
    return f"\\concat {{ \\dynamic {a} {string(' → ')} \\dynamic {b} }}"


def _directions(song: Song, sec: Section, first: TimelineBar) -> list[str]:
    """What the band is told in this section, in words."""
    notes = []
    if sec.tempo is not None:
        beat = "♩." if first.meter.compound else "♩"
        if sec.tempo.start == sec.tempo.end:
            notes.append(f"{beat} = {sec.tempo.start:g}")
        else:
            how = "accel." if sec.tempo.end > sec.tempo.start else "rit."
            notes.append(f"{how} {beat} = {sec.tempo.start:g} → {sec.tempo.end:g}")
    if sec.meter is not None and sec.meter != song.meter:
        notes.append(f"time {sec.meter}")
    if sec.key is not None:
        notes.append(f"key {key_text(first.key)}")
    if sec.transpose:
        notes.append(f"transposed {sec.transpose:+d} (chords as played)")
    if sec.feel:
        notes.append(sec.feel + (f" {sec.swing:g}" if sec.swing and sec.feel == "swing" else ""))
    if sec.style:
        notes.append(f"style {sec.style}")
    if sec.players is not None:
        notes.append("only " + " ".join(sec.players))
    if sec.tacet:
        notes.append("tacet " + " ".join(sec.tacet))
    for use in sec.riffs:
        notes.append(f"riff {use.riff} on " + " ".join(use.instruments))
    if sec.solo:
        notes.append(f"{sec.solo} solo")
    return notes


def _section_score(song: Song, tl: Timeline, span: SectionSpan, repeats: int, part: Part) -> str:
    bars = tl.bars[span.first_bar: span.first_bar + span.bar_count]
    sec = span.section
    melody = _melody_events(sec, bars, part) if sec.melody is not None else None
    chords: list[str] = []
    music: list[str] = [_clef(melody), key_command(bars[0].key), _time(bars[0].meter)]
    if span.position == 0 or sec.tempo is not None:
        music.append(_tempo(song, sec, bars[0]))
    last_meter, last_key = bars[0].meter, bars[0].key
    percent = _percent_bars(song, sec)
    body: list[str] = []
    k = 0
    while k < len(bars):
        bar = bars[k]
        if bar.meter != last_meter:
            body.append(_time(bar.meter))
            last_meter = bar.meter
        if bar.key != last_key:
            body.append(key_command(bar.key))
            last_key = bar.key
        run = 1
        while k + run < len(bars) and percent[k + run] and sec.bars[k + run].line == sec.bars[k].line:
            run += 1
        length = Fraction(bar.length).limit_denominator(96)
        notes = _bar_melody(melody[k], length, bar.key) if melody is not None else _bar_rhythm(bar)
        chords += _bar_chords(bar)
        if run > 1:
            body.append(f"\\repeat percent {run} {{ {' '.join(notes)} }}")
            chords.append(f"\\skip {whole_fraction(Fraction(bar.length).limit_denominator(96) * (run - 1))}")
        else:
            body.append(" ".join(notes) + " |")
        k += run
        if k < len(bars) and sec.bars[k].line != sec.bars[k - 1].line:
            body.append("\\break")
    if repeats > 1:
        body = [f"\\repeat volta {repeats} {{", *body, "}"]
    music += body
    music.append('\\bar "||"' if repeats == 1 else "")
    lines = ["\\score {", "  <<",
             "    \\new Lyrics \\with { alignAboveContext = \"staff\" } \\lyricmode { " + " ".join(chords) + " }",
             "    \\new Staff = \"staff\" { \\new Voice = \"lead\" { " + " ".join(music) + " } }",
             *_lyric_lines(sec, bars),
             "  >>", "  \\layout { indent = 0 }", "}"]
    return "\n".join(lines)


def _lyric_lines(sec: Section, bars: list[TimelineBar]) -> list[str]:
    """Each stanza under the staff: syllables on the melody's notes, or words under each bar."""
    out = []
    many = len(sec.lyrics) > 1
    for k, lyric in enumerate(sec.lyrics, start=1):
        words = [f"\\set stanza = {string(f'{k}.')}"] if many else []
        if lyric.bars:
            for bar, text in zip(bars, lyric.bars, strict=False):
                length = whole_fraction(Fraction(bar.length).limit_denominator(96))
                words.append(f"{string(text)}{length}" if text else f"\\skip {length}")
            out.append("    \\new Lyrics \\lyricmode { \\override LyricText.self-alignment-X = #LEFT "
                       + " ".join(words) + " }")
            continue
        for syllable in lyric.syllables:
            if syllable is None:
                words.append('""')
                continue
            words.append(string(syllable.text) + (" --" if syllable.joined else ""))
            if syllable.notes > 1:
                words.append("__ " + " ".join(["_"] * (syllable.notes - 1)))
        out.append("    \\new Lyrics \\lyricsto \"lead\" { " + " ".join(words) + " }")
    return out


def _clef(melody: list[list[tuple[Fraction, Fraction, tuple[int, ...], bool]]] | None) -> str:
    if melody is None:
        return "\\clef treble"
    pitches = [p for bar in melody for _, _, ps, _ in bar for p in ps]
    return "\\clef bass" if pitches and sum(pitches) / len(pitches) < 55 else "\\clef treble"


def _time(meter: Meter) -> str:
    from ..model import default_groups

    if meter.groups != default_groups(meter.num, meter.den) or (meter.num in (5, 7) and meter.den == 8):
        return f"\\time {','.join(map(str, meter.groups))} {meter.num}/{meter.den}"
    return f"\\time {meter.num}/{meter.den}"


def _tempo(song: Song, sec: Section, bar: TimelineBar) -> str:
    unit = tempo_unit(bar.meter.compound)
    if sec.tempo is not None and sec.tempo.start != sec.tempo.end:
        return f"\\tempo {unit} = {round(sec.tempo.start)}"
    value = sec.tempo.start if sec.tempo is not None else song.tempo
    return f"\\tempo {unit} = {round(value)}"


def _percent_bars(song: Song, sec: Section) -> list[bool]:
    """Which of the section's bars the chart wrote as ``%``."""
    lines = song.text.split("\n")
    out = []
    for bar in sec.bars:
        text = lines[bar.line - 1] if 0 < bar.line <= len(lines) else ""
        out.append(text[bar.column - 1: bar.column] == "%")
    return out


def _bar_chords(bar: TimelineBar) -> list[str]:
    out = []
    for c in bar.chords:
        length = whole_fraction(Fraction(c.length).limit_denominator(96))
        if c.chord is not None:
            out.append(f"{string(chord_text(str(c.chord)))}{length}")
        elif not c.stop:
            out.append(f"{string('N.C.')}{length}")
        else:
            out.append(f"\\skip {length}")
    return out


def _bar_rhythm(bar: TimelineBar) -> list[str]:
    """Slashes on the beats where the band plays, an accented note on a hit, rests where it stops."""
    meter = bar.meter
    beats = meter.group_starts() if meter.den > 4 else [i * meter.pulse_beats for i in range(meter.num)]
    cuts = {Fraction(b).limit_denominator(96) for b in beats} | {Fraction(bar.length).limit_denominator(96)}
    for c in bar.chords:
        cuts.add(Fraction(c.beat).limit_denominator(96))
    points = sorted(cuts)
    out: list[str] = ["\\improvisationOn"]
    for c in bar.chords:
        start = Fraction(c.beat).limit_denominator(96)
        end = Fraction(c.end).limit_denominator(96)
        pieces = [(a, b) for a, b in itertools.pairwise(points) if start <= a and b <= end]
        for k, (a, b) in enumerate(pieces):
            values = durations(b - a)
            if c.hit and k == 0:
                out += ["\\improvisationOff", f"{SLASH}{values[0]}->", *(f"r{v}" for v in values[1:]),
                        "\\improvisationOn"]
            elif c.hit or c.stop:
                out += [f"r{v}" for v in values]
            else:
                out += [f"{SLASH}{v}" for v in values]
    out.append("\\improvisationOff")
    return out


Event = tuple[Fraction, Fraction, tuple[int, ...], bool]  # start in the bar, length, pitches, tied on


def _melody_events(sec: Section, bars: list[TimelineBar], part: Part) -> list[list[Event]]:
    """The section's guide melody cut at its bar lines (notes across one are tied)."""
    assert sec.melody is not None
    phrase = _placed(sec.melody.transposed(sec.transpose), part)
    out: list[list[Event]] = []
    start = Fraction(0)
    for bar in bars:
        length = Fraction(bar.length).limit_denominator(96)
        end = start + length
        events: list[Event] = []
        for n in phrase.notes:
            a, b = n.start, n.start + n.length
            if b <= start or a >= end:
                continue
            events.append((max(a, start) - start, min(b, end) - max(a, start), n.pitches, b > end and bool(n.pitches)))
        out.append(events)
        start = end
    return out


def _placed(phrase: Phrase, part: Part) -> Phrase:
    """A phrase in a transposing part, moved by octaves to sit on the treble staff."""
    if not part.semitones:
        return phrase
    moved = phrase.transposed(part.semitones)
    pitches = [p for n in moved.notes for p in n.pitches]
    if not pitches:
        return moved
    mean = sum(pitches) / len(pitches)
    octaves = round((TREBLE_MIDDLE - mean) / 12)
    return moved.transposed(12 * octaves)


def _bar_melody(events: list[Event], length: Fraction, key: Key) -> list[str]:
    """A bar of the melody: rests in the gaps, ties across values, triplets in ``\\tuplet``."""
    if not any(e[2] for e in events):
        return [f"R{whole_fraction(length)}"]
    out: list[str] = []
    now = Fraction(0)
    pending: list[str] = []  # notes of an open triplet group
    for start, dur, pitches, tie in events:
        if start > now:
            out += _flush(pending) + [f"r{v}" for v in durations(start - now)]
        if sum(_lengths(durations(dur))) == dur:
            out += _flush(pending) + _notes(pitches, durations(dur), key, tie)
        else:
            pending += _notes(pitches, durations(dur * Fraction(3, 2)), key, tie)
        now = start + dur
    out += _flush(pending)
    if now < length:
        out += [f"r{v}" for v in durations(length - now)]
    return out


def _flush(pending: list[str]) -> list[str]:
    if not pending:
        return []
    group = ["\\tuplet 3/2 {", *pending, "}"]
    pending.clear()
    return group


def _lengths(values: list[str]) -> list[Fraction]:
    table = {text: length for length, text in VALUES}
    return [table[v] for v in values]


def _notes(pitches: tuple[int, ...], values: list[str], key: Key, tie: bool) -> list[str]:
    if not pitches:
        return [f"r{v}" for v in values]
    if len(pitches) == 1:
        head = pitch(pitches[0], key)
    else:
        head = "<" + " ".join(pitch(p, key) for p in pitches) + ">"
    out = [f"{head}{v}" for v in values]
    for k in range(len(out) - 1):
        out[k] += "~"
    if tie:
        out[-1] += "~"
    return out


def _riffs(song: Song, part: Part) -> list[str]:
    """Each riff in notation, with who plays it and where."""
    if not song.riffs:
        return []
    out = ["\\markup \\vspace #1", f"\\markup \\bold \\larger {string('Riffs')}"]
    for name, riff in song.riffs.items():
        where: dict[str, set[str]] = {}
        for sec_name in dict.fromkeys(song.form):
            for use in song.sections[sec_name].riffs:
                if use.riff == name:
                    where.setdefault(sec_name, set()).update(use.instruments)
        players = sorted({p for ps in where.values() for p in ps})
        text = f"riff {name}" + (f": {' '.join(players)} in {', '.join(where)}" if where else " (not played)")
        out.append(f"\\markup \\line {{ \\italic {string(text)} }}")
        out.append(_phrase_score(_placed(riff.phrase, part), song.meter, song.key))
    return out


def _phrase_score(phrase: Phrase, meter: Meter, key: Key) -> str:
    bar = Fraction(meter.bar_beats).limit_denominator(96)
    bars = max(1, -(-phrase.length // bar))
    pitches = [p for n in phrase.notes for p in n.pitches]
    clef = "\\clef bass" if pitches and sum(pitches) / len(pitches) < 55 else "\\clef treble"
    body: list[str] = []
    for k in range(int(bars)):
        start, end = k * bar, (k + 1) * bar
        events: list[Event] = []
        for n in phrase.notes:
            a, b = n.start, n.start + n.length
            if b <= start or a >= end:
                continue
            events.append((max(a, start) - start, min(b, end) - max(a, start), n.pitches, b > end and bool(n.pitches)))
        body.append(" ".join(_bar_melody(events, bar, key)) + " |")
    return ("\\score { \\new Staff { " + " ".join([clef, key_command(key), _time(meter), *body]) +
            " \\bar \"|.\" } \\layout { indent = 0 } }")
