"""The band plays like session musicians, heard from the MIDI file alone (tests/listen.py):
each style's idioms, parts that do not double each other, pads that move little, comping that
leaves beat 1 alone, hits that are stabs, soloists that sound like their genre, a human feel.

Every style plays its own chart (tests/style_charts.py: a verse, a louder chorus, twice) at
risk 0 and 0.5; the piano rolls land in out/test-artifacts.
"""

from __future__ import annotations

import functools
import itertools
import os
import statistics

import pytest

import backline
from backline.players.band import perform
from backline.players.solo import chord_tone_pcs
from backline.styles import load_style, style_names
from tests.conftest import SHARED, needs_shared
from tests.listen import (
    PITCHED,
    Heard,
    beat1_share,
    chords_struck,
    drum_bars_identical,
    hear,
    rhythm_share,
    unison_share,
    voice_motion,
)
from tests.style_charts import CHANGES, chart

RISKS = (0.0, 0.5)
KICK, RIM, SNARE, CLAP, HAT, PEDAL, OPEN, SURDO, CRASH, RIDE, TAMB = 36, 37, 38, 39, 42, 44, 46, 41, 49, 51, 54
# Where the idiom itself strikes every bar: the shuffle figure, Freddie Green's four to the bar,
# punk's downstrokes and metal's chugs are the groove.
BEAT1_EVERY_BAR = {("blues-shuffle", "Guitar"), ("jazz-swing", "Guitar"), ("punk", "Guitar"), ("metal", "Guitar")}


@functools.lru_cache(maxsize=64)
def take(style: str, risk: float) -> tuple[Heard, backline.performance.Performance]:
    perf = perform(backline.loads(chart(style)), seed=7, risk=risk)
    return hear(perf.to_bytes()), perf


def section_bars(h: Heard, index: int) -> list[tuple[float, float]]:
    """The bars of the ``index``-th section occurrence (Verse 0, Chorus 1, Verse 2, Chorus 3)."""
    start = h.sections[index][0]
    end = h.sections[index + 1][0] if index + 1 < len(h.sections) else h.end
    return [b for b in h.bars if start - 1e-9 <= b[0] < end - 1e-9]


def groove_bars(h: Heard, index: int | None = None) -> list[tuple[float, float]]:
    """Bars where the groove plays as written: not a section's last bar (the fill) nor the
    song's end; of one section occurrence, or of the whole song."""
    indices = [index] if index is not None else range(len(h.sections))
    return [b for i in indices for b in section_bars(h, i)[:-1]]


def onsets_in(notes: list[tuple[float, float, int, int]], bars: list[tuple[float, float]],
              pitch: int | None = None) -> list[float]:
    """Onsets as positions in their bar (quarter notes), over the given bars."""
    out = []
    for start, length in bars:
        out += [n[0] - start for n in notes if start - 0.05 <= n[0] < start + length - 0.05
                and (pitch is None or n[2] == pitch)]
    return out


def near(positions: list[float], at: float, tol: float = 0.06) -> int:
    return sum(1 for p in positions if abs(p - at) <= tol)


def per_bar(notes: list[tuple[float, float, int, int]], bars: list[tuple[float, float]],
            pitch: int | None = None) -> float:
    return len(onsets_in(notes, bars, pitch)) / max(1, len(bars))


# ---- every style ---------------------------------------------------------------------------------

@pytest.mark.parametrize("risk", RISKS)
@pytest.mark.parametrize("style", sorted(CHANGES))
def test_no_two_parts_in_unison(style: str, risk: float) -> None:
    h, _ = take(style, risk)
    parts = [p for p in PITCHED if h.notes.get(p)]
    for a, b in itertools.combinations(parts, 2):
        assert unison_share(h.notes[a], h.notes[b]) <= 0.30, (style, a, b)


