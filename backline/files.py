"""Writing files so that a crash never leaves half a file.

>>> import tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "a.txt"); write_atomic(p, "hi"); open(p).read()
'hi'
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, BinaryIO


def write_atomic(path: str, data: str | bytes) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename it over."""
    write_atomic_with(path, lambda f: f.write(data.encode("utf-8") if isinstance(data, str) else data))


def write_atomic_with(path: str, write: Callable[[BinaryIO], object]) -> None:
    """:func:`write_atomic` for writers that want a file (seekable, binary), e.g. soundfile's.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "b.bin"); write_atomic_with(p, lambda f: f.write(b"ok"))
    >>> open(p, "rb").read()
    b'ok'
    """
    folder, name = os.path.split(os.path.abspath(path))
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w+b") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def slug(title: str) -> str:
    """A file name from a title.

    >>> slug("Stone Stair (Live!)")
    'stone-stair-live'
    """
    out, dash = [], False
    for ch in title.lower():
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-") or "untitled"


def read_toml(path: str) -> dict[str, Any]:
    """A TOML file's data, or ``ValueError("path: why")`` when it is missing, unreadable or malformed.

    >>> read_toml("/nonexistent.toml")
    Traceback (most recent call last):
    ValueError: /nonexistent.toml: cannot read: No such file or directory
    """
    import tomllib

    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise ValueError(f"{path}: cannot read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: {e}") from None
