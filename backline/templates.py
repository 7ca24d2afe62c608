"""Starting points for a new chart: a few small, valid charts to edit.

>>> [t["name"] for t in templates()]
['blank', 'verse-chorus', 'twelve-bar-blues', 'jazz-waltz']
>>> print(template("blank", title="New Song").splitlines()[0])
title: New Song
"""

from __future__ import annotations

_TEMPLATES = (
    ("blank", "A title, a key, a tempo and one four-bar section", """title: {title}
key: C major
tempo: 110
style: pop

section A:
  | C | Am | F | G |
"""),
    ("verse-chorus", "Intro, verses and choruses, a bridge and an outro: the pop form", """title: {title}
key: G major
tempo: 112
style: pop

section Intro:
  dynamics: mp
  | G | D | Em | C |

section Verse:
  dynamics: mf
  | G | D | Em | C |
  | G | D | C | C |

section Chorus:
  dynamics: f
  | C | G | D | Em |
  | C | G | D | D |

section Bridge:
  dynamics: mf -> f
  | Em | C | G | D |

section Outro:
  dynamics: mf -> p
  | G | D | C | G! . . . |

form: Intro Verse Chorus Verse Chorus Bridge Chorus Outro
"""),
    ("twelve-bar-blues", "Twelve bars in A, a shuffle, with a last-chorus turnaround", """title: {title}
key: A major
tempo: 96
style: blues-shuffle

section Head:
  | A7 | D7 | A7 | A7 |
  | D7 | D7 | A7 | A7 |
  | E7 | D7 | A7 | E7 |

section Ending (like Head):
  dynamics: f -> mf
  | A7 | D7 | A7 | A7 |
  | D7 | D7 | A7 | A7 |
  | E7 | D7 | A7! . . . | N.C. |

form: Head x3 Ending
"""),
    ("jazz-waltz", "A 3/4 waltz in D minor with a ii–V–i", """title: {title}
key: D minor
tempo: 150
time: 3/4
style: jazz-waltz

section A:
  | Dm7 | Dm7 | Em7b5 | A7 |
  | Dm7 | Gm7 | Em7b5 A7 . | Dm7 |

form: A x2
"""),
)


def templates(title: str = "Untitled") -> list[dict[str, str]]:
    """Every template: name, one-line description, and its text with ``title``."""
    return [{"name": n, "description": d, "text": t.format(title=title)} for n, d, t in _TEMPLATES]


def template(name: str, title: str = "Untitled") -> str:
    """One template's text; ``KeyError`` for an unknown name."""
    for n, _, text in _TEMPLATES:
        if n == name:
            return text.format(title=title)
    raise KeyError(name)
