"""Pause Python's cyclic garbage collector around allocation-heavy work.

Playing and encoding a song allocate tens of thousands of small tuples and no reference
cycles; the collector's passes over them cost ~5% of a render (measured in bench/) and free
nothing. Reference counting still frees everything as usual.

>>> @without_gc
... def work() -> bool:
...     import gc
...     return gc.isenabled()
>>> work()
False
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import ParamSpec, TypeVar

    P = ParamSpec("P")
    R = TypeVar("R")


def without_gc(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` with the collector paused while it runs (restored after, even on errors)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper
