"""The ``lyrics:`` directive: words under the guide melody's notes, or under the bars.

Under a melody: one syllable a note (rests are not sung; tied notes and chords are one note).
A word of several syllables is written with ``-`` (``walk-ing``); ``_`` (alone, or at the end of
a syllable, once a note) holds the syllable over one more note; ``*`` leaves a note unsung.
Without a melody: ``|`` separates the words of each bar (``Down the | road we | go |``).

>>> [tuple(s) for s in read_lyrics("Walk-ing down_ the road __ *", 9).syllables if s]
[('Walk', True, 1), ('ing', False, 1), ('down', False, 2), ('the', False, 1), ('road', False, 3)]
>>> read_lyrics("Down the | road we | go |", None, 3).bars
('Down the', 'road we', 'go')
>>> read_lyrics("one two three", 2)
Traceback (most recent call last):
backline.chart.lyrics.LyricsError: the lyrics are sung over 3 notes but the melody has 2
"""

from __future__ import annotations

from ..model import Lyric, Syllable

HINT_NOTES = ("one syllable a note: split words with - (walk-ing), hold a syllable over more notes with _, "
              "skip one with *")


class LyricsError(ValueError):
    """A problem at ``offset`` (0-based, within the directive's value)."""

    def __init__(self, offset: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.offset, self.message, self.hint = offset, message, hint


def read_lyrics(text: str, notes: int | None, bars: int = 0, line: int = 0) -> Lyric:
    """Read a ``lyrics:`` value for a melody of ``notes`` sung notes, or (``notes`` None) ``bars`` bars."""
    if notes is None:
        return Lyric(bars=_bar_words(text, bars), line=line)
    return Lyric(syllables=_syllables(text, notes), line=line)


def _tokens(text: str) -> list[tuple[int, str]]:
    """(offset, word) for each word of the text."""
    out, start = [], None
    for i, ch in enumerate(text + " "):
        if ch.isspace():
            if start is not None:
                out.append((start, text[start:i]))
                start = None
        elif start is None:
            start = i
    return out


def _syllables(text: str, notes: int) -> tuple[Syllable | None, ...]:
    out: list[Syllable | None] = []
    last: int | None = None  # index in out of the syllable a '_' holds
    for offset, word in _tokens(text):
        if "|" in word:
            raise LyricsError(offset + word.index("|"), "'|' separates bars of lyrics only without a melody",
                              "under a melody the syllables follow its notes: leave out the '|'")
        if set(word) == {"_"}:
            if last is None:
                raise LyricsError(offset, "'_' holds a syllable, but no syllable comes before it", HINT_NOTES)
            for _ in word:
                out[last] = out[last]._replace(notes=out[last].notes + 1)  # type: ignore[union-attr]
            _check_count(out, notes, offset)
            continue
        if word == "*":
            out.append(None)
            last = None
            _check_count(out, notes, offset)
            continue
        pos = 0
        parts = word.split("-")
        for k, part in enumerate(parts):
            holds = len(part) - len(part.rstrip("_"))
            body = part.rstrip("_")
            if not body:
                raise LyricsError(offset + pos, f"an empty syllable in {word!r}",
                                  "write walk-ing, with letters on both sides of '-'")
            out.append(Syllable(body, k < len(parts) - 1, 1 + holds))
            last = len(out) - 1
            _check_count(out, notes, offset + pos)
            pos += len(part) + 1
    sung = _sung(out)
    if sung < notes:
        left = notes - sung
        raise LyricsError(len(text.rstrip()), f"the lyrics have {sung} syllable{'s' if sung != 1 else ''} but the "
                          f"melody has {notes} notes", f"{left} note{'s have' if left != 1 else ' has'} no syllable; "
                          f"{HINT_NOTES}")
    return tuple(out)


def _sung(out: list[Syllable | None]) -> int:
    return sum(1 if s is None else s.notes for s in out)


def _check_count(out: list[Syllable | None], notes: int, offset: int) -> None:
    if _sung(out) > notes:
        raise LyricsError(offset, f"the lyrics are sung over {_sung(out)} notes but the melody has {notes}",
                          f"from here on there are no notes left; {HINT_NOTES}")


def _bar_words(text: str, bars: int) -> tuple[str, ...]:
    groups = text.split("|")
    if groups and not groups[-1].strip():
        groups.pop()
    if groups and not groups[0].strip() and text.lstrip().startswith("|"):
        groups.pop(0)
    if len(groups) > bars:
        extra = groups[bars]
        offset = len("|".join(groups[:bars])) + 1 + len(extra) - len(extra.lstrip())
        if text.lstrip().startswith("|"):
            offset += text.index("|") + 1
        raise LyricsError(offset, f"the lyrics have {len(groups)} bars but the section has {bars}",
                          "separate each bar's words with '|', one group a bar")
    if len(groups) < bars:
        raise LyricsError(len(text.rstrip()), f"the lyrics have {len(groups)} bar{'s' if len(groups) != 1 else ''} "
                          f"but the section has {bars}", "give every bar its words (an empty bar: | |)")
    return tuple(" ".join(g.split()) for g in groups)


def sung_notes(melody: object) -> int:
    """How many notes of a phrase are sung: its notes that are not rests."""
    from ..model import Phrase

    assert isinstance(melody, Phrase)
    return sum(1 for n in melody.notes if n.pitches)


def lyrics_text(lyric: Lyric) -> str:
    """A stanza as the chart writes it (the inverse of ``read_lyrics``).

    >>> lyrics_text(read_lyrics("Walk-ing down_ the * road__", 9))
    'Walk-ing down_ the * road__'
    """
    if lyric.bars:
        return " | ".join(lyric.bars) + " |"
    out, word = [], ""
    for s in lyric.syllables:
        if s is None:
            out.append("*")
            continue
        word += s.text + "_" * (s.notes - 1)
        if s.joined:
            word += "-"
        else:
            out.append(word)
            word = ""
    if word:
        out.append(word.rstrip("-"))
    return " ".join(out)
