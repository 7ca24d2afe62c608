"""The session book: a PDF for the music stands, engraved by LilyPond.

A cover with the running order (keys, tempos, lengths, total time), then per song its header,
form, a chord grid (or the guide melody with its lyrics) per section, the riffs in notation and
the arrangement map. Parts for B♭, E♭ and F instruments are the same book transposed.

LilyPond lays out the whole book, pages included, in one run (see ``engrave.py`` for why).

>>> import backline
>>> song = backline.loads("title: Tiny\\nsection A:\\n  | C | G |\\n")
>>> ly = book_source([song], "Tiny")
>>> ly.count("\\\\bookpart"), '"Tiny"' in ly
(2, True)
"""

from __future__ import annotations

import os

from .engrave import BookError, engrave, find_lilypond
from .leadsheet import PART_NAMES, TRANSPOSITIONS, Part, clock, key_text, song_part
from .lily import string

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any

    from ..album import Album
    from ..model import Song

__all__ = ["BookError", "book_pdf", "book_source", "write_book"]

PAPER = """\\version "2.24.0"
#(set-global-staff-size 20)
\\paper {
  #(set-paper-size "a4")
  top-margin = 12\\mm bottom-margin = 12\\mm left-margin = 15\\mm right-margin = 15\\mm
  markup-system-spacing.padding = 2
  score-markup-spacing.padding = 2
  tagline = ##f
  print-page-number = ##t
}
\\layout { \\context { \\Lyrics \\override LyricText.font-size = #1 } }
"""


def book_source(songs: list[Song], title: str, artist: str = "", part: Part | None = None,
                pictures: list[str | None] | None = None, gaps: list[float] | None = None) -> str:
    """The book as LilyPond text: a cover, then each song (``pictures``: EPS files, one a song)."""
    part = part or Part.concert()
    pictures = pictures or [None] * len(songs)
    parts = [PAPER, "\\book {", _cover(songs, title, artist, part, gaps or [])]
    for song, picture in zip(songs, pictures, strict=True):
        parts.append(song_part(song, part, picture))
    parts.append("}")
    return "\n".join(parts)


def _cover(songs: list[Song], title: str, artist: str, part: Part, gaps: list[float]) -> str:
    rows = []
    total = sum(gaps)
    for i, song in enumerate(songs, start=1):
        written = song.transposed(part.semitones) if part.semitones else song
        tl = written.timeline()
        total += tl.seconds
        beat = "♩." if written.meter.compound else "♩"
        meters = ", ".join(dict.fromkeys(str(b.meter) for b in tl.bars))
        rows.append([str(i), written.title, key_text(written.key), f"{beat} = {written.tempo:g}", meters,
                     clock(tl.seconds)])
    cells = " ".join(f"\\bold {string(h)}" for h in ("#", "Title", "Key", "Tempo", "Time", "Length"))
    for row in rows:
        cells += "\n      " + " ".join(string(c) for c in row)
    lines = ["\\bookpart {", "  \\markup \\column {", "    \\vspace #6",
             f"    \\fill-line {{ \\fontsize #8 \\bold {string(title)} }}"]
    if artist:
        lines.append(f"    \\vspace #1 \\fill-line {{ \\fontsize #4 {string(artist)} }}")
    if part.label:
        lines.append(f"    \\vspace #1 \\fill-line {{ \\fontsize #4 \\bold {string(part.label)} }}")
    summary = f"{len(songs)} song{'s' if len(songs) != 1 else ''} · total time {clock(total)}"
    lines += ["    \\vspace #2", f"    \\fill-line {{ \\fontsize #2 {string(summary)} }}", "    \\vspace #3",
              f"    \\fill-line {{ \\fontsize #2 \\column {{ \\override #'(padding . 3) "
              f"\\table #'(1 -1 -1 -1 -1 1) {{ {cells} }} }} }}",
              "  }", "}"]
    return "\n".join(lines)


def _songs(source: Song | Album) -> tuple[list[Song], str, str, list[float]]:
    """The songs of a song or an album (with the album's transpositions and tempos), title, artist, gaps."""
    from ..album import Album

    if isinstance(source, Album):
        from ..album.render import _song

        songs = [_song(t) for t in source.tracks]
        gaps = [t.gap_seconds if t.gap_seconds is not None else source.gap_seconds for t in source.tracks][:-1]
        return songs, source.title, source.artist, gaps
    return [source], source.title, source.artist, []


