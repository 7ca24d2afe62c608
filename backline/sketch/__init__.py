"""Sketch: propose a song scaffold — form, progressions, a riff, a guide melody — as a chart.

Progressions come from ``idioms.toml`` (by style family and section role, as Roman
numerals); every chord is diatonic to the key or one of the borrowings named there. The
guide melody puts chord tones on the strong beats, stays within a twelfth and peaks in
the chorus. The same options and seed give the same chart, byte for byte.

>>> text = sketch(style="rock", key="A minor", seed=3)
>>> text.startswith("# Sketched by backline") and "form: Intro Verse Chorus" in text
True
"""

from __future__ import annotations

import os
import random
import re
from functools import lru_cache
from typing import Any

from ..model import Meter, default_groups
from ..theory.chords import Chord, parse_chord
from ..theory.pitch import Key

NUMERAL = re.compile(r"^(b|#)?(VII|VI|V|IV|III|II|I|vii|vi|v|iv|iii|ii|i)(.*)$")
DEGREES = {"i": 0, "ii": 2, "iii": 4, "iv": 5, "v": 7, "vi": 9, "vii": 11}
ROLES = {"intro": "intro", "verse": "verse", "chorus": "chorus", "bridge": "bridge", "outro": "outro",
         "solo": "verse", "pre": "bridge", "prechorus": "bridge", "middle": "bridge", "break": "intro",
         "tag": "outro", "coda": "outro", "refrain": "chorus", "hook": "chorus"}
DEFAULT_FORM = "Intro Verse Chorus Verse Chorus Bridge Chorus Outro"
TEMPOS = {"blues-shuffle": 96, "jazz-swing": 150, "jazz-waltz": 150, "bossa-nova": 132, "samba": 100,
          "funk": 104, "disco": 118, "hip-hop": 90, "reggae": 76, "pop-ballad": 70, "ballad-68": 56,
          "punk": 176, "metal": 150, "hard-rock": 126, "prog-rock": 140, "country": 112, "folk": 100,
          "soul": 100, "pop": 112, "rock": 120}
METER_OF = {"jazz-waltz": "3/4", "ballad-68": "6/8"}
WORDS_A = ["Lantern", "Harbor", "Copper", "Velvet", "Iron", "Paper", "Silver", "Hollow", "Midnight", "Amber",
           "Salt", "Glass", "Winter", "Signal", "Quiet", "Electric", "River", "Stone", "Neon", "Borrowed"]
WORDS_B = ["Road", "Lights", "Wire", "Morning", "Hours", "Tide", "Line", "Season", "Station", "Ghosts",
           "Letters", "Engine", "Weather", "Bridge", "Garden", "Parade", "Frequency", "Ceiling", "Horizon", "Heart"]


class SketchError(ValueError):
    """Options a sketch cannot be made from."""


@lru_cache(maxsize=1)
def idioms() -> dict[str, Any]:
    import tomllib

    with open(os.path.join(os.path.dirname(__file__), "idioms.toml"), "rb") as f:
        return tomllib.load(f)


def family_of(style: str) -> str:
    for family, styles in idioms()["families"].items():
        if style in styles:
            return str(family)
    return "pop"


def numeral_chord(numeral: str, key: Key) -> Chord:
    """A Roman numeral (degrees counted on the major scale, ``b``/``#`` to move them) in a key.

    >>> str(numeral_chord("ii7", Key.parse("C major"))), str(numeral_chord("bVII", Key.parse("A minor")))
    ('Dm7', 'G')
    """
    m = NUMERAL.match(numeral)
    if not m:
        raise SketchError(f"not a Roman numeral: {numeral!r}")
    acc, num, suffix = m.groups()
    pc = (key.tonic_pc + DEGREES[num.lower()] + {"b": -1, "#": 1}.get(acc or "", 0)) % 12
    if num.islower():
        quality = suffix if suffix.startswith("m") else "m" + suffix
    else:
        quality = suffix
    return parse_chord(key.spell(pc) + quality)