@pytest.mark.parametrize("risk", RISKS)
@pytest.mark.parametrize("style", sorted(CHANGES))
def test_pads_are_voice_led_and_held(style: str, risk: float) -> None:
    h, _ = take(style, risk)
    s = load_style(style)
    pads = [name for name, inst in (("Pad", "pad"), ("Keys", "keys")) if s.part(inst).role == "pad" and h.notes.get(name)]
    for name in pads:
        assert voice_motion(h.notes[name]) <= 2.5, (style, name)
        struck = chords_struck(h.notes[name])
        assert len(struck) <= len(h.bars) + 2, (style, name, "a pad holds its chord, it is not struck every bar")
        assert any(c[1] == "cc" and c[2] == 11 for c in h.controls[name]), (style, name, "no expression (CC11)")


@pytest.mark.parametrize("risk", RISKS)
@pytest.mark.parametrize("style", sorted(CHANGES))
def test_comping_leaves_beat_one(style: str, risk: float) -> None:
    h, _ = take(style, risk)
    for name in ("Keys", "Guitar", "Pad"):
        if not h.notes.get(name) or (style, name) in BEAT1_EVERY_BAR:
            continue
        assert beat1_share(h, name) <= 0.80, (style, name, beat1_share(h, name))


@pytest.mark.parametrize("style", sorted(CHANGES))
def test_arrangement_thins_and_builds(style: str) -> None:
    h, _ = take(style, 0.0)
    pitched = [n for p in PITCHED for n in h.notes.get(p, [])]
    verse, chorus = section_bars(h, 0), section_bars(h, 1)
    assert per_bar(pitched, verse) < per_bar(pitched, chorus), style
    s = load_style(style)
    if s.pad.enters in ("mid", "high") and h.notes.get("Pad"):
        assert not onsets_in(h.notes["Pad"], verse), (style, "a pad only where the style or the dynamics call for one")


@pytest.mark.parametrize("style", sorted(CHANGES))
def test_drum_bars_breathe_at_risk_zero(style: str) -> None:
    h, _ = take(style, 0.0)
    assert drum_bars_identical(h) <= 0.25, style


@pytest.mark.parametrize("style", ["rock", "pop", "funk", "punk", "metal", "disco", "folk", "bossa-nova"])
def test_feel_at_risk_zero_is_human_but_tight(style: str) -> None:
    """Straight styles: the drums sit 3-15 ms off the sixteenth grid on average, never more
    than 15 ms; two renders are the same bytes."""
    h, perf = take(style, 0.0)
    offs = []
    for n in h.notes["Drums"]:
        grid = round(n[0] * 4) / 4
        offs.append(abs(n[0] - grid) * h.ms_per_beat(n[0]))
    assert 3.0 <= statistics.mean(offs) <= 15.0, (style, statistics.mean(offs))
    assert max(offs) <= 15.5
    assert perf.to_bytes() == perform(backline.loads(chart(style)), seed=99, risk=0).to_bytes()


def test_risk_loosens_the_feel() -> None:
    h0, _ = take("rock", 0.0)
    h1 = hear(perform(backline.loads(chart("rock")), seed=3, risk=1.0).to_bytes())

    def spread(h: Heard) -> float:
        return statistics.pstdev(abs(n[0] - round(n[0] * 2) / 2) for n in h.notes["Drums"])

    assert spread(h1) > spread(h0)


def test_piano_rolls_of_every_style(artifacts: str) -> None:
    from backline.plot import piano_roll

    for style in style_names():
        if style not in CHANGES:
            continue
        _, perf = take(style, 0.0)
        path = os.path.join(artifacts, f"style-{style}.png")
        piano_roll(perf, path)
        assert os.path.getsize(path) > 10_000


# ---- each style's idioms -------------------------------------------------------------------------

def idiom_rock(h: Heard) -> None:
    bars = groove_bars(h, 1)
    sn = onsets_in(h.notes["Drums"], bars, SNARE)
    assert near(sn, 1.0) >= 0.9 * len(bars) and near(sn, 3.0) >= 0.9 * len(bars)  # backbeat
    assert per_bar(h.notes["Bass"], section_bars(h, 2)) >= 7  # driving eighths from the second verse
    assert per_bar(h.notes["Bass"], section_bars(h, 0)) <= 3  # half notes in the first


