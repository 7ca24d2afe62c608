"""MusicXML lead sheets, written and read with the standard library's ElementTree.

Out: one part with measures, key and time signatures (and their changes), rehearsal marks
at section starts, chord symbols (``harmony``, the chart's spelling kept in ``kind/@text``)
and the melody — or the first riff, else whole-bar rests — as notes, tied across bar lines.
In: the same elements from any lead sheet (MuseScore, music21, this writer): chord symbols
to bars, rehearsal marks to sections, the top line of notes to ``melody:``.

>>> import backline
>>> xml = from_song(backline.loads("title: X\\nsection A:\\n  melody: c4 d e f | g1 |\\n  | C | G7 |\\n"))
>>> "<harmony>" in xml and "<rehearsal>A</rehearsal>" in xml
True
>>> print(to_chart(xml).split("section A:")[1].strip())
melody: c4 d e f | g1 |
  | C | G7 |
<BLANKLINE>
form: A
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction
from typing import Any

DIVISIONS = 24  # per quarter note: sixteenths, thirty-seconds and eighth-note triplets fit
TYPES = {96: ("whole", 0), 72: ("half", 1), 48: ("half", 0), 36: ("quarter", 1), 24: ("quarter", 0),
         18: ("eighth", 1), 12: ("eighth", 0), 9: ("16th", 1), 6: ("16th", 0), 3: ("32nd", 0)}
TRIPLETS = {32: "half", 16: "quarter", 8: "eighth", 4: "16th"}
KINDS = {frozenset({0, 4, 7}): "major", frozenset({0, 3, 7}): "minor", frozenset({0, 4, 7, 10}): "dominant",
         frozenset({0, 4, 7, 11}): "major-seventh", frozenset({0, 3, 7, 10}): "minor-seventh",
         frozenset({0, 3, 6}): "diminished", frozenset({0, 3, 6, 9}): "diminished-seventh",
         frozenset({0, 3, 6, 10}): "half-diminished", frozenset({0, 4, 8}): "augmented",
         frozenset({0, 4, 8, 10}): "augmented-seventh", frozenset({0, 5, 7}): "suspended-fourth",
         frozenset({0, 2, 7}): "suspended-second", frozenset({0, 4, 7, 9}): "major-sixth",
         frozenset({0, 3, 7, 9}): "minor-sixth", frozenset({0, 2, 4, 7, 10}): "dominant-ninth",
         frozenset({0, 2, 4, 7, 11}): "major-ninth", frozenset({0, 2, 3, 7, 10}): "minor-ninth",
         frozenset({0, 7}): "power", frozenset({0, 3, 7, 11}): "major-minor",
         frozenset({0, 2, 4, 5, 7, 10}): "dominant-11th", frozenset({0, 2, 4, 7, 9, 10}): "dominant-13th"}
KIND_TEXT = {"major": "", "minor": "m", "dominant": "7", "major-seventh": "maj7", "minor-seventh": "m7",
             "diminished": "dim", "diminished-seventh": "dim7", "half-diminished": "m7b5", "augmented": "aug",
             "augmented-seventh": "7#5", "suspended-fourth": "sus4", "suspended-second": "sus2",
             "major-sixth": "6", "minor-sixth": "m6", "dominant-ninth": "9", "major-ninth": "maj9",
             "minor-ninth": "m9", "power": "5", "major-minor": "m(maj7)", "dominant-11th": "11",
             "dominant-13th": "13", "minor-11th": "m11", "major-13th": "maj13", "minor-13th": "m13"}
MAJOR_BY_FIFTHS = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    e = ET.SubElement(parent, tag, attrs)
    if text is not None:
        e.text = text
    return e


def _pitch(parent: ET.Element, midi: int, key: Any) -> None:
    from ..theory.pitch import pitch_class

    name = key.spell(midi)
    p = _sub(parent, "pitch")
    _sub(p, "step", name[0])
    alter = (pitch_class(name) - pitch_class(name[0]) + 6) % 12 - 6
    if alter:
        _sub(p, "alter", str(alter))
    octave = (midi - alter) // 12 - 1
    _sub(p, "octave", str(octave))


def _pieces(units: int) -> list[int]:
    """Note values (tied) that add up to ``units`` divisions, largest first."""
    out = []
    for size in sorted({*TYPES, *TRIPLETS}, reverse=True):
        while units >= size:
            out.append(size)
            units -= size
    return out + ([units] if units > 0 else [])


def _note(measure: ET.Element, pitches: tuple[int, ...], units: int, key: Any, tie_in: bool, tie_out: bool,
          lyric: tuple[str, str, bool] | None = None) -> None:
    parts = _pieces(units)
    for k, size in enumerate(parts):
        t_in, t_out = tie_in or k > 0, tie_out or k < len(parts) - 1
        for j, p in enumerate(pitches or (None,)):
            n = _sub(measure, "note")
            if j:
                _sub(n, "chord")
            if p is None:
                _sub(n, "rest")
            else:
                _pitch(n, p, key)
            _sub(n, "duration", str(size))
            if p is not None:
                if t_in:
                    _sub(n, "tie", type="stop")
                if t_out:
                    _sub(n, "tie", type="start")
            kind, dots = TYPES.get(size, (TRIPLETS.get(size, "quarter"), 0))
            _sub(n, "type", kind)
            for _ in range(dots):
                _sub(n, "dot")
            if size in TRIPLETS and size not in TYPES:
                tm = _sub(n, "time-modification")
                _sub(tm, "actual-notes", "3")
                _sub(tm, "normal-notes", "2")
            if lyric is not None and k == 0 and j == 0:
                _lyric(n, *lyric)


def _lyric(note: ET.Element, syllabic: str, text: str, extend: bool) -> None:
    lyric = _sub(note, "lyric", number="1")
    _sub(lyric, "syllabic", syllabic)
    _sub(lyric, "text", text)
    if extend:
        _sub(lyric, "extend")


def _sung(span: Any, occurrence: int, notes: list[tuple[Fraction, Fraction, tuple[int, ...]]]
          ) -> dict[Fraction, tuple[str, str, bool]]:
    """The lyric on each sung note of a section's melody (by its start): the stanza of this occurrence."""
    sec = span.section
    if sec.melody is None or not sec.lyrics or sec.lyrics[0].bars:
        return {}
    stanza = sec.lyrics[min(occurrence, len(sec.lyrics) - 1)]
    per_note: list[tuple[str, str, bool] | None] = []
    joined_before = False
    for syl in stanza.syllables:
        if syl is None:
            per_note.append(None)
            continue
        syllabic = ("middle" if joined_before else "begin") if syl.joined else ("end" if joined_before else "single")
        per_note.append((syllabic, syl.text, syl.notes > 1))
        per_note += [None] * (syl.notes - 1)
        joined_before = syl.joined
    starts = [start for start, _, pitches in notes if pitches]
    return {start: lyric for start, lyric in zip(starts, per_note, strict=False) if lyric is not None}


