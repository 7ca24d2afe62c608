"""Takes as a workflow: render several, keep the good ones, throw some away (and take them back),
comp a master.

A take is immutable: it gets its own id (time + random, never the seed: one seed at two risks,
or on two texts, is two takes), its own folder ``OUTDIR/<id>/`` created once (``take.mid``,
``take.take.json``, ``chart.chart`` — the exact text it was made from — and after a bounce
``take.wav`` and stems), and nothing ever writes over it. ``OUTDIR/takes.jsonl`` is the log: one
JSON object a line, appended, never rewritten — a take, or an event about ONE take (``keep``,
``unkeep``, ``edit`` of name and notes, ``discard``, ``restore``, ``bounce``). A take's state is its
log replayed.
Discarding moves the folder to ``OUTDIR/.trash/<id>/``; restoring moves it back.

>>> import backline, tempfile
>>> song = backline.loads("title: T\\nsection A:\\n  | C | G |\\n")
>>> out = tempfile.mkdtemp()
>>> a, b = render_takes(song, out, seeds=[4, 4], risk=0.5)
>>> a["id"] != b["id"], a["seed"] == b["seed"]
(True, True)
>>> keep(out, b["id"])["kept"], [t["kept"] for t in takes(out)]
(True, [False, True])
>>> discard(out, a["id"])["discarded"], len(takes(out)), restore(out, a["id"])["discarded"]
(True, 1, False)
"""

from __future__ import annotations

import os
import re
import time

from .files import append_record, make_folder, read_records, slug
from .model import Song

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

LOG = "takes.jsonl"
TRASH = ".trash"
TAKE_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{6}")
NAME_LIMIT = 200
NOTES_LIMIT = 5000


class TakeError(ValueError):
    """A take that does not exist, or a request a take cannot meet."""


def new_seeds(count: int) -> list[int]:
    """Fresh seeds (printed by the CLI, so any take can be made again)."""
    return [int.from_bytes(os.urandom(3), "big") for _ in range(count)]