def idiom_hard_rock(h: Heard) -> None:
    assert per_bar(h.notes["Drums"], section_bars(h, 2), OPEN) >= 6  # loose open hats
    organ = h.notes["Keys"]
    assert statistics.mean(n[1] - n[0] for n in organ) >= 2.0  # the organ holds
    guitar = chords_struck(h.notes["Guitar"])
    assert sum(1 for _, ps in guitar if (max(ps) - min(ps)) % 12 == 7 or 7 in {p - min(ps) for p in ps}) >= 0.9 * len(guitar)


def idiom_blues_shuffle(h: Heard) -> None:
    hats = onsets_in(h.notes["Drums"], groove_bars(h, 2), HAT)
    offs = [p - round(p) for p in hats if abs(p - round(p)) > 0.1]
    assert offs and all(-0.4 <= o <= -0.28 for o in offs)  # shuffled eighths: the and at two thirds of the beat
    dyads = {tuple(p - min(ps) for p in sorted(ps)) for _, ps in chords_struck(h.notes["Guitar"]) if len(ps) == 2}
    assert {(0, 7), (0, 9)} <= dyads  # the 5-6 shuffle figure
    bass = section_bars(h, 2)
    assert per_bar(h.notes["Bass"], bass) >= 7  # boogie in eighths


def idiom_funk(h: Heard) -> None:
    bars = section_bars(h, 2)
    assert per_bar(h.notes["Drums"], bars, HAT) >= 15  # sixteenth hats
    ghosts = [n for n in h.notes["Drums"] if n[2] == SNARE and n[3] <= 40]
    assert len(ghosts) >= len(bars)  # ghost notes
    gtr = onsets_in(h.notes["Guitar"], bars)
    assert sum(1 for p in gtr if abs((p * 4) % 2 - 1) < 0.2) >= 2 * len(bars)  # on the e and a
    bass = sorted(h.notes["Bass"])
    assert any(abs(b[2] - a[2]) == 12 for a, b in itertools.pairwise(bass))  # octaves


def idiom_soul(h: Heard) -> None:
    assert beat1_share(h, "Keys") <= 0.2  # the Rhodes keeps to the backbeat
    keys = onsets_in(h.notes["Keys"], h.bars)
    assert (near(keys, 1.0, 0.1) + near(keys, 3.0, 0.1)) >= 0.8 * len(chords_struck(h.notes["Keys"]))
    tamb = onsets_in(h.notes["Drums"], groove_bars(h, 2), TAMB)
    assert len(tamb) >= 4 * len(groove_bars(h, 2))


def idiom_pop(h: Heard) -> None:
    bars = groove_bars(h, 1)
    kicks = onsets_in(h.notes["Drums"], bars, KICK)
    assert all(near(kicks, b) >= 0.9 * len(bars) for b in (0.0, 1.0, 2.0, 3.0))  # four on the floor
    assert per_bar(h.notes["Bass"], bars) >= 7  # driving eighths
    assert any(c[2] == 64 for c in h.controls["Keys"])  # the pedal


def idiom_pop_ballad(h: Heard) -> None:
    keys = chords_struck(h.notes["Keys"])
    assert sum(1 for _, ps in keys if len(ps) == 1) >= 0.8 * len(keys)  # arpeggios
    assert any(c[2] == 64 and c[3] == 127 for c in h.controls["Keys"])


def idiom_ballad_68(h: Heard) -> None:
    bars = groove_bars(h, 2)
    d = h.notes["Drums"]
    assert near(onsets_in(d, bars, KICK), 0.0) >= 0.9 * len(bars)
    backbeat = onsets_in(d, bars, SNARE) + onsets_in(d, bars, RIM)
    assert near(backbeat, 1.5) >= 0.9 * len(bars)  # the cross-stick on 4
    assert per_bar(d, bars, HAT) >= 5.5  # every eighth
    assert any(c[2] == 64 for c in h.controls["Keys"])