def _bar_words(span: Any, occurrence: int, k: int) -> str:
    """The words of bar ``k`` of a section without a melody (its lyrics by bars), for this occurrence."""
    lyrics = span.section.lyrics
    if not lyrics or not lyrics[0].bars:
        return ""
    bars = lyrics[min(occurrence, len(lyrics) - 1)].bars
    return str(bars[k]) if k < len(bars) else ""


def _line_for(span: Any, riffs: dict[str, Any]) -> Any:
    sec = span.section
    if sec.melody is not None:
        return sec.melody.transposed(sec.transpose), False
    if sec.riffs:
        return riffs[sec.riffs[0].riff].phrase.transposed(sec.transpose), True
    return None, False


def from_song(song: Any) -> str:
    """A MusicXML (3.1, partwise) lead sheet of the song, every bar as it is played."""
    tl = song.timeline()
    root = ET.Element("score-partwise", version="3.1")
    _sub(_sub(root, "work"), "work-title", song.title)
    ident = _sub(root, "identification")
    if song.artist:
        _sub(ident, "creator", song.artist, type="composer")
    _sub(_sub(ident, "encoding"), "software", "backline")
    sp = _sub(_sub(root, "part-list"), "score-part", id="P1")
    _sub(sp, "part-name", "Lead sheet")
    part = _sub(root, "part", id="P1")
    last_meter, last_key = None, None
    times: dict[str, int] = {}
    for span in tl.sections:
        line, loop = _line_for(span, song.riffs)
        notes = _placed(line, loop, span.end_beat - span.start_beat) if line is not None else []
        times[span.name] = times.get(span.name, 0) + 1
        lyrics = _sung(span, times[span.name] - 1, notes) if not loop else {}
        for k, bar in enumerate(tl.bars[span.first_bar: span.first_bar + span.bar_count]):
            m = _sub(part, "measure", number=str(bar.number + 1))
            if bar.meter != last_meter or bar.key != last_key:
                at = _sub(m, "attributes")
                if bar.number == 0:
                    _sub(at, "divisions", str(DIVISIONS))
                if bar.key != last_key:
                    key = _sub(at, "key")
                    _sub(key, "fifths", str(max(-7, min(7, bar.key.signature))))
                    _sub(key, "mode", "minor" if bar.key.is_minor else "major")
                if bar.meter != last_meter:
                    time = _sub(at, "time")
                    _sub(time, "beats", str(bar.meter.num))
                    _sub(time, "beat-type", str(bar.meter.den))
                if bar.number == 0:
                    clef = _sub(at, "clef")
                    _sub(clef, "sign", "G")
                    _sub(clef, "line", "2")
                last_meter, last_key = bar.meter, bar.key
            if k == 0:
                d = _sub(m, "direction", placement="above")
                _sub(_sub(d, "direction-type"), "rehearsal", span.name)
            words = _bar_words(span, times[span.name] - 1, k)
            if words:
                _sub(_sub(_sub(m, "direction", placement="below"), "direction-type"), "words", words)
            for c in bar.chords:
                if c.chord is not None:
                    _harmony(m, c.chord, round(c.beat * DIVISIONS))
                elif not c.stop:
                    _no_chord(m, round(c.beat * DIVISIONS))
            _bar_notes(m, notes, (bar.start_beat - span.start_beat), bar.length, bar.key, lyrics)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _harmony(measure: ET.Element, chord: Any, offset: int) -> None:
    from ..theory.pitch import pitch_class

    h = _sub(measure, "harmony")
    r = _sub(h, "root")
    _sub(r, "root-step", chord.root[0])
    alter = (pitch_class(chord.root) - pitch_class(chord.root[0]) + 6) % 12 - 6
    if alter:
        _sub(r, "root-alter", str(alter))
    kind = _sub(h, "kind", KINDS.get(chord.intervals, "other"))
    kind.set("text", chord.quality)
    if chord.bass:
        b = _sub(h, "bass")
        _sub(b, "bass-step", chord.bass[0])
        b_alter = (pitch_class(chord.bass) - pitch_class(chord.bass[0]) + 6) % 12 - 6
        if b_alter:
            _sub(b, "bass-alter", str(b_alter))
    if offset:
        _sub(h, "offset", str(offset))


