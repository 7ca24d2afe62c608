"""Work off the event loop, in worker processes that can be stopped.

A chart check, a grid or a render runs in a worker process, never in the server's own: a slow
chart (or a slow regular expression, which holds Python's lock) cannot stall the server, and a
job past its time limit — or whose requester has gone — is stopped by ending its process (a
fresh one takes its place). A :class:`Pool` has a fixed number of workers and a bounded line of
jobs waiting: beyond it, the answer is 503 at once.

Workers are forked from a server process that has already imported the chart and band code
(``forkserver`` with a preload), so a fresh worker is ready in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .errors import ApiError

_CONTEXT: Any = None
_CONTEXT_LOCK = threading.Lock()


def _context() -> Any:
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            ctx: Any
            try:
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(["backline.studio.jobs"])
            except ValueError:  # no forkserver on this platform
                ctx = multiprocessing.get_context("spawn")
            _CONTEXT = ctx
        return _CONTEXT


def _serve(conn: Any) -> None:
    """A worker's life: run the jobs it is sent, one at a time, until its pipe closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    from ..files import InputError
    from . import jobs

    while True:
        try:
            name, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result: tuple[bool, Any] = (True, getattr(jobs, name)(*args, **kwargs))
        except ApiError as e:
            result = (False, e)
        except InputError as e:  # a FIFO, a device, a file too large: refused unread
            result = (False, ApiError(400, "input", str(e)))
        except UnicodeError:
            result = (False, ApiError(422, "invalid", "the request holds text that is not Unicode"))
        except Exception as e:  # reported as a value; the message is scrubbed of paths by the app
            result = (False, ApiError(500, "internal", f"{type(e).__name__}: {e}"))
        try:
            conn.send(result)
        except Exception as e:  # a result that cannot be pickled
            conn.send((False, ApiError(500, "internal", f"cannot send the result: {e}")))


class _Stop(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class _Worker:
    def __init__(self) -> None:
        ctx = _context()
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child,), daemon=True, name="backline-studio-worker")
        self.proc.start()
        child.close()

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], deadline: float | None,
             cancelled: threading.Event) -> tuple[bool, Any]:
        self.conn.send((name, args, kwargs))
        while not self.conn.poll(0.02):
            if cancelled.is_set():
                raise _Stop("cancelled")
            if deadline is not None and time.monotonic() > deadline:
                raise _Stop("timeout")
            if not self.proc.is_alive():
                raise _Stop("died")
        result: tuple[bool, Any] = self.conn.recv()
        return result

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(2)
        finally:
            self.conn.close()


class Pool:
    """``size`` workers and at most ``waiting`` jobs in line (see the module doc)."""

    def __init__(self, name: str, size: int, waiting: int) -> None:
        self.name = name
        self.size = size
        self.waiting = waiting
        self._idle: list[_Worker] = []
        self._live = 0
        self._pending = 0
        self._cond = threading.Condition()
        self._threads = ThreadPoolExecutor(max_workers=size + waiting, thread_name_prefix=f"studio-{name}")
        self._closed = False
        self._active: set[threading.Event] = set()
        self.stopped = 0  # jobs stopped or dropped (timeout or cancelled), for tests and the curious

    @property
    def pending(self) -> int:
        """Jobs running or waiting now."""
        return self._pending

    def warm(self) -> None:
        """Start the workers now rather than at the first job."""
        def start() -> None:
            with self._cond:
                if self._live >= self.size or self._closed:
                    return
                self._live += 1
            try:
                worker = _Worker()
            except Exception:
                with self._cond:
                    self._live -= 1
                return
            with self._cond:
                self._idle.append(worker)
                self._cond.notify()

        for _ in range(self.size):
            threading.Thread(target=start, daemon=True).start()

    def _acquire(self, cancelled: threading.Event) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise ApiError(503, "busy", "the studio is stopping")
                if self._idle:
                    return self._idle.pop()
                if self._live < self.size:
                    self._live += 1
                    break
                if cancelled.is_set():
                    raise _Stop("cancelled")
                self._cond.wait(0.05)
        try:
            return _Worker()
        except Exception:
            with self._cond:
                self._live -= 1
            raise

    def _release(self, worker: _Worker, broken: bool) -> None:
        with self._cond:
            if broken or self._closed:
                self._live -= 1
            else:
                self._idle.append(worker)
            self._cond.notify()
        if broken or self._closed:
            worker.kill()

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], timeout: float | None,
             cancelled: threading.Event) -> Any:
        """Run job ``name`` in a worker (blocking); ApiError on failure, timeout or cancel."""
        try:
            worker = self._acquire(cancelled)
        except _Stop:
            self.stopped += 1  # dropped from the line before it started
            raise ApiError(499, "cancelled", "the request was cancelled") from None
        broken = True
        try:
            deadline = time.monotonic() + timeout if timeout else None
            ok, value = worker.call(name, args, kwargs, deadline, cancelled)
            broken = False
        except _Stop as stop:
            self.stopped += 1
            if stop.why == "timeout":
                raise ApiError(503, "timeout", f"this took longer than {timeout:g} s and was stopped") from None
            if stop.why == "died":
                raise ApiError(500, "internal", "the worker stopped unexpectedly") from None
            raise ApiError(499, "cancelled", "the request was cancelled") from None
        finally:
            self._release(worker, broken)
        if not ok:
            raise value
        return value

    async def run(self, name: str, *args: Any, timeout: float | None = None,
                  disconnected: Callable[[], Any] | None = None, **kwargs: Any) -> Any:
        """Run a job without blocking the event loop. ``disconnected`` is an awaitable factory that
        finishes when the requester goes away: the job is then dropped or stopped."""
        with self._cond:
            if self._pending >= self.size + self.waiting:
                raise ApiError(503, "busy", f"the studio is busy ({self._pending} {self.name} jobs): try again "
                                            "in a moment", retry_after=2)
            self._pending += 1
        cancelled = threading.Event()
        self._active.add(cancelled)
        loop = asyncio.get_running_loop()
        try:
            job = loop.run_in_executor(self._threads, self.call, name, args, kwargs, timeout, cancelled)
            if disconnected is None:
                return await job
            watcher = asyncio.ensure_future(disconnected())
            done, _ = await asyncio.wait({job, watcher}, return_when=asyncio.FIRST_COMPLETED)
            if job in done:
                watcher.cancel()
                return job.result()
            cancelled.set()
            with contextlib.suppress(ApiError):
                await job
            raise ApiError(499, "cancelled", "the request was cancelled")
        finally:
            self._active.discard(cancelled)
            with self._cond:
                self._pending -= 1

    def close(self) -> None:
        """Stop every worker (running jobs end with 503)."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for job in list(self._active):
            job.set()
        for w in idle:
            w.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)
