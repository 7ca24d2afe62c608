"""Interchange: charts in from iReal Pro, ChordPro, MusicXML and MIDI, and out again.

``import_sources`` chooses the reader by content, writes one checked ``.chart`` per song
(file names from titles, never overwriting) and reports what failed without stopping.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

MAX_SOURCE_BYTES = 16_000_000  # an iReal playlist of thousands of songs is ~2 MB


def _songs_in(path: str) -> Iterator[tuple[str, Callable[[], str]]]:
    """(title, make chart text) for every song a source holds (a regular file, read once)."""
    from ..files import read_input

    data = read_input(path, MAX_SOURCE_BYTES)
    if data[:4] == b"MThd":
        from .midiriff import to_chart as midi_chart

        title = os.path.splitext(os.path.basename(path))[0].replace("-", " ").replace("_", " ").title()
        yield title, lambda: midi_chart(data, title)
        return
    text = _printable(data.decode("utf-8", errors="replace"))
    if "irealb://" in text or "irealbook://" in text:
        from .ireal import links_in, song_fields

        for link in links_in(text):
            for fields, scrambled in song_fields(link):
                title = fields[0].strip() or "Untitled"
                yield title, partial(_ireal_chart, fields, scrambled)
        return
    if "<score-partwise" in text[:2000] or "<score-timewise" in text[:2000]:
        from .musicxml import to_chart as xml_chart

        yield os.path.basename(path), lambda: xml_chart(text)
        return
    from .chordpro import to_chart as cp_chart

    yield os.path.basename(path), lambda: cp_chart(text)


def _printable(text: str) -> str:
    r"""Text without NUL and the other control characters (tabs and line breaks kept): none
    means anything in a lead sheet, and a chart holding a NUL would be refused by ``check``.

    >>> _printable("{title: A\x00B}\r\n[C]la\x07\u00a0")
    '{title: AB}\r\n[C]la\xa0'
    """
    return "".join(ch for ch in text if not (ord(ch) < 32 or 127 <= ord(ch) < 160) or ch in "\t\n\r")


def _ireal_chart(fields: list[str], scrambled: bool) -> str:
    from .ireal import parse_song_fields, to_chart

    return to_chart(parse_song_fields(fields, scrambled))


def _free_name(outdir: str, title: str, taken: set[str]) -> str:
    from ..files import slug

    base = slug(title)
    name, n = base, 1
    while name in taken or os.path.exists(os.path.join(outdir, name + ".chart")):
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return os.path.join(outdir, name + ".chart")


def import_sources(sources: list[str], outdir: str) -> dict[str, Any]:
    """Import every song of every source; ``imported``, ``failed`` (title, source, reason), ``files``."""
    from ..chart.errors import ChartInvalid
    from ..chart.parser import parse_chart
    from ..files import make_folder, write_atomic
    from ..styles import style_names

    styles = style_names()
    files: list[str] = []
    failed: list[dict[str, str]] = []
    taken: set[str] = set()
    for source in sources:
        try:
            songs = list(_songs_in(source))
        except (OSError, ValueError) as e:  # unreadable, not a regular file, too large, or garbled
            reason = str(e).removeprefix(f"{source}: ") if isinstance(e, ValueError) else e.strerror or str(e)
            failed.append({"title": "", "source": source, "reason": reason[:200]})
            continue
        for title, make in songs:
            try:
                text = make()
                song = parse_chart(text, title, styles)
            except ChartInvalid as e:
                p = e.problems[0]
                failed.append({"title": title, "source": source, "reason": f"line {p.line}: {p.message}"})
                continue
            except Exception as e:  # one bad song never stops the others
                reason = " ".join((str(e) or type(e).__name__).split())[:200]
                failed.append({"title": title[:100], "source": source, "reason": reason})
                continue
            make_folder(outdir)  # only once there is a chart to write
            path = _free_name(outdir, song.title, taken)
            write_atomic(path, text)
            files.append(path)
    return {"imported": len(files), "failed": failed, "files": files}


def export_song(song: Any, to: str) -> str | bytes:
    """The song as MusicXML, ChordPro or an iReal link."""
    if to == "musicxml":
        from .musicxml import from_song as xml

        return xml(song)
    if to == "chordpro":
        from .chordpro import from_song as chordpro

        return chordpro(song)
    if to == "ireal":
        from .ireal import from_song as ireal

        return ireal(song) + "\n"
    raise ValueError(f"unknown format {to!r}: use musicxml, chordpro or ireal")
