"""One short chart per style, in the changes and meter a player of that style would expect.

Verse and chorus (the chorus louder) so the arrangement can thin and build; the idiom
tests and the piano rolls play these.
"""

from __future__ import annotations

CHANGES = {
    "rock": ("4/4", 120, "E | E | A | A | E | E | B7 | A", "A | B | E | C#m | A | B | E | E"),
    "hard-rock": ("4/4", 126, "Am | Am | G | D | Am | Am | F | G", "F | G | Am | Am | F | G | E | E"),
    "blues-shuffle": ("4/4", 100, "A7 | D7 | A7 | A7 | D7 | D7 | A7 | A7", "E7 | D7 | A7 | E7 | A7 | D7 | A7 | E7"),
    "funk": ("4/4", 104, "E9 | E9 | E9 | E9 | A9 | A9 | E9 | E9", "Cmaj7 | D6 | E9 | E9 | Cmaj7 | D6 | F#m7 B7 | E9"),
    "soul": ("4/4", 100, "C | Am | F | G | C | Am | F | G", "F | G | Em | Am | Dm7 | G7 | C | C"),
    "pop": ("4/4", 116, "C | G | Am | F | C | G | Am | F", "F | G | Am | Am | F | G | C | C"),
    "pop-ballad": ("4/4", 72, "C | G/B | Am | F | C | G/B | F | G", "F | G | Em | Am | F | G | C | C"),
    "ballad-68": ("6/8", 60, "C | Am | F | G | C | Am | F | G", "F | G | Em | Am | F | G | C | C"),
    "bossa-nova": ("4/4", 132, "Dm7 | G7 | Cmaj7 | Cmaj7 | Dm7 | G7 | Cmaj7 | A7",
                   "Dm7 | G7 | Em7 | A7 | Dm7 | G7 | Cmaj7 | Cmaj7"),
    "samba": ("4/4", 100, "Am | E7 | Am | A7 | Dm | Am | E7 | Am", "Dm | G7 | C | A7 | Dm | E7 | Am | Am"),
    "jazz-swing": ("4/4", 140, "Dm7 | G7 | Cmaj7 | A7 | Dm7 | G7 | Cmaj7 | Cmaj7",
                   "Gm7 | C7 | Fmaj7 | Fmaj7 | Em7b5 | A7 | Dm7 | G7"),
    "jazz-waltz": ("3/4", 150, "Dm7 | G7 | Cmaj7 | Am7 | Dm7 | G7 | Cmaj7 | Cmaj7",
                   "Fmaj7 | Bb7 | Em7 | A7 | Dm7 | G7 | Cmaj7 | Cmaj7"),
    "reggae": ("4/4", 76, "C | F | G | F | C | F | G | G", "Am | F | C | G | Am | F | G | G"),
    "country": ("4/4", 110, "G | G | C | C | D | D | G | G", "C | C | G | G | D | D | G | G"),
    "folk": ("4/4", 96, "G | C | G | D | Em | C | G | D", "C | G | D | Em | C | G | D | G"),
    "punk": ("4/4", 180, "E | E | A | B | E | E | A | B", "A | A | E | E | A | B | E | E"),
    "metal": ("4/4", 150, "Em | Em | C | D | Em | Em | C | B", "C | D | Em | Em | C | D | B | B"),
    "prog-rock": ("7/8", 132, "Em | C | D | Em | Em | C | Am | B7", "C | D | Em | Em | C | D | B7 | B7"),
    "disco": ("4/4", 120, "Am7 | D7 | Am7 | D7 | Am7 | D7 | Fmaj7 | E7", "Dm7 | G7 | Cmaj7 | Am7 | Dm7 | G7 | E7 | E7"),
    "hip-hop": ("4/4", 90, "Am7 | Fmaj7 | Am7 | Fmaj7 | Dm7 | Fmaj7 | Am7 | E7", "Dm7 | Em7 | Fmaj7 | E7 | Dm7 | Em7 | Am7 | Am7"),
}


def chart(style: str, solo: str | None = None) -> str:
    """The style's chart: Verse, Chorus, Verse, Chorus (and a solo chorus when asked)."""
    meter, tempo, verse, chorus = CHANGES[style]
    text = (f"title: {style}\ntime: {meter}\ntempo: {tempo}\nstyle: {style}\n"
            f"section Verse:\n  | {verse} |\nsection Chorus:\n  dynamics: f\n  | {chorus} |\n")
    form = "Verse Chorus Verse Chorus"
    if solo:
        text += f"section Solo (like Verse):\n  solo: {solo}\n"
        form += " Solo"
    return text + f"form: {form}\n"