def _no_chord(measure: ET.Element, offset: int) -> None:
    h = _sub(measure, "harmony")
    _sub(_sub(h, "root"), "root-step", "C")
    _sub(h, "kind", "none").set("text", "N.C.")
    if offset:
        _sub(h, "offset", str(offset))


def _placed(phrase: Any, loop: bool, length: float) -> list[tuple[Fraction, Fraction, tuple[int, ...]]]:
    out, offset = [], Fraction(0)
    total = Fraction(length).limit_denominator(48)
    while offset < total:
        for n in phrase.notes:
            start = offset + n.start
            if start >= total:
                break
            out.append((start, min(n.length, total - start), n.pitches))
        if not loop or phrase.length <= 0:
            break
        offset += phrase.length
    return out


def _bar_notes(m: ET.Element, notes: list[tuple[Fraction, Fraction, tuple[int, ...]]], bar_start: float,
               bar_len: float, key: Any, lyrics: dict[Fraction, tuple[str, str, bool]] | None = None) -> None:
    a = Fraction(bar_start).limit_denominator(48)
    b = a + Fraction(bar_len).limit_denominator(48)
    now = a
    for start, length, pitches in notes:
        end = start + length
        if end <= a or start >= b:
            continue
        s, e = max(start, a), min(end, b)
        if s > now:
            _note(m, (), int((s - now) * DIVISIONS), key, False, False)
        _note(m, pitches, int((e - s) * DIVISIONS), key, start < a and bool(pitches), end > b and bool(pitches),
              (lyrics or {}).get(start) if start >= a else None)
        now = e
    if now < b:
        if now == a:
            n = _sub(m, "note")
            _sub(n, "rest", measure="yes")
            _sub(n, "duration", str(int((b - a) * DIVISIONS)))
        else:
            _note(m, (), int((b - now) * DIVISIONS), key, False, False)


# ---- reading ---------------------------------------------------------------------------------

def _text(e: ET.Element | None, tag: str, default: str = "") -> str:
    found = e.find(tag) if e is not None else None
    return found.text.strip() if found is not None and found.text else default


