"""Writing chart text from plain data: what every importer produces, then checks.

>>> print(chart_text(ChartDraft("Tune", sections=[DraftSection("A", [["C"], ["G7", "C"]])])), end="")
title: Tune
key: C major
tempo: 120
time: 4/4
style: rock
<BLANKLINE>
section A:
  | C | G7 C |
<BLANKLINE>
form: A
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class DraftSection(NamedTuple):
    """A section to write: its name, its bars (each a list of slots), directives, comments."""

    name: str
    bars: list[list[str]]
    directives: Sequence[tuple[str, str]] = ()
    comments: Sequence[str] = ()


class ChartDraft(NamedTuple):
    title: str
    artist: str = ""
    key: str = "C major"
    tempo: float = 120
    time: str = "4/4"
    style: str = "rock"
    sections: Sequence[DraftSection] = ()
    form: Sequence[str] | None = None
    comments: Sequence[str] = ()
    riffs: Sequence[tuple[str, str]] = ()  # (name, notes)


def _clean(text: str) -> str:
    """One line of header text; a '#' after a space would start a comment, so it becomes '♯'."""
    text = " ".join(text.split())
    return ("♯" + text[1:] if text.startswith("#") else text).replace(" #", " ♯")


def chart_text(draft: ChartDraft, bars_per_line: int = 4) -> str:
    """The chart as text, ready for ``backline check``."""
    out = [f"# {c}" for c in draft.comments]
    out.append(f"title: {_clean(draft.title) or 'Untitled'}")
    if draft.artist.strip():
        out.append(f"artist: {_clean(draft.artist)}")
    tempo = f"{draft.tempo:g}"
    out += [f"key: {draft.key}", f"tempo: {tempo}", f"time: {draft.time}", f"style: {draft.style}"]
    for name, notes in draft.riffs:
        out += ["", f"riff {name}:", f"  {notes}"]
    for sec in draft.sections:
        out.append("")
        out.append(f"section {sec.name}:")
        out += [f"  # {c}" if c else "  #" for c in sec.comments]
        out += [f"  {k}: {v}" for k, v in sec.directives]
        for i in range(0, len(sec.bars), bars_per_line):
            row = sec.bars[i: i + bars_per_line]
            out.append("  | " + " | ".join(" ".join(slots) for slots in row) + " |")
    form = draft.form if draft.form is not None else [s.name for s in draft.sections]
    out += ["", "form: " + " ".join(form)]
    return "\n".join(out) + "\n"


def slots_for(chords: list[str], pulses: int) -> list[str]:
    """Place ``chords`` (played in order) in a bar of ``pulses`` slots; the first chord holds
    longest when they do not divide evenly.

    >>> slots_for(["C", "F", "G"], 4), slots_for(["C", "G"], 4), slots_for(["C", "G"], 3)
    (['C', '.', 'F', 'G'], ['C', 'G'], ['C', '.', 'G'])
    """
    k = len(chords)
    if k == 0:
        return ["N.C."]
    if k > pulses:
        chords, k = chords[:pulses], pulses
    if pulses % k == 0:
        return list(chords)
    slots = ["."] * pulses
    slots[0] = chords[0]
    for i in range(1, k):
        slots[pulses - (k - i)] = chords[i]
    return slots
