"""Styles: TOML files that tell each player what to play.

The files under this package are the built-in styles; ``~/.config/backline/styles`` and a
``--styles DIR`` add or override. A style is checked once, when it is loaded.

>>> s = load_style("funk"); s.programs["bass"], s.swing
(36, 0.5)
>>> len(style_names()) >= 20
True
"""

from __future__ import annotations

import os
from functools import lru_cache

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from ..records import NamedTuple

BUILTIN = os.path.dirname(__file__)
USER = os.path.join(os.path.expanduser("~"), ".config", "backline", "styles")
INTENSITIES = ("low", "mid", "high")
DRUM_VOICES = {
    "kick": 36, "rim": 37, "snare": 38, "clap": 39, "hat": 42, "pedal": 44, "open": 46,
    "tom_lo": 43, "tom_mid": 47, "tom_hi": 50, "floor": 41, "crash": 49, "crash2": 57,
    "ride": 51, "bell": 53, "tamb": 54, "cowbell": 56, "conga_hi": 62, "conga_lo": 64,
    "timbale": 65, "shaker": 70, "cabasa": 69, "claves": 75, "block": 76, "splash": 55,
    "china": 52, "surdo": 41, "agogo": 67,
}
BASS_TOKENS = frozenset({"R", "2", "b3", "3", "4", "5", "6", "b7", "7", "8", "A", "-", ".", "R,", "5,"})
# Comping tokens: x chord, X accented, d/u strum down/up (D/U accented), 1-5 one note of the
# voicing (arpeggios), m a short muted chop, F/S/B the shuffle's two-note root-fifth/-sixth/-flat-seventh.
COMP_TOKENS = frozenset({"x", "X", "d", "u", "D", "U", "-", ".", "1", "2", "3", "4", "5", "m", "F", "S", "B"})
SOLO_VOCABULARIES = ("lyrical", "jazz", "blues", "rock", "funk", "bossa", "latin", "country")
VOICINGS = ("close", "shell", "rootless", "drop2", "power", "triad", "open", "octave", "spread", "upper")
ROLES = ("foundation", "comp", "pad", "colour")
INSTRUMENTS_ALL = ("drums", "bass", "keys", "guitar", "pad", "solo", "melody")
DEFAULT_PROGRAMS = {"bass": 33, "keys": 0, "guitar": 27, "pad": 48, "melody": 73}


class StyleError(ValueError):
    """A style file that cannot be used: names the file and the key."""


class Part(NamedTuple):
    """One harmony or bass player's chair: its role in the band, its register and entry, and
    its patterns (token grids by meter and intensity; a pattern may span several bars)."""

    patterns: dict[str, tuple[tuple[str, ...], ...]]  # "4/4.mid" -> bars of tokens
    voicing: str = "close"
    register: tuple[int, int] = (52, 76)
    level: float = 1.0
    pan: int = 0
    reverb: int = 40
    chorus: int = 0
    walk: bool = False
    strum_ms: float = 0.0
    role: str = "comp"  # foundation, comp, pad, colour (see ROLES)
    enters: str = "low"  # the lowest section energy it plays at (low: always)
    beat1: float = 1.0  # of the bars the band does not push, the share it strikes on beat 1 (else it rests)
    push: float = 0.0  # how early (quarter notes) it anticipates the changes the band pushes (0: it does not)
    pedal: bool = False  # a piano's sustain pedal (CC64) through each chord
    swell: bool = False  # expression (CC11) swells into louder sections

    def pattern(self, meter: str, intensity: str) -> tuple[tuple[str, ...], ...] | None:
        """The bars of tokens for a meter and intensity (the nearest intensity written)."""
        for key in (f"{meter}.{intensity}", f"{meter}.mid", f"{meter}.low", f"{meter}.high"):
            if key in self.patterns:
                return self.patterns[key]
        return None


