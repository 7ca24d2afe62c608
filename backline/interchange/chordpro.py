"""ChordPro in and out.

In: ``{title}``, ``{artist}``/``{subtitle}``, ``{key}``, ``{tempo}``, ``{time}``, section
environments (``{start_of_verse}``/``{sov}``, chorus, bridge, grid, with optional labels),
``{chorus}`` to repeat the chorus, chord grids (``| C . . . | G . . . |``) and inline
``[C]`` chords over lyrics. Inline chords are placed into bars by the syllables they carry:
a chord over three syllables or more takes a bar (two over nine or more), a chord over
fewer shares its bar with the next. The words become the section's ``lyrics:``, each bar's
words those sung from its first chord on (ChordPro has no bar lines: the bars are a guess,
the words and the chords they are sung under are not).

Out: each section as a labelled chord grid; a section with lyrics is followed by its words, a
verse labelled ``NAME (words)`` with ``|`` between bars, which comes back in as its lyrics by
bars (so bars and words round-trip exactly; a melody's syllables come back as words by bars).

>>> text = "{title: Song}\\n{key: G}\\n{sov}\\n[G]Walking down the [C]road to[D]day\\n{eov}\\n"
>>> print(to_chart(text).split("section ")[1], end="")
Verse:
  lyrics: Walking down the | road today |
  | G | C D |
<BLANKLINE>
form: Verse
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .chartwriter import ChartDraft, DraftSection, chart_text, slots_for

# Directives and [chords] are found with str.find/partition, not regexes: the patterns these
# replaced (``\{\s*(\w+)\s*(?::\s*(.*?))?\s*\}\s*$`` and ``\[([^\]]+)\]``) took quadratic
# time on a line of spaces or of '[' (100 KB: over 30 s).
VOWELS = re.compile(r"[aeiouyäöüéèáàóòíìúù]+", re.IGNORECASE)
ENV = {"sov": ("start", "Verse"), "start_of_verse": ("start", "Verse"), "soc": ("start", "Chorus"),
       "start_of_chorus": ("start", "Chorus"), "sob": ("start", "Bridge"), "start_of_bridge": ("start", "Bridge"),
       "sog": ("start", "Grid"), "start_of_grid": ("start", "Grid"), "sot": ("start", "Tab"),
       "start_of_tab": ("start", "Tab"), "eov": ("end", ""), "end_of_verse": ("end", ""), "eoc": ("end", ""),
       "end_of_chorus": ("end", ""), "eob": ("end", ""), "end_of_bridge": ("end", ""), "eog": ("end", ""),
       "end_of_grid": ("end", ""), "eot": ("end", ""), "end_of_tab": ("end", "")}


WORDS = " (words)"  # the label of a section's words, written after its grid (see from_song)


class ChordProError(ValueError):
    """A sheet that cannot become a chart."""


class _Part(NamedTuple):
    kind: str
    label: str
    bars: list[list[str]]
    lyrics: list[str]
    time: str
    words: list[str]  # each bar's words (its lyrics), "" for none


def syllables(text: str) -> int:
    """A rough syllable count (vowel groups), at least 1 for any word.

    >>> syllables("walking down the"), syllables("")
    (4, 0)
    """
    words = re.findall(r"[^\W\d_]+", text)
    return sum(max(1, len(VOWELS.findall(w)) - (1 if w.lower().endswith("e") and len(w) > 3 else 0))
               for w in words)


def directive(line: str) -> tuple[str, str | None] | None:
    """``{name}`` or ``{name: value}`` as (name, value or None); None for any other line.

    >>> directive("  { title :  A Song } "), directive("{sov}"), directive("[C]la {x}")
    (('title', 'A Song'), ('sov', None), None)
    """
    s = line.strip()
    if not (s.startswith("{") and s.endswith("}")):
        return None
    head, colon, value = s[1:-1].partition(":")
    name = head.strip()
    if not name or not all(ch.isascii() and (ch.isalpha() or ch == "_") for ch in name):
        return None
    return name, value.strip() if colon else None


def split_inline(line: str) -> list[str]:
    r"""``re.split(r"\[([^\]]+)\]", line)`` in one pass: words, chord, words, chord, … words.

    >>> split_inline("[G]Walking [C]down [[x] []")
    ['', 'G', 'Walking ', 'C', 'down ', '[x', ' []']
    """
    pieces: list[str] = []
    pos = start = 0
    while True:
        i = line.find("[", pos)
        j = line.find("]", i + 1) if i >= 0 else -1
        if j < 0:  # no '[' left, or none closed: the rest is words
            break
        if j == i + 1:  # "[]" is no chord
            pos = i + 1
            continue
        pieces += [line[start:i], line[i + 1:j]]
        pos = start = j + 1
    return [*pieces, line[start:]]


def _inline_bars(line: str, pulses: int) -> tuple[list[list[str]], str, list[str]]:
    """Bars for a lyric line with [chords], the line's words without them, and each bar's words."""
    pieces = split_inline(line)
    lyric = "".join(pieces[0::2])
    chords = pieces[1::2]
    if not chords:
        return [], lyric, []
    cells: list[str] = []
    texts: list[str] = []  # the words sung from each cell on
    halves = pulses % 2 == 0
    for k, chord in enumerate(chords):
        text = pieces[2 * k + 2] if 2 * k + 2 < len(pieces) else ""
        if k == 0:
            text = pieces[0] + text
        sung = syllables(text)
        units = (4 if sung >= 9 else 2 if sung >= 3 else 1) if halves else (2 if sung >= 9 else 1)
        cells += [chord] + ["."] * (units - 1)
        texts += [text] + [""] * (units - 1)
    size = 2 if halves else 1
    if halves and len(cells) % 2:
        cells.append(".")
        texts.append("")
    bars = [cells[i: i + size] for i in range(0, len(cells), size)]
    bars = [[b[0]] if len(b) == 2 and b[1] == "." else b for b in bars]
    words = [" ".join("".join(texts[i: i + size]).split()) for i in range(0, len(texts), size)]
    return bars, " ".join(lyric.split()), words


def _grid_bars(line: str, pulses: int) -> list[list[str]]:
    line = line.replace("|:", "|").replace(":|", "|").replace("||", "|")
    bars: list[list[str]] = []
    for cell in line.strip().strip("|").split("|"):
        tokens = [t for t in cell.split() if t not in ("/",)]
        if not tokens:
            continue
        if tokens == ["%"]:
            bars.append(list(bars[-1]) if bars else ["N.C."])
            continue
        chords = [t for t in tokens if t != "."]
        if len(tokens) == pulses or pulses % len(tokens) == 0:
            bars.append(tokens)
        else:
            bars.append(slots_for(chords, pulses))
    return bars


def to_chart(text: str) -> str:
    """A ChordPro sheet as chart text (checked by the caller)."""
    meta: dict[str, str] = {}
    parts: list[_Part] = []
    form_refs: list[tuple[str, int]] = []  # ("part", index) or ("chorus", -1)
    current: _Part | None = None
    pulses, meter = 4, ""
    for raw in text.replace("\r", "").split("\n"):
        line = raw.rstrip()
        d = directive(line)
        if d:
            name, value = d[0].lower(), (d[1] or "").strip()
            if name in ("title", "t"):
                meta["title"] = value
            elif name in ("artist", "subtitle", "st", "composer"):
                meta.setdefault("artist", value)
            elif name in ("key", "tempo", "time"):
                meta.setdefault(name, value)
                if name == "time" and re.fullmatch(r"\d{1,2}/\d{1,2}", value) and 1 <= int(value.split("/")[0]) <= 32:
                    pulses, meter = int(value.split("/")[0]), value
            elif name in ENV:
                what, kind = ENV[name]
                if what == "start":
                    current = _Part(kind, value or kind, [], [], meter, [])
                    parts.append(current)
                    form_refs.append(("part", len(parts) - 1))
                else:
                    current = None
            elif name == "chorus":
                form_refs.append(("chorus", -1))
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            if current is None and parts and parts[-1].kind == "Part" and parts[-1].bars:
                parts.append(_Part("Part", "Part", [], [], meter, []))  # a paragraph outside environments
                form_refs.append(("part", len(parts) - 1))
            continue
        target = current
        if target is None:
            if not parts or parts[-1].kind != "Part" or form_refs[-1] != ("part", len(parts) - 1):
                parts.append(_Part("Part", "Part", [], [], meter, []))
                form_refs.append(("part", len(parts) - 1))
            target = parts[-1]
        if target.label.endswith(WORDS):  # a section's words by bars, after its grid
            cells = line.strip().strip("|").split("|")
            target.words.extend(" ".join(cell.split()) for cell in cells)
            continue
        if line.lstrip().startswith("|") or (target.kind == "Grid" and "|" in line):
            grid = _grid_bars(line, pulses)
            target.bars.extend(grid)
            target.words.extend([""] * len(grid))
        else:
            bars, lyric, words = _inline_bars(line, pulses)
            target.bars.extend(bars)
            target.words.extend(words)
            if lyric.strip() and not bars:
                target.lyrics.append(lyric)  # words without chords: kept as a comment
    return _assemble(meta, parts, form_refs)


def _assemble(meta: dict[str, str], parts: list[_Part], refs: list[tuple[str, int]]) -> str:
    from ..theory.pitch import Key

    names: dict[tuple[str, tuple[tuple[str, ...], ...]], str] = {}  # (label, content) -> section name
    count: dict[str, int] = {}
    sections: list[DraftSection] = []
    form: list[str] = []
    chorus_name = ""
    stanzas: dict[str, list[str]] = {}
    for what, index in refs:
        if what == "chorus":
            if chorus_name:
                form.append(chorus_name)
            continue
        part = parts[index]
        if part.label.endswith(WORDS) and form and part.words:
            stanzas.setdefault(form[-1], []).append(" | ".join(part.words) + " |")
            continue
        if not part.bars:
            continue
        base = re.sub(r"[^A-Za-z0-9]+", "", part.label.title()) or part.kind
        content = (*(tuple(b) for b in part.bars), (part.time,))
        ident = (base.rstrip("0123456789"), content)
        if ident not in names:
            stem = ident[0] or part.kind
            count[stem] = count.get(stem, 0) + 1
            name = stem if count[stem] == 1 else f"{stem}{count[stem]}"
            names[ident] = name
            header_time = meta.get("time", "4/4")
            directives = [("time", part.time)] if part.time and part.time != header_time else []
            sections.append(DraftSection(name, part.bars, directives, comments=part.lyrics))
            stanzas[name] = []
        if any(part.words):  # the same chords sung again: the section's next stanza
            stanzas[names[ident]].append(" | ".join("".join(ch for ch in w if ch not in "|#") for w in part.words)
                                         + " |")
        if part.kind == "Chorus":
            chorus_name = names[ident]
        form.append(names[ident])
    if not sections:
        raise ChordProError("no chords found")
    for i, sec in enumerate(sections):
        lines = stanzas.get(sec.name, [])
        sung = [("lyrics", text) for text in (lines[:1] if len(set(lines)) == 1 else lines)]
        sections[i] = sec._replace(directives=[*sec.directives, *sung])
    key_text = meta.get("key", "C")
    try:
        key = str(Key.parse(key_text[:-1] + " minor" if key_text.endswith("m") and len(key_text) <= 3
                            else key_text))
    except ValueError:
        key = "C major"
    try:
        tempo = float(meta.get("tempo", "100"))
    except ValueError:
        tempo = 100.0
    time = meta.get("time", "4/4") if re.fullmatch(r"\d+/\d+", meta.get("time", "4/4")) else "4/4"
    style = "jazz-waltz" if time.startswith("3/") else "folk"
    draft = ChartDraft(meta.get("title", "Untitled"), meta.get("artist", ""), key, tempo, time, style, sections,
                       form, ["Imported from ChordPro"])
    return chart_text(draft)


def from_song(song: object) -> str:
    """A ChordPro sheet: header directives, then each section as a labelled chord grid."""
    from ..model import Song

    assert isinstance(song, Song)
    tl = song.timeline()
    key = song.key.tonic + ("m" if song.key.is_minor else "")
    out = [f"{{title: {song.title}}}"]
    if song.artist:
        out.append(f"{{artist: {song.artist}}}")
    out += [f"{{key: {key}}}", f"{{tempo: {song.tempo:g}}}", f"{{time: {song.meter.num}/{song.meter.den}}}", ""]
    written: set[str] = set()
    times: dict[str, int] = {}
    meter = song.meter
    for span in tl.sections:
        times[span.name] = times.get(span.name, 0) + 1
        first = tl.bars[span.first_bar].meter
        if first != meter:
            out.append(f"{{time: {first.num}/{first.den}}}")
            meter = first
        kind = "chorus" if span.name.lower().startswith("chorus") else "grid"
        if span.name in written and kind == "chorus" and not span.section.lyrics:
            out += ["{chorus}", ""]
            continue
        bars = tl.bars[span.first_bar: span.first_bar + span.bar_count]
        out.append(f"{{start_of_{kind}: {span.name}}}")
        cells = []
        for bar in bars:
            slots = []
            for c in bar.chords:
                n = max(1, round(c.length / bar.meter.pulse_beats))
                name = str(c.chord) + ("!" if c.hit else "") if c.chord else ("." if c.stop else "N.C.")
                slots += [name] + ["."] * (n - 1)
            cells.append(" ".join(slots))
        for i in range(0, len(cells), 4):
            out.append("| " + " | ".join(cells[i: i + 4]) + " |")
        out.append(f"{{end_of_{kind}}}")
        if span.section.lyrics:
            out += _words_block(span, times[span.name] - 1)
        out.append("")
        written.add(span.name)
    return "\n".join(out)


def _bar_texts(span: object, occurrence: int) -> list[str]:
    """Each bar's words for this occurrence of a section: its bar lyrics, or the melody's
    syllables gathered into words, each word in the bar where it starts."""
    from fractions import Fraction

    from ..model import SectionSpan

    assert isinstance(span, SectionSpan)
    sec = span.section
    stanza = sec.lyrics[min(occurrence, len(sec.lyrics) - 1)]
    if stanza.bars:
        return list(stanza.bars)
    assert sec.melody is not None
    bar_len = Fraction(span.end_beat - span.start_beat).limit_denominator(96) / max(1, span.bar_count)
    starts = [n.start for n in sec.melody.notes if n.pitches]
    texts = [""] * span.bar_count
    k, word, word_bar = 0, "", 0
    for syl in stanza.syllables:
        if syl is None:
            k += 1
            continue
        if not word:
            word_bar = min(span.bar_count - 1, int(starts[k] // bar_len)) if k < len(starts) else span.bar_count - 1
        word += syl.text
        k += syl.notes
        if not syl.joined:
            texts[word_bar] = (texts[word_bar] + " " + word).strip()
            word = ""
    return texts


def _words_block(span: object, occurrence: int) -> list[str]:
    """The words of a section's bars, right after its grid: a verse labelled ``NAME (words)``, a
    ``|`` between bars, four bars a line (ChordPro's lyric lines have no bar lines of their own)."""
    from ..model import SectionSpan

    assert isinstance(span, SectionSpan)
    texts = [" ".join(t.replace("|", " ").split()) for t in _bar_texts(span, occurrence)]
    lines = [f"{{start_of_verse: {span.name}{WORDS}}}"]
    for i in range(0, len(texts), 4):
        lines.append("| " + " | ".join(texts[i: i + 4]) + " |")
    return [*lines, "{end_of_verse}"]
