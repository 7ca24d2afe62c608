"""Saves that never silently win over another: a file's version is the SHA-256 of its bytes, and a
save names the version it started from. If the file changed since, the save is refused with the
file's current text, so the writer can merge or reload.

>>> import os, tempfile
>>> p = os.path.join(tempfile.mkdtemp(), "a.chart")
>>> v1 = save(p, "one\\n", None)              # None: a new file
>>> v2 = save(p, "two\\n", v1)                # started from v1: fine
>>> save(p, "three\\n", v1)                   # started from v1 again: stale
Traceback (most recent call last):
backline.versioned.Stale: the file changed since it was opened
"""

from __future__ import annotations

import os
import threading

from .files import write_atomic

_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


class Stale(Exception):
    """The file is not at the version the save started from; ``current`` is its text (None: absent)."""

    def __init__(self, message: str, current: str | None, version: str | None) -> None:
        super().__init__(message)
        self.current = current
        self.version = version


def version_of(data: str | bytes) -> str:
    """The version of a file's contents (SHA-256, hex).

    >>> version_of("")[:12]
    'e3b0c44298fc'
    """
    from hashlib import sha256

    return sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


MAX_BYTES = 4_000_000  # a chart or an album file larger than this is not one


def read(path: str, limit: int = MAX_BYTES) -> tuple[str, str]:
    """A text file's contents and version (bytes that are not UTF-8 are replaced). A FIFO, a device
    or a file over ``limit`` is ``backline.files.InputError``, never read."""
    from .files import read_input

    data = read_input(path, limit)
    return data.decode("utf-8", errors="replace"), version_of(data)


def _lock(path: str) -> threading.Lock:
    with _GUARD:
        return _LOCKS.setdefault(os.path.realpath(path), threading.Lock())


def save(path: str, text: str, expected: str | None) -> str:
    """Write ``text`` to ``path`` atomically if the file is still at version ``expected`` (None: the
    file must not exist yet); return the new version, or raise :class:`Stale`."""
    with _lock(path):
        if os.path.exists(path):
            current, version = read(path)
            if expected is None:
                raise Stale("the file already exists", current, version)
            if version != expected:
                raise Stale("the file changed since it was opened", current, version)
            if current == text:
                return version  # nothing to write
        elif expected is not None:
            raise Stale("the file is gone since it was opened", None, None)
        write_atomic(path, text)
        return version_of(text)
