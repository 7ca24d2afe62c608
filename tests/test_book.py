"""The session book, read back as a musician would: pdftotext finds every title, section
name and chord in the order of the songs and their grids; the B♭ part has every chord a whole
tone up; pages are pictures in the test artifacts; bad input writes nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html import unescape

import pytest

import backline
from backline.album import load_album
from backline.album.render import _song
from backline.book import BookError, book_pdfs, write_book
from backline.book.leadsheet import _printed_sections
from backline.theory.chords import parse_chord

from .conftest import EXAMPLES, SHARED

pytestmark = pytest.mark.skipif(not shutil.which("lilypond") or not shutil.which("pdftotext"),
                                reason="make test installs lilypond and poppler-utils")


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def text_of(pdf: bytes, tmp_path) -> str:
    """The words of each page as a reader takes them in: rows top to bottom, each left to right
    (pdftotext -bbox; rows are words sharing a baseline, so the music font's tall glyphs,
    which carry no text, cannot tangle the rows as -layout lets them). Pages end with a form feed."""
    path = tmp_path / "book.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        words = [(float(y), float(x0), float(x1), unescape(w)) for x0, x1, y, w in WORD.findall(page) if w.strip()]
        rows: list[list[tuple[float, float, float, str]]] = []
        for word in sorted(words):
            if rows and word[0] - rows[-1][0][0] < 2.0:
                rows[-1].append(word)
            else:
                rows.append([word])
        lines = []
        for row in rows:
            text, end = "", -1e9
            for _, x0, x1, w in sorted(row, key=lambda w: w[1]):
                text += ("" if x0 - end < 0.8 else " ") + w  # glyphs set without a gap are one word: E7♯9
                end = x1
            lines.append(text.strip())
        pages.append("\n".join(lines))
    return "\f".join(pages).replace("♭", "b").replace("♯", "#")


def printed(song: backline.model.Song) -> list[str]:
    """What a song's pages must show, in order: its title, then per printed section its name and chords."""
    tl = song.timeline()
    words = song.title.split()
    for span, _ in _printed_sections(tl):
        words.append(span.name)
        for bar in tl.bars[span.first_bar: span.first_bar + span.bar_count]:
            words += [str(c.chord) if c.chord else "N.C." for c in bar.chords if c.chord or not c.stop]
    return words


def in_order(expected: list[str], text: str) -> tuple[int, str]:
    """How many of ``expected`` appear in order as whole words of ``text``, and the first missing one."""
    words = text.split()
    k = 0
    for i, want in enumerate(expected):
        while k < len(words) and words[k] != want:
            k += 1
        if k == len(words):
            return i, want
        k += 1
    return len(expected), ""


def album_songs(path: str) -> tuple[object, list[backline.model.Song]]:
    album = load_album(path)
    return album, [_song(t) for t in album.tracks]


@pytest.fixture(scope="module")
def shared_books() -> dict[str, bytes]:
    path = os.path.join(SHARED, "album.toml")
    if not os.path.exists(path):
        pytest.skip("../shared is not beside the project")
    album, _ = album_songs(path)
    return book_pdfs(album, ["C", "Bb"])  # one LilyPond run for both


def test_shared_album_book_has_every_title_section_and_chord_in_order(shared_books, tmp_path, artifacts) -> None:
    _album, songs = album_songs(os.path.join(SHARED, "album.toml"))
    text = text_of(shared_books["C"], tmp_path)
    cover = text.split("\f")[0]
    assert "Scaffold Sessions" in cover and "6 songs" in cover
    assert in_order([w for s in songs for w in s.title.split()], cover) == (sum(len(s.title.split()) for s in songs),
                                                                          "")
    pages = "\f".join(text.split("\f")[1:])
    expected = [w for song in songs for w in printed(song)]
    found, missing = in_order(expected, pages)
    assert found == len(expected), f"missing {missing!r} after {expected[max(0, found - 5):found]}"
    assert sum(1 for w in expected if parse_chord_or_none(w)) > 150  # the test reads a real amount of chords
    _pages_to_artifacts(shared_books["C"], tmp_path, artifacts, "book-shared")


def parse_chord_or_none(word: str) -> object:
    try:
        return parse_chord(word)
    except ValueError:
        return None


