"""Batch: a catalog or a data set rendered as a matrix of items, locally or on a Dask cluster.

A spec (TOML) names the charts (files, folders, globs, iReal playlists) and the matrix —
``transpose``, ``tempo`` ("90%" or bpm), ``style``, ``seed``, ``risk``, ``mute`` — and the
outputs (``midi``, ``mix``, ``stems``, ``labels``). Every item is named by a content hash of
(chart, parameters, backline version) and written atomically into ``OUTDIR/items/<hash>/``;
a rerun skips what is done, a failure is retried once and recorded, and never stops the batch.

>>> import os, tempfile
>>> d = tempfile.mkdtemp()
>>> _ = open(os.path.join(d, "a.chart"), "w").write("title: A\\nsection S:\\n  | C | G |\\n")
>>> _ = open(os.path.join(d, "spec.toml"), "w").write('charts = ["*.chart"]\\n[matrix]\\ntranspose = [0, 2]\\n')
>>> [i.params["transpose"] for i in expand(load_spec(os.path.join(d, "spec.toml")))]
[0, 2]
"""

from __future__ import annotations

import glob
import hashlib
import itertools
import json
import math
import os
from typing import Any, NamedTuple

MATRIX_KEYS = ("transpose", "tempo", "style", "seed", "risk", "mute")
SPEC_KEYS = ("charts", "matrix", "outputs")
OUTPUTS = ("midi", "mix", "stems", "labels")
MAX_ITEMS = 100_000  # charts x matrix combinations, counted before anything is expanded


class BatchError(ValueError):
    """A spec that cannot be run: ``path: key: message``."""


class Spec(NamedTuple):
    path: str
    charts: list[str]  # chart files, and iReal playlists (imported into the batch's folder first)
    matrix: dict[str, list[Any]]
    outputs: dict[str, bool]


class Item(NamedTuple):
    key: str
    chart: str  # the chart's text
    source: str
    params: dict[str, Any]
    outputs: dict[str, bool]


def load_spec(path: str) -> Spec:
    """Read and check a spec: every value in its range (backline.checks), every chart a regular
    file, and at most ``MAX_ITEMS`` items, all before any work."""
    from ..files import InputError, read_toml, regular_file

    try:
        data = read_toml(path)
    except ValueError as e:
        raise BatchError(str(e)) from None
    for key in data:
        if key not in SPEC_KEYS:
            from ..chart.errors import did_you_mean

            raise BatchError(f"{path}: {_shown(key)}: unknown key: {did_you_mean(key, SPEC_KEYS)}")
    folder = os.path.dirname(os.path.abspath(path))
    sources = data.get("charts")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s for s in sources):
        raise BatchError(f'{path}: charts: give a list of files, folders or globs, e.g. charts = ["songs/*.chart"]')
    charts: list[str] = []
    for s in sources:
        full = s if os.path.isabs(s) else os.path.join(folder, s)
        found = sorted(glob.glob(os.path.join(glob.escape(full), "*.chart"))) if os.path.isdir(full) \
            else sorted(glob.glob(full))
        if not found:
            raise BatchError(f"{path}: charts: nothing matches {_shown(s)}")
        for chart in found:
            try:
                regular_file(chart)
            except InputError as e:
                raise BatchError(f"{path}: charts: {e}") from None
        charts += found
        if len(charts) > MAX_ITEMS:
            raise BatchError(f"{path}: charts: more than {MAX_ITEMS:,} files; the limit is {MAX_ITEMS:,} items")
    matrix = _matrix(path, data.get("matrix", {}))
    outputs = {"midi": True, "mix": False, "stems": False, "labels": True}
    given = data.get("outputs", {})
    if not isinstance(given, dict):
        raise BatchError(f"{path}: outputs: a table of {', '.join(OUTPUTS)} = true or false")
    for k, v in given.items():
        if k not in OUTPUTS or not isinstance(v, bool):
            raise BatchError(f"{path}: outputs.{_shown(k)}: use true or false for {', '.join(OUTPUTS)}")
        outputs[k] = v
    count = len(charts) * math.prod(len(v) for v in matrix.values())
    if count > MAX_ITEMS:
        raise BatchError(f"{path}: the spec makes {count:,} items; the limit is {MAX_ITEMS:,}")
    return Spec(path, charts, matrix, outputs)


