"""What every route of one studio shares: its root, its workers, its picture cache, its limits."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from fastapi import Request

from .paths import Root
from .workers import Pool


class Limits:
    """Sizes and times (tests make them small)."""

    body = 1_000_000  # bytes of a JSON request
    upload = 8_000_000  # bytes of an imported file
    check_seconds = 5.0  # a chart check
    quick_seconds = 20.0  # grid, preview, album listing
    render_seconds = 900.0  # one render, however long the album
    quick_workers = 2
    quick_waiting = 16
    render_waiting = 4  # one render runs; this many may wait
    cache_bytes = 64_000_000  # pictures kept in memory


class PictureCache:
    """PNG bytes by content key, least recently used out first, bounded in bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: str, data: bytes) -> None:
        if len(data) > self.limit:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.size -= len(old) if old else 0
            self._items[key] = data
            self.size += len(data)
            while self.size > self.limit:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)


class Studio:
    """One studio: the root and the shared machinery of its routes."""

    def __init__(self, root: str, limits: Limits) -> None:
        self.root = Root(root)
        self.limits = limits
        self.quick = Pool("check", limits.quick_workers, limits.quick_waiting)
        self.renders = Pool("render", 1, limits.render_waiting)
        self.pictures = PictureCache(limits.cache_bytes)

    def close(self) -> None:
        self.quick.close()
        self.renders.close()


def gone(request: Request) -> Callable[[], Awaitable[None]]:
    """An awaitable factory that finishes when the requester disconnects (the body is read by then)."""
    async def wait() -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return

    return wait