def explain(chord: Chord, key: Key) -> str | None:
    """Why a chord belongs: ``diatonic``, the name of an idiomatic borrowing, or None."""
    if chord.pitch_classes <= set(key.scale()):
        return "diatonic"
    for numeral, name in idioms()["borrowed"].items():
        try:
            if numeral_chord(numeral, key).pitch_classes == chord.pitch_classes:
                return str(name)
        except SketchError:
            continue
    return None


def _role(name: str) -> str:
    base = re.sub(r"[^a-z]", "", name.lower())
    for word, role in ROLES.items():
        if base.startswith(word):
            return role
    return "verse"


def _meter(time: str) -> Meter:
    m = re.fullmatch(r"\s*(\d{1,3})\s*/\s*(\d{1,3})\s*", time)
    if not m or int(m.group(2)) not in (2, 4, 8, 16) or not 1 <= int(m.group(1)) <= 16:
        raise SketchError(f"cannot use meter {time!r}: write 4/4, 3/4, 6/8 or 7/8")
    num, den = int(m.group(1)), int(m.group(2))
    return Meter(num, den, default_groups(num, den))


def sketch(style: str = "rock", key: str | None = None, tempo: float | None = None, time: str | None = None,
           form: str | None = None, seed: int = 0, from_riff: str | None = None, title: str | None = None) -> str:
    """A chart (text) proposing a whole song; see the module doc."""
    from ..styles import style_names

    if style not in style_names():
        from ..chart.errors import did_you_mean

        raise SketchError(f"unknown style {style!r}: {did_you_mean(style, style_names())}")
    rng = random.Random(f"sketch:{style}:{key}:{tempo}:{time}:{form}:{seed}:{from_riff}")
    meter = _meter(time or METER_OF.get(style, "4/4"))
    riff_text, riff_key = (_riff_from(from_riff, meter) if from_riff else (None, None))
    try:
        the_key = Key.parse(key) if key else (riff_key or Key.parse(rng.choice(
            ["C major", "G major", "D major", "A major", "E major", "F major", "Bb major", "A minor", "E minor",
             "D minor", "G minor", "C minor"])))
    except ValueError as e:
        raise SketchError(str(e)) from None
    bpm = tempo or TEMPOS.get(style, 110)
    if not 20 <= bpm <= 400:
        raise SketchError(f"tempo {bpm:g} is out of range: use 20 to 400")
    names = (form or DEFAULT_FORM).split()
    if not names or len(names) > 64:
        raise SketchError("the form needs 1 to 64 section names")
    from ..chart.parser import NAME

    for name in names:
        if not NAME.match(name) or (name[0] in "x×" and name[1:].isdecimal()):
            raise SketchError(f"--form: {name[:40]!r} is not a section name: use letters, digits and _ . ' -, "
                              "e.g. \"Intro Verse Chorus Verse Chorus Outro\"")
    family = family_of(style)
    table = idioms()[family]["minor" if the_key.is_minor else "major"]
    sections: dict[str, tuple[str, list[str]]] = {}
    for name in names:
        if name in sections:
            continue
        role = _role(name)
        progression = list(rng.choice(table[role]))
        sections[name] = (role, progression)
    riff_text = riff_text or _make_riff(the_key, meter, rng)
    title = title or f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)}"
    text = _write(title, style, the_key, bpm, meter, names, sections, riff_text, rng,
                  _command(style, key, tempo, time, form, seed, from_riff), family)
    return _checked(text)


def _checked(text: str) -> str:
    """The sketch, if it is a chart ``check`` accepts; else ``SketchError`` (never an invalid chart)."""
    from ..chart.errors import ChartInvalid
    from ..chart.parser import parse_chart
    from ..styles import style_names

    try:
        parse_chart(text, "<sketch>", style_names())
    except ChartInvalid as e:
        p = e.problems[0]
        raise SketchError(f"the sketch would not be a valid chart: {p.message}" +
                          (f": {p.hint}" if p.hint else "")) from None
    return text