def idiom_bossa_nova(h: Heard) -> None:
    bars = groove_bars(h, 0)
    rim = h.notes["Drums"]
    for k in range(0, len(bars) - 1, 2):
        first, second = onsets_in(rim, [bars[k]], RIM), onsets_in(rim, [bars[k + 1]], RIM)
        assert [round(p * 2) / 2 for p in sorted(first)] == [0.0, 1.5, 3.0]  # the 3 side
        assert [round(p * 2) / 2 for p in sorted(second)] == [1.0, 2.5]  # the 2 side
    ok = 0
    for start, length in bars:
        notes = [n for n in h.notes["Bass"] if start - 0.05 <= n[0] < start + length - 0.05]
        on1 = [n for n in notes if abs(n[0] - start) < 0.06]
        on3 = [n for n in notes if abs(n[0] - start - 2) < 0.06]
        ok += bool(on1 and on3 and (on3[0][2] - on1[0][2]) % 12 == 7)
    assert ok >= 0.75 * len(bars)  # the root on 1, the fifth on 3


def idiom_samba(h: Heard) -> None:
    bars = section_bars(h, 1)
    surdo = [n for n in h.notes["Drums"] if n[2] == SURDO]
    on2 = [n for n in surdo if abs((n[0] % 4) - 1) < 0.06]
    assert len(on2) >= 0.9 * len(bars)  # the surdo on 2
    assert per_bar(h.notes["Drums"], bars, 70) >= 15  # shaker sixteenths


def idiom_jazz_swing(h: Heard) -> None:
    ride = sorted(n[0] for n in h.notes["Drums"] if n[2] == RIDE)
    gaps = [b - a for a, b in itertools.pairwise(ride)]
    assert min(gaps) * h.ms_per_beat(0) >= 100  # one stroke each, never a double
    bars = groove_bars(h)
    pos = [round(p * 12) for p in onsets_in(h.notes["Drums"], bars, RIDE)]
    for at in (0, 12, 20, 24, 36, 44):  # 1, 2, 2-and (swung), 3, 4, 4-and
        assert sum(1 for p in pos if abs(p - at) <= 1) >= 0.9 * len(bars), at
    hat = onsets_in(h.notes["Drums"], bars, PEDAL)
    assert near(hat, 1.0) >= 0.9 * len(bars) and near(hat, 3.0) >= 0.9 * len(bars)
    assert per_bar(h.notes["Bass"], section_bars(h, 0)) <= 2.3  # two-feel in the first verse
    assert per_bar(h.notes["Bass"], section_bars(h, 1)) >= 3.8  # walking in the chorus
    if h.notes.get("Guitar"):
        assert voice_motion(h.notes["Guitar"]) <= 3.5  # shells led (the root still moves by fourths)


def idiom_jazz_waltz(h: Heard) -> None:
    bars = groove_bars(h)
    ride = onsets_in(h.notes["Drums"], bars, RIDE)
    for at in (0.0, 1.0, 2.0):
        assert near(ride, at) >= 0.9 * len(bars)
    assert sum(1 for p in ride if 1.55 <= p <= 1.75) >= 0.9 * len(bars)  # 2-and, swung
    bass = onsets_in(h.notes["Bass"], h.bars)
    assert near(bass, 0.0) >= 0.95 * len(h.bars)


def idiom_reggae(h: Heard) -> None:
    kicks = onsets_in(h.notes["Drums"], h.bars[:-1], KICK)
    assert kicks and all(abs(p - 2.0) < 0.06 for p in kicks)  # one drop: 3 only (the last bar is the ending's hit)
    for name in ("Keys", "Guitar"):
        assert beat1_share(h, name) <= 1 / len(h.bars)  # the drop belongs to nobody (but the final chord)
    skank = [round(p, 1) for p in onsets_in(h.notes["Guitar"], h.bars[:-1])]
    assert all(abs(p - 1.0) < 0.1 or abs(p - 3.0) < 0.1 for p in skank)  # 2 and 4 only
    bubble = onsets_in(h.notes["Keys"], h.bars)
    assert sum(1 for p in bubble if p % 0.5 > 0.1) >= len(h.bars)  # the bubble's sixteenths
    assert "Pad" not in h.notes


def idiom_country(h: Heard) -> None:
    bars = section_bars(h, 2)
    bass = onsets_in(h.notes["Bass"], bars)
    assert near(bass, 0.0) >= 0.9 * len(bars) and near(bass, 2.0) >= 0.9 * len(bars)  # boom on 1 and 3
    assert beat1_share(h, "Guitar") <= 0.4  # chick on 2 and 4
    snare = onsets_in(h.notes["Drums"], bars, SNARE)
    assert len(snare) >= 7 * len(bars)  # the train beat


