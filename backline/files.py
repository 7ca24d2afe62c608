"""Files at the edge: inputs read only when they are regular files, outputs written so
that a crash, a full disk or a file-size limit never leaves half a file or a torn log line.

>>> import tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "a.txt"); write_atomic(p, "hi"); read_input(p, 10)
b'hi'
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import threading

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
    tmp = os.path.join(folder, f".{name[:200]}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:  # the error names the file asked for, not the temporary one
        raise type(e)(e.errno, e.strerror, path) from None
    try:
        with os.fdopen(fd, "w+b") as f:
            _write_reporting(write, f)
            f.flush()
            os.fsync(f.fileno())
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.strerror and e.filename != path:
            raise type(e)(e.errno, e.strerror, path) from None
        raise


_callback_errors = threading.local()  # OSErrors raised inside C callbacks, per thread


def _write_reporting(write: Callable[[BinaryIO], object], f: BinaryIO) -> None:
    """``write(f)``, raising the first OSError that a C library's callback into ``f`` hit.

    soundfile writes through cffi callbacks: an error there (a full disk) is printed as
    "Exception ignored from cffi callback" with a traceback and the library goes on or
    reports a vague "System error". Here it is caught and raised as the real error."""
    global _previous_hook
    if _previous_hook is None:
        _previous_hook = sys.unraisablehook
        sys.unraisablehook = _unraisable
    _callback_errors.found = []
    try:
        write(f)
    except BaseException:
        if _callback_errors.found:
            raise _callback_errors.found[0] from None
        raise
    finally:
        found, _callback_errors.found = _callback_errors.found, None
    if found:
        raise found[0]


_previous_hook: Callable[[Any], object] | None = None


def _unraisable(args: Any) -> None:
    found = getattr(_callback_errors, "found", None)
    if found is not None and isinstance(args.exc_value, OSError):
        found.append(args.exc_value)
        return
    (_previous_hook or sys.__unraisablehook__)(args)


SLUG_BYTES = 100  # a file name's stem: room for "-take-4294967295.take.json" within 255 bytes


def slug(title: str) -> str:
    """A file name from a title: at most ``SLUG_BYTES`` bytes of UTF-8, never empty.

    >>> slug("Stone Stair (Live!)"), len(slug("x" * 300))
    ('stone-stair-live', 100)
    """
    out, dash, size = [], False, 0
    for ch in title.lower():
        if ch.isalnum():
            size += len(ch.encode("utf-8", "replace"))
            if size > SLUG_BYTES:
                break
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
            size += 1
    return "".join(out).strip("-") or "untitled"


def make_folder(path: str) -> None:
    """``os.makedirs(path, exist_ok=True)``, but a file in the way is ``NotADirectoryError``
    naming it ("is a file, not a folder") rather than a puzzling "File exists"."""
    if os.path.exists(path) and not os.path.isdir(path):
        import errno

        raise NotADirectoryError(errno.ENOTDIR, "is a file, not a folder", path)
    os.makedirs(path, exist_ok=True)


class InputError(ValueError):
    """An input that is not read: not a regular file, unreadable, or too large. ``str()`` is one line."""


_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


def regular_file(path: str) -> None:
    """Raise ``InputError`` unless ``path`` is a regular file (symlinks to one are fine); never blocks.

    >>> regular_file("/dev/null")
    Traceback (most recent call last):
    ...
    backline.files.InputError: /dev/null: is a device, not a regular file
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot read file: {getattr(e, 'strerror', None) or e}") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: is {_KINDS.get(stat.S_IFMT(mode), 'not a file')}, not a regular file")


def read_input(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or ``InputError``.

    A FIFO, a device or a folder is refused by name before it is read (opening is
    non-blocking, so a FIFO with no writer cannot hang the program).
    """
    regular_file(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise InputError(f"{path}: cannot read file: {e.strerror or e}") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped since the stat above
            raise InputError(f"{path}: is {_KINDS.get(stat.S_IFMT(st.st_mode), 'not a file')}, not a regular file")
        if st.st_size > limit:
            raise InputError(f"{path}: is {st.st_size:,} bytes; the limit is {limit:,}")
        os.set_blocking(fd, True)
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise InputError(f"{path}: cannot read file: {e.strerror or e}") from None
    if len(data) > limit:
        raise InputError(f"{path}: is more than {limit:,} bytes; the limit is {limit:,}")
    return data


def append_record(path: str, record: dict[str, Any]) -> None:
    """Append one JSON record as its own line, in one ``write``, flushed to disk.

    If the file ends in a torn line (a write cut short by a full disk or a size limit, by a
    program without this care), the new record starts on a fresh line, so readers lose only the
    torn one. NaN and infinities are refused (``ValueError``): they are not JSON. If this write
    itself fails (``OSError``), its partial bytes are cut off again: the file is as it was.
    """
    import fcntl

    line = json.dumps(record, allow_nan=False, separators=(", ", ": ")) + "\n"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # appenders in other processes wait: the repair and undo are safe
        end = os.lseek(fd, 0, os.SEEK_END)
        if end and os.pread(fd, 1, end - 1) != b"\n":
            line = "\n" + line  # repair: end the torn line, which readers skip
        data = line.encode("utf-8")
        try:
            written = os.write(fd, data)  # one write; a short one is finished (the next says why)
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        except OSError as e:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, end)
            raise OSError(e.errno, e.strerror, path) from None
    finally:
        os.close(fd)  # also releases the lock


def read_records(path: str, warn: Callable[[str], object] | None = None) -> list[dict[str, Any]]:
    """Every JSON record of a log written by ``append_record``; a line that is not a whole record
    (a torn write) is skipped with a warning through ``warn`` (default: standard error).

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "log.jsonl")
    >>> append_record(p, {"a": 1}); _ = open(p, "a").write('{"a": 2, "b')  # torn by a crash
    >>> read_records(p, warn=print)
    ... # doctest: +ELLIPSIS
    warning: .../log.jsonl:2: a torn or unreadable line is skipped
    [{'a': 1}]
    >>> append_record(p, {"a": 3}); [r["a"] for r in read_records(p, warn=lambda m: None)]
    [1, 3]
    """
    if not os.path.exists(path):
        return []
    data = read_input(path, MAX_LOG_BYTES)
    records = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if isinstance(record, dict):
            records.append(record)
        else:
            (warn or _warn)(f"warning: {path}:{number}: a torn or unreadable line is skipped")
    return records


MAX_LOG_BYTES = 64 * 1024 * 1024  # ~200,000 takes


def _warn(message: str) -> None:
    import sys

    print(message, file=sys.stderr)


def read_toml(path: str, limit: int = 1_000_000) -> dict[str, Any]:
    """A TOML file's data, or ``ValueError("path: why")`` when it is missing, not a regular file,
    larger than ``limit`` bytes, unreadable or malformed (nesting too deep included).

    >>> read_toml("/nonexistent.toml")
    Traceback (most recent call last):
    backline.files.InputError: /nonexistent.toml: cannot read file: No such file or directory
    """
    import tomllib

    data = read_input(path, limit)
    try:
        return tomllib.loads(data.decode("utf-8").removeprefix("\ufeff"))  # a BOM (Windows editors) is fine
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: byte {e.start + 1} is not UTF-8: save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: {e}") from None
    except RecursionError:
        raise ValueError(f"{path}: arrays or tables nested too deeply") from None