def new_id() -> str:
    """A fresh take id: UTC time and 6 random hex digits (``20260509-142233-a1b2c3``)."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + os.urandom(3).hex()


def is_take_id(text: object) -> bool:
    """Whether ``text`` has the form of a take id (only such ids ever name a folder).

    >>> is_take_id("20260509-142233-a1b2c3"), is_take_id("../x"), is_take_id(4)
    (True, False, False)
    """
    return isinstance(text, str) and TAKE_ID.fullmatch(text) is not None


def describe(perf: Any) -> dict[str, Any]:
    """A few numbers that tell takes apart: density, fills, solo range."""
    bars = max(1, len(perf.timeline.bars))
    notes = sum(len(t.notes) for t in perf.tracks)
    fills = sum(len(c.get("fills", [])) for c in perf.choices)
    solos = [c["solo"] for c in perf.choices if "solo" in c]
    out: dict[str, Any] = {"notes_per_bar": round(notes / bars, 2), "fills": fills}
    if solos:
        out["solo_range"] = [min(s["low"] for s in solos), max(s["high"] for s in solos)]
    return out


def channels(perf: Any) -> list[dict[str, Any]]:
    """Which MIDI channel plays which instrument (what a player's mute and solo act on).

    >>> import backline
    >>> from backline.players.band import perform
    >>> [c["instrument"] for c in channels(perform(backline.loads("section A:\\n  | C |\\n")))][:2]
    ['drums', 'bass']
    """
    return [{"channel": t.channel, "instrument": t.instrument, "name": t.name, "program": t.program,
             "drums": t.channel == 9} for t in perf.tracks]


def _append(outdir: str, record: dict[str, Any]) -> None:
    """One log line (``backline.files.append_record``: one write, own line, fsync; a torn line repaired)."""
    append_record(os.path.join(outdir, LOG), record)


class _Lock:
    """An exclusive lock on a takes folder (across processes), for moves and their log lines."""

    def __init__(self, outdir: str) -> None:
        self.path = os.path.join(outdir, ".lock")
        self.fd = -1

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:  # no fcntl (Windows): one process at a time is the user's care
            pass

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def render_takes(song: Song, outdir: str, seeds: list[int], risk: float, style: str | None = None,
                 styles_dir: str | None = None, name: str = "", notes: str = "") -> list[dict[str, Any]]:
    """Render one new take per seed into its own folder under ``outdir``, log each, return their states."""
    from .render import chart_hash, render_take

    make_folder(outdir)
    states = []
    for seed in seeds:
        take_id, folder = _new_folder(outdir)
        try:
            result, perf = render_take(song, folder, seed=seed, risk=risk, style=style, styles_dir=styles_dir,
                                       name="take")
            from .files import write_atomic

            write_atomic(os.path.join(folder, "chart.chart"), song.text)
        except BaseException:  # a take is whole or not at all (a full disk, a size limit, a stop)
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            raise
        record = {"event": "take", "id": take_id, "time": _now(), "chart": song.path, "title": song.title,
                  "version": chart_hash(song), "seed": seed, "risk": risk, "style": style,
                  "name": _clip(name, NAME_LIMIT), "notes": _clip(notes, NOTES_LIMIT),
                  "seconds": result["seconds"], "bars": result["bars"], "channels": channels(perf),
                  "files": {"midi": f"{take_id}/take.mid", "take": f"{take_id}/take.take.json",
                            "chart": f"{take_id}/chart.chart"}, **result["describe"]}
        _append(outdir, record)
        states.append(get(outdir, take_id))
    return states


def _new_folder(outdir: str) -> tuple[str, str]:
    for _ in range(100):
        take_id = new_id()
        folder = os.path.join(outdir, take_id)
        try:
            os.mkdir(folder)  # fails if it exists: a take folder is made once
        except FileExistsError:
            continue
        return take_id, folder
    raise TakeError("could not make a fresh take folder")


def _clip(text: str, limit: int) -> str:
    return str(text)[:limit]


def read_log(outdir: str, warn: Any = None) -> list[dict[str, Any]]:
    """The log's records in order; a torn line (a write cut short) is skipped with a warning."""
    return read_records(os.path.join(outdir, LOG), warn)


def _replay(outdir: str) -> dict[str, dict[str, Any]]:
    """Every take's state by id, in the order they were made."""
    states: dict[str, dict[str, Any]] = {}
    for r in read_log(outdir):  # a torn line is skipped with a warning on standard error
        if not is_take_id(r.get("id")):
            continue  # a record from before ids, or not ours
        take_id = str(r["id"])
        event = r.get("event")
        if event == "take" and take_id not in states and _whole(r):
            files = {k: v for k, v in (r.get("files") or {}).items() if _own_file(take_id, v)}
            states[take_id] = {**r, "files": files, "kept": False, "discarded": False,
                               "name": str(r.get("name", "")), "notes": str(r.get("notes", ""))}
            del states[take_id]["event"]
            continue
        state = states.get(take_id)
        if state is None:
            continue
        if event in ("keep", "unkeep"):
            state["kept"] = event == "keep"
        elif event == "edit":
            for key in ("name", "notes"):
                if key in r:
                    state[key] = str(r[key])
        elif event == "discard":
            state["discarded"] = True
        elif event == "restore":
            state["discarded"] = False
        elif event == "bounce":
            state["files"].update({k: v for k, v in (r.get("files") or {}).items() if _own_file(take_id, v)})
    return states


def _whole(r: dict[str, Any]) -> bool:
    """Whether a take record has what a take needs (a hand-edited line may not)."""
    numbers = ("seconds", "notes_per_bar", "risk")
    return (isinstance(r.get("seed"), int) and not isinstance(r.get("seed"), bool)
            and all(isinstance(r.get(k), int | float) and not isinstance(r.get(k), bool) for k in numbers)
            and all(isinstance(r.get(k), int) for k in ("bars", "fills"))
            and all(isinstance(r.get(k), str) for k in ("version", "title", "time"))
            and isinstance(r.get("files"), dict))


def _own_file(take_id: str, rel: object) -> bool:
    """Whether a log's file entry stays inside its take's folder (a log may have been edited by hand)."""
    if not isinstance(rel, str) or not rel.startswith(take_id + "/") or "\\" in rel or "\0" in rel:
        return False
    return ".." not in rel.split("/") and not os.path.isabs(rel)


def takes(outdir: str, trash: bool = False) -> list[dict[str, Any]]:
    """The takes (or with ``trash`` the discarded ones), oldest first."""
    return [s for s in _replay(outdir).values() if s["discarded"] == trash]


def get(outdir: str, take_id: str) -> dict[str, Any]:
    """One take's state; ``TakeError`` if there is no such take."""
    state = _replay(outdir).get(take_id) if is_take_id(take_id) else None
    if state is None:
        raise TakeError(f"no take {take_id!r}")
    return state


def find(outdir: str, ref: str | int) -> str:
    """The id of the take ``ref`` names: an id, or a seed that exactly one live take has.

    >>> import tempfile
    >>> find(tempfile.mkdtemp(), 5)
    Traceback (most recent call last):
    backline.takes.TakeError: no take with seed 5
    """
    if is_take_id(ref):
        return get(outdir, str(ref))["id"]
    seed = int(ref) if isinstance(ref, int) or str(ref).lstrip("-").isdigit() else None
    if seed is None:
        raise TakeError(f"{ref!r} is neither a take id nor a seed")
    ids = [t["id"] for t in takes(outdir) if t.get("seed") == seed]
    if not ids:
        raise TakeError(f"no take with seed {seed}")
    if len(ids) > 1:
        raise TakeError(f"{len(ids)} takes have seed {seed}: name one by its id ({', '.join(ids)})")
    return ids[0]


def path_of(outdir: str, state: dict[str, Any], kind: str) -> str | None:
    """The file of a take (``midi``, ``take``, ``chart``, ``wav``, ``stems``) where it lies now."""
    rel = state["files"].get(kind)
    if rel is None:
        return None
    base = os.path.join(outdir, TRASH) if state["discarded"] else outdir
    return os.path.join(base, *rel.split("/"))


def edit(outdir: str, take_id: str, kept: bool | None = None, name: str | None = None,
         notes: str | None = None) -> dict[str, Any]:
    """Mark ONE take kept or not (a ``keep``/``unkeep`` line), or rename it, or change its notes
    (an ``edit`` line)."""
    state = get(outdir, take_id)
    if kept is not None:
        _append(outdir, {"event": "keep" if kept else "unkeep", "id": take_id, "seed": state["seed"],
                         "time": _now()})
    if name is not None or notes is not None:
        record: dict[str, Any] = {"event": "edit", "id": take_id, "time": _now()}
        if name is not None:
            record["name"] = _clip(name, NAME_LIMIT)
        if notes is not None:
            record["notes"] = _clip(notes, NOTES_LIMIT)
        _append(outdir, record)
    return get(outdir, take_id)


def keep(outdir: str, ref: str | int, kept: bool = True) -> dict[str, Any]:
    """Mark the take ``ref`` (an id, or a seed only one take has) as a keeper."""
    return edit(outdir, find(outdir, ref), kept=kept)


def keepers(outdir: str) -> list[dict[str, Any]]:
    """The kept takes (not discarded), oldest first."""
    return [t for t in takes(outdir) if t["kept"]]


def discard(outdir: str, take_id: str) -> dict[str, Any]:
    """Throw ONE take away: its folder moves to the trash, whole; :func:`restore` brings it back."""
    return _move(outdir, take_id, to_trash=True)


def restore(outdir: str, take_id: str) -> dict[str, Any]:
    """Undo :func:`discard`."""
    return _move(outdir, take_id, to_trash=False)


def _move(outdir: str, take_id: str, to_trash: bool) -> dict[str, Any]:
    with _Lock(outdir):
        state = get(outdir, take_id)
        if state["discarded"] == to_trash:
            return state
        live, trashed = os.path.join(outdir, take_id), os.path.join(outdir, TRASH, take_id)
        src, dst = (live, trashed) if to_trash else (trashed, live)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.lexists(dst):
            raise TakeError(f"take {take_id} is already there")
        if os.path.isdir(src) and not os.path.islink(src):
            os.rename(src, dst)
        _append(outdir, {"event": "discard" if to_trash else "restore", "id": take_id, "time": _now()})
    return get(outdir, take_id)


def bounce(outdir: str, take_id: str, stems: bool = True, styles: list[str] | None = None,
           styles_dir: str | None = None, **audio: Any) -> dict[str, Any]:
    """Render a take's full mix (``take.wav``, and with ``stems`` one file per instrument) from the
    exact text, seed and risk that made it; a take already bounced is left as it is."""
    from .chart.parser import parse_chart

    state = get(outdir, take_id)
    if state["discarded"]:
        raise TakeError(f"take {take_id} is in the trash: restore it first")
    if state["files"].get("wav") and (state["files"].get("stems") or not stems):
        return state
    text_path = path_of(outdir, state, "chart")
    if text_path is None or not os.path.isfile(text_path):
        raise TakeError(f"take {take_id} has lost its chart text")
    with open(text_path, encoding="utf-8") as f:
        text = f.read()
    if styles is None:
        from .styles import style_names

        styles = style_names(styles_dir)
    song = parse_chart(text, str(state.get("chart") or "chart"), styles)
    from .audio import render_audio
    from .players.band import perform

    perf = perform(song, seed=state["seed"], risk=state["risk"], style=state.get("style"), styles_dir=styles_dir)
    folder = os.path.join(outdir, take_id)
    if os.path.islink(folder) or not os.path.isdir(folder):
        raise TakeError(f"take {take_id} has lost its folder")
    made = render_audio(perf, folder, "take", stems=stems, **audio)
    files = {"wav": f"{take_id}/{os.path.basename(made['audio'])}"}
    if stems and "stems" in made:
        files["stems"] = f"{take_id}/take-stems"
    with _Lock(outdir):
        _append(outdir, {"event": "bounce", "id": take_id, "time": _now(), "files": files,
                         "loudness": made.get("loudness")})
    return get(outdir, take_id)


def stem_files(outdir: str, state: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(name in a zip, path) of a bounced take's stems."""
    folder = path_of(outdir, state, "stems")
    if folder is None or not os.path.isdir(folder) or os.path.islink(folder):
        return
    for name in sorted(os.listdir(folder)):
        full = os.path.join(folder, name)
        if os.path.isfile(full) and not os.path.islink(full):
            yield name, full


def download_name(state: dict[str, Any], ext: str) -> str:
    """A file name for a take's download: the chart's name and the take's name (or id).

    >>> download_name({"chart": "songs/Blue Sky.chart", "name": "", "id": "20260509-142233-a1b2c3"}, "mid")
    'blue-sky-20260509-142233-a1b2c3.mid'
    """
    chart = os.path.splitext(os.path.basename(str(state.get("chart") or "take")))[0]
    return f"{slug(chart)}-{slug(state['name']) if state.get('name') else state['id']}.{ext}"


def comp(song: Song, picks: dict[str, int], risk: float, seed: int = 0, style: str | None = None,
         styles_dir: str | None = None) -> Any:
    """A master whose sections come from the picked takes (section name → seed); other
    sections from ``seed``. Each section is note for note the same as in its take."""
    from .players.band import perform

    return perform(song, seed=seed, risk=risk, style=style, styles_dir=styles_dir, seeds=picks)