def idiom_folk(h: Heard) -> None:
    verse = chords_struck(h.notes["Guitar"])[:8]
    assert sum(1 for _, ps in verse if len(ps) == 1) >= 6  # fingerpicked first
    bass = onsets_in(h.notes["Bass"], section_bars(h, 2))
    assert near(bass, 0.0) + near(bass, 2.0) >= len(bass) * 0.9  # upright on 1 and 3


def idiom_punk(h: Heard) -> None:
    assert per_bar(h.notes["Guitar"], section_bars(h, 1)) >= 8 * 2  # downstroke eighths (chords)
    assert "Keys" not in h.notes and "Pad" not in h.notes  # a trio, no organs


def idiom_metal(h: Heard) -> None:
    bars = section_bars(h, 1)
    assert per_bar(h.notes["Drums"], bars, KICK) >= 14  # double kick
    g = {round(n[0] * 4) for n in h.notes["Guitar"]}
    b = [round(n[0] * 4) for n in h.notes["Bass"]]
    assert sum(1 for x in b if x in g) >= 0.9 * len(b)  # the bass locked to the chugs


def idiom_prog_rock(h: Heard) -> None:
    bars = groove_bars(h, 0)
    kicks = onsets_in(h.notes["Drums"], bars, KICK)
    for at in (0.0, 1.0, 2.0):  # 7/8 as 2+2+3: the kick on each group, 1, 3 and 5
        assert near(kicks, at) >= 0.9 * len(bars), at
    assert per_bar(h.notes["Bass"], section_bars(h, 1)) >= 6  # a busy pick bass


def idiom_disco(h: Heard) -> None:
    bars = groove_bars(h, 1)
    opens = onsets_in(h.notes["Drums"], bars, OPEN)
    for at in (0.5, 1.5, 2.5, 3.5):  # the hat opens on every and
        assert near(opens, at) >= 0.9 * len(bars)
    kicks = onsets_in(h.notes["Drums"], bars, KICK)
    assert all(near(kicks, b) >= 0.9 * len(bars) for b in (0.0, 1.0, 2.0, 3.0))
    bass = sorted(h.notes["Bass"])
    assert sum(1 for a, b in itertools.pairwise(bass) if abs(b[2] - a[2]) == 12) >= 3 * len(h.bars)  # octaves


def idiom_hip_hop(h: Heard) -> None:
    snares = [n[0] for n in h.notes["Drums"] if n[2] == SNARE]
    late = [(t - round(t)) * h.ms_per_beat(t) for t in snares if abs(t - round(t)) < 0.1]
    assert statistics.mean(late) <= -8  # the snare cracks late (behind the beat)
    assert "Guitar" not in h.notes


IDIOMS = {name[6:].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("idiom_")}


def test_every_style_has_idiom_checks() -> None:
    assert set(IDIOMS) == set(CHANGES) == set(style_names()) & set(CHANGES)
    assert len(IDIOMS) == 20


@pytest.mark.parametrize("risk", RISKS)
@pytest.mark.parametrize("style", sorted(CHANGES))
def test_style_idioms(style: str, risk: float) -> None:
    h, _ = take(style, risk)
    IDIOMS[style](h)


# ---- hits ----------------------------------------------------------------------------------------

@needs_shared
@pytest.mark.parametrize("risk", (0.0, 0.5, 1.0))
@pytest.mark.parametrize("name", ["night-shift.chart", "stone-stair.chart"])
def test_hits_are_stabs(name: str, risk: float) -> None:
    """On a '!' slot each pitched part plays one accented chord or note, together with the
    drums' kick and crash, then nothing at all until the next slot that holds a chord."""
    song = backline.load(os.path.join(SHARED, name))
    perf = perform(song, seed=5, risk=risk)
    h = hear(perf.to_bytes())
    tl = perf.timeline
    slots = sorted({(b.start_beat + c.beat, c.hit, c.chord is not None) for b in tl.bars for c in b.chords})
    checked = 0
    for i, (t, hit, _) in enumerate(slots):
        if not hit:
            continue
        nxt = next((s for s, _, has_chord in slots[i + 1:] if has_chord), tl.beats)
        for name, notes in h.notes.items():
            if name == "Click":
                continue
            at = [n for n in notes if abs(n[0] - t) < 1e-3]
            after = [n for n in notes if t + 1e-3 < n[0] < nxt - 1e-3]
            assert not after, (name, t, after[:3])
            if name in PITCHED:
                assert at and len({n[3] for n in at}) <= 3, (name, t)
                assert len(chords_struck(at)) == 1
            elif name == "Drums":
                assert {KICK, CRASH} <= {n[2] for n in at}, t
        checked += 1
    assert checked >= 3


