"""Bad charts: every problem named at its line and column, with a message a musician can act on."""

from __future__ import annotations

import os

import pytest

from backline.chart.errors import ChartInvalid
from backline.chart.load import load_chart
from backline.chart.parser import parse_chart
from backline.cli import main

TEXTS = {
 "unknown_chord": "section A:\n  | C | Hx7 |\n",
 "lowercase_root": "section A:\n  | am | C |\n",
 "bad_quality": "section A:\n  | Cxyz |\n",
 "slots_4_4": "section A:\n  | C D E |\n",
 "slots_6_8": "time: 6/8\nsection A:\n  | C D E F |\n",
 "unknown_header": "tempoo: 120\nsection A:\n  | C |\n",
 "header_twice": "title: A\ntitle: B\nsection A:\n  | C |\n",
 "header_after_section": "section A:\n  | C |\ntitle: late\n",
 "tempo_absurd": "tempo: 9000\nsection A:\n  | C |\n",
 "tempo_text": "tempo: fast\nsection A:\n  | C |\n",
 "meter_absurd": "time: 99/7\nsection A:\n  | C |\n",
 "meter_grouping": "time: 7/8 (2+2+2)\nsection A:\n  | C |\n",
 "bad_key": "key: H major\nsection A:\n  | C |\n",
 "bad_mode": "key: C majestic\nsection A:\n  | C |\n",
 "form_unknown": "section A:\n  | C |\nform: A B\n",
 "form_repeat_first": "section A:\n  | C |\nform: x2 A\n",
 "like_cycle": "section A (like B):\n  dynamics: f\nsection B (like A):\n  dynamics: p\n",
 "like_unknown": "section A (like Z):\n  dynamics: f\n",
 "no_bars": "section A:\n  dynamics: f\n",
 "riff_bar_short": "riff r:\n  c8 d e | f g |\nsection A:\n  riff: r on bass\n  | C |\n",
 "riff_unknown": "section A:\n  riff: nope on bass\n  | C |\n",
 "riff_no_on": "riff r:\n  c1 |\nsection A:\n  riff: r\n  | C |\n",
 "riff_bad_note": "riff r:\n  c4 x4 d2 |\nsection A:\n  | C |\n",
 "unknown_directive": "section A:\n  dynamic: f\n  | C |\n",
 "bad_dynamics": "section A:\n  dynamics: loud\n  | C |\n",
 "unknown_instrument": "section A:\n  only: drums tuba\n  | C |\n",
 "directive_twice": "section A:\n  dynamics: f\n  dynamics: p\n  | C |\n",
 "percent_first": "section A:\n  | % | C |\n",
 "percent_with_chord": "section A:\n  | C | % D |\n",
 "empty_bar": "section A:\n  | C || D |\n",
 "stray_indent": "  | C |\nsection A:\n  | C |\n",
 "junk_line": "hello world\nsection A:\n  | C |\n",
 "no_sections": "title: Nothing\n",
 "empty": "",
 "melody_long": "section A:\n  melody: c1 | d1 |\n  | C |\n",
 "melody_bar": "section A:\n  melody: c2 d4 |\n  | C |\n",
 "section_twice": "section A:\n  | C |\nsection A:\n  | D |\n",
 "bad_section_name": "section Verse One:\n  | C |\n",
 "transpose_bad": "section A:\n  transpose: up\n  | C |\n",
 "swing_range": "section A:\n  feel: swing 0.95\n  | C |\n",
 "feel_unknown": "section A:\n  feel: groovy\n  | C |\n",
 "solo_unknown": "section A:\n  solo: kazoo\n  | C |\n",
 "unknown_style": "style: polka-metal\nsection A:\n  | C |\n",
 "tempo_ramp_header": "tempo: 90 -> 120\nsection A:\n  | C |\n",
 "form_huge": "section A:\n  | C | C | C | C |\nform: A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999 A x999\n",
 "bar_no_pipe": "section A:\n  | C | D\n  x | C |\n",
 "hold_first": "section B:\n  | C |\nsection A:\n  | .  C | G |\nform: A B\n",
}

