"""Errors the studio answers with: one JSON shape, one readable line, never a server path.

Every error is ``{"detail": "…", "code": "…", …extras}`` (see docs/studio-api.md).

>>> scrub("cannot read /home/me/songs/x.chart: gone", "/home/me")
'cannot read songs/x.chart: gone'
>>> scrub("/etc/passwd: no such file", "/srv")
'passwd: no such file'
"""

from __future__ import annotations

import os
import re
from typing import Any

# an absolute path of two or more parts ("/etc/passwd"), but not a chord's slash bass ("C/E")
_ABSOLUTE = re.compile(r"(?<![\w.#])/(?:[^\s'\"`:,;()<>/]+/)+([^\s'\"`:,;()<>/]*)")


class ApiError(Exception):
    """An answer other than success: HTTP status, a short code, a message and extra fields."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra

    def __reduce__(self) -> tuple[Any, ...]:  # crosses from a worker process intact
        return (_rebuild, (self.status, self.code, self.detail, self.extra))

    def body(self, root: str | None = None) -> dict[str, Any]:
        detail = scrub(self.detail, root) if root else self.detail
        return {"detail": detail, "code": self.code, **self.extra}


def _rebuild(status: int, code: str, detail: str, extra: dict[str, Any]) -> ApiError:
    return ApiError(status, code, detail, **extra)


def scrub(message: str, root: str) -> str:
    """``message`` with the root folder's path taken out and any other absolute path cut to its name."""
    for prefix in {root, os.path.realpath(root)}:
        message = message.replace(prefix.rstrip(os.sep) + os.sep, "").replace(prefix, ".")
    return _ABSOLUTE.sub(lambda m: m.group(1) or "/", message)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", what)


def invalid(detail: str) -> ApiError:
    return ApiError(422, "invalid", detail)


def chart_errors(problems: list[Any], chart: str | None = None, **extra: Any) -> ApiError:
    """422 for a chart with problems: the first as the message, all with line and column."""
    errors = [{"line": p.line, "column": p.column, "message": p.message + (f": {p.hint}" if p.hint else "")}
              for p in problems]
    first = errors[0] if errors else {"line": 0, "column": 0, "message": "the chart has errors"}
    where = f"{chart}:{first['line']}:{first['column']}: " if chart else f"line {first['line']}:{first['column']}: "
    return ApiError(422, "chart", where + str(first["message"]), errors=errors, chart=chart, **extra)