def _pictures(songs: list[Song], folder: str) -> list[str | None]:
    """Each song's arrangement map as EPS (``backline.plot``), for LilyPond to place. The maps'
    data is worked out here; with three songs or more they are drawn by two processes (drawing
    is most of a map's cost: ~0.7 s of matplotlib each, measured)."""
    from concurrent.futures import ProcessPoolExecutor

    from ..players.band import perform
    from ..plot import map_data

    drawings = [(map_data(perform(song)), os.path.join(folder, f"map-{i:02d}.eps"))
                for i, song in enumerate(songs, start=1)]
    workers = min(2, os.cpu_count() or 1, len(drawings))
    if workers > 1 and len(drawings) > 2:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_draw, drawings))
    else:
        for drawing in drawings:
            _draw(drawing)
    return [os.path.basename(path) for _, path in drawings]


def _draw(drawing: tuple[Any, str]) -> str:
    """Write one map (in a worker, or here)."""
    import logging

    from ..plot import write_picture

    log = logging.getLogger("matplotlib.backends.backend_ps")
    level = log.level
    log.setLevel(logging.ERROR)  # "no transparency in EPS": matplotlib says so at every picture; it looks right
    try:
        return write_picture(*drawing)
    finally:
        log.setLevel(level)


def book_pdfs(source: Song | Album, parts: list[str], pictures: bool = True,
              lilypond: str | None = None) -> dict[str, bytes]:
    """The book for each part name (``C``, ``Bb``, ``Eb``, ``F``) as PDF bytes, in one LilyPond run."""
    import tempfile

    for name in parts:
        if name not in TRANSPOSITIONS:
            raise BookError(f"unknown part {name!r}: use one of {', '.join(TRANSPOSITIONS)}")
    binary = find_lilypond(lilypond)
    songs, title, artist, gaps = _songs(source)
    with tempfile.TemporaryDirectory(prefix="backline-book-") as tmp:
        maps: list[str | None] = _pictures(songs, tmp) if pictures else [None] * len(songs)
        sources = {name: book_source(songs, title, artist, Part.named(name), maps, gaps) for name in parts}
        return engrave(sources, tmp, binary)


def book_pdf(source: Song | Album, transpose_for: str | None = None, pictures: bool = True,
             lilypond: str | None = None) -> bytes:
    """The book (for ``transpose_for``: ``Bb``, ``Eb`` or ``F``) as PDF bytes."""
    name = transpose_for or "C"
    return book_pdfs(source, [name], pictures, lilypond)[name]


def part_path(out: str, name: str) -> str:
    """Where a part goes beside the book: ``book.pdf`` -> ``book-Bb.pdf``.

    >>> part_path("out/book.pdf", "Eb"), part_path("out/book.pdf", "C")
    ('out/book-Eb.pdf', 'out/book.pdf')
    """
    if name == "C":
        return out
    base, ext = os.path.splitext(out)
    return f"{base}-{name}{ext or '.pdf'}"


def write_book(source: Song | Album, out: str, transpose_for: str | None = None, parts: bool = False,
               pictures: bool = True, lilypond: str | None = None) -> dict[str, Any]:
    """Engrave and write the book to ``out`` (and with ``parts`` the B♭, E♭ and F books beside it).
    Nothing is written unless every PDF was made."""
    from ..files import write_atomic

    folder = os.path.dirname(os.path.abspath(out))
    if os.path.isdir(out):
        raise BookError(f"cannot write the book to {out}: it is a folder; give a file name such as book.pdf")
    existing = folder
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing) or not os.access(existing, os.W_OK):
        raise BookError(f"cannot write the book to {out}: {existing} is not a folder I can write to")
    names = list(TRANSPOSITIONS) if parts else [transpose_for or "C"]
    pdfs = book_pdfs(source, names, pictures, lilypond)
    os.makedirs(folder, exist_ok=True)
    files = {}
    for name, pdf in pdfs.items():
        path = out if not parts else part_path(out, name)
        write_atomic(path, pdf)
        files[name] = path
    return {"files": files, "parts": {n: PART_NAMES[n] or "concert" for n in files}}
