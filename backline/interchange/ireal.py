"""iReal Pro: ``irealb://`` and ``irealbook://`` links in and out.

Reading follows the format as public readers describe it: a percent-encoded link; songs
split by ``===``; fields split by ``=``; in ``irealb`` the music is prefixed with
``1r34LbKcu7`` and scrambled in 50-character blocks (a symmetric swap), with ``XyQ``,
``LZ`` and ``Kcl`` standing for spaces, `` |`` and ``| x``. The chart itself — time
signatures, ``*A`` sections, ``{ }`` repeats with ``N1``/``N2`` endings, segno ``S``, coda
``Q``, ``<D.C. al Coda>``-style jumps, ``x``/``r`` bar repeats, ``n`` no chord, ``p``
slashes — is unfolded into the bars a band plays, one after the other.

>>> song = decode_ireal("irealbook://Tiny=Doe John=Rock=C=n=T44*A{C |F |N1G7 }|N2G7 |C Z")[0]
>>> song.title, song.artist, [b.chords for b in unfold(song.bars)]
('Tiny', 'John Doe', [['C'], ['F'], ['G7'], ['C'], ['F'], ['G7'], ['C']])
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any, NamedTuple

PREFIX = "1r34LbKcu7"
MAX_BARS = 5000
METERS = {"44": "4/4", "34": "3/4", "24": "2/4", "54": "5/4", "64": "6/4", "74": "7/4", "22": "2/2",
          "32": "3/2", "58": "5/8", "68": "6/8", "78": "7/8", "98": "9/8", "12": "12/8"}
LINK = re.compile(r"irealb(?:ook)?://[^\"'<>\s]+")
CHORD = re.compile(r"([A-GW][b#]?)([^\s,|\[\]{}()<>*/A-Z]*)(?:/([A-G][b#]?))?")  # capitals are marks


class IrealError(ValueError):
    """A song that cannot be read; the message says why."""


class IrealBar(NamedTuple):
    chords: list[str]
    meter: str
    label: str = ""
    repeat_start: bool = False
    repeat_end: int = 0  # times the repeat is played, 0 if no repeat ends here
    ending: int = 0
    segno: bool = False
    coda: bool = False
    fine: bool = False
    jump: str = ""  # "DC", "DS", with " al Coda" or " al Fine"


class IrealSong(NamedTuple):
    title: str
    artist: str
    style: str
    key: str
    tempo: int
    bars: list[IrealBar]


def obfusc50(s: str) -> str:
    """The 50-character swap iReal scrambles with (its own inverse)."""
    a = list(s)
    for i in range(5):
        a[i], a[49 - i] = s[49 - i], s[i]
    for i in range(10, 24):
        a[i], a[49 - i] = s[49 - i], s[i]
    return "".join(a)


def unscramble(s: str) -> str:
    """Undo (or apply) the block scrambling of an ``irealb`` music string.

    >>> unscramble(unscramble("x" * 7 + "abcdefghij" * 9)) == "x" * 7 + "abcdefghij" * 9
    True
    """
    out = []
    while len(s) > 50:
        part, s = s[:50], s[50:]
        out.append(part if len(s) < 2 else obfusc50(part))
    return "".join(out) + s


def links_in(text: str) -> list[str]:
    """Every iReal link in a text or HTML playlist export."""
    return LINK.findall(text)


def decode_ireal(link: str) -> list[IrealSong]:
    """The songs of one link (a playlist holds many); bad songs raise ``IrealError``."""
    return [parse_song_fields(fields, scrambled) for fields, scrambled in song_fields(link)]


def song_fields(link: str) -> list[tuple[list[str], bool]]:
    """Each song's raw ``=``-separated fields, and whether its music is scrambled."""
    scrambled = link.startswith("irealb://")
    body = urllib.parse.unquote(link.split("://", 1)[1])
    songs = [s for s in body.split("===") if s.strip()]
    if len(songs) > 1 and "=" not in songs[-1]:
        songs = songs[:-1]  # the playlist's name
    return [(s.split("="), scrambled) for s in songs]


def parse_song_fields(parts: list[str], scrambled: bool) -> IrealSong:
    title = parts[0].strip() or "Untitled"
    if scrambled:
        music_at = next((i for i, p in enumerate(parts) if p.startswith(PREFIX)), -1)
        if music_at < 0:
            raise IrealError(f"{title}: no music found in the link")
        texts = [p for p in parts[2:music_at] if p and not p.lstrip("-").isdigit()]
        style, key = (texts[0], texts[-1]) if len(texts) >= 2 else ("", texts[-1] if texts else "C")
        music = unscramble(parts[music_at][len(PREFIX):])
        music = music.replace("Kcl", "| x").replace("LZ", " |").replace("XyQ", "   ")
        numbers = [int(p) for p in parts[music_at + 1:] if p.isdigit()]
        tempo = numbers[0] if numbers and 20 <= numbers[0] <= 400 else 0
    else:
        if len(parts) < 4:
            raise IrealError(f"{title}: too few fields in the link")
        style, key = (parts[2], parts[3]) if len(parts) >= 6 else ("", parts[2])
        music, tempo = parts[-1], 0
    composer = parts[1].strip() if len(parts) > 1 else ""
    words = composer.split()
    artist = f"{words[1]} {words[0]}" if len(words) == 2 else composer
    if artist.lower() in ("composer unknown", "unknown composer"):
        artist = ""
    return IrealSong(title, artist, style.strip(), key.strip(), tempo, parse_music(music, title))


_TOKEN = re.compile(r"T(\d\d)|\*(\w)|<([^>]*)>|N(\d)|(\{)|(\})|(\[)|(\])|(\|)|(Z)|(Y+)|(\()|([SQfUlsx rnp,])")


def parse_music(music: str, title: str = "") -> list[IrealBar]:
    """The bars as written (not yet unfolded)."""
    bars: list[IrealBar] = []
    chords: list[str] = []
    meter = "4/4"
    bar: dict[str, Any] = {}  # marks for the bar being read: label, meter, repeat, ending …
    content = False
    ending = 0
    pos = 0

    def close(kind: str) -> None:
        nonlocal chords, bar, content, ending
        emitted = content or (kind == "|" and bool(bar.get("plain_start")) and not bar.get("after_r"))
        if emitted:
            if not chords:
                chords = ["."]
            bars.append(IrealBar(chords=chords, meter=str(bar.get("meter", meter)), label=str(bar.get("label", "")),
                                 repeat_start=bool(bar.get("repeat_start")),
                                 repeat_end=int(bar.get("times", 2)) if kind == "}" else 0,
                                 ending=int(bar.get("ending", ending) or 0), segno=bool(bar.get("segno")),
                                 coda=bool(bar.get("coda")), fine=bool(bar.get("fine")), jump=str(bar.get("jump", ""))))
        elif kind == "}" and bars:
            last = bars[-1]
            bars[-1] = last._replace(repeat_end=int(bar.get("times", 2)))
        chords, content = [], False
        # a boundary with no bar before it ('][', '*A[') passes its marks on to the next bar
        after_r = bool(bar.get("repeat_two"))
        bar = {} if emitted else {k: v for k, v in bar.items() if k not in ("plain_start", "times", "after_r")}
        if after_r:
            bar["after_r"] = True  # 'r' fills two measures: the empty one after it is part of it
        if kind in ("}", "]", "Z"):
            ending = 0

    last_close = music.rfind(">")
    while pos < len(music):
        if music[pos] == "<":  # a <comment>, found with str.find: the regex's scan per unclosed '<' was quadratic
            end = music.find(">", pos + 1) if pos < last_close else -1
            if end >= 0:
                _comment(music[pos + 1:end], bar)
            pos = end + 1 if end >= 0 else pos + 1  # an unclosed '<': punctuation, skipped as before
            continue
        m = _TOKEN.match(music, pos)
        if m:
            pos = m.end()
            if m.group(1):
                meter = METERS.get(m.group(1), meter)
                bar["meter"] = meter
            elif m.group(2):
                bar["label"] = m.group(2)
                ending = 0
            elif m.group(3) is not None:
                _comment(m.group(3), bar)
            elif m.group(4):
                ending = int(m.group(4))
                bar["ending"] = ending
            elif m.group(5):
                if content:
                    close("{")
                bar["repeat_start"] = True
                ending = 0
            elif m.group(6):
                close("}")
            elif m.group(7) or m.group(8) or m.group(10):
                close("]" if m.group(8) else ("Z" if m.group(10) else "["))
            elif m.group(9):
                close("|")
                bar["plain_start"] = True
            elif m.group(12):
                end = music.find(")", pos)
                pos = len(music) if end < 0 else end + 1  # an alternate chord: left out
            elif m.group(13):
                tok = m.group(13)
                if tok == "S":
                    bar["segno"] = True
                elif tok == "Q":
                    bar["coda"] = True
                elif tok == "x":
                    chords = list(bars[-1].chords) if bars else ["N.C."]
                    content = True
                elif tok == "r":
                    if len(bars) >= 2:
                        copies = [b.chords for b in bars[-2:]]
                        bars.append(bars[-2]._replace(label="", repeat_start=False, repeat_end=0, coda=False,
                                                      segno=False, jump="", ending=ending))
                        chords, content = list(copies[1]), True
                        bar["repeat_two"] = True
                elif tok == "n":
                    chords.append("N.C.")
                    content = True
                elif tok == "p":
                    chords.append(chords[-1] if chords else ".")
                    content = True
            continue
        m = CHORD.match(music, pos)
        if not m:
            if music[pos].isalnum():
                raise IrealError(f"{title}: cannot read {music[pos:pos + 6]!r} in the chart")
            pos += 1  # punctuation the format does not use here
            continue
        pos = m.end()
        root, quality, bass = m.group(1), m.group(2), m.group(3)
        if root == "W":
            continue  # an invisible root: a bass change only
        chords.append(root + _quality(quality, title) + (f"/{bass}" if bass else ""))
        content = True
    if content:
        close("Z")
    return bars


def _comment(text: str, bar: dict[str, Any]) -> None:
    t = text.strip().lower().replace(" ", "")
    times = re.match(r"(\d+)x", t)
    if times:
        bar["times"] = int(times.group(1))
    for mark, jump in (("d.c.alcoda", "DC al Coda"), ("d.s.alcoda", "DS al Coda"), ("d.c.alfine", "DC al Fine"),
                       ("d.s.alfine", "DS al Fine"), ("d.c.", "DC"), ("d.s.", "DS")):
        if t.startswith(mark):
            bar["jump"] = jump
            return
    if t == "fine":
        bar["fine"] = True


IREAL_QUALITIES = {"": "", "-": "m", "^": "maj7", "h": "m7b5", "o": "dim"}


def _quality(q: str, title: str) -> str:
    """iReal's shorthand into the usual spelling: ``-7`` → ``m7``, ``^7`` → ``maj7``,
    ``h7`` → ``m7b5``, ``o7`` → ``dim7`` (the chart language reads both).

    >>> [_quality(q, "") for q in ("-7", "^7#11", "h7", "o7", "-^7", "7b9sus", "^")]
    ['m7', 'maj7#11', 'm7b5', 'dim7', 'mmaj7', '7b9sus', 'maj7']
    """
    if q in IREAL_QUALITIES:
        return IREAL_QUALITIES[q]
    if q.startswith("h"):
        return "m7b5" + q[2:] if q.startswith("h7") else "m" + q[1:] + "b5"
    if q.startswith("o"):
        q = "dim" + q[1:]
    elif q.startswith("-"):
        q = "m" + q[1:]
    return q.replace("^", "maj") if "^" in q[:4] and not q.endswith("^") else q.replace("^", "maj7")


def unfold(bars: list[IrealBar]) -> list[IrealBar]:
    """Play the chart as written: repeats with endings, then D.C./D.S. to the coda or Fine."""
    out: list[IrealBar] = []
    codas = [i for i, b in enumerate(bars) if b.coda]
    segno = next((i for i, b in enumerate(bars) if b.segno), 0)
    last_ending: dict[int, int] = {}
    start, passes, jumped, mode = 0, 1, False, ""
    for i, b in enumerate(bars):
        if b.repeat_start:
            start = i
        if b.ending:
            last_ending[start] = max(last_ending.get(start, 0), b.ending)
    i, steps, block = 0, 0, 0
    while i < len(bars) and len(out) < MAX_BARS and steps < MAX_BARS * 4:
        steps += 1
        b = bars[i]
        if b.repeat_start and i != block:
            block, passes = i, 1
        wanted = last_ending.get(block, 1) if jumped else passes
        if b.ending and b.ending != wanted:
            i += 1
            continue
        out.append(b)
        if jumped and mode == "Coda" and b.coda and len(codas) > 1 and i == codas[0]:
            i = codas[1]
            continue
        if jumped and mode == "Fine" and b.fine:
            break
        if b.repeat_end and not jumped and passes < b.repeat_end:
            passes += 1
            i = block
            continue
        if b.jump and not jumped:
            jumped = True
            mode = "Coda" if b.jump.endswith("Coda") else ("Fine" if b.jump.endswith("Fine") else "")
            if mode == "Coda" and len(codas) == 1 and codas[0] > i:
                out += _to_end_then(bars, 0 if b.jump.startswith("DC") else segno, i, codas[0], last_ending)
                i = codas[0]
                jumped_tail = bars[i:]
                out += [x for x in jumped_tail if not x.ending or x.ending == last_ending.get(block, 1)]
                break
            i = 0 if b.jump.startswith("DC") else segno
            block = -1
            continue
        i += 1
    return out[:MAX_BARS]


def _to_end_then(bars: list[IrealBar], start: int, stop: int, coda: int, last: dict[int, int]) -> list[IrealBar]:
    """The da capo pass when the chart marks only the coda: up to the jump, without repeats."""
    out, block = [], 0
    for i in range(start, stop):
        b = bars[i]
        if b.repeat_start:
            block = i
        if b.ending and b.ending != last.get(block, 1):
            continue
        out.append(b)
    return out


STYLE_MAP = [("bossa", "bossa-nova"), ("samba", "samba"), ("latin", "bossa-nova"), ("bolero", "bossa-nova"),
             ("jazz waltz", "jazz-waltz"), ("waltz", "jazz-waltz"), ("funk", "funk"), ("disco", "disco"),
             ("reggae", "reggae"), ("ska", "reggae"), ("country", "country"), ("bluegrass", "country"),
             ("folk", "folk"), ("shuffle", "blues-shuffle"), ("blues", "blues-shuffle"), ("soul", "soul"),
             ("r&b", "soul"), ("gospel", "soul"), ("motown", "soul"), ("hip", "hip-hop"), ("metal", "metal"),
             ("punk", "punk"), ("hard rock", "hard-rock"), ("rock", "rock"), ("pop ballad", "pop-ballad"),
             ("pop", "pop"), ("even 8", "pop"), ("ballad", "jazz-swing"), ("swing", "jazz-swing"),
             ("bebop", "jazz-swing"), ("bop", "jazz-swing"), ("afro", "samba")]
DEFAULT_TEMPO = {"jazz-swing": 140, "bossa-nova": 130, "samba": 100, "jazz-waltz": 150, "pop-ballad": 72,
                 "blues-shuffle": 100, "funk": 100}
LABELS = {"i": "Intro", "V": "Verse"}
IREAL_STYLE = {"jazz-swing": "Medium Swing", "jazz-waltz": "Jazz Waltz", "bossa-nova": "Bossa Nova", "samba": "Samba",
               "funk": "Funk", "rock": "Rock", "hard-rock": "Hard Rock", "pop": "Pop", "pop-ballad": "Pop Ballad",
               "ballad-68": "Pop Ballad", "blues-shuffle": "Blues Shuffle", "soul": "Soul", "reggae": "Reggae",
               "country": "Country", "folk": "Folk", "punk": "Punk", "metal": "Metal", "prog-rock": "Rock",
               "disco": "Disco", "hip-hop": "Hip Hop"}


def nearest_style(ireal_style: str, meter: str = "4/4") -> str:
    """The backline style nearest an iReal style name.

    >>> nearest_style("Medium Swing"), nearest_style("Bossa Nova"), nearest_style("Waltz", "3/4")
    ('jazz-swing', 'bossa-nova', 'jazz-waltz')
    """
    name = ireal_style.lower()
    for word, style in STYLE_MAP:
        if word in name:
            if style == "jazz-swing" and meter.startswith("3/"):
                return "jazz-waltz"
            return style
    return "jazz-waltz" if meter.startswith("3/") else "jazz-swing"


def chart_key(ireal_key: str) -> str:
    """``A-`` → ``A minor``; ``Eb`` → ``Eb major``."""
    k = ireal_key.strip()
    if k.endswith("-"):
        return f"{k[:-1]} minor"
    return f"{k or 'C'} major"


def to_chart(song: IrealSong) -> str:
    """The song as chart text: unfolded bars grouped into sections (checked by the caller)."""
    from .chartwriter import ChartDraft, DraftSection, chart_text, slots_for

    played = unfold(song.bars)
    if not played:
        raise IrealError(f"{song.title}: no bars")
    header_meter = played[0].meter
    style = nearest_style(song.style, header_meter)
    groups: list[tuple[str, list[IrealBar]]] = []
    for b in played:
        if not groups or b.label or b.meter != groups[-1][1][-1].meter:
            label = LABELS.get(b.label, b.label.upper()) if b.label else (groups[-1][0] if groups else "A")
            groups.append((label, []))
        groups[-1][1].append(b)
    names: dict[tuple[str, tuple[object, ...]], str] = {}
    used: dict[str, int] = {}
    sections: list[DraftSection] = []
    form: list[str] = []
    for label, bars in groups:
        content = tuple((tuple(b.chords), b.meter) for b in bars)
        key = (label, content)
        if key not in names:
            used[label] = used.get(label, 0) + 1
            name = label if used[label] == 1 else f"{label}{used[label]}"
            names[key] = name
            meter = bars[0].meter
            pulses = int(meter.split("/")[0])
            directives = [("time", meter)] if meter != header_meter else []
            sections.append(DraftSection(name, [slots_for(b.chords, pulses) for b in bars], directives))
        form.append(names[key])
    tempo = song.tempo or DEFAULT_TEMPO.get(style, 120)
    comments = [f"Imported from iReal Pro: style {song.style!r}" if song.style else "Imported from iReal Pro"]
    draft = ChartDraft(song.title, song.artist, chart_key(song.key), tempo, header_meter, style, sections, form,
                       comments)
    return chart_text(draft)


def _ireal_chord(symbol: str) -> str:
    """A chart chord in iReal's spelling: ^ for maj7, - for minor, h for half-diminished, o for dim."""
    from ..theory.chords import parse_chord

    c = parse_chord(symbol)
    q = c.quality.replace("6/9", "69")
    for ours, theirs in (("maj", "^"), ("Maj", "^"), ("ø", "h"), ("m7b5", "h7"), ("dim", "o"), ("min", "-"),
                         ("aug", "+")):
        q = q.replace(ours, theirs)
    if q.startswith("m") and not q.startswith("maj"):
        q = "-" + q[1:]
    if q == "^":
        q = "^7"
    return c.root + q + (f"/{c.bass}" if c.bass else "")


def from_song(song: object) -> str:
    """An ``irealbook://`` link for a song (unfolded: every bar as it is played)."""
    from ..model import Song

    assert isinstance(song, Song)
    tl = song.timeline()
    letters = "ABCD"
    mark: dict[str, str] = {}
    music: list[str] = []
    meter = ""
    for span in tl.sections:
        if span.name not in mark:
            lower = span.name.lower()
            mark[span.name] = "i" if lower.startswith("intro") else ("V" if lower.startswith("verse") else
                                                                    letters[len(mark) % 4])
        cells = [f"*{mark[span.name]}["]
        for k, bar in enumerate(tl.bars[span.first_bar: span.first_bar + span.bar_count]):
            m = f"{bar.meter.num}/{bar.meter.den}"
            if m != meter:
                code = next((c for c, v in METERS.items() if v == m), "44")
                cells.append(f"T{code}")
                meter = m
            chords = [("n" if c.chord is None and not c.stop else _ireal_chord(str(c.chord)))
                      for c in bar.chords if not c.stop]
            cells.append(" ".join(chords) or "n")
            cells.append(" |" if k < span.bar_count - 1 else "]")
        music.append("".join(cells))
    body = "".join(music)
    body = body[:-1] + "Z" if body.endswith("]") else body
    key = song.key.tonic + ("-" if song.key.is_minor else "")
    words = song.artist.split()
    composer = f"{words[-1]} {' '.join(words[:-1])}" if len(words) == 2 else song.artist
    fields = [song.title, composer or "Composer Unknown", IREAL_STYLE.get(song.style, "Medium Swing"), key, "n", body]
    return "irealbook://" + "=".join(urllib.parse.quote(f, safe="") for f in fields)
