"""Split a chart into classified lines: the one reading shared by the parser and ``fmt``.

>>> [l.kind for l in scan("title: X\\nsection A:\\n  | C |  # hi\\n\\nform: A")]
['header', 'section', 'grid', 'blank', 'form']
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from ..records import NamedTuple

HEAD = re.compile(r"(riff|section)\s+(\S.*?)\s*:$")
PAIR = re.compile(r"([A-Za-z][A-Za-z_-]*)\s*:\s*(.*)$")
COMMENT = re.compile(r"(?:^|(?<=\s))#")


class Line(NamedTuple):
    """A chart line: its kind, its code without the comment, and where the code starts."""

    number: int
    kind: str  # blank comment header riff section form grid directive notes junk
    indent: str
    code: str
    column: int  # 1-based column of the code's first character
    comment: str  # '# …' or ''
    name: str = ""  # header/directive name, or riff/section title
    value: str = ""
    value_column: int = 0


def split_comment(raw: str) -> tuple[str, str]:
    """Code and comment: ``#`` starts a comment at the line start or after a space
    (``F#m7`` and ``f#`` are not comments)."""
    m = COMMENT.search(raw)
    if not m:
        return raw.rstrip(), ""
    return raw[: m.start()].rstrip(), raw[m.start():].rstrip()


def scan(text: str) -> list[Line]:
    """Classify every line of a chart; bodies are the indented lines after riff/section."""
    lines: list[Line] = []
    body = ""  # '', 'riff' or 'section'
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.rstrip("\r")
        code, comment = split_comment(raw)
        stripped = code.lstrip()
        indent = code[: len(code) - len(stripped)]
        column = len(indent) + 1
        if not stripped:
            lead = raw[: len(raw) - len(raw.lstrip())] if comment else ""
            lines.append(Line(number, "comment" if comment else "blank", lead, "", column, comment))
            continue
        if not indent:
            body = ""
            lines.append(_top_line(number, stripped, comment))
            if lines[-1].kind in ("riff", "section"):
                body = lines[-1].kind
            continue
        lines.append(_body_line(number, body, indent, stripped, column, comment))
    return lines


def _top_line(number: int, code: str, comment: str) -> Line:
    head = HEAD.match(code)
    if head:
        return Line(number, head.group(1), "", code, 1, comment, head.group(2),
                    value_column=head.start(2) + 1)
    pair = PAIR.match(code)
    if pair:
        kind = "form" if pair.group(1) == "form" else "header"
        return Line(number, kind, "", code, 1, comment, pair.group(1), pair.group(2).strip(),
                    pair.start(2) + 1)
    return Line(number, "junk", "", code, 1, comment)


def _body_line(number: int, body: str, indent: str, code: str, column: int, comment: str) -> Line:
    if not body:
        return Line(number, "stray", indent, code, column, comment)
    if body == "riff":
        return Line(number, "notes", indent, code, column, comment)
    if code.startswith("|"):
        return Line(number, "grid", indent, code, column, comment)
    pair = PAIR.match(code)
    if pair:
        return Line(number, "directive", indent, code, column, comment, pair.group(1),
                    pair.group(2).strip(), column + pair.start(2))
    return Line(number, "junk", indent, code, column, comment)
