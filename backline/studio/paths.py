"""Paths under the studio's root: every one resolved and confined to it.

A path from a request (or from an album file, or a takes log) is relative, has no ``..``, no
hidden part (``.backline`` is the studio's own), and must resolve — symlinks followed — to a
place inside the root. Anything else is refused before a file is touched.

>>> import tempfile
>>> root = Root(tempfile.mkdtemp())
>>> root.resolve("songs/a.chart", ".chart") == root.path + "/songs/a.chart"
True
>>> root.resolve("../x.chart", ".chart")
Traceback (most recent call last):
backline.studio.errors.ApiError: paths may not climb out of the studio's folder
"""

from __future__ import annotations

import os
import re

from .errors import ApiError, not_found

WORK = ".backline"  # the studio's own files, inside the root
MAX_PATH = 1024


class Root:
    """The studio's folder and the rules for paths in it."""

    def __init__(self, path: str) -> None:
        self.path = os.path.realpath(path)

    def inside(self, full: str) -> bool:
        """Whether ``full`` (symlinks resolved) lies inside the root."""
        real = os.path.realpath(full)
        return real == self.path or real.startswith(self.path + os.sep)

    def resolve(self, rel: object, suffix: str | tuple[str, ...] | None = None, must_exist: bool = False,
                hidden: bool = False) -> str:
        """The absolute path of a request's relative path, or an :class:`ApiError` (400/403/404)."""
        if not isinstance(rel, str) or not rel or len(rel) > MAX_PATH or "\0" in rel or not _unicode(rel):
            raise ApiError(400, "path", "give a path relative to the studio's folder")
        if os.path.isabs(rel) or rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel) or "\\" in rel:
            raise ApiError(400, "path", "give a path relative to the studio's folder, with / between folders")
        parts = rel.split("/")
        if ".." in parts:
            raise ApiError(403, "outside", "paths may not climb out of the studio's folder")
        if not hidden and any(p.startswith(".") for p in parts if p):
            raise ApiError(403, "outside", "hidden files and folders are not the studio's to open")
        full = os.path.join(self.path, *[p for p in parts if p and p != "."])
        if not self.inside(full):
            raise ApiError(403, "outside", "that path leads outside the studio's folder")
        if suffix is not None and not (full.endswith(suffix) and os.path.realpath(full).endswith(suffix)):
            wanted = suffix if isinstance(suffix, str) else " or ".join(suffix)
            raise ApiError(400, "path", f"expected a {wanted} file")
        if must_exist and not os.path.isfile(full):
            raise not_found(f"no such file: {self.rel(full)}")
        return full

    def rel(self, full: str) -> str:
        """``full`` relative to the root, with ``/`` between folders."""
        return os.path.relpath(full, self.path).replace(os.sep, "/")

    def work(self, *parts: str, create: bool = False) -> str:
        """A folder of the studio's own under ``<root>/.backline`` (with ``create``, made if missing)."""
        full = os.path.join(self.path, WORK, *parts)
        for _ in range(2 if create else 1):  # checked before anything is made, and after
            if not self.inside(full):
                raise ApiError(403, "outside", "the studio's work folder leads outside its folder")
            if create:
                os.makedirs(full, exist_ok=True)
        return full

    def walk(self, suffix: str) -> list[str]:
        """Relative paths of the files ending in ``suffix``: no hidden folders, no symlinks."""
        out = []
        for folder, dirs, files in os.walk(self.path, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(folder, d)))
            for name in files:
                full = os.path.join(folder, name)
                if name.endswith(suffix) and not name.startswith(".") and not os.path.islink(full):
                    out.append(self.rel(full))
        return sorted(out)


def _unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
