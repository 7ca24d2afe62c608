"""Many charts at once: work spread over processes, a progress bar with counts and ETA on a
terminal, and one bad chart never stopping the rest.

>>> run_many(len, ["ab", "c"], jobs=1, label="", quiet=True)
[2, 1]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

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
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=jobs) as pool:
                out = []
                for result in pool.map(func, items, chunksize=max(1, len(items) // (jobs * 8))):
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
    except Exception as e:
        from .audio.soundfont import AudioError  # imported only here: a MIDI render never needs it

        if isinstance(e, AudioError):
            return {"path": path, "problems": [f"{path}: error: {e}"]}
        raise


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
