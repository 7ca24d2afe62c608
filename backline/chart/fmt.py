"""``backline fmt``: the canonical, aligned layout of a chart.

Comments and the author's blank-line grouping stay; spacing is made regular and bars
of neighbouring grid lines line up in columns. Only valid charts are formatted, and the
result is checked to give the same timeline as the original.

>>> print(format_chart("title:Demo\\nsection A:\\n    |C|Am7 . G .|\\n   | F | G |\\n"), end="")
title: Demo
section A:
  | C | Am7 . G . |
  | F | G         |
"""

from __future__ import annotations

from .errors import ChartInvalid, Problem
from .lines import Line, scan
from .parser import like_parts, parse_chart

INDENT = "  "


def format_chart(text: str, path: str = "<chart>") -> str:
    """The chart in canonical layout; ``ChartInvalid`` if it has errors."""
    before = parse_chart(text, path)
    lines = scan(text)
    out: list[str] = []
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.kind == "grid":
            j = i
            while j < len(lines) and lines[j].kind == "grid":
                j += 1
            out.extend(_grid_block(lines[i:j]))
            i = j
            continue
        out.append(_line(ln))
        i += 1
    result = _tidy_blanks(out)
    after = parse_chart(result, path)
    if _shape(before) != _shape(after):  # pragma: no cover - a guard against formatter bugs
        raise ChartInvalid([Problem(path, 1, 1, "formatting would change the song; file left as it is",
                                    "please report this chart as a bug")])
    return result


def _shape(song: object) -> object:
    from ..model import Song

    assert isinstance(song, Song)
    t = song.timeline()
    return ([(b.start_beat, b.meter, b.key, b.tempo, b.level, b.style, b.feel, b.players,
              tuple((c.beat, c.length, str(c.chord), c.hit, c.stop) for c in b.chords)) for b in t.bars],
            [(s.name, s.start_beat) for s in t.sections], t.tempo_map,
            {n: r.phrase for n, r in song.riffs.items()},
            [(s.section.melody, s.section.riffs, s.section.solo, s.section.lyrics) for s in t.sections])


def _with_comment(code: str, comment: str) -> str:
    if not comment:
        return code
    return f"{code}  {comment}" if code.strip() else code + comment


def _line(ln: Line) -> str:
    if ln.kind == "blank":
        return ""
    if ln.kind == "comment":
        return (INDENT if ln.indent else "") + ln.comment
    if ln.kind in ("header", "form"):
        return _with_comment(f"{ln.name}: {_value(ln.name, ln.value)}", ln.comment)
    if ln.kind in ("riff", "section"):
        return _with_comment(f"{ln.kind} {_title(ln.name)}:", ln.comment)
    if ln.kind == "directive":
        return _with_comment(f"{INDENT}{ln.name}: {_value(ln.name, ln.value)}", ln.comment)
    if ln.kind == "notes":
        return _with_comment(INDENT + _notes(ln.code), ln.comment)
    return _with_comment((INDENT if ln.indent else "") + ln.code.strip(), ln.comment)


def _value(name: str, value: str) -> str:
    value = " ".join(value.split())
    if name in ("dynamics", "tempo"):
        value = " -> ".join(part.strip() for part in value.split("->"))
    if name == "melody":
        value = _notes(value)
    return value


def _title(name: str) -> str:
    own, like = like_parts(name)
    return f"{own} (like {like})" if like else name


def _notes(code: str) -> str:
    spaced = " | ".join(part.strip() for part in code.split("|"))  # no regex: linear on long spaces
    return " ".join(spaced.split())


def _grid_block(lines: list[Line]) -> list[str]:
    rows = [[" ".join(cell.split()) for cell in ln.code.split("|")[1:]] for ln in lines]
    rows = [row[:-1] if row and not row[-1] else row for row in rows]
    widths: list[int] = []
    for row in rows:
        for k, cell in enumerate(row):
            if k == len(widths):
                widths.append(0)
            widths[k] = max(widths[k], len(cell))
    out = []
    for ln, row in zip(lines, rows, strict=True):
        cells = [cell.ljust(widths[k]) for k, cell in enumerate(row)]
        out.append(_with_comment(INDENT + "| " + " | ".join(cells) + " |", ln.comment))
    return out


def _tidy_blanks(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
