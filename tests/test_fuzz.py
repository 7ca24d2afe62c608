"""Mangled charts: every one is either a song the band can play or a list of problems — never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backline.chart.errors import ChartInvalid
from backline.chart.parser import parse_chart
from backline.players.band import perform
from backline.styles import style_names
from tests.conftest import example_charts


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


TEXTS = [_read(p) for p in example_charts()]
PIECES = [*"|.!%#:/-> \n\tABCDEFGabcdefgmaj7b9#x2()NC,'",
          "section X:", "  riff: r on bass", "time: 7/8", "tempo: 0", "form: A x0", "  melody: c4 d |",
    "riff r:\n  c1 |\n", "  only: drums", "  tempo: 50 -> 300", "(like A)", "  | Hx7 |", "  dynamics: ff"]


@st.composite
def mangled(draw: st.DrawFn) -> str:
    text = list(draw(st.sampled_from(TEXTS)))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.integers(0, 2))
        if op == 0:
            text.insert(pos, draw(st.sampled_from(PIECES)))
        elif text:
            index = min(pos, len(text) - 1)
            if op == 1:
                del text[index]
            else:
                text[index] = draw(st.sampled_from(PIECES))
    return "".join(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled(), st.integers(0, 99), st.sampled_from([0.0, 0.5, 1.0]))
def test_mangled_charts_never_crash(text: str, seed: int, risk: float) -> None:
    try:
        song = parse_chart(text, "mangled.chart", style_names())
    except ChartInvalid as e:
        assert e.problems and all(p.line >= 1 and p.column >= 1 and p.message for p in e.problems)
        return
    assert perform(song, seed=seed, risk=risk).to_bytes().startswith(b"MThd")