def _chord_name(h: ET.Element) -> str | None:
    from ..theory.chords import ChordError, parse_chord

    step = _text(h, "root/root-step")
    if not step:
        return None
    alter = int(float(_text(h, "root/root-alter", "0")))
    root = step + ("#" * alter if alter > 0 else "b" * -alter)
    kind = h.find("kind")
    value = kind.text.strip() if kind is not None and kind.text else "major"
    if value == "none":
        return "N.C."
    text = kind.get("text") if kind is not None else None
    bass_step = _text(h, "bass/bass-step")
    bass = ""
    if bass_step:
        b_alter = int(float(_text(h, "bass/bass-alter", "0")))
        bass = "/" + bass_step + ("#" * b_alter if b_alter > 0 else "b" * -b_alter)
    for quality in ([text] if text is not None else []) + [KIND_TEXT.get(value, "")]:
        try:
            return str(parse_chord(root + quality + bass))
        except ChordError:
            continue
    return root + bass


def to_chart(xml_text: str) -> str:
    """A lead sheet as chart text (checked by the caller)."""
    from ..theory.pitch import Key, spell
    from .chartwriter import ChartDraft, DraftSection, slots_for
    from .midiriff import note_name

    root = ET.fromstring(xml_text.encode("utf-8") if xml_text.startswith("<?xml") else xml_text)
    title = _text(root, "work/work-title") or _text(root, "movement-title") or "Untitled"
    artist = _text(root, "identification/creator")
    part = root.find("part")
    if part is None:
        raise ValueError("no part in the MusicXML")
    divisions, beats, beat_type = 1, 4, 4
    key_name = "C major"
    bars: list[dict[str, Any]] = []
    for measure in part.findall("measure"):
        pos = 0
        chords: list[tuple[float, str]] = []
        notes: list[tuple[float, float, int | None, bool]] = []
        sung: dict[int, tuple[str, str, bool]] = {}  # note index -> (syllabic, text, extend)
        words: list[str] = []  # text under the bar: its lyrics when the section has no melody
        label = ""
        for e in measure:
            if e.tag == "attributes":
                divisions = int(_text(e, "divisions", str(divisions)))
                if e.find("time") is not None:
                    beats = int(_text(e, "time/beats", "4").split("+")[0])
                    beat_type = int(_text(e, "time/beat-type", "4"))
                if e.find("key") is not None and not bars:
                    fifths = int(_text(e, "key/fifths", "0"))
                    major = MAJOR_BY_FIFTHS[max(-7, min(7, fifths)) + 7]
                    if _text(e, "key/mode") == "minor":
                        from ..theory.pitch import pitch_class

                        key_name = f"{spell(pitch_class(major) + 9, fifths < 0)} minor"
                    else:
                        key_name = f"{major} major"
            elif e.tag == "direction" and e.find("direction-type/rehearsal") is not None:
                label = _text(e, "direction-type/rehearsal")
            elif e.tag == "direction" and e.get("placement") == "below" and _text(e, "direction-type/words"):
                words.append(_text(e, "direction-type/words"))
            elif e.tag == "harmony":
                name = _chord_name(e)
                if name:
                    chords.append(((pos + int(_text(e, "offset", "0"))) / divisions, name))
            elif e.tag == "note":
                dur = int(_text(e, "duration", "0"))
                if e.find("grace") is not None:
                    continue
                if e.find("chord") is not None:
                    continue  # a chord's lower notes: the line is the top note given first
                step = _text(e, "pitch/step")
                pitch = None
                if step:
                    from ..theory.pitch import LETTER_PC

                    alter = int(float(_text(e, "pitch/alter", "0")))
                    pitch = (int(_text(e, "pitch/octave", "4")) + 1) * 12 + LETTER_PC[step] + alter
                tie = any(t.get("type") == "stop" for t in e.findall("tie"))
                if tie and notes and notes[-1][2] == pitch:
                    s, ln, p, t = notes[-1]
                    notes[-1] = (s, ln + dur / divisions, p, t)
                else:
                    notes.append((pos / divisions, dur / divisions, pitch, tie and pitch is not None))
                    lyric = e.find("lyric")
                    if lyric is not None and pitch is not None and _text(lyric, "text"):
                        sung[len(notes) - 1] = (_text(lyric, "syllabic", "single"), _text(lyric, "text"),
                                                lyric.find("extend") is not None)
                pos += dur
            elif e.tag == "backup":
                pos -= int(_text(e, "duration", "0"))
            elif e.tag == "forward":
                pos += int(_text(e, "duration", "0"))
        bars.append({"meter": f"{beats}/{beat_type}", "chords": chords, "notes": notes, "label": label,
                     "length": beats * 4 / beat_type, "sung": sung, "words": " ".join(words)})
    if not bars:
        raise ValueError("no measures")
    header_meter = bars[0]["meter"]
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for b in bars:
        if not groups or b["label"] or b["meter"] != groups[-1][1][-1]["meter"]:
            groups.append((b["label"] or (groups[-1][0] if groups else "A"), []))
        groups[-1][1].append(b)
    sections, form = [], []
    seen: dict[str, int] = {}
    for label, group in groups:
        name = "".join(ch for ch in label.title() if ch.isalnum()) or "A"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}{seen[name]}"
        pulses = int(group[0]["meter"].split("/")[0])
        grid = []
        for b in group:
            grid.append(_slots(b["chords"], pulses, b["length"], slots_for))
        directives = [("time", group[0]["meter"])] if group[0]["meter"] != header_meter else []
        melody = _melody(group, note_name)
        if melody:
            directives.append(("melody", melody))
            sung_words = _lyrics(group)
            if sung_words:
                directives.append(("lyrics", sung_words))
        elif any(b["words"] for b in group):
            clean = ["".join(ch for ch in b["words"] if ch not in "|#") for b in group]
            directives.append(("lyrics", " | ".join(clean) + " |"))
        sections.append(DraftSection(name, grid, directives))
        form.append(name)
    Key.parse(key_name)
    from .chartwriter import chart_text

    draft = ChartDraft(title, artist, key_name, 100, header_meter, "pop", sections, form, ["Imported from MusicXML"])
    return chart_text(draft)


