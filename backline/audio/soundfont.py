"""Finding a General MIDI SoundFont.

Order: ``--soundfont PATH``, ``$BACKLINE_SOUNDFONT``, ``soundfont = "..."`` in
``~/.config/backline/config.toml``, then the Debian packages' files.

>>> isinstance(candidates(), list)
True
"""

from __future__ import annotations

import glob
import os

DEBIAN = ["/usr/share/sounds/sf2/TimGM6mb.sf2", "/usr/share/sounds/sf2/default-GM.sf2",
          "/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/soundfonts/default.sf2",
          "/usr/share/soundfonts/FluidR3_GM.sf2"]
CONFIG = os.path.join(os.path.expanduser("~"), ".config", "backline", "config.toml")
INSTALL_HINT = ("install one with 'sudo apt-get install timgm6mb-soundfont' (small) or "
                "'sudo apt-get install fluid-soundfont-gm' (full), or pass --soundfont PATH")


class AudioError(Exception):
    """Audio cannot be made: says why and how to fix it."""


def _configured() -> str | None:
    if not os.path.exists(CONFIG):
        return None
    from ..files import read_toml

    try:
        value = read_toml(CONFIG).get("soundfont")
    except ValueError as e:
        raise AudioError(str(e)) from None
    return str(value) if value else None


def candidates() -> list[str]:
    found = [p for p in DEBIAN if os.path.exists(p)]
    found += sorted(glob.glob("/usr/share/sounds/sf2/*.sf2")) + sorted(glob.glob("/usr/share/soundfonts/*.sf2"))
    return list(dict.fromkeys(found))


def find_soundfont(explicit: str | None = None) -> str:
    """The SoundFont to use, or ``AudioError`` naming how to install one."""
    for source, path in (("--soundfont", explicit), ("BACKLINE_SOUNDFONT", os.environ.get("BACKLINE_SOUNDFONT")),
                         (CONFIG, _configured())):
        if path:
            if not os.path.isfile(path):
                raise AudioError(f"SoundFont {path!r} (from {source}) does not exist: {INSTALL_HINT}")
            check_soundfont(path, source)
            return path
    found = candidates()
    if not found:
        raise AudioError(f"no SoundFont found: {INSTALL_HINT}")
    return found[0]


def check_soundfont(path: str, source: str = "--soundfont") -> None:
    """``AudioError`` unless ``path`` starts like a SoundFont (SF2/SF3: RIFF … sfbk) or a DLS file.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".sf2") as f:
    ...     check_soundfont(f.name)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    backline.audio.soundfont.AudioError: ... is not a SoundFont (no RIFF sfbk header): ...
    """
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError as e:
        raise AudioError(f"SoundFont {path!r} (from {source}) cannot be read: {e.strerror or e}") from None
    if head[:4] != b"RIFF" or head[8:12] not in (b"sfbk", b"DLS "):
        raise AudioError(f"{path!r} (from {source}) is not a SoundFont (no RIFF sfbk header): {INSTALL_HINT}")
