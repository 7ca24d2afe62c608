"""Read a chart's text into a checked ``Song``, or every problem it has.

>>> song = parse_chart("title: T\\nkey: A minor\\nsection A:\\n  | Am | E7 |\\n")
>>> song.title, [str(s.chord) for s in song.sections["A"].bars[1].slots]
('T', ['E7'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import DYNAMICS, INSTRUMENTS, Bar, Meter, Phrase, Ramp, Riff, RiffUse, Section, Slot, Song, default_groups
from ..theory.chords import ChordError, parse_chord
from ..theory.pitch import Key
from .errors import ChartInvalid, Problem, did_you_mean
from .lines import Line, scan

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any

HEADERS = ("title", "artist", "key", "tempo", "time", "style", "feel")
DIRECTIVES = ("dynamics", "tempo", "time", "key", "transpose", "style", "feel", "only", "tacet",
              "riff", "solo", "melody", "lyrics")
SOLOISTS = ("guitar", "keys", "piano", "organ", "sax", "tenor-sax", "alto-sax", "trumpet",
            "flute", "vibes", "synth", "bass")
RIFF_PLAYERS = ("bass", "guitar", "keys", "pad")
FEELS = ("straight", "half-time", "double-time", "swing", "shuffle")
MAX_TEXT = 1_000_000  # characters: five times a 5,000-bar chart with lyrics; read in about a second
MAX_BARS = 5_000  # in the song as played (form expanded): ten times the longest real song
MAX_BEATS = 20_000  # quarter notes as played: 2 h 47 min at 120 bpm; rendering it takes seconds
LONGEST = f"the limit is {MAX_BEATS:,} (2 h 47 min at 120 bpm); split it into several charts"
MAX_REPEAT = 999
TEMPO_RANGE = (20.0, 400.0)
DENOMINATORS = (1, 2, 4, 8, 16, 32)
MAX_PROBLEMS = 100  # a hostile chart can have a million; the first hundred say enough
SHOWN = 60  # characters of a user's text quoted in a message
# Values are read by partition/split, never by regexes with nested quantifiers: the meter
# pattern this replaced, (\d+)\s*/\s*(\d+)\s*(?:\(\s*([\d\s+]+)\s*\))?$, took 16 s on 2 KB.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.'-]*$")  # one pass, no backtracking
RIFF_USE = re.compile(r"(\S+)\s+on\s+(.+)$")  # \S+ stops at the first space: linear


class _Reader:
    """Collects problems while reading one chart."""

    def __init__(self, path: str, styles: Iterable[str] | None) -> None:
        self.path = path
        self.styles = tuple(sorted(styles)) if styles is not None else None
        self.problems: list[Problem] = []
        self.own: dict[str, set[str]] = {}  # section -> directives it gives itself
        self.melody: dict[str, tuple[str, int, int]] = {}  # section -> (notes, line, column)
        self.lyrics: dict[str, list[tuple[str, int, int]]] = {}  # section -> stanzas (text, line, column)
        self.broken_riffs: set[str] = set()  # riffs already reported
        self.saw_section = False
        self.bars = 0  # bars written in the chart's grids so far

    @property
    def full(self) -> bool:
        """True once ``MAX_PROBLEMS`` are recorded: further hints need not be worked out."""
        return len(self.problems) > MAX_PROBLEMS

    def error(self, line: int, column: int, message: str, hint: str = "") -> None:
        if len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem(self.path, line, column, "too many problems; the rest are not shown",
                                         f"the first {MAX_PROBLEMS} are listed"))
        if len(self.problems) > MAX_PROBLEMS:
            return
        self.problems.append(Problem(self.path, line, column, _clip(message), _clip(hint)))

    # -- values ---------------------------------------------------------------
    def meter(self, text: str, line: int, col: int) -> Meter | None:
        parts = _meter_parts(text)
        if not parts:
            self.error(line, col, f"cannot read meter {text!r}", "write it as 4/4, 6/8 or 7/8 (2+2+3)")
            return None
        num, den, grouping = parts
        if not 1 <= num <= 32 or den not in DENOMINATORS:
            self.error(line, col, f"meter {num}/{den} is out of range",
                       "use 1–32 pulses over 1, 2, 4, 8, 16 or 32")
            return None
        if grouping:
            texts = [g for g in grouping.replace(" ", "").split("+") if g]
            groups = tuple(int(g) if len(g) < 6 else 0 for g in texts)
            if sum(groups) != num or 0 in groups:
                self.error(line, col + text.index("("), f"grouping {grouping.strip()} does not add up to {num}",
                           f"the groups must sum to the {num} pulses of a {num}/{den} bar")
                return None
        else:
            groups = default_groups(num, den)
        return Meter(num, den, groups)

    def tempo(self, text: str, line: int, col: int) -> Ramp | None:
        parts = [p.strip() for p in text.split("->")]
        values = []
        for part in parts:
            try:
                v = float(part)
            except ValueError:
                self.error(line, col, f"cannot read tempo {text!r}", "give beats per minute, e.g. 96 or 96 -> 120")
                return None
            if not TEMPO_RANGE[0] <= v <= TEMPO_RANGE[1]:
                self.error(line, col, f"tempo {part} is out of range",
                           f"use {TEMPO_RANGE[0]:g} to {TEMPO_RANGE[1]:g} beats per minute")
                return None
            values.append(v)
        if len(values) > 2:
            self.error(line, col, f"a tempo ramp has two ends, not {len(values)}", "write 96 -> 120")
            return None
        return Ramp(values[0], values[-1])

    def dynamics(self, text: str, line: int, col: int) -> Ramp | None:
        parts = [p.strip() for p in text.split("->")]
        if len(parts) > 2 or not all(parts):
            self.error(line, col, f"cannot read dynamics {text!r}", "write mf, or a ramp such as p -> ff")
            return None
        for part in parts:
            if part not in DYNAMICS:
                self.error(line, col, f"unknown dynamic {part!r}", did_you_mean(part, tuple(DYNAMICS)))
                return None
        return Ramp(float(DYNAMICS[parts[0]]), float(DYNAMICS[parts[-1]]))

    def key(self, text: str, line: int, col: int) -> Key | None:
        try:
            return Key.parse(text)
        except ValueError as e:
            self.error(line, col, str(e))
            return None

    def style(self, text: str, line: int, col: int) -> str | None:
        if self.styles is not None and text not in self.styles:
            self.error(line, col, f"unknown style {text!r}", did_you_mean(text, self.styles))
            return None
        return text

    def feel(self, text: str, line: int, col: int) -> tuple[str, float | None] | None:
        parts = text.split()
        if not parts or parts[0] not in FEELS or len(parts) > 2:
            self.error(line, col, f"unknown feel {text!r}",
                       "use straight, half-time, double-time, shuffle or swing 0.62")
            return None
        if len(parts) == 2:
            if parts[0] not in ("swing", "shuffle"):
                self.error(line, col, f"only swing takes a ratio, not {parts[0]!r}", "write swing 0.62")
                return None
            try:
                ratio = float(parts[1])
            except ValueError:
                ratio = -1.0
            if not 0.5 <= ratio <= 0.8:
                self.error(line, col, f"swing ratio {parts[1]} is out of range", "use 0.5 (straight) to 0.8")
                return None
            return parts[0], ratio
        return parts[0], (0.5 if parts[0] == "straight" else None)

    def instruments(self, text: str, line: int, col: int, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
        names = text.replace(",", " ").split()
        if not names:
            self.error(line, col, "no instruments named", "name some of: " + " ".join(allowed))
            return None
        for name in names:
            if name not in allowed:
                self.error(line, col + text.index(name), f"unknown instrument {name!r}", did_you_mean(name, allowed))
                return None
        return tuple(dict.fromkeys(names))


def _clip(text: str) -> str:
    """A message quoting at most ``SHOWN`` characters of one piece of user text."""
    return text if len(text) <= 2 * SHOWN + 80 else text[: SHOWN + 80] + "…"


def _meter_parts(text: str) -> tuple[int, int, str] | None:
    """``7/8 (2+2+3)`` as (7, 8, '2+2+3'), ``4/4`` as (4, 4, ''); None if it is no meter.

    >>> _meter_parts("7 / 8 ( 2+2+3 )"), _meter_parts("4/4 (")
    ((7, 8, ' 2+2+3 '), None)
    """
    fraction, paren, rest = text.partition("(")
    top, slash, bottom = fraction.partition("/")
    top, bottom = top.rstrip(), bottom.strip()
    if not slash or not (top.isdecimal() and bottom.isdecimal() and len(top) < 6 and len(bottom) < 6):
        return None
    grouping = rest[:-1] if rest.endswith(")") else ""
    if paren and not (grouping and all(c.isdecimal() or c.isspace() or c == "+" for c in grouping)):
        return None
    return int(top), int(bottom), grouping


def like_parts(title: str) -> tuple[str, str | None]:
    """A section title's name and the section it is like: ``A2 (like A)`` -> ('A2', 'A').

    >>> like_parts("A2 ( like  A )"), like_parts("B")
    (('A2', 'A'), ('B', None))
    """
    name, paren, rest = title.partition("(")
    words = rest[:-1].split() if rest.endswith(")") else []
    if paren and len(words) == 2 and words[0] == "like":
        return name.rstrip(), words[1]
    return title, None


def parse_chart(text: str, path: str = "<chart>", styles: Iterable[str] | None = None) -> Song:
    """Parse chart text into a Song; raise ``ChartInvalid`` listing every problem.

    ``styles``: the style names a chart may use (None: any name is accepted).
    """
    r = _Reader(path, styles)
    if len(text) > MAX_TEXT:
        r.error(1, 1, f"chart is {len(text):,} characters long", f"the limit is {MAX_TEXT:,}")
        raise ChartInvalid(r.problems)
    if not text.strip():
        r.error(1, 1, "chart is empty", "a chart needs at least one section with bars: section A: | C |")
        raise ChartInvalid(r.problems)
    lines = scan(text, keep_blank=False)
    header: dict[str, tuple[str, Line]] = {}
    riffs_src: dict[str, list[Line]] = {}
    riff_lines: dict[str, Line] = {}
    sections_src: dict[str, tuple[Line, list[Line]]] = {}
    form_line: Line | None = None
    current: list[Line] | None = None
    seen_body = False
    for ln in lines:
        if ln.kind in ("blank", "comment"):
            continue
        if ln.kind == "header":
            current = None
            if seen_body:
                r.error(ln.number, 1, f"header line {ln.name!r} after the first riff or section",
                        "move header lines to the top of the chart")
            elif ln.name not in HEADERS:
                r.error(ln.number, 1, f"unknown header {ln.name!r}", did_you_mean(ln.name, HEADERS))
            elif ln.name in header:
                r.error(ln.number, 1, f"{ln.name!r} is given twice", f"first on line {header[ln.name][1].number}")
            else:
                header[ln.name] = (ln.value, ln)
        elif ln.kind == "form":
            current = None
            if form_line is not None:
                r.error(ln.number, 1, "a second form line", f"the form is already on line {form_line.number}")
            form_line = ln
        elif ln.kind in ("riff", "section"):
            seen_body = True
            if len(sections_src) + len(riffs_src) >= MAX_BARS:  # each section needs a bar: reading on is waste
                r.error(ln.number, 1, f"more than {MAX_BARS:,} sections and riffs", f"the limit is {MAX_BARS:,}")
                break
            current = _open_body(r, ln, riffs_src, riff_lines, sections_src)
        elif ln.kind == "stray":
            r.error(ln.number, ln.column, "indented line outside a riff or section",
                    "start a body with 'section NAME:' or 'riff NAME:', or unindent it")
        elif ln.kind == "junk" and not ln.indent:
            r.error(ln.number, 1, f"cannot read {ln.code[:30]!r}",
                    "expected 'name: value', 'section NAME:', 'riff NAME:' or 'form: …'")
        elif current is not None:
            current.append(ln)
    song = _build(r, header, riffs_src, riff_lines, sections_src, form_line, path, text)
    if r.problems:
        raise ChartInvalid(r.problems)
    assert song is not None
    return song


def _open_body(r: _Reader, ln: Line, riffs: dict[str, list[Line]], riff_lines: dict[str, Line],
               sections: dict[str, tuple[Line, list[Line]]]) -> list[Line] | None:
    body: list[Line] = []
    title = ln.name
    if ln.kind == "riff":
        if not NAME.match(title):
            r.error(ln.number, ln.value_column, f"bad riff name {title!r}", "names have no spaces")
            return None
        if title in riffs:
            r.error(ln.number, ln.value_column, f"riff {title!r} is defined twice",
                    f"first on line {riff_lines[title].number}")
            return None
        riffs[title], riff_lines[title] = body, ln
        return body
    r.saw_section = True
    name = like_parts(title)[0]
    if not NAME.match(name):
        r.error(ln.number, ln.value_column, f"bad section name {title!r}",
                "names have no spaces; write 'section NAME:' or 'section NAME (like OTHER):'")
        return None
    if name in sections:
        r.error(ln.number, ln.value_column, f"section {name!r} is defined twice",
                f"first on line {sections[name][0].number}")
        return None
    sections[name] = (ln, body)
    return body


def _build(r: _Reader, header: dict[str, tuple[str, Line]], riffs_src: dict[str, list[Line]],
           riff_lines: dict[str, Line], sections_src: dict[str, tuple[Line, list[Line]]],
           form_line: Line | None, path: str, text: str) -> Song | None:
    def head(name: str, default: str) -> tuple[str, int, int]:
        if name in header:
            value, ln = header[name]
            return value, ln.number, ln.value_column
        return default, 0, 0

    key = r.key(*head("key", "C major")) or Key("C")
    tempo_ramp = r.tempo(*head("tempo", "120"))
    if tempo_ramp and tempo_ramp.start != tempo_ramp.end:
        r.error(header["tempo"][1].number, header["tempo"][1].value_column,
                "the song's tempo is one number", "put a ramp on a section: tempo: 96 -> 120")
    meter = r.meter(*head("time", "4/4")) or Meter(4, 4, (1, 1, 1, 1))
    style = r.style(*head("style", "rock")) or "rock"
    feel = r.feel(*head("feel", "straight")) if "feel" in header else ("", None)
    feel = feel or ("", None)
    riffs = {}
    for name, body in riffs_src.items():
        riff = _riff(r, name, body, riff_lines[name], meter)
        if riff:
            riffs[name] = riff
        else:
            r.broken_riffs.add(name)
    if not sections_src:
        if r.saw_section:
            return None
        r.error(max(1, len(text.split("\n")) - 1), 1, "no sections", "add one: section A: followed by | C | G |")
        return None
    raw = {name: _section(r, name, ln, body, riffs, riff_lines) for name, (ln, body) in sections_src.items()}
    sections = _resolve_likes(r, raw, sections_src)
    sections = {name: _check_section(r, sec, meter) for name, sec in sections.items()}
    form = _form(r, form_line, sections, meter)
    _check_first_slot(r, form, sections)
    return Song(
        title=header["title"][0] if "title" in header else _title_from(path),
        artist=header["artist"][0] if "artist" in header else "",
        key=key, tempo=tempo_ramp.start if tempo_ramp else 120.0, meter=meter, style=style,
        sections=sections, form=form, riffs=riffs, path=path, text=text,
        feel=feel[0], swing=feel[1],
    )


def _check_first_slot(r: _Reader, form: list[str], sections: dict[str, Section]) -> None:
    """The song's first slot cannot be '.': there is no chord before it to hold."""
    first = sections.get(form[0]) if form else None
    if first is None or not first.bars or not first.bars[0].slots or not first.bars[0].slots[0].hold:
        return
    bar = first.bars[0]
    r.error(bar.line, bar.column, f"'.' opens the song (section {first.name!r}): there is no chord before it to hold",
            "write the first chord, or N.C. for silence")