def _shown(value: object) -> str:
    """A value or key for a one-line message: plain names as they are, anything else quoted, clipped."""
    text = value if isinstance(value, str) and value.replace("_", "").isalnum() and value.isascii() else repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _matrix(path: str, table: Any) -> dict[str, list[Any]]:
    """The matrix's values, each checked as every edge checks it (backline.checks)."""
    from ..checks import BadValue, check

    if not isinstance(table, dict):
        raise BatchError(f"{path}: matrix: a table such as [matrix] transpose = [0, 2]")
    matrix: dict[str, list[Any]] = {}
    for k, v in table.items():
        if k not in MATRIX_KEYS:
            raise BatchError(f"{path}: matrix.{_shown(k)}: unknown; use {', '.join(MATRIX_KEYS)}")
        values = v if isinstance(v, list) and (k != "mute" or all(isinstance(x, list) for x in v)) else [v]
        if not values:
            raise BatchError(f"{path}: matrix.{k}: an empty list makes no items; leave the key out instead")
        for value in values:
            try:
                if k in ("transpose", "seed", "risk", "tempo"):
                    check(k, value)
                elif k == "style":
                    _style(value)
                else:
                    _mute(value)
            except BadValue as e:
                raise BatchError(f"{path}: matrix.{k}: {e.message}") from None
        matrix[k] = values
    return matrix


def _style(value: object) -> None:
    from ..checks import BadValue
    from ..styles import style_names

    if not isinstance(value, str) or value not in style_names():
        from ..chart.errors import did_you_mean

        hint = did_you_mean(value, style_names()) if isinstance(value, str) else "use one of: " + ", ".join(
            style_names())
        raise BadValue("style", f"unknown style {repr(value)[:40]}: {hint}")


def _mute(value: object) -> None:
    from ..checks import BadValue
    from ..model import VOICES

    if not isinstance(value, list) or not all(isinstance(x, str) and x in VOICES for x in value):
        raise BadValue("mute", f"{_shown(value)}: give lists of instruments, e.g. [[], [\"bass\"]], "
                       f"from {', '.join(VOICES)}")


def _chart_texts(spec: Spec, workdir: str | None) -> list[tuple[str, str]]:
    """(source, chart text) for every chart, playlists imported."""
    out = []
    for path in spec.charts:
        if path.endswith(".chart"):
            out.append((path, _text(path)))
            continue
        from ..interchange import import_sources

        folder = os.path.join(workdir or os.path.dirname(spec.path), "imported")
        for made in import_sources([path], folder)["files"]:
            out.append((made, _text(made)))
    return out


def _text(path: str) -> str:
    """A chart's text (a regular file of UTF-8), or ``BatchError``; its problems are the item's."""
    from ..chart.errors import ChartInvalid
    from ..chart.load import read_text

    try:
        return read_text(path)
    except ChartInvalid as e:
        raise BatchError(str(e.problems[0])) from None


def expand(spec: Spec, workdir: str | None = None) -> list[Item]:
    """Every (chart × matrix) item, with its content-hash key."""
    from .. import __version__

    axes = [(k, spec.matrix.get(k, [None])) for k in MATRIX_KEYS]
    items = []
    texts = _chart_texts(spec, workdir)
    count = len(texts) * math.prod(len(values) for _, values in axes)
    if count > MAX_ITEMS:  # playlists are counted once imported
        raise BatchError(f"{spec.path}: the spec makes {count:,} items; the limit is {MAX_ITEMS:,}")
    for source, text in texts:
        for combo in itertools.product(*[values for _, values in axes]):
            params = {k: v for (k, _), v in zip(axes, combo, strict=True) if v is not None}
            blob = json.dumps({"chart": text, "params": params, "outputs": spec.outputs, "v": __version__},
                              sort_keys=True)
            key = hashlib.sha256(blob.encode()).hexdigest()[:20]
            items.append(Item(key, text, source, params, dict(spec.outputs)))
    return items