# (case, line, column, message): the first problem reported for each text above.
EXPECTED = [
("unknown_chord", 2, 9, "unknown chord 'Hx7': a chord starts with a root A–G"),
    ("lowercase_root", 2, 5, "unknown chord 'am': chord roots are capital letters: did you mean 'Am'?"),
    ("bad_quality", 2, 5, "unknown chord 'Cxyz': unknown chord quality 'xyz': use m, maj7, 7, m7b5, dim7, sus4, add9, 6/9, alt, b9, #11 …"),
    ("slots_4_4", 2, 5, '3 slots do not divide a 4/4 bar: use 1, 2 or 4'),
    ("slots_6_8", 3, 5, '4 slots do not divide a 6/8 bar: use 1, 2, 3 or 6'),
    ("unknown_header", 1, 1, "unknown header 'tempoo': did you mean 'tempo'?"),
    ("header_twice", 2, 1, "'title' is given twice: first on line 1"),
    ("header_after_section", 3, 1, "header line 'title' after the first riff or section: move header lines to the top of the chart"),
    ("tempo_absurd", 1, 8, 'tempo 9000 is out of range: use 20 to 400 beats per minute'),
    ("tempo_text", 1, 8, "cannot read tempo 'fast': give beats per minute, e.g. 96 or 96 -> 120"),
    ("meter_absurd", 1, 7, 'meter 99/7 is out of range: use 1–32 pulses over 1, 2, 4, 8, 16 or 32'),
    ("meter_grouping", 1, 11, 'grouping 2+2+2 does not add up to 7: the groups must sum to the 7 pulses of a 7/8 bar'),
    ("bad_key", 1, 6, "unknown key tonic 'H': use A–G with # or b"),
    ("bad_mode", 1, 6, "unknown mode 'majestic': use one of major, ionian, dorian, phrygian, lydian, mixolydian, minor, aeolian, locrian"),
    ("form_unknown", 3, 9, "unknown section 'B' in the form: use one of: A"),
    ("form_repeat_first", 3, 7, "'x2' has nothing before it to repeat: write: A x2"),
    ("like_cycle", 1, 9, "'like' goes round in a cycle: B -> A -> B: one of these sections must have its own bars"),
    ("like_unknown", 1, 12, "section 'A' is like unknown section 'Z': use one of: A"),
    ("no_bars", 1, 1, "section 'A' has no bars: add a bar line such as | C | G |, or make it (like OTHER)"),
    ("riff_bar_short", 2, 10, 'bar has 1.5 quarter notes but the meter needs 4 quarter notes: check the lengths: a length carries over to the next notes'),
    ("riff_unknown", 2, 9, "unknown riff 'nope': define it first: riff NAME: …"),
    ("riff_no_on", 4, 9, "cannot read riff use 'r': say who plays it: riff: hook on guitar bass"),
    ("riff_bad_note", 2, 6, "unexpected 'x' in notes: a note is a–g with # or b, ' or , and a length 1 2 4 8 16 32"),
    ("unknown_directive", 2, 3, "unknown directive 'dynamic': did you mean 'dynamics'?"),
    ("bad_dynamics", 2, 13, "unknown dynamic 'loud': use one of: ppp, pp, p, mp, mf, f, ff, fff"),
    ("unknown_instrument", 2, 15, "unknown instrument 'tuba': use one of: drums, bass, keys, guitar, pad"),
    ("directive_twice", 3, 3, "'dynamics' is given twice in section 'A': first on line 2"),
    ("percent_first", 2, 5, "'%' has no bar before it to repeat: write the chord instead"),
    ("percent_with_chord", 2, 11, "'%' stands alone in a bar: write '%' to repeat the whole previous bar"),
    ("empty_bar", 2, 7, "empty bar '||': put a chord, '%' or N.C. in every bar"),
    ("stray_indent", 1, 3, "indented line outside a riff or section: start a body with 'section NAME:' or 'riff NAME:', or unindent it"),
    ("junk_line", 1, 1, "cannot read 'hello world': expected 'name: value', 'section NAME:', 'riff NAME:' or 'form: …'"),
    ("no_sections", 1, 1, 'no sections: add one: section A: followed by | C | G |'),
    ("empty", 1, 1, 'chart is empty: a chart needs at least one section with bars: section A: | C |'),
    ("melody_long", 2, 11, "melody is 8 quarter notes long but section 'A' has 4: shorten the melody or add bars"),
    ("melody_bar", 2, 17, 'bar has 3 quarter notes but the meter needs 4 quarter notes: check the lengths: a length carries over to the next notes'),
    ("section_twice", 3, 9, "section 'A' is defined twice: first on line 1"),
    ("bad_section_name", 1, 9, "bad section name 'Verse One': names have no spaces; write 'section NAME:' or 'section NAME (like OTHER):'"),
    ("transpose_bad", 2, 14, "cannot transpose by 'up': give whole semitones from -24 to 24, e.g. 2 or -3"),
    ("swing_range", 2, 9, 'swing ratio 0.95 is out of range: use 0.5 (straight) to 0.8'),
    ("feel_unknown", 2, 9, "unknown feel 'groovy': use straight, half-time, double-time, shuffle or swing 0.62"),
    ("solo_unknown", 2, 9, "unknown soloist 'kazoo': use one of: guitar, keys, piano, organ, sax, tenor-sax, alto-sax, trumpet, flute, vibes, synth, bass"),
    ("unknown_style", 1, 8, "unknown style 'polka-metal': use one of: funk, rock"),
    ("tempo_ramp_header", 1, 8, "the song's tempo is one number: put a ramp on a section: tempo: 96 -> 120"),
    ("form_huge", 3, 7, 'the form expands to 103,896 bars: the limit is 5,000'),
    ("bar_no_pipe", 3, 3, "cannot read 'x | C |' in section 'A': section lines are directives (name: value) or bars starting with '|'"),
    ("hold_first", 4, 5, "'.' opens the song (section 'A'): there is no chord before it to hold: write the first chord, or N.C. for silence"),
]