class DrumPart(NamedTuple):
    patterns: dict[str, dict[str, tuple[str, ...]]]  # "4/4.mid" -> voice -> grid per bar
    fills: tuple[tuple[str, ...], ...]
    time_voice: str = "hat"
    division: int = 8
    level: float = 1.0
    reverb: int = 40
    crash: bool = True

    def pattern(self, meter: str, intensity: str) -> dict[str, tuple[str, ...]] | None:
        """Voice -> one grid per bar (a clave over two bars has two), for a meter and intensity."""
        for key in (f"{meter}.{intensity}", f"{meter}.mid", f"{meter}.low", f"{meter}.high"):
            if key in self.patterns:
                return self.patterns[key]
        return None


class Style(NamedTuple):
    name: str
    description: str
    swing: float
    swing_unit: int
    programs: dict[str, int]
    drums: DrumPart
    bass: Part
    keys: Part
    guitar: Part
    pad: Part
    instruments: tuple[str, ...]
    feel: dict[str, float]  # ms ahead (+) or behind (-) the beat, per instrument or drum voice; "spread"
    ending: str = "ring"
    source: str = ""
    clave: str = ""  # "3-2" or "2-3": which bar of a two-bar groove comes first
    pushes: float = 0.0  # the share of chord changes at a bar line the band anticipates together
    solo: str = "lyrical"  # the soloist's vocabulary (see SOLO_VOCABULARIES)
    idiom: tuple[tuple[str, str], ...] = ()  # what a session player of the style expects, in words

    def part(self, instrument: str) -> Part:
        return {"bass": self.bass, "keys": self.keys, "guitar": self.guitar, "pad": self.pad}[instrument]

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "swing": self.swing,
                "instruments": list(self.instruments), "programs": self.programs,
                "voicings": {i: self.part(i).voicing for i in ("keys", "guitar", "pad")},
                "meters": sorted({k.split(".")[0] for k in self.drums.patterns}),
                "fills": len(self.drums.fills), "ending": self.ending, "file": self.source,
                "roles": {i: self.part(i).role for i in ("bass", "keys", "guitar", "pad") if i in self.instruments},
                "solo": self.solo, "clave": self.clave, "idiom": dict(self.idiom)}

    def summary(self) -> str:
        d = self.describe()
        lines = [f"{self.name}: {self.description}",
                 f"  swing        {self.swing:g}" + (" (straight)" if self.swing == 0.5 else ""),
                 f"  instruments  {' '.join(self.instruments)}",
                 "  programs     " + ", ".join(f"{k} {v}" for k, v in self.programs.items()),
                 "  voicings     " + ", ".join(f"{k} {v}" for k, v in d["voicings"].items()),
                 f"  grooves for  {', '.join(d['meters'])} (other meters: grouped by pulses)",
                 f"  fills        {d['fills']}",
                 f"  ending       {self.ending}",
                 f"  solo         {self.solo}"]
        lines += [f"  {k:<12} {v}" for k, v in self.idiom]
        lines.append(f"  file         {self.source}")
        return "\n".join(lines)


def style_dirs(extra: str | None = None) -> list[str]:
    """Where styles come from, later ones overriding earlier."""
    dirs = [BUILTIN]
    if os.path.isdir(USER):
        dirs.append(USER)
    if extra:
        dirs.append(extra)
    return dirs


