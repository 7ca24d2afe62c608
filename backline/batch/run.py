"""Running a batch: items grouped into tasks, on a process pool or a Dask cluster.

Why Dask (distributed): the job is embarrassingly parallel and moves only chart text, small
dicts and file paths; Dask's scheduler and workers are plain processes from a small pure-Python
install, a local cluster starts in 0.4 s (Ray: 3.2 s here), it renders audio items as fast as
Ray and a plain process pool, and its scheduler reassigns the tasks of a lost worker by itself.
The measurements are in docs/batch.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from typing import Any

from . import Item


def item_dir(outdir: str, item: Item) -> str:
    return os.path.join(outdir, "items", item.key)


def done_record(outdir: str, item: Item) -> dict[str, Any] | None:
    path = os.path.join(item_dir(outdir, item), "done.json")
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):  # unreadable or not JSON: the item is rendered again
        return None
    return record if isinstance(record, dict) else None


def _song(item: Item) -> Any:
    from ..chart.parser import parse_chart
    from ..practice import scaled_tempo

    song = parse_chart(item.chart, item.source)
    p = item.params
    if p.get("transpose"):
        song = song.transposed(int(p["transpose"]))
    tempo = p.get("tempo")
    if isinstance(tempo, str) and tempo.endswith("%"):
        song = scaled_tempo(song, float(tempo[:-1]) / 100)
    elif tempo is not None:
        song = scaled_tempo(song, float(tempo) / song.tempo)
    return song


def labels(perf: Any, item: Item, files: dict[str, Any]) -> dict[str, Any]:
    """What a data set needs beside the audio: chart, seed, key, tempo map, sections, chords,
    beats and downbeats in seconds, and which stems exist."""
    tl = perf.timeline
    song = perf.song
    beats, downbeats = [], []
    for bar in tl.bars:
        downbeats.append(round(bar.start_seconds, 6))
        step = bar.meter.tempo_beat if bar.meter.compound else bar.meter.pulse_beats if bar.meter.den > 4 else 1.0
        pos = 0.0
        while pos < bar.length - 1e-9:
            beats.append(round(tl.seconds_at(bar.start_beat + pos), 6))
            pos += step
    chords = []
    for bar in tl.bars:
        for c in bar.chords:
            if c.chord is None:
                continue
            chords.append({"start": round(tl.seconds_at(bar.start_beat + c.beat), 6),
                           "end": round(tl.seconds_at(bar.start_beat + c.end), 6), "chord": str(c.chord)})
    return {"key": item.key, "source": item.source, "title": song.title, "params": item.params,
            "seed": perf.seed, "risk": perf.risk, "song_key": str(song.key), "styles": perf.styles,
            "tempo_map": [{"beat": t.beat, "seconds": round(tl.seconds_at(t.beat), 6), "bpm": round(t.bpm, 4)}
                          for t in tl.tempo_map],
            "sections": [{"name": s.name, "start": round(s.start_seconds, 6),
                          "end": round(tl.seconds_at(s.end_beat), 6)} for s in tl.sections],
            "chords": chords, "beats": beats, "downbeats": downbeats, "seconds": round(tl.seconds, 6),
            "stems": sorted(files.get("stems", {})), "chart": song.text}


def render_item(item: Item, outdir: str) -> dict[str, Any]:
    """Render one item (skipped when done); its manifest row. Writes go to a temporary folder
    renamed into place, so a killed worker leaves nothing half-written."""
    done = done_record(outdir, item)
    if done is not None:
        return {**done, "skipped": True}

    final = item_dir(outdir, item)
    tmp = f"{final}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        return _render_into(item, outdir, tmp, final)
    except BaseException:  # a failure, a full disk, Ctrl-C: no half-made item folder stays
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _render_into(item: Item, outdir: str, tmp: str, final: str) -> dict[str, Any]:
    from ..players.band import perform

    song = _song(item)
    perf = perform(song, seed=int(item.params.get("seed", 0)), risk=float(item.params.get("risk", 0.0)),
                   style=item.params.get("style"))
    mute = tuple(item.params.get("mute") or ())
    if mute:
        perf = perf._replace(tracks=[t for t in perf.tracks if t.instrument not in mute])
    files: dict[str, Any] = {}
    if item.outputs.get("midi"):
        perf.to_midi(os.path.join(tmp, "take.mid"))
        files["midi"] = "take.mid"
    if item.outputs.get("mix") or item.outputs.get("stems"):
        from ..audio import render_audio

        made = render_audio(perf, tmp, "mix", stems=bool(item.outputs.get("stems")), jobs=1)
        files["mix"] = "mix.wav"
        if "stems" in made:
            files["stems"] = {k: os.path.relpath(v, tmp) for k, v in made["stems"].items()}
    if item.outputs.get("labels"):
        with open(os.path.join(tmp, "labels.json"), "w", encoding="utf-8") as f:
            json.dump(labels(perf, item, files), f, indent=1, allow_nan=False)
        files["labels"] = "labels.json"
    record = {"key": item.key, "source": item.source, "title": song.title, "params": item.params,
              "files": {k: (os.path.join("items", item.key, v) if isinstance(v, str) else
                            {s: os.path.join("items", item.key, p) for s, p in v.items()})
                        for k, v in files.items()},
              "seconds": round(perf.seconds, 3), "ok": True}
    with open(os.path.join(tmp, "done.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1, allow_nan=False)
    if os.path.exists(final):  # another worker finished the same item first: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
        return {**(done_record(outdir, item) or record), "skipped": True}
    os.rename(tmp, final)
    return record


def safe_render(item: Item, outdir: str) -> dict[str, Any]:
    """``render_item``, retried once; a second failure becomes a manifest row with the error."""
    error = ""
    for _ in range(2):
        try:
            return render_item(item, outdir)
        except Exception as e:  # an item's failure never stops the batch
            error = f"{type(e).__name__}: {e}"
    return {"key": item.key, "source": item.source, "params": item.params, "ok": False, "error": error}


def safe_render_all(items: list[Item], outdir: str) -> list[dict[str, Any]]:
    """:func:`safe_render` over one task's items."""
    return [safe_render(item, outdir) for item in items]