def test_bb_part_shows_every_chord_a_whole_tone_up(shared_books, tmp_path, artifacts) -> None:
    _, songs = album_songs(os.path.join(SHARED, "album.toml"))
    concert = [w for song in songs for w in printed(song)]
    written = [w for song in songs for w in printed(song.transposed(2))]
    assert len(concert) == len(written)
    moved = 0
    for a, b in zip(concert, written, strict=True):
        if a == b:  # titles, section names, N.C.
            continue
        ca, cb = parse_chord(a), parse_chord(b)
        assert (cb.root_pc - ca.root_pc) % 12 == 2 and (cb.bass_pc - ca.bass_pc) % 12 == 2, (a, b)
        assert cb.quality == ca.quality, (a, b)
        moved += 1
    assert moved > 150
    text = text_of(shared_books["Bb"], tmp_path)
    assert "B♭ part".replace("♭", "b") in text.split("\f")[0]
    found, missing = in_order(written, "\f".join(text.split("\f")[1:]))
    assert found == len(written), f"the Bb part lacks {missing!r}"
    found_concert, _ = in_order(concert, "\f".join(text.split("\f")[1:]))
    assert found_concert < len(concert)  # and it is not the concert book
    _pages_to_artifacts(shared_books["Bb"], tmp_path, artifacts, "book-shared-Bb", pages=3)


def test_examples_album_book(tmp_path, artifacts) -> None:
    album, songs = album_songs(os.path.join(EXAMPLES, "album.toml"))
    assert {os.path.basename(t.chart) for t in album.tracks} == {
        os.path.basename(p) for p in os.listdir(EXAMPLES) if p.endswith(".chart")}
    out = tmp_path / "examples.pdf"
    made = write_book(album, str(out), pictures=False)
    assert made["files"] == {"C": str(out)}
    text = text_of(out.read_bytes(), tmp_path)
    expected = [w for song in songs for w in printed(song)]
    found, missing = in_order(expected, "\f".join(text.split("\f")[1:]))
    assert found == len(expected), f"missing {missing!r}"
    _pages_to_artifacts(out.read_bytes(), tmp_path, artifacts, "book-examples", pages=4)


def _pages_to_artifacts(pdf: bytes, tmp_path, artifacts: str, name: str, pages: int = 0) -> None:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    args = ["pdftoppm", "-r", "60", "-png"] + (["-l", str(pages)] if pages else []) + [str(path),
                                                                                      os.path.join(artifacts, name)]
    subprocess.run(args, check=True)
    assert any(f.startswith(name) and f.endswith(".png") for f in os.listdir(artifacts))


def test_missing_lilypond_is_a_clear_error_and_writes_nothing(tmp_path) -> None:
    song = backline.loads("title: T\nsection A:\n  | C |\n")
    with pytest.raises(BookError, match="LilyPond is not installed"):
        write_book(song, str(tmp_path / "b.pdf"), lilypond=str(tmp_path / "no-lilypond"))
    (tmp_path / "t.chart").write_text("title: T\nsection A:\n  | C |\n")
    env = dict(os.environ, BACKLINE_LILYPOND=str(tmp_path / "no-lilypond"))
    run = subprocess.run([sys.executable, "-m", "backline", "book", str(tmp_path / "t.chart"), "-o",
                          str(tmp_path / "b.pdf")], capture_output=True, text=True, env=env)
    assert run.returncode == 1 and run.stderr.count("\n") == 1 and "LilyPond is not installed" in run.stderr
    assert sorted(os.listdir(tmp_path)) == ["t.chart"]


def test_unwritable_output_is_a_clear_error(tmp_path) -> None:
    song = backline.loads("title: T\nsection A:\n  | C |\n")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(BookError, match="not a folder"):
        write_book(song, str(tmp_path / "afile" / "b.pdf"), pictures=False)
    with pytest.raises(BookError, match="is a folder"):
        write_book(song, str(tmp_path), pictures=False)
    assert sorted(os.listdir(tmp_path)) == ["afile"]


def test_parts_write_four_books_with_hits_and_meters(tmp_path) -> None:
    chart = ("title: Kicks\nkey: F major\ntempo: 100\nsection A:\n  | F | Bb7! . . . |\n  | % | C7 |\n"
             "section B:\n  time: 7/8 (2+2+3)\n  tempo: 100 -> 120\n  | Gm7 . C7 | Gm7 . C7 |\nform: A A B\n")
    (tmp_path / "kicks.chart").write_text(chart)
    run = subprocess.run([sys.executable, "-m", "backline", "book", str(tmp_path / "kicks.chart"), "-o",
                          str(tmp_path / "kicks.pdf"), "--parts", "--no-pictures"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert sorted(os.listdir(tmp_path)) == ["kicks-Bb.pdf", "kicks-Eb.pdf", "kicks-F.pdf", "kicks.chart", "kicks.pdf"]
    concert = text_of((tmp_path / "kicks.pdf").read_bytes(), tmp_path)
    assert in_order(["A", "×2", "F", "Bb7", "C7", "B", "accel.", "Gm7", "C7", "Gm7", "C7"], concert)[1] == ""
    eb = text_of((tmp_path / "kicks-Eb.pdf").read_bytes(), tmp_path)  # Eb: a major sixth up
    assert in_order(["D", "G7", "A7", "Em7", "A7"], eb)[1] == ""
