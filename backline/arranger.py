"""The arranger: for each section of the form, who plays, in which role and register, how dense.

It reads the timeline and the styles' part tables (``role``, ``register``, ``enters``) and
decides, section by section:

- the section's energy (low, mid, high) from its dynamics, its name in the form (a verse
  is thinner than a chorus, a break thinner still) and whether it comes back (a second
  verse builds on the first);
- which parts play: a part whose ``enters`` is above the section's energy lays out, so a
  pad comes in only where the style or the dynamics call for one; the chart's ``only:``
  and ``tacet:`` always win;
- each bar's density tier (the pattern set the players use), following dynamic ramps;
- whether the section builds into the next (pads swell, CC11).

Nothing here depends on the take's seed: a section is arranged the same in every take,
so takes can be comped section by section.

>>> import backline
>>> song = backline.loads("section Verse:\\n  | C | F |\\nsection Chorus:\\n  | F | G |\\n")
>>> [(a.span.name, a.energy, sorted(k for k, c in a.chairs.items() if c.plays)) for a in arrange(song.timeline())]
[('Verse', 'low', ['bass', 'drums', 'guitar']), ('Chorus', 'high', ['bass', 'drums', 'guitar', 'keys', 'pad'])]
"""

from __future__ import annotations

from .model import INSTRUMENTS, SectionSpan, Timeline, TimelineBar
from .styles import INTENSITIES, Style, load_style

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from .records import NamedTuple

# How a section's name in the form shifts its energy (first match wins: "pre-chorus" is a build).
NAME_ENERGY = (("pre", 0.25), ("build", 0.25), ("chorus", 0.5), ("refrain", 0.5), ("hook", 0.5),
               ("climax", 0.75), ("out", 0.25), ("intro", -0.5), ("verse", -0.5), ("break", -1.0),
               ("interlude", -0.25), ("bridge", 0.0), ("outro", -0.25), ("tag", -0.25), ("coda", -0.25),
               ("hits", 0.5))
REPEAT_BUILD = 0.25  # a section heard again plays a little fuller, up to twice
LOW_BELOW, HIGH_FROM = 0.75, 1.5  # energy score -> tier


class Chair(NamedTuple):
    """One instrument in one section: whether it plays, its role and its register."""

    instrument: str
    role: str  # foundation, comp, pad, colour, percussion
    plays: bool  # False: it lays out (hits are still played by everyone)
    register: tuple[int, int]


class Arrangement(NamedTuple):
    """One section occurrence, arranged."""

    span: SectionSpan
    energy: str  # low, mid, high
    score: float  # the energy before it was rounded to a tier
    bias: float  # what the section's name and place add to each bar's dynamics
    chairs: dict[str, Chair]
    builds: bool  # the next section is louder: pads swell into it
    lighter: bool  # a soloist is out front: the comping thins
    pushed: frozenset[int]  # bars (from the section's first, 0) whose chord the band anticipates

    def tier(self, bar: TimelineBar) -> str:
        """The density a bar is played at: its dynamics, shifted by the section's place."""
        return tier_of(level_score(bar.level) + self.bias)

    def plays(self, instrument: str) -> bool:
        chair = self.chairs.get(instrument)
        return chair is not None and chair.plays


def level_score(level: float) -> float:
    """Dynamics as energy: p 0, mp 0.5, mf 1, f 1.67, ff 2.2.

    >>> level_score(75.0)
    1.0
    """
    return (level - 45.0) / 30.0


def tier_of(score: float) -> str:
    """An energy score as a tier: low, mid or high."""
    if score < LOW_BELOW:
        return "low"
    return "mid" if score < HIGH_FROM else "high"


def name_energy(name: str) -> float:
    """What a section's name says about its energy.

    >>> name_energy("Chorus2"), name_energy("PreChorus"), name_energy("A")
    (0.5, 0.25, 0.0)
    """
    low = name.lower()
    return next((bias for word, bias in NAME_ENERGY if word in low), 0.0)


def arrange(tl: Timeline, style: str | None = None, styles_dir: str | None = None) -> list[Arrangement]:
    """Arrange every section occurrence of a timeline (see the module doc)."""
    seen: dict[str, int] = {}
    out: list[Arrangement] = []
    scores: list[float] = []
    biases: list[float] = []
    for span in tl.sections:
        bars = tl.bars[span.first_bar: span.first_bar + span.bar_count]
        repeat = seen.get(span.name, 0)
        seen[span.name] = repeat + 1
        bias = name_energy(span.name) + REPEAT_BUILD * min(2, repeat)
        levels = [(b.level + b.level_end) / 2 for b in bars] or [75.0]
        scores.append(level_score(sum(levels) / len(levels)) + bias)
        biases.append(bias)
    for n, span in enumerate(tl.sections):
        bars = tl.bars[span.first_bar: span.first_bar + span.bar_count]
        first = bars[0] if bars else None
        sty = load_style(style or (first.style if first else tl.song.style), styles_dir)
        score = scores[n]
        energy = tier_of(score)
        chairs = _chairs(span, sty, energy)
        nxt = scores[n + 1] if n + 1 < len(scores) else None
        builds = nxt is not None and nxt >= score + 0.4
        out.append(Arrangement(span, energy, score, biases[n], chairs, builds, span.section.solo is not None,
                               _pushes(bars, sty.pushes)))
    return out


def _pushes(bars: list[TimelineBar], share: float) -> frozenset[int]:
    """The bars whose new chord the band anticipates: changes at ``share`` of the bar lines,
    evenly spread by the bar's place (never the section's first bar, a hit, or out of a stop or N.C.)."""
    out = set()
    for k in range(1, len(bars)):
        first, before = bars[k].chords[0], bars[k - 1].chords[-1]
        if first.chord is None or first.hit or before.chord is None or before.hit or before.stop:
            continue
        if first.chord != before.chord and not comb(k - 1, 1.0 - share):
            out.add(k)  # by the bar's place in the phrase: a quarter of them are bars 3, 7, 11 ...
    return frozenset(out)


def comb(k: int, share: float) -> bool:
    """Whether turn ``k`` is one of a ``share`` of turns, evenly spread, the first always in.

    >>> [comb(k, 0.75) for k in range(8)]
    [True, False, True, True, True, False, True, True]
    """
    lead = 1.0 - share
    return int((k + 1) * share + lead + 1e-9) > int(k * share + lead + 1e-9)


def _chairs(span: SectionSpan, style: Style, energy: str) -> dict[str, Chair]:
    sec = span.section
    told = set(sec.players) if sec.players is not None else None  # only: the chart names the band
    out: dict[str, Chair] = {}
    rank = INTENSITIES.index(energy)
    for inst in INSTRUMENTS:
        if inst == "drums":
            role, register, enters = "percussion", (35, 81), "low"
        else:
            part = style.part(inst)
            role, register, enters = part.role, part.register, part.enters
        if inst in sec.tacet:
            plays = False
        elif told is not None:
            plays = inst in told
        else:
            plays = inst in style.instruments and enters != "never" and INTENSITIES.index(enters) <= rank
        out[inst] = Chair(inst, role, plays, register)
    return out
