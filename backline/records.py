"""``NamedTuple`` classes without importing :mod:`typing` at run time.

Importing ``typing`` costs ~5 ms of every CLI start here (measured on ``backline render``,
about a tenth of it), and the model only needs it for ``class X(NamedTuple)``. Modules
on the CLI's path therefore write::

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NamedTuple  # what type checkers see
    else:
        from .records import NamedTuple  # what runs: the same class, from collections

(type checkers treat any ``TYPE_CHECKING`` name as true). The classes made here are the
ones ``typing.NamedTuple`` makes: ``collections.namedtuple`` classes with the fields'
defaults, the class body's methods, properties and docstring.

>>> class Point(NamedTuple):
...     '''A point.'''
...     x: int
...     y: int = 0
...     def norm1(self) -> int:
...         return abs(self.x) + abs(self.y)
>>> p = Point(3); p, p.norm1(), p._replace(y=-4).norm1(), Point.__doc__
(Point(x=3, y=0), 3, 7, 'A point.')
"""

from __future__ import annotations

import collections

_CLASS_KEYS = frozenset({"__annotations__", "__annotate__", "__annotate_func__", "__module__", "__qualname__",
                         "__dict__", "__weakref__", "__orig_bases__", "__static_attributes__", "__firstlineno__",
                         "__classdictcell__"})


class _RecordMeta(type):
    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, object]) -> type:
        annotations = namespace.get("__annotations__")
        if annotations is None and callable(namespace.get("__annotate__")):  # Python 3.14's lazy form
            annotations = namespace["__annotate__"](1)  # type: ignore[operator]
        annotations = annotations or {}
        assert isinstance(annotations, dict)
        fields = list(annotations)
        defaults = [namespace[f] for f in fields if f in namespace]
        if any(f in namespace for f in fields[: len(fields) - len(defaults)]):
            raise TypeError(f"{name}: a field without a default follows one with a default")
        cls = collections.namedtuple(name, fields, defaults=defaults,  # type: ignore[misc]
                                     module=str(namespace.get("__module__", __name__)))
        for key, value in namespace.items():
            if key not in _CLASS_KEYS and key not in fields:
                setattr(cls, key, value)
        cls.__annotations__ = annotations
        return cls


_Base = type.__new__(_RecordMeta, "NamedTuple", (), {})


def NamedTuple(typename: str, fields: object = None) -> type:
    """Base for ``class X(NamedTuple): ...`` (the functional form is not supported)."""
    raise TypeError("use the class syntax: class X(NamedTuple): ...")


NamedTuple.__mro_entries__ = lambda bases: (_Base,)  # type: ignore[attr-defined]
