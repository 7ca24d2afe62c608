"""Hostile chart text: every construct fed 100 KB of adversarial text is read (or refused) in
linear time, and the limits that keep memory bounded are reported by name."""

from __future__ import annotations

import time

import pytest

from backline.chart.errors import ChartInvalid
from backline.chart.parser import MAX_BARS, parse_chart

SIZE = 100_000

# Where user text goes in a chart: {} is replaced by the adversarial text.
CONSTRUCTS = {
    "title": "title: {}\nsection A:\n  | C |\n",
    "artist": "artist: {}\nsection A:\n  | C |\n",
    "key": "key: {}\nsection A:\n  | C |\n",
    "tempo": "tempo: {}\nsection A:\n  | C |\n",
    "time": "time: {}\nsection A:\n  | C |\n",
    "time_grouping": "time: 7/8 ({}\nsection A:\n  | C |\n",
    "style": "style: {}\nsection A:\n  | C |\n",
    "feel": "feel: {}\nsection A:\n  | C |\n",
    "header_name": "{}: x\nsection A:\n  | C |\n",
    "section_head": "section {}\n  | C |\n",
    "section_head_colon": "section {}:\n  | C |\n",
    "like": "section A:\n  | C |\nsection B (like {}):\n",
    "like_open": "section A:\n  | C |\nsection B (like A{}\n",
    "riff_head": "riff {}:\n  c1 |\nsection A:\n  | C |\n",
    "riff_notes": "riff r:\n  {}\nsection A:\n  | C |\n  riff: r on bass\n",
    "melody": "section A:\n  | C |\n  melody: {}\n",
    "bar": "section A:\n  | {} |\n",
    "bar_open": "section A:\n  |{}\n",
    "form": "section A:\n  | C |\nform: A {}\n",
    "directive": "section A:\n  | C |\n  {}: x\n",
    **{f"directive_{d}": f"section A:\n  | C |\n  {d}: {{}}\n"
       for d in ("dynamics", "tempo", "time", "key", "transpose", "style", "feel", "only", "tacet", "riff",
                 "solo")},
    "comment": "# {}\nsection A:\n  | C |\n",
    "junk": "{}\nsection A:\n  | C |\n",
}

# Text that defeats backtracking regexes: long runs of what a pattern's optional parts accept,
# never completed (so a backtracking matcher tries every split).
UNITS = [" ", " \t", "(", "( ", "(like ", " like", ")", "1 ", "1+", "4/", "->", "- >",
         "a ", ": ", "| ", "Hx ", "c8 ", "c'", "<c ", "x9999 ", "# ", "%"]


def _fill(unit: str, tail: str = "x") -> str:
    return unit * (SIZE // len(unit)) + tail


CASES = [(name, unit) for name in CONSTRUCTS for unit in UNITS]


@pytest.mark.parametrize("name", list(CONSTRUCTS))
def test_each_construct_reads_100kb_of_adversarial_text_in_under_a_second(name: str) -> None:
    """CPU time (not wall time: the machine is shared) of the worst unit for this construct."""
    template = CONSTRUCTS[name]
    slowest, worst = 0.0, ""
    for unit in UNITS:
        text = template.format(_fill(unit))
        start = time.process_time()
        try:
            parse_chart(text, "hostile.chart")
        except ChartInvalid as e:
            assert 1 <= len(e.problems) <= 101
            assert all(len(str(p)) < 400 for p in e.problems), "messages quote user text briefly"
        took = time.process_time() - start
        if took > slowest:
            slowest, worst = took, unit
    assert slowest < 1.0, f"{name}: {slowest:.2f} s on {worst!r} x {SIZE // len(worst)}"


def _problems(text: str) -> list[str]:
    with pytest.raises(ChartInvalid) as e:
        parse_chart(text, "big.chart")
    return [p.message + ": " + p.hint for p in e.value.problems]


def test_bars_are_limited_without_a_form_too() -> None:
    sections = "".join(f"section S{i}:\n  | C | C |\n" for i in range(MAX_BARS // 2 + 1))
    assert any("more than 5,000 bars: the limit is 5,000" in p for p in _problems(sections))
    sections = "".join(f"section S{i}:\n  time: 32/4\n  | C |\n" for i in range(2600))
    assert any("more than 20,000 quarter notes: the limit is 20,000 (2 h 47 min at 120 bpm)" in p
               for p in _problems(sections))


def test_bars_written_are_limited_while_reading() -> None:
    text = "section A:\n" + "  " + "| C " * (MAX_BARS + 5) + "|\n"
    assert any("more than 5,000 bars" in p for p in _problems(text))


def test_form_repeats_are_refused_before_they_are_expanded() -> None:
    text = "section A:\n  | C |\nform: " + "A x999 " * 2000 + "\n"
    start = time.process_time()
    assert _problems(text) == ["the form expands to 1,998,000 bars: the limit is 5,000"]
    assert time.process_time() - start < 1.0
    long_bars = "time: 32/1\nsection A:\n  | C |\nform: A x200\n"  # 200 bars of 128 quarter notes
    assert _problems(long_bars) == ["the form expands to 25,600 quarter notes: the limit is 20,000 "
                                    "(2 h 47 min at 120 bpm); split it into several charts"]


def test_huge_numbers_are_out_of_range_not_a_crash() -> None:
    digits = "9" * 5000  # int() refuses more than 4,300 digits
    assert _problems(f"section A:\n  | C |\nform: A x{digits}\n")[0].startswith("repeat count 999")
    assert _problems(f"time: {digits}/4\nsection A:\n  | C |\n")[0].startswith("cannot read meter")
    assert _problems(f"section A:\n  transpose: {digits}\n  | C |\n")[0].startswith("cannot transpose")


def test_a_long_like_chain_resolves_without_recursion() -> None:
    n = 4000  # Python's recursion limit is 1,000
    text = "section S0:\n  | C |\n" + "".join(f"section S{i} (like S{i - 1}):\n" for i in range(1, n))
    song = parse_chart(text)
    assert len(song.sections) == n and song.sections[f"S{n - 1}"].bars == song.sections["S0"].bars


def test_a_long_like_cycle_is_reported_briefly() -> None:
    n = 3000
    text = "".join(f"section S{i} (like S{(i + 1) % n}):\n" for i in range(n))
    problems = _problems(text)
    assert len(problems) <= 101 and "'like' goes round in a cycle" in problems[0]


def test_riff_notes_are_limited() -> None:
    text = "riff r:\n" + "  c16 c c c c c c c c c c c c c c c |\n" * 700 + "section A:\n  | C |\n"
    assert any("more than 10,000 notes" in p for p in _problems(text))


def test_notes_stay_in_the_midi_range() -> None:
    text = "riff r:\n  c''''''1 |\nsection A:\n  | C |\n  riff: r on bass\n"
    assert _problems(text)[0].startswith("note is outside the MIDI range")


def test_many_problems_are_capped() -> None:
    problems = _problems("section A:\n  | " + "Hx " * 30_000 + "|\n")
    assert len(problems) == 101 and problems[-1].startswith("too many problems")