def _title_from(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.replace("-", " ").replace("_", " ").title() if stem and stem != "<chart>" else "Untitled"


def _riff(r: _Reader, name: str, body: list[Line], ln: Line, meter: Meter) -> Riff | None:
    from .notes import MAX_NOTES, NoteError, parse_notes  # only charts with riffs pay for note parsing

    if not body:
        r.error(ln.number, ln.value_column, f"riff {name!r} has no notes", "indent note lines under it: a,8 c e |")
        return None
    notes: list[Phrase] = []
    count = 0
    for line in body:
        try:
            notes.append(parse_notes(line.code.strip(), meter.bar_beats))
        except NoteError as e:
            r.error(line.number, line.column + e.offset, e.message, e.hint)
            return None
        count += len(notes[-1].notes)
        if count > MAX_NOTES:
            r.error(line.number, line.column, f"riff {name!r} has more than {MAX_NOTES:,} notes",
                    "split it into several riffs")
            return None
    return Riff(name, _join(notes), ln.number)


def _join(phrases: list[Phrase]) -> Phrase:
    from ..model import Note

    out: list[Note] = []
    now = 0 * phrases[0].length
    for ph in phrases:
        out.extend(Note(n.start + now, n.length, n.pitches) for n in ph.notes)
        now += ph.length
    return Phrase(tuple(out), now)


def _section(r: _Reader, name: str, ln: Line, body: list[Line], riffs: dict[str, Riff],
             riff_lines: dict[str, Line]) -> Section:
    bars: list[Bar] = []
    sec: dict[str, Any] = {"name": name, "line": ln.number, "like": like_parts(ln.name)[1], "riffs": []}
    seen: dict[str, int] = {}
    own: set[str] = set()
    for line in body:
        if line.kind == "grid":
            bars.extend(_grid(r, line, bars))
        elif line.kind == "directive":
            if line.name not in ("riff", "lyrics") and line.name in seen:
                r.error(line.number, line.column, f"{line.name!r} is given twice in section {name!r}",
                        f"first on line {seen[line.name]}")
                continue
            seen[line.name] = line.number
            _directive(r, sec, line, riffs)
            own.add(line.name)
        else:
            r.error(line.number, line.column, f"cannot read {line.code[:30]!r} in section {name!r}",
                    "section lines are directives (name: value) or bars starting with '|'")
    r.own[name] = own
    sec["riffs"] = tuple(sec["riffs"])
    return Section(bars=tuple(bars), **sec)


def _directive(r: _Reader, sec: dict[str, Any], line: Line, riffs: dict[str, Riff]) -> None:
    name, value, n, col = line.name, line.value, line.number, line.value_column
    if name not in DIRECTIVES:
        r.error(n, line.column, f"unknown directive {name!r}", did_you_mean(name, DIRECTIVES))
    elif not value:
        r.error(n, line.column, f"{name!r} needs a value")
    elif name == "dynamics":
        sec["dynamics"] = r.dynamics(value, n, col)
    elif name == "tempo":
        sec["tempo"] = r.tempo(value, n, col)
    elif name == "time":
        sec["meter"] = r.meter(value, n, col)
    elif name == "key":
        sec["key"] = r.key(value, n, col)
    elif name == "transpose":
        try:
            sec["transpose"] = int(value)
            if not -24 <= sec["transpose"] <= 24:
                raise ValueError
        except ValueError:
            r.error(n, col, f"cannot transpose by {value!r}", "give whole semitones from -24 to 24, e.g. 2 or -3")
    elif name == "style":
        sec["style"] = r.style(value, n, col)
    elif name == "feel":
        feel = r.feel(value, n, col)
        if feel:
            sec["feel"], sec["swing"] = feel
    elif name == "only":
        sec["players"] = r.instruments(value, n, col, INSTRUMENTS)
    elif name == "tacet":
        sec["tacet"] = r.instruments(value, n, col, INSTRUMENTS) or ()
    elif name == "solo":
        if value not in SOLOISTS:
            r.error(n, col, f"unknown soloist {value!r}", did_you_mean(value, SOLOISTS))
        else:
            sec["solo"] = value
    elif name == "riff":
        _riff_use(r, sec, value, n, col, riffs)
    elif name == "melody":
        r.melody[sec["name"]] = (value, n, col)
    elif name == "lyrics":
        r.lyrics.setdefault(sec["name"], []).append((value, n, col))


def _riff_use(r: _Reader, sec: dict[str, Any], value: str, n: int, col: int, riffs: dict[str, Riff]) -> None:
    m = RIFF_USE.match(value)
    if not m:
        r.error(n, col, f"cannot read riff use {value!r}", "say who plays it: riff: hook on guitar bass")
        return
    if m.group(1) in r.broken_riffs:
        return
    if m.group(1) not in riffs:
        r.error(n, col, f"unknown riff {m.group(1)!r}",
                did_you_mean(m.group(1), tuple(riffs)) if riffs else "define it first: riff NAME: …")
        return
    who = r.instruments(m.group(2), n, col + m.start(2), RIFF_PLAYERS)
    if who:
        sec["riffs"].append(RiffUse(m.group(1), who))


SLOT_SPLIT = re.compile(r"\S+")


def _grid(r: _Reader, line: Line, previous: list[Bar]) -> list[Bar]:
    code, base = line.code, line.column
    bars: list[Bar] = []
    if r.bars > MAX_BARS:  # reported once; reading on would only cost memory
        return bars
    cells = code.split("|")
    pos = 0
    for i, cell in enumerate(cells):
        start = pos
        pos += len(cell) + 1
        texts = cell.split()
        if i == 0:
            if texts:
                r.error(line.number, base, "a bar line starts with '|'", "write | C | G |")
            continue
        if not texts:
            if i < len(cells) - 1:
                r.error(line.number, base + start - 1, "empty bar '||'", "put a chord, '%' or N.C. in every bar")
            continue
        column = base + start + len(cell) - len(cell.lstrip())
        last = bars[-1] if bars else (previous[-1] if previous else None)
        bar = _bar(r, line.number, texts, column, cell, base + start, last)
        if bar:
            bars.append(bar)
        r.bars += 1
        if r.bars > MAX_BARS:
            r.error(line.number, column, f"the chart writes more than {MAX_BARS:,} bars",
                    f"the limit is {MAX_BARS:,}; split it into several charts")
            break
    return bars


_SLOTS: dict[str, Slot] = {}  # slot texts already read (chord symbols are few; parsing them is not free)


def _bar(r: _Reader, number: int, texts: list[str], column: int, cell: str, cell_column: int,
         last: Bar | None) -> Bar | None:
    starts: list[int] = []

    def col(k: int) -> int:  # the column of the k-th slot, worked out (once) only for messages
        if not starts:
            starts.extend(m.start() for m in SLOT_SPLIT.finditer(cell))
        return cell_column + starts[k]

    if texts[0] == "%":
        if len(texts) > 1:
            r.error(number, col(1), "'%' stands alone in a bar", "write '%' to repeat the whole previous bar")
            return None
        if last is None:
            r.error(number, column, "'%' has no bar before it to repeat", "write the chord instead")
            return None
        return Bar(last.slots, number, column)
    slots: list[Slot] = []
    for k, text in enumerate(texts):
        slot = _SLOTS.get(text)
        if slot is None:
            slot = _slot(r, number, text, col(k))
            if slot is not None:
                _SLOTS[text] = slot
        slots.append(slot if slot is not None else Slot(None))  # reported; keep the bar count
    return Bar(tuple(slots), number, column)


def _slot(r: _Reader, number: int, text: str, col: int) -> Slot | None:
    if text == ".":
        return Slot(None, hold=True)
    if text in ("N.C.", "NC", "n.c.", "N.C"):
        return Slot(None)
    if text == "%":
        r.error(number, col, "'%' stands alone in a bar", "write '%' to repeat the whole previous bar")
        return None
    hit = text.endswith("!")
    symbol = text[:-1] if hit else text
    try:
        return Slot(parse_chord(symbol), hit=hit)
    except ChordError as e:
        r.error(number, col, e.message, e.hint)
        return None


def _resolve_likes(r: _Reader, raw: dict[str, Section],
                   src: dict[str, tuple[Line, list[Line]]]) -> dict[str, Section]:
    """Merge each ``(like X)`` section onto X, following chains iteratively (a chain of
    thousands of sections must not exhaust Python's recursion limit)."""
    done: dict[str, Section | None] = {}  # None: could not be resolved (reported)
    for start in raw:
        chain = [start]  # start, the section it is like, the one that is like, ...
        on_chain = {start}
        while chain[-1] not in done and raw[chain[-1]].like is not None:
            name, like = chain[-1], raw[chain[-1]].like
            assert like is not None
            ln = src[name][0]
            if like not in raw:
                r.error(ln.number, ln.value_column + ln.name.index("like"),
                        f"section {name!r} is like unknown section {like!r}", did_you_mean(like, tuple(raw)))
                done[name] = None
            elif like in on_chain:
                _report_cycle(r, chain[chain.index(like):], src)
                done[name] = None
            else:
                chain.append(like)
                on_chain.add(like)
        base = done.get(chain[-1], raw[chain[-1]])
        done[chain[-1]] = base
        for name in reversed(chain[:-1]):  # unwind: each section onto its (now resolved) base
            if name in done:
                base = done[name]
                continue
            base = None if base is None else _merge_like(r, raw[name], base)
            done[name] = base
    return {name: sec for name in raw if (sec := done[name]) is not None}


def _report_cycle(r: _Reader, cycle: list[str], src: dict[str, tuple[Line, list[Line]]]) -> None:
    """Report a ``like`` cycle at each of its sections, read from the section each is like."""
    for i, name in enumerate(cycle):
        if len(r.problems) > MAX_PROBLEMS:
            return
        ln = src[name][0]
        ring = [*cycle[i + 1:], *cycle[: i + 1]]
        shown = " -> ".join([*ring, ring[0]]) if len(ring) < 20 else " -> ".join([*ring[:10], "…", ring[0]])
        r.error(ln.number, ln.value_column, f"'like' goes round in a cycle: {shown}",
                "one of these sections must have its own bars")


def _merge_like(r: _Reader, sec: Section, base: Section) -> Section:
    if sec.name not in r.melody and base.name in r.melody:
        r.melody[sec.name] = r.melody[base.name]
    if sec.name not in r.lyrics and base.name in r.lyrics:
        r.lyrics[sec.name] = r.lyrics[base.name]
    return _merge(sec, base, r.own.get(sec.name, set()))


MERGED = {"dynamics": ("dynamics",), "tempo": ("tempo",), "time": ("meter",), "key": ("key",),
          "transpose": ("transpose",), "style": ("style",), "only": ("players",), "tacet": ("tacet",),
          "solo": ("solo",), "feel": ("feel", "swing"), "riff": ("riffs",), "lyrics": ("lyrics",)}


def _merge(sec: Section, base: Section, own: set[str]) -> Section:
    """``sec (like base)``: base's bars and directives, under sec's own."""
    values: dict[str, Any] = {"bars": sec.bars or base.bars}
    for directive, attrs in MERGED.items():
        source = sec if directive in own else base
        for attr in attrs:
            values[attr] = getattr(source, attr)
    return sec._replace(**values)


def _check_section(r: _Reader, sec: Section, song_meter: Meter) -> Section:
    """Check slot counts and the melody against the section's meter, and the lyrics against the
    melody (or the bars); attach both."""
    meter = sec.meter or song_meter
    if not sec.bars:
        r.error(sec.line, 1, f"section {sec.name!r} has no bars",
                "add a bar line such as | C | G |, or make it (like OTHER)")
    allowed = sorted({d for d in range(1, meter.num + 1) if meter.num % d == 0} | {len(meter.groups)})
    for bar in sec.bars:
        n = len(bar.slots)
        if n not in allowed:
            options = ", ".join(map(str, allowed[:-1])) + f" or {allowed[-1]}" if len(allowed) > 1 else str(allowed[0])
            r.error(bar.line, bar.column, f"{n} slots do not divide a {meter} bar",
                    f"use {options}")
    melody = r.melody.get(sec.name)
    if melody:
        from .notes import NoteError, parse_notes

        text, n, col = melody
        try:
            phrase = parse_notes(text, meter.bar_beats)
        except NoteError as e:
            r.error(n, col + e.offset, e.message, e.hint)
            return sec
        length = len(sec.bars) * meter.bar_beats
        if phrase.length > length + 1e-9:
            r.error(n, col, f"melody is {float(phrase.length):g} quarter notes long but section "
                    f"{sec.name!r} has {length:g}", "shorten the melody or add bars")
            return sec
        sec = sec._replace(melody=phrase)
    if sec.name in r.lyrics:
        sec = _lyrics(r, sec)
    return sec


def _lyrics(r: _Reader, sec: Section) -> Section:
    """Read the section's stanzas against its melody's sung notes, or against its bars."""
    from .lyrics import LyricsError, read_lyrics, sung_notes

    notes = sung_notes(sec.melody) if sec.melody is not None else None
    own = r.own.get(sec.name, set())
    inherited = "lyrics" not in own  # from the section it is like, whose own check reports the same problem
    stanzas = []
    for text, n, col in r.lyrics[sec.name]:
        try:
            stanzas.append(read_lyrics(text, notes, len(sec.bars), n))
        except LyricsError as e:
            if inherited and "melody" not in own and sec.melody is not None:
                continue  # the same words on the same melody: reported once, at the section they come from
            where = f" (in section {sec.name!r}, which is like {sec.like!r})" if inherited else ""
            r.error(n, col + e.offset, e.message + where, e.hint)
    return sec._replace(lyrics=tuple(stanzas))


def _form(r: _Reader, form_line: Line | None, sections: dict[str, Section], meter: Meter) -> list[str]:
    """The form's section names, expanded; the bars and quarter notes it adds up to are checked
    against ``MAX_BARS`` and ``MAX_BEATS`` as it is read, so ``A x999`` repeated costs no memory
    before it is refused."""
    if form_line is None:
        _check_total(r, list(sections), sections, meter)
        return list(sections)
    form: list[str] = []
    total, beats, last = 0, 0.0, ""
    text, col0 = form_line.value, form_line.value_column
    if not text:
        r.error(form_line.number, form_line.column, "the form is empty", "list sections: form: A B A")
        return form
    for m in SLOT_SPLIT.finditer(text):
        word, col = m.group(0), col0 + m.start()
        if word[0] in "x×" and word[1:].isdecimal():
            count = int(word[1:]) if len(word) < 8 else MAX_REPEAT + 1
            if not last:
                r.error(form_line.number, col, f"{word!r} has nothing before it to repeat", "write: A x2")
            elif not 1 <= count <= MAX_REPEAT:
                r.error(form_line.number, col, f"repeat count {word[1:]} is out of range", f"use 1 to {MAX_REPEAT}")
            else:
                total += (count - 1) * len(sections[last].bars)
                beats += (count - 1) * _beats(sections[last], meter)
                if total <= MAX_BARS and len(form) + count <= MAX_BARS:
                    form.extend([last] * (count - 1))
            continue
        if word not in sections:
            if not r.full:
                r.error(form_line.number, col, f"unknown section {word!r} in the form",
                        did_you_mean(word, tuple(sections)))
            continue
        total, beats, last = total + len(sections[word].bars), beats + _beats(sections[word], meter), word
        if total <= MAX_BARS and len(form) < MAX_BARS:
            form.append(word)
    if total > MAX_BARS:
        r.error(form_line.number, col0, f"the form expands to {total:,} bars", f"the limit is {MAX_BARS:,}")
    elif beats > MAX_BEATS:
        r.error(form_line.number, col0, f"the form expands to {beats:,.0f} quarter notes", LONGEST)
    return form


def _beats(section: Section, meter: Meter) -> float:
    return len(section.bars) * (section.meter or meter).bar_beats


def _check_total(r: _Reader, names: list[str], sections: dict[str, Section], meter: Meter) -> None:
    """A song without a form plays each section once: its length too is limited."""
    total, beats = 0, 0.0
    for name in names:
        total, beats = total + len(sections[name].bars), beats + _beats(sections[name], meter)
        if total > MAX_BARS:
            r.error(sections[name].line, 1, f"the song has more than {MAX_BARS:,} bars",
                    f"the limit is {MAX_BARS:,}; split it into several charts")
            return
        if beats > MAX_BEATS:
            r.error(sections[name].line, 1, f"the song has more than {MAX_BEATS:,} quarter notes", LONGEST)
            return