MAX_GROUP = 32
MIN_GROUP = 4  # measured (300 items, 2 workers, outputs in memory): scaling 1.74x on Dask, 1.97x
# on the local pool, against 1.60x and 1.80x with single items at the end


def _has_audio(item: Item) -> bool:
    return bool(item.outputs.get("mix") or item.outputs.get("stems"))


def tasks(items: list[Item], workers: int) -> list[list[Item]]:
    """Items grouped into tasks: audio items one each (each is a second or more of work), MIDI-only
    items (a few ms each) in groups that shrink as the batch goes (guided scheduling): big groups
    first, so a task outweighs its scheduling cost (1–4 ms on Dask), small ones (4 items) last,
    so the workers finish together. Heavy tasks come first.

    >>> from backline.batch import Item
    >>> midi = [Item(str(k), "", "", {}, {"midi": True}) for k in range(100)]
    >>> sizes = [len(t) for t in tasks(midi, 2)]
    >>> sizes[:4], sizes[-3:], sum(sizes)
    ([12, 11, 9, 8], [4, 4, 1], 100)
    """
    heavy = [[i] for i in items if _has_audio(i)]
    light = [i for i in items if not _has_audio(i)]
    groups, k = [], 0
    while k < len(light):
        size = min(MAX_GROUP, max(MIN_GROUP, (len(light) - k) // (max(1, workers) * 4)))
        groups.append(light[k: k + size])
        k += size
    return heavy + groups


def warm(audio: bool) -> None:
    """Get a worker ready: the players imported and, for audio, the SoundFont loaded; both stay
    for every item the worker renders. Memory freed by one item is kept for the next."""
    from ..players import band  # noqa: F401

    keep_freed_memory()
    if audio:
        from ..audio.soundfont import find_soundfont
        from ..audio.synth import keep_loaded

        keep_loaded(find_soundfont())


def keep_freed_memory() -> bool:
    """Let glibc keep and reuse freed buffers of up to 32 MB instead of unmapping them.

    Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_`` set, which turns off glibc's own
    adaptive thresholds: every audio buffer over 128 kB was then mapped afresh (page faults on
    every touch), and an audio item cost 20% more on a Dask worker than in a plain process
    (measured: 372 ms against 298 ms, the same after this call). False where there is no glibc.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, 32 << 20)) and bool(mallopt(m_trim_threshold, 256 << 20))


def _local(items: list[Item], outdir: str, jobs: int) -> Iterable[dict[str, Any]]:
    audio = any(_has_audio(i) for i in items)
    if jobs <= 1:  # in this process, made ready the way a pool's worker is
        warm(audio)
        for item in items:
            yield safe_render(item, outdir)
        return
    from functools import partial

    from ..bulk import pool_map, process_pool

    with process_pool(jobs, initializer=warm, initargs=(audio,)) as pool:  # Ctrl-C stops the workers at once
        for rows in pool_map(pool, partial(safe_render_all, outdir=outdir), tasks(items, jobs)):
            yield from rows


def _dask(items: list[Item], outdir: str, address: str | None, jobs: int) -> Iterable[dict[str, Any]]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if address:
        client = Client(address, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        # Each worker loads its SoundFont once, before its first item; a worker lost while
        # warming only means its items go elsewhere.
        with contextlib.suppress(Exception):
            client.run(warm, any(_has_audio(i) for i in items))
        groups = tasks(items, len(client.nthreads()) or jobs)
        futures = client.map(safe_render_all, groups, outdir=outdir,
                             key=[f"backline-{g[0].key}-{len(g)}" for g in groups], retries=2, pure=False)
        for fut in as_completed(futures):
            yield from fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_batch(items: list[Item], outdir: str, engine: str = "local", address: str | None = None, jobs: int = 2,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Render every item; write ``manifest.jsonl`` (all items, in order). Returns counts."""
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}: use local or dask")
    os.makedirs(os.path.join(outdir, "items"), exist_ok=True)
    todo = [i for i in items if done_record(outdir, i) is None]
    stream = _dask(todo, outdir, address, jobs) if engine == "dask" else _local(todo, outdir, jobs)
    failed: dict[str, dict[str, Any]] = {}
    rendered = 0
    start = time.perf_counter()
    for n, row in enumerate(stream, start=1):
        if row.get("ok"):
            rendered += 0 if row.get("skipped") else 1
        else:
            failed[row["key"]] = row
        if progress:
            progress(n, len(todo))
    rows = []
    for item in items:
        rows.append(done_record(outdir, item) or failed.get(item.key) or
                    {"key": item.key, "source": item.source, "params": item.params, "ok": False,
                     "error": "not rendered"})
    from ..files import write_atomic

    write_atomic(os.path.join(outdir, "manifest.jsonl"),
                 "".join(json.dumps(r, sort_keys=True, allow_nan=False) + "\n" for r in rows))
    return {"items": len(items), "rendered": rendered, "skipped": len(items) - len(todo),
            "failed": sum(1 for r in rows if not r.get("ok")), "seconds": round(time.perf_counter() - start, 3),
            "manifest": os.path.join(outdir, "manifest.jsonl")}