@pytest.mark.parametrize("name,line,column,message", EXPECTED, ids=[e[0] for e in EXPECTED])
def test_bad_chart(name: str, line: int, column: int, message: str) -> None:
    with pytest.raises(ChartInvalid) as e:
        parse_chart(TEXTS[name], "bad.chart", styles=["rock", "funk"])
    first = e.value.problems[0]
    assert (first.line, first.column) == (line, column)
    assert first.message + (": " + first.hint if first.hint else "") == message
    assert str(first).startswith(f"bad.chart:{line}:{column}: error: ")


def test_every_case_is_checked() -> None:
    assert len(EXPECTED) == len(TEXTS) >= 25


def test_all_errors_of_a_file_are_reported() -> None:
    text = "tempoo: 90\nsection A:\n  | C | Hx7 |\n  | C D E |\n  dynamics: loud\nform: A B\n"
    with pytest.raises(ChartInvalid) as e:
        parse_chart(text, "many.chart")
    assert [(p.line, p.column) for p in e.value.problems] == [(1, 1), (3, 9), (4, 5), (5, 13), (6, 9)]


def _write(tmp_path: object, name: str, data: bytes) -> str:
    path = os.path.join(str(tmp_path), name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_non_utf8_is_located(tmp_path: object) -> None:
    path = _write(tmp_path, "latin.chart", "title: Caf\u00e9\nsection A:\n  | C |\n".encode("latin-1"))
    with pytest.raises(ChartInvalid) as e:
        load_chart(path)
    p = e.value.problems[0]
    assert (p.line, p.column) == (1, 11) and "not UTF-8" in p.message


def test_binary_junk(tmp_path: object) -> None:
    path = _write(tmp_path, "junk.chart", bytes(range(256)) * 4)
    with pytest.raises(ChartInvalid) as e:
        load_chart(path)
    assert "binary" in e.value.problems[0].message


def test_missing_file() -> None:
    with pytest.raises(ChartInvalid) as e:
        load_chart("/nonexistent/x.chart")
    assert "cannot read file" in e.value.problems[0].message


def test_bom_and_crlf_are_fine(tmp_path: object) -> None:
    path = _write(tmp_path, "win.chart", "\ufefftitle: W\r\nsection A:\r\n  | C | G |\r\n".encode())
    assert load_chart(path).title == "W"


def test_cli_exit_codes(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, "good.chart", b"section A:\n  | C | G |\n")
    bad = _write(tmp_path, "bad.chart", b"section A:\n  | C | Hx7 |\n")
    assert main(["check", good]) == 0
    assert main(["check", good, bad]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:9: error: unknown chord 'Hx7'" in err
    assert "Traceback" not in err
    assert main(["check"]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["render", good, "--risk", "7", "-o", str(tmp_path)]) == 2


def test_invalid_chart_writes_nothing(tmp_path: object) -> None:
    bad = _write(tmp_path, "bad.chart", b"title: Bad\nsection A:\n  | C | Hx7 |\n")
    out = os.path.join(str(tmp_path), "out")
    assert main(["render", bad, "-o", out]) == 1
    assert not os.path.exists(os.path.join(out, "bad.mid"))
