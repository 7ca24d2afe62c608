"""Running LilyPond (Debian's ``lilypond``; ``make book`` installs it when missing).

LilyPond lays out the pages too, not just the notation: measured on this machine (see
bench/ and the engineer's note), placing LilyPond snippets on reportlab pages cost the same
LilyPond run plus a PDF merge, and gave two typefaces and hand-made line breaking; one
LilyPond book breaks lines and pages itself, keeps chord symbols, lyrics and headings in one
font, and its text stays searchable (``pdftotext`` reads titles, sections and chords).
Every part asked for is engraved by one LilyPond process: its start-up (~3 s of Guile) is paid once.

>>> find_lilypond("/nonexistent/lilypond")  # doctest: +ELLIPSIS
Traceback (most recent call last):
backline.book.engrave.BookError: LilyPond is not installed (no /nonexistent/lilypond): install ...
"""

from __future__ import annotations

import os

TIMEOUT_SECONDS = 600


class BookError(ValueError):
    """A book that cannot be made (the message says why, in one line)."""


def find_lilypond(explicit: str | None = None) -> str:
    """The LilyPond program: ``explicit``, ``$BACKLINE_LILYPOND``, or ``lilypond`` on the PATH."""
    import shutil

    wanted = explicit or os.environ.get("BACKLINE_LILYPOND") or "lilypond"
    found = shutil.which(wanted)
    if found is None:
        raise BookError(f"LilyPond is not installed (no {wanted}): install Debian's lilypond (make book does), "
                        "or give its path with --lilypond")
    return found


def engrave(sources: dict[str, str], folder: str, lilypond: str) -> dict[str, bytes]:
    """Engrave each LilyPond text (keyed by name) in ``folder`` with one LilyPond run; the PDFs' bytes."""
    import subprocess

    files = {}
    for name, text in sources.items():
        files[name] = f"book-{name}"
        with open(os.path.join(folder, files[name] + ".ly"), "w", encoding="utf-8") as f:
            f.write(text)
    try:
        run = subprocess.run([lilypond, "-s", "--pdf", *(f + ".ly" for f in files.values())], cwd=folder,
                             capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise BookError(f"LilyPond took longer than {TIMEOUT_SECONDS} s") from None
    except OSError as e:
        raise BookError(f"cannot run LilyPond ({lilypond}): {e.strerror or e}") from None
    out: dict[str, bytes] = {}
    for name, base in files.items():
        pdf = os.path.join(folder, base + ".pdf")
        if run.returncode != 0 or not os.path.exists(pdf):
            raise BookError("LilyPond failed: " + _first_error(run.stderr))
        with open(pdf, "rb") as data:
            out[name] = data.read()
    return out


def _first_error(stderr: str) -> str:
    """The first line LilyPond calls an error (without the temporary folder's path)."""
    for line in stderr.splitlines():
        if "error" in line.lower():
            return line.rsplit("/", 1)[-1].strip()
    return stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