def _slots(chords: list[tuple[float, str]], pulses: int, length: float, slots_for: Any) -> list[str]:
    if not chords:
        return ["."]
    pulse = length / pulses
    for count in sorted(d for d in range(1, pulses + 1) if pulses % d == 0):
        size = length / count
        if all(abs(p / size - round(p / size)) < 1e-6 for p, _ in chords):
            slots = ["."] * count
            for p, name in chords:
                slots[min(count - 1, round(p / size))] = name
            return slots
    return slots_for([n for _, n in chords], pulses) if pulse else ["."]


def _melody(group: list[dict[str, Any]], note_name: Any) -> str:
    if not any(p is not None for b in group for _, _, p, _ in b["notes"]):
        return ""
    out: list[str] = []
    last = ""
    for b in group:
        for _, length, pitch, tied in b["notes"]:
            token = _length(length)
            name = "r" if pitch is None else note_name(pitch)
            if tied:  # tied from the bar before: '~' on the last note played
                k = max(i for i, t in enumerate(out) if t != "|")
                out[k] += "~"
            out.append(name + (token if token != last else ""))
            last = token
        out.append("|")
    return " ".join(out)


def _lyrics(group: list[dict[str, Any]]) -> str:
    """The words under a group of bars' sung notes, as a ``lyrics:`` line ('' when none are sung):
    a note without a syllable holds the one before when it was extended (a melisma), else is unsung."""
    if not any(b["sung"] for b in group):
        return ""
    out: list[str] = []
    joined = extended = False
    for b in group:
        for i, (_, _, pitch, tied) in enumerate(b["notes"]):
            if pitch is None or tied:
                continue
            lyric = b["sung"].get(i)
            if lyric is None:
                if extended and out:
                    out[-1] += "_"
                else:
                    out.append("*")
                    joined = False
                continue
            syllabic, text, extended = lyric
            text = "".join(ch for ch in text if not ch.isspace() and ch not in "-_*|#") or "_"
            if joined and out:
                out[-1] += "-" + text
            else:
                out.append(text)
            joined = syllabic in ("begin", "middle")
    return " ".join(out)


def _length(quarters: float) -> str:
    table = {4: "1", 3: "2.", 2: "2", 1.5: "4.", 1: "4", 0.75: "8.", 0.5: "8", 0.375: "16.", 0.25: "16",
             0.125: "32", 4 / 3: "2t", 2 / 3: "4t", 1 / 3: "8t", 1 / 6: "16t"}
    for value, text in table.items():
        if abs(quarters - value) < 1e-6:
            return text
    return "4"