def _command(style: str, key: str | None, tempo: float | None, time: str | None, form: str | None, seed: int,
             from_riff: str | None) -> str:
    parts = ["backline sketch", f"--style {style}"]
    if key:
        parts.append(f'--key "{key}"')
    if tempo:
        parts.append(f"--tempo {tempo:g}")
    if time:
        parts.append(f"--time {time}")
    if form:
        parts.append(f'--form "{form}"')
    if from_riff:
        parts.append(f'--from-riff "{from_riff}"')
    parts.append(f"--seed {seed}")
    return " ".join(parts)


def _write(title: str, style: str, key: Key, bpm: float, meter: Meter, form: list[str],
           sections: dict[str, tuple[str, list[str]]], riff: str, rng: random.Random, command: str,
           family: str) -> str:
    from .. import __version__
    from .melody import melody_for

    lines = [f"# Sketched by backline {__version__}: {command}",
             f"# Progressions from the {family} idiom; every chord is in {key} or a named borrowing.",
             f"title: {title}", f"key: {key}", f"tempo: {bpm:g}", f"time: {meter}", f"style: {style}", "",
             "riff main:", f"  {riff}"]
    borrowed: set[str] = set()
    dynamics = {"intro": "mp", "verse": "mf", "chorus": "f", "bridge": "mf -> f", "outro": "mf -> p"}
    for name, (role, numerals) in sections.items():
        chords = [numeral_chord(n, key) for n in numerals]
        for c in chords:
            why = explain(c, key)
            if why and why != "diatonic":
                borrowed.add(f"{c} ({why})")
        lines += ["", f"section {name}:", f"  dynamics: {dynamics[role]}"]
        if role in ("intro", "verse") and (role == "intro" or rng.random() < 0.5):
            lines.append("  riff: main on bass guitar")
        if role in ("verse", "chorus", "bridge"):
            lines.append(f"  melody: {melody_for(chords, key, meter, role, rng)}")
        slots = [str(c) for c in chords]
        if role == "outro":
            slots[-1] = slots[-1] + "!" + " ." * (meter.num - 1)  # the last chord as a hit
        for i in range(0, len(slots), 4):
            lines.append("  | " + " | ".join(slots[i: i + 4]) + " |")
    if borrowed:
        lines.insert(2, "# Borrowed: " + "; ".join(sorted(borrowed)))
    lines += ["", "form: " + " ".join(form)]
    return "\n".join(lines) + "\n"


def _make_riff(key: Key, meter: Meter, rng: random.Random) -> str:
    """A one-bar riff in the bass register: the tonic on each group's first pulse, scale tones between."""
    from ..interchange.midiriff import note_name

    scale = key.scale()
    pent = [scale[i] for i in (0, 2, 3, 4, 6)] if key.is_minor else [scale[i] for i in (0, 1, 2, 4, 5)]
    root = 40 + (key.tonic_pc - 4) % 12  # E2 .. D#3
    eighth = "8" if meter.den <= 8 else "16"
    tokens: list[str] = []
    last = root
    for g in meter.groups:
        pulses = g * (2 if meter.den == 4 else 1)
        for k in range(pulses):
            if k == 0:
                p = root if rng.random() < 0.7 else root + 12
            else:
                options = [root + (pc - key.tonic_pc) % 12 for pc in pent] + [root + 12]
                p = rng.choice([o for o in options if abs(o - last) <= 7] or [root])
            tokens.append(note_name(p))
            last = p
    tokens[0] += eighth
    return " ".join(tokens) + " |"


def _riff_from(source: str, meter: Meter) -> tuple[str, Key]:
    """The band's riff (note syntax, or a one-track MIDI file) and the key it implies."""
    from ..chart.notes import NoteError, parse_notes

    if os.path.isfile(source):
        from ..interchange.midiriff import read_line, riff_notes

        notes, _, _, _ = read_line(source)
        text, _ = riff_notes(notes, meter.num * 16 // meter.den)
    else:
        text = source.strip()
    try:
        phrase = parse_notes(text, meter.bar_beats)
    except NoteError as e:
        raise SketchError(f"cannot read the riff: {e.message}") from None
    return text if text.rstrip().endswith("|") else text + " |", infer_key(phrase)


MAJOR_PROFILE = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
MINOR_PROFILE = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)


