"""Many charts at once: work spread over processes, a progress bar with counts and ETA on a
terminal, and one bad chart never stopping the rest.

>>> run_many(len, ["ab", "c"], jobs=1, label="", quiet=True)
[2, 1]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")
    R = TypeVar("R")
    RenderJob = tuple[str, str, str, dict[str, Any]]  # chart path, outdir, file name, render options


def run_many(func: Callable[[T], R], items: Sequence[T], jobs: int, label: str, quiet: bool) -> list[R]:
    """``func`` over ``items`` (in order), ``jobs`` processes at once."""
    show = not quiet and sys.stderr.isatty() and len(items) > 1
    progress: Any = None
    if show:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        progress.start()
        task = progress.add_task(label, total=len(items))
    try:
        if jobs > 1 and len(items) > 1:
            with process_pool(jobs) as pool:
                out = []
                for result in pool_map(pool, func, items, chunksize=max(1, len(items) // (jobs * 8))):
                    out.append(result)
                    if progress is not None:
                        progress.advance(task)
                return out
        out = []
        for item in items:
            out.append(func(item))
            if progress is not None:
                progress.advance(task)
        return out
    finally:
        if progress is not None:
            progress.stop()


# -- a process pool that Ctrl-C stops within a moment -------------------------------------
# A terminal's Ctrl-C sends SIGINT to the whole process group. concurrent.futures' workers
# would each print a traceback, return the interrupt as a result and take their next task
# (an album render finished one more whole track: 20-25 s). Here a worker stops the task it
# runs (its finally blocks remove temporary files, audio threads see their stop event), then
# refuses any other; an idle worker ignores the signal; the parent cancels what is queued,
# passes the signal on (if only the parent got it) and waits the moment that takes.

_running = False  # a worker is inside a task
_stopping = False  # a worker has been interrupted


def _on_interrupt(signum: int, frame: object) -> None:
    global _stopping
    first = not _stopping
    _stopping = True
    if first and _running:
        raise KeyboardInterrupt


def _worker_start(then: Callable[..., object] | None, *args: object) -> None:
    import signal

    signal.signal(signal.SIGINT, _on_interrupt)
    if then is not None:
        then(*args)


def _guarded(call: tuple[Callable[[Any], Any], Any]) -> Any:
    global _running
    if _stopping:
        raise KeyboardInterrupt
    _running = True
    try:
        func, item = call
        return func(item)
    finally:
        _running = False


@contextmanager
def process_pool(jobs: int, initializer: Callable[..., object] | None = None,
                 initargs: tuple[object, ...] = ()) -> Iterator[Any]:
    """A ``ProcessPoolExecutor`` of ``jobs`` workers that an interrupt stops promptly (see above).

    Submit work with :func:`pool_map` (or ``submit(_guarded, (func, item))``)."""
    from concurrent.futures import ProcessPoolExecutor

    start: Any = _worker_start  # typeshed's initializer types cannot say "these arguments"
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=start, initargs=(initializer, *initargs))
    try:
        yield pool
    except BaseException:
        import multiprocessing
        import os
        import signal

        pool.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():  # the signal may have reached only this process
            if child.pid:
                with suppress(OSError):
                    os.kill(child.pid, signal.SIGINT)
        raise
    finally:
        pool.shutdown(wait=True)


def pool_map(pool: Any, func: Callable[[T], R], items: Sequence[T], chunksize: int = 1) -> Iterator[R]:
    """``pool.map(func, items)`` through the interrupt guard of :func:`process_pool`'s workers."""
    return pool.map(_guarded, [(func, item) for item in items], chunksize=chunksize)


def render_job(job: RenderJob) -> dict[str, Any]:
    """Render one chart (a worker's task): the result, or its problems as text."""
    from .chart.errors import ChartInvalid
    from .chart.load import load_chart
    from .styles import style_names

    path, _outdir, _name, opts = job
    try:
        song = load_chart(path, style_names(opts.get("styles_dir")))
    except ChartInvalid as e:
        return {"path": path, "problems": [str(p) for p in e.problems]}
    return render_loaded(song, job)


def render_loaded(song: Any, job: RenderJob) -> dict[str, Any]:
    """:func:`render_job` for a chart already loaded."""
    from .render import render_midi

    path, outdir, name, opts = job
    try:
        return {"path": path, "result": render_midi(song, outdir, name=name, **opts)}
    except Exception as e:  # a full disk, a bad SoundFont…: this chart's one line, the others go on
        from .cli import failure

        return {"path": path, "problems": [f"{path}: error: {failure(e)}"]}


def check_job(path_and_styles: tuple[str, str | None]) -> list[dict[str, object]]:
    from .chart.errors import ChartInvalid
    from .chart.load import load_chart
    from .styles import style_names

    path, styles = path_and_styles
    try:
        load_chart(path, style_names(styles))
        return []
    except ChartInvalid as e:
        return [p.as_dict() for p in e.problems]
    except Exception as e:  # never the whole run for one chart
        from .cli import failure

        return [{"path": path, "line": 1, "column": 1, "message": failure(e)}]
