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
import os
from typing import Any, NamedTuple

MATRIX_KEYS = ("transpose", "tempo", "style", "seed", "risk", "mute")
OUTPUTS = ("midi", "mix", "stems", "labels")


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
    from ..files import read_toml

    try:
        data = read_toml(path)
    except ValueError as e:
        raise BatchError(str(e)) from None
    folder = os.path.dirname(os.path.abspath(path))
    sources = data.get("charts")
    if not isinstance(sources, list) or not sources:
        raise BatchError(f'{path}: charts: give a list of files, folders or globs, e.g. charts = ["songs/*.chart"]')
    charts: list[str] = []
    for s in sources:
        full = s if os.path.isabs(s) else os.path.join(folder, s)
        found = sorted(glob.glob(os.path.join(full, "*.chart"))) if os.path.isdir(full) else sorted(glob.glob(full))
        if not found:
            raise BatchError(f"{path}: charts: nothing matches {s!r}")
        charts += found
    matrix = {k: v if isinstance(v, list) else [v] for k, v in data.get("matrix", {}).items()}
    for k in matrix:
        if k not in MATRIX_KEYS:
            raise BatchError(f"{path}: matrix.{k}: unknown; use {', '.join(MATRIX_KEYS)}")
    outputs = {"midi": True, "mix": False, "stems": False, "labels": True}
    for k, v in data.get("outputs", {}).items():
        if k not in OUTPUTS or not isinstance(v, bool):
            raise BatchError(f"{path}: outputs.{k}: use true or false for {', '.join(OUTPUTS)}")
        outputs[k] = v
    return Spec(path, charts, matrix, outputs)


def _chart_texts(spec: Spec, workdir: str | None) -> list[tuple[str, str]]:
    """(source, chart text) for every chart, playlists imported."""
    out = []
    for path in spec.charts:
        if path.endswith(".chart"):
            with open(path, encoding="utf-8") as f:
                out.append((path, f.read()))
            continue
        from ..interchange import import_sources

        folder = os.path.join(workdir or os.path.dirname(spec.path), "imported")
        for made in import_sources([path], folder)["files"]:
            with open(made, encoding="utf-8") as f:
                out.append((made, f.read()))
    return out


def expand(spec: Spec, workdir: str | None = None) -> list[Item]:
    """Every (chart × matrix) item, with its content-hash key."""
    from .. import __version__

    axes = [(k, spec.matrix.get(k, [None])) for k in MATRIX_KEYS]
    items = []
    for source, text in _chart_texts(spec, workdir):
        for combo in itertools.product(*[values for _, values in axes]):
            params = {k: v for (k, _), v in zip(axes, combo, strict=True) if v is not None}
            blob = json.dumps({"chart": text, "params": params, "outputs": spec.outputs, "v": __version__},
                              sort_keys=True)
            key = hashlib.sha256(blob.encode()).hexdigest()[:20]
            items.append(Item(key, text, source, params, dict(spec.outputs)))
    return items