@lru_cache(maxsize=16)
def _files(extra: str | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in style_dirs(extra):
        for entry in sorted(os.listdir(folder)):
            if entry.endswith(".toml"):
                found[entry[:-5]] = os.path.join(folder, entry)
    return found


def style_names(extra: str | None = None) -> list[str]:
    """Names of every style available (built-in, user folder, ``extra``)."""
    return sorted(_files(extra))


@lru_cache(maxsize=64)
def load_style(name: str, extra: str | None = None) -> Style:
    """Load and check one style by name."""
    files = _files(extra)
    if name not in files:
        raise StyleError(f"unknown style {name!r}")
    path = files[name]
    try:
        return _style(name, _read_cached(path), path)
    except (AttributeError, TypeError, KeyError, IndexError) as e:  # a table where a list was meant…
        raise StyleError(f"{path}: not a style this version can read ({type(e).__name__}: {e})") from None


def _cache_path(path: str) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    stem = os.path.basename(path)[:-5]
    return os.path.join(base, "backline", "styles", f"{stem}-{st.st_mtime_ns}-{st.st_size}.json")


def _read_cached(path: str) -> dict[str, Any]:
    """The style file's data: from a JSON copy made the first time (reading TOML costs a
    start-up's worth of imports), or from the TOML itself."""
    import json

    cached = _cache_path(path)
    if cached:
        try:
            with open(cached, encoding="utf-8") as f:
                data: dict[str, Any] = json.load(f)
                return data
        except (OSError, ValueError):
            pass
    from ..files import read_toml, write_atomic

    try:
        data = read_toml(path)
    except ValueError as e:
        raise StyleError(str(e)) from None
    if cached:
        try:

            os.makedirs(os.path.dirname(cached), exist_ok=True)
            write_atomic(cached, json.dumps(data))
        except OSError:
            pass  # no cache: slower, not wrong
    return data


def _style(name: str, data: dict[str, Any], path: str) -> Style:
    def need(cond: bool, key: str, what: str) -> None:
        if not cond:
            raise StyleError(f"{path}: {key}: {what}")

    programs = dict(DEFAULT_PROGRAMS)
    for k, v in data.get("programs", {}).items():
        need(isinstance(v, int) and 0 <= v <= 127, f"programs.{k}", "a GM program 0–127")
        programs[k] = v
    swing = float(data.get("swing", 0.5))
    need(0.5 <= swing <= 0.8, "swing", "0.5 (straight) to 0.8")
    swing_unit = int(data.get("swing_unit", 8))
    need(swing_unit in (8, 16), "swing_unit", "8 or 16")
    drums = _drums(data.get("drums", {}), need)
    parts = {inst: _part(inst, data.get(inst, {}), need) for inst in ("bass", "keys", "guitar", "pad")}
    instruments = tuple(data.get("instruments", ("drums", "bass", "keys", "guitar", "pad")))
    for inst in instruments:
        need(inst in ("drums", "bass", "keys", "guitar", "pad"), "instruments", f"unknown {inst!r}")
    feel = {k: float(v) for k, v in data.get("feel", {}).items()}
    for k, v in feel.items():
        need(k in (*INSTRUMENTS_ALL, *DRUM_VOICES, "spread"), f"feel.{k}", "an instrument, a drum voice or spread")
        need(-30 <= v <= 30, f"feel.{k}", "milliseconds, -30 to 30")
    clave = str(data.get("clave", ""))
    need(clave in ("", "3-2", "2-3"), "clave", "3-2 or 2-3")
    solo = str(data.get("solo", "lyrical"))
    need(solo in SOLO_VOCABULARIES, "solo", "one of " + ", ".join(SOLO_VOCABULARIES))
    idiom = tuple((str(k), str(v)) for k, v in data.get("idiom", {}).items())
    pushes = float(data.get("pushes", 0.0))
    need(0.0 <= pushes <= 1.0, "pushes", "a share of chord changes, 0 to 1")
    return Style(name=name, description=str(data.get("description", "")), swing=swing,
                 swing_unit=swing_unit, programs=programs, drums=drums, instruments=instruments,
                 ending=str(data.get("ending", "ring")), source=path, feel=feel, clave=clave, solo=solo,
                 idiom=idiom, pushes=pushes, **parts)


def _drums(data: dict[str, Any], need: Any) -> DrumPart:
    patterns: dict[str, dict[str, tuple[str, ...]]] = {}
    for meter, table in data.items():
        if meter in ("fills", "time", "division", "level", "reverb", "crash"):
            continue
        for intensity, voices in table.items():
            need(intensity in INTENSITIES, f"drums.{meter}.{intensity}", "use low, mid or high")
            grids: dict[str, tuple[str, ...]] = {}
            for voice, grid in voices.items():
                where = f"drums.{meter}.{intensity}.{voice}"
                need(voice in DRUM_VOICES, where, "unknown drum voice")
                need(isinstance(grid, str) and set(grid) <= set("xog.| "), where,
                     "a grid of x (hit), o (accent/open), g (ghost) and . (bars split by |)")
                bars = tuple(g.replace(" ", "") for g in grid.split("|"))
                need(len({len(b) for b in bars}) == 1 and bars[0], where, "bars of one length")
                grids[voice] = bars
            patterns[f"{meter}.{intensity}"] = grids
    fills = []
    for i, fill in enumerate(data.get("fills", [])):
        steps = tuple(fill.split())
        for s in steps:
            need(s == "." or all(v in DRUM_VOICES for v in s.split("+")), f"drums.fills[{i}]",
                 f"unknown voice {s!r}")
        fills.append(steps)
    time_voice = str(data.get("time", "hat"))
    need(time_voice in DRUM_VOICES, "drums.time", "a drum voice")
    return DrumPart(patterns, tuple(fills), time_voice, int(data.get("division", 8)),
                    float(data.get("level", 1.0)), int(data.get("reverb", 40)), bool(data.get("crash", True)))


def _part(inst: str, data: dict[str, Any], need: Any) -> Part:
    patterns: dict[str, tuple[tuple[str, ...], ...]] = {}
    allowed = BASS_TOKENS if inst == "bass" else COMP_TOKENS
    for key, value in data.items():
        if isinstance(value, dict) and "/" in key:
            for intensity, grid in value.items():
                where = f"{inst}.{key}.{intensity}"
                need(intensity in INTENSITIES, where, "use low, mid or high")
                bars = tuple(tuple(b.split()) for b in str(grid).split("|"))
                for t in (t for b in bars for t in b):
                    need(t in allowed, where, f"unknown token {t!r}")
                need(all(bars) and len({len(b) for b in bars}) == 1, where, "bars of one length (split by |)")
                patterns[f"{key}.{intensity}"] = bars
    voicing = str(data.get("voicing", "close" if inst != "bass" else "root"))
    need(inst == "bass" or voicing in VOICINGS, f"{inst}.voicing", "one of " + ", ".join(VOICINGS))
    reg = data.get("register", {"bass": (28, 55), "keys": (52, 79), "guitar": (45, 76), "pad": (52, 79)}[inst])
    need(len(reg) == 2 and reg[0] < reg[1], f"{inst}.register", "[low, high] MIDI notes")
    role = str(data.get("role", {"bass": "foundation", "pad": "pad"}.get(inst, "comp")))
    need(role in ROLES, f"{inst}.role", "one of " + ", ".join(ROLES))
    enters = str(data.get("enters", "low"))
    need(enters in (*INTENSITIES, "never"), f"{inst}.enters", "low, mid, high or never")
    beat1 = float(data.get("beat1", 1.0))
    need(0.0 <= beat1 <= 1.0, f"{inst}.beat1", "a share of bars, 0 to 1")
    push = float(data.get("push", 0.0))
    need(0.0 <= push <= 1.0, f"{inst}.push", "quarter notes, 0 to 1")
    return Part(patterns=patterns, voicing=voicing, register=(int(reg[0]), int(reg[1])),
                level=float(data.get("level", 1.0)), pan=int(data.get("pan", 0)),
                reverb=int(data.get("reverb", 40)), chorus=int(data.get("chorus", 0)),
                walk=bool(data.get("walk", False)), strum_ms=float(data.get("strum_ms", 0.0)),
                role=role, enters=enters, beat1=beat1, push=push, pedal=bool(data.get("pedal", False)),
                swell=bool(data.get("swell", role == "pad")))