def infer_key(phrase: Any) -> Key:
    """The key a line implies (Krumhansl–Kessler profiles against its durations by pitch class).

    >>> from backline.chart.notes import parse_notes
    >>> str(infer_key(parse_notes("a,8 c e a g e c a, | d4 e8 g a2 |", 4)))
    'A minor'
    """
    weights = [0.0] * 12
    for n in phrase.notes:
        for p in n.pitches:
            weights[p % 12] += float(n.length)
    if phrase.notes and phrase.notes[0].pitches:
        weights[phrase.notes[0].pitches[0] % 12] += float(phrase.length) / 4  # riffs start on their root

    def score(profile: tuple[float, ...], tonic: int) -> float:
        return sum(weights[(tonic + i) % 12] * profile[i] for i in range(12))

    candidates = [(score(MAJOR_PROFILE, t), t, "major") for t in range(12)]
    candidates += [(score(MINOR_PROFILE, t), t, "minor") for t in range(12)]
    _, tonic, mode = max(candidates)
    return Key("C").transpose(tonic) if mode == "major" else Key("A", "minor").transpose(tonic - 9)


def sketch_album(count: int, outdir: str, seed: int = 0, style: str | None = None) -> dict[str, Any]:
    """``count`` sketches in a running order that flows (keys near on the circle of fifths, no
    jarring tempo drops), written to ``outdir`` with an ``album.toml``."""
    from ..files import make_folder, slug, write_atomic
    from ..styles import style_names
    from ..theory.pitch import circle_distance

    if not 1 <= count <= 40:
        raise SketchError("--album takes 1 to 40 songs")
    rng = random.Random(f"album:{seed}:{style}")
    styles = [style] * count if style else rng.sample(style_names(), k=min(count, len(style_names())))
    while len(styles) < count:
        styles.append(rng.choice(style_names()))
    keys = ["C major", "G major", "D major", "A major", "E major", "F major", "Bb major", "Eb major", "A minor",
            "E minor", "B minor", "D minor", "G minor", "C minor"]
    songs: list[dict[str, Any]] = []
    for i, st in enumerate(styles):
        text = sketch(style=st, key=rng.choice(keys), seed=seed * 1000 + i)
        m_title = re.search(r"^title: (.+)$", text, re.M)
        m_key = re.search(r"^key: (.+)$", text, re.M)
        m_tempo = re.search(r"^tempo: (.+)$", text, re.M)
        assert m_title and m_key and m_tempo
        songs.append({"text": text, "title": m_title.group(1), "key": Key.parse(m_key.group(1)),
                      "tempo": float(m_tempo.group(1))})
    order = [max(songs, key=lambda s: (s["tempo"], s["title"]))]  # open with energy
    rest = [s for s in songs if s is not order[0]]
    while rest:
        last = order[-1]

        def cost(s: dict[str, Any], last: dict[str, Any] = last) -> tuple[float, str]:
            drop = max(0.0, (last["tempo"] - s["tempo"]) / last["tempo"] - 0.2)
            return (circle_distance(last["key"], s["key"]) + 10 * drop, s["title"])

        nxt = min(rest, key=cost)
        order.append(nxt)
        rest.remove(nxt)
    make_folder(outdir)
    lines = [f'title = "Sketches {seed}"', 'artist = "backline sketch"', "gap_seconds = 2.0", ""]
    files = []
    for n, s in enumerate(order, start=1):
        name = f"{n:02d}-{slug(s['title'])}.chart"
        write_atomic(os.path.join(outdir, name), s["text"])
        files.append(os.path.join(outdir, name))
        lines += ["[[track]]", f'chart = "{name}"', ""]
    album = os.path.join(outdir, "album.toml")
    write_atomic(album, "\n".join(lines))
    return {"album": album, "charts": files, "titles": [s["title"] for s in order]}