# ---- solos ---------------------------------------------------------------------------------------

SOLO_CHART = """title: Changes
tempo: 112
section Solo:
  solo: sax
  | Dm7 | G7 | Cmaj7 | A7 | Dm7 | G7 | Cmaj7 | Cmaj7 |
  | Em7 | A7 | Dm7 | G7 | C7 | F | Dm7 G7 | C |
"""
GENRES = ("funk", "jazz-swing", "blues-shuffle", "rock", "bossa-nova")


@functools.lru_cache(maxsize=64)
def solo(style: str, seed: int, risk: float) -> tuple[list[tuple[float, float, int, int]], Heard, object]:
    perf = perform(backline.loads(SOLO_CHART), seed=seed, risk=risk, style=style)
    h = hear(perf.to_bytes())
    name = next(k for k in h.notes if k.startswith("Solo"))
    return h.notes[name], h, perf


@pytest.mark.parametrize("risk", RISKS)
@pytest.mark.parametrize("seed", (1, 2, 3))
def test_genre_solos_have_their_own_rhythm(seed: int, risk: float) -> None:
    for a, b in itertools.combinations(GENRES, 2):
        share = rhythm_share(solo(a, seed, risk)[0], solo(b, seed, risk)[0])
        assert share < 0.30, (a, b, share)


@pytest.mark.parametrize("risk", RISKS)
@pytest.mark.parametrize("style", (*GENRES, "samba", "country", "pop"))
def test_solo_chord_tones_on_strong_beats(style: str, risk: float) -> None:
    notes, _, perf = solo(style, 2, risk)
    tl = perf.timeline  # type: ignore[attr-defined]
    strong = good = 0
    for n in notes:
        bar = tl.bars[min(len(tl.bars) - 1, int((n[0] + 0.05) // 4))]
        pos = n[0] - bar.start_beat
        if abs(pos - round(pos)) < 0.05 and round(pos) % 2 == 0 and round(pos) < 4:
            strong += 1
            chord = next(c.chord for c in bar.chords if c.beat <= round(pos) < c.end)
            good += n[2] % 12 in chord_tone_pcs(chord)
    assert strong >= 2 and good / strong >= 0.7, (style, good, strong)


@pytest.mark.parametrize("risk", RISKS)
def test_solo_vocabularies(risk: float) -> None:
    funk, _, _ = solo("funk", 1, risk)
    sixteenths = [n for n in funk if abs((n[0] * 4) % 2 - 1) < 0.15]  # on the e or the a
    assert len(sixteenths) >= 0.2 * len(funk)
    assert any(n[3] <= 50 for n in funk)  # ghost notes
    jazz, _, _ = solo("jazz-swing", 1, risk)
    swung = [n for n in jazz if 0.6 <= n[0] % 1 <= 0.72]
    triplets = [n for n in jazz if 0.28 <= n[0] % 1 <= 0.39]
    assert len(swung) >= 0.25 * len(jazz) and triplets  # swung eighths and triplets
    for style in ("blues-shuffle", "rock"):
        _, h, _ = solo(style, 1, risk)
        name = next(k for k in h.notes if k.startswith("Solo"))
        assert sum(1 for c in h.controls[name] if c[1] == "bend" and c[3] > 4000) >= 4, style  # bends
    bossa, _, _ = solo("bossa-nova", 1, risk)
    assert statistics.median(n[1] - n[0] for n in bossa) >= 0.9  # long lyrical notes
