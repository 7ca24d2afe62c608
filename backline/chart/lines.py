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

HEADS = ("riff", "section")
NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
NAME_CHARS = NAME_START | {"_", "-"}
COMMENT = re.compile(r"(?:^|(?<=\s))#")  # one character looked at per position: linear


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


def scan(text: str, keep_blank: bool = True) -> list[Line]:
    """Classify every line of a chart; bodies are the indented lines after riff/section.

    Without ``keep_blank`` blank and comment lines are left out (the parser needs neither;
    a chart of a million blank lines then costs no memory)."""
    lines: list[Line] = []
    body = ""  # '', 'riff' or 'section'
    for number, raw in enumerate(text.split("\n"), start=1):
        if not keep_blank:
            start = raw.lstrip()
            if not start or start[0] == "#":
                continue
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


# Lines are read by slicing and stripping, not by regexes: a pattern such as
# ``section\s+(\S.*?)\s*:$`` backtracks quadratically on long runs of spaces (9.5 s on 60 KB).


def head(code: str) -> tuple[str, str, int] | None:
    """``section NAME:`` or ``riff NAME:`` as (kind, title, 0-based title offset), else None.

    >>> head("section A (like B) :"), head("sections:")
    (('section', 'A (like B)', 8), None)
    """
    word = code.split(maxsplit=1)[0] if code else ""
    if word not in HEADS or not code.endswith(":") or not code[len(word):len(word) + 1].isspace():
        return None
    inner = code[len(word):-1]
    title = inner.strip()
    if not title:
        return None
    return word, title, len(word) + len(inner) - len(inner.lstrip())


def pair(code: str) -> tuple[str, str, int] | None:
    """``name: value`` as (name, stripped value, 0-based value offset), else None.

    >>> pair("tempo :  96 "), pair("9: x")
    (('tempo', '96', 9), None)
    """
    end = 0
    while end < len(code) and (code[end] in NAME_CHARS if end else code[end] in NAME_START):
        end += 1
    rest = code[end:].lstrip()
    if not end or not rest.startswith(":"):
        return None
    value = rest[1:].lstrip()
    return code[:end], value.rstrip(), len(code) - len(value)


def _top_line(number: int, code: str, comment: str) -> Line:
    found = head(code)
    if found:
        kind, title, at = found
        return Line(number, kind, "", code, 1, comment, title, value_column=at + 1)
    named = pair(code)
    if named:
        name, value, at = named
        return Line(number, "form" if name == "form" else "header", "", code, 1, comment, name, value, at + 1)
    return Line(number, "junk", "", code, 1, comment)


def _body_line(number: int, body: str, indent: str, code: str, column: int, comment: str) -> Line:
    if not body:
        return Line(number, "stray", indent, code, column, comment)
    if body == "riff":
        return Line(number, "notes", indent, code, column, comment)
    if code.startswith("|"):
        return Line(number, "grid", indent, code, column, comment)
    named = pair(code)
    if named:
        name, value, at = named
        return Line(number, "directive", indent, code, column, comment, name, value, column + at)
    return Line(number, "junk", indent, code, column, comment)
