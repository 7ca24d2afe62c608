"""backline benchmarks: prints a table. Run with `make bench` (or .venv/bin/python bench/run.py).

Ratios are measured within one run, alternating the compared commands, because this
machine is shared and noisy.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

VERSE = ["E", "E", "A", "A", "E", "E", "B7", "A"]
CHORUS = ["A", "B", "E", "C#m", "A", "B", "E", "E"]


def rock_chart(bars: int) -> str:
    """A plain 4/4 rock song of ``bars`` bars (verse, verse, chorus …)."""
    seq = []
    while len(seq) < bars:
        seq += VERSE + VERSE + CHORUS
    seq = seq[:bars]
    rows = ["| " + " | ".join(seq[i:i + 8]) + " |" for i in range(0, bars, 8)]
    return "title: Bench Rock\ntempo: 120\nstyle: rock\nsection Song:\n" + "\n".join("  " + r for r in rows) + "\n"


def mma_file(bars: int) -> str:
    seq = []
    while len(seq) < bars:
        seq += VERSE + VERSE + CHORUS
    lines = ["Tempo 120", "Groove BasicRock", "RndSeed 1"]
    lines += [f"{i} {c}" for i, c in enumerate(seq[:bars], 1)]
    return "\n".join(lines) + "\n"


def median_ms(fn: Callable[[], object], runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def whole_process(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def batch_rows(tmp: str, out_base: str, storage: str, rounds: int = 3) -> list[tuple[str, str, str]]:
    """Items per second for the batch engines, 1 and 2 workers: the local process pool, and a
    Dask cluster started beforehand (its start-up is reported on its own: a cluster outlives
    its batches). 1 and 2 workers alternate for ``rounds`` rounds; medians are reported.
    Outputs go under ``out_base`` (``storage`` names it: this machine's disk adds contention of
    its own when two workers write at once)."""
    from backline.batch import expand, load_spec
    from backline.batch.run import run_batch, warm

    folder = os.path.join(tmp, "batch")
    os.makedirs(folder, exist_ok=True)
    for name, style in (("one", "rock"), ("two", "funk")):
        with open(os.path.join(folder, f"{name}.chart"), "w") as f:
            f.write(f"title: {name}\ntempo: 120\nstyle: {style}\nsection A:\n  | C | Am | F | G7 |\n"
                    "form: A x4\n")
    clusters: dict[int, object] = {}
    rows = []
    try:
        from distributed import Client, LocalCluster

        for workers in (1, 2):
            t = time.perf_counter()
            clusters[workers] = cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                       dashboard_address=None)
            with Client(cluster) as client:
                client.run(warm, True)  # a running cluster's workers have loaded backline and the SoundFont
            if storage == "disk":
                rows.append((f"dask: start a local cluster of {workers} worker(s)",
                             f"{time.perf_counter() - t:.1f} s", "once per cluster, not per batch"))
        engines = ["local", "dask"]
    except ImportError:
        engines = ["local"]
    try:
        for label, outputs, seeds in (("MIDI + labels", "midi = true\nlabels = true\n", 300),
                                      ("mix audio (32 s songs)", "midi = true\nmix = true\n", 16)):
            spec_path = os.path.join(folder, f"spec-{seeds}.toml")
            with open(spec_path, "w") as f:
                f.write(f'charts = ["*.chart"]\n[matrix]\nseed = {list(range(seeds))}\nrisk = [0.5]\n'
                        f"[outputs]\n{outputs}")
            items = expand(load_spec(spec_path))
            times: dict[tuple[str, int], list[float]] = {}
            busy: dict[str, list[float]] = {}
            for _ in range(rounds):
                for engine in engines:
                    for workers in (1, 2):
                        out = os.path.join(out_base, f"out-{engine}-{workers}")
                        address = getattr(clusters.get(workers), "scheduler_address", None)
                        cpu = _workers_cpu(clusters.get(workers) if engine == "dask" else None)
                        t = time.perf_counter()
                        if engine == "local":
                            run_batch(items, out, engine="local", jobs=workers)
                        else:
                            run_batch(items, out, engine="dask", address=address)
                        wall = time.perf_counter() - t
                        times.setdefault((engine, workers), []).append(wall)
                        if workers == 2:
                            used = _workers_cpu(clusters.get(workers) if engine == "dask" else None) - cpu
                            busy.setdefault(engine, []).append(used / (wall * workers))
                        shutil.rmtree(out, ignore_errors=True)
            for engine in engines:
                one, two = times[(engine, 1)], times[(engine, 2)]
                scaling = statistics.median([a / b for a, b in zip(one, two, strict=True)])
                rows.append((f"batch {label} to {storage}, {engine}, 1 / 2 workers",
                             f"{len(items) / statistics.median(one):.1f}/s",
                             f"{len(items) / statistics.median(two):.1f}/s with 2: scaling {scaling:.2f}x "
                             f"(goal >= 1.8x), {len(items)} items, median of {rounds}; the 2 workers busy "
                             f"{statistics.median(busy[engine]):.0%} of the time"))
            if "dask" in engines:
                extra = statistics.median([d - lo for d, lo in zip(times[("dask", 2)], times[("local", 2)],
                                                                     strict=True)])
                rows.append((f"dask overhead per item against the local pool, {label} to {storage}",
                             f"{extra / len(items) * 2000:.1f} ms", "worker-time per item, 2 workers each"))
    finally:
        for cluster in clusters.values():
            cluster.close()  # type: ignore[attr-defined]
    return rows


def _workers_cpu(cluster: object | None) -> float:
    """CPU seconds used so far by the batch's workers: the local pool's (reaped) child
    processes, or a Dask cluster's worker processes."""
    import resource

    if cluster is None:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime
    from distributed import Client

    with Client(cluster) as client:
        return sum(client.run(_own_cpu).values())


def _own_cpu() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def interchange_rows(backline: str, tmp: str) -> list[tuple[str, str, str]]:
    """1,000 iReal Pro songs: import a playlist, then render every chart to MIDI (whole processes)."""
    import random

    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from test_interchange import random_music, scrambled_link

    rng = random.Random(3)
    songs = []
    for i in range(1000):
        music, _ = random_music(rng)
        songs.append((f"Tune {i:04d}", "Writer Some", rng.choice(["Medium Swing", "Bossa Nova", "Funk", "Waltz"]),
                      rng.choice(["C", "F", "Bb", "G", "A-"]), music, 0))
    playlist = os.path.join(tmp, "playlist.html")
    with open(playlist, "w") as f:
        f.write(f'<a href="{scrambled_link(songs)}">list</a>')
    out = os.path.join(tmp, "imported")
    t0 = time.perf_counter()
    subprocess.run([backline, "import", playlist, "-o", out], check=True, stderr=subprocess.DEVNULL)
    t1 = time.perf_counter()
    charts = sorted(os.path.join(out, n) for n in os.listdir(out))
    subprocess.run([backline, "render", *charts, "-o", os.path.join(tmp, "midi"), "--jobs", "2"], check=True,
                   stderr=subprocess.DEVNULL)
    t2 = time.perf_counter()
    return [("import 1,000 iReal songs (one playlist)", f"{t1 - t0:.1f} s", f"{len(charts)} charts written"),
            ("render those 1,000 charts to MIDI, --jobs 2", f"{t2 - t1:.1f} s",
             f"import + render {t2 - t0:.1f} s (goal < 90 s)")]


def audio_rows(backline: str, tmp: str) -> list[tuple[str, str, str]]:
    """stone-stair.chart (200 s) to audio: mix, mix + stems, and the fluidsynth program alone."""
    chart = os.path.join(os.path.dirname(ROOT), "shared", "charts", "stone-stair.chart")
    fluidsynth = shutil.which("fluidsynth")
    from backline.audio.soundfont import AudioError, find_soundfont

    try:
        sf2 = find_soundfont()
    except AudioError:
        sf2 = ""
    if not (os.path.exists(chart) and fluidsynth and sf2):
        return [("audio", "-", "needs ../shared/charts/stone-stair.chart, fluidsynth and a SoundFont")]
    out = os.path.join(tmp, "audio")
    subprocess.run([backline, "render", chart, "-o", out], check=True, stderr=subprocess.DEVNULL)
    midi = os.path.join(out, "stone-stair.mid")
    music = 200.0
    mix, stems, program = [], [], []
    for _ in range(3):
        mix.append(whole_process([backline, "render", chart, "-o", out, "--audio"]))
        stems.append(whole_process([backline, "render", chart, "-o", out, "--stems"]))
        program.append(whole_process([fluidsynth, "-ni", "-q", "-F", os.path.join(tmp, "fs.wav"), "-r", "44100",
                                      sf2, midi]))
    return [
        ("stone-stair (200 s) to a mastered mix, whole process", f"{statistics.median(mix):.2f} s",
         f"{music / statistics.median(mix):.0f}x realtime (goal >= 60x)"),
        ("stone-stair mix + 6 stems, whole process", f"{statistics.median(stems):.2f} s",
         f"{music / statistics.median(stems):.0f}x realtime (goal >= 40x)"),
        ("fluidsynth program alone, same MIDI, one core", f"{statistics.median(program):.2f} s",
         f"{music / statistics.median(program):.0f}x realtime (reference)"),
    ]


def _spread(values: list[float], scale: float = 1.0, unit: str = "s", digits: int = 2) -> str:
    """median (min–max) of ``values`` times ``scale``."""
    lo, mid, hi = (v * scale for v in (min(values), statistics.median(values), max(values)))
    return f"{mid:.{digits}f} {unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def picture_rows(backline: str, rounds: int = 5) -> list[tuple[str, str, str]]:
    """The shared album with and without pictures (whole processes, alternated, picture cache off),
    then with a warm cache; one arrangement map in-process, drawn and cached."""
    album = os.path.join(os.path.dirname(ROOT), "shared", "charts", "album.toml")
    if not os.path.exists(album):
        return [("pictures", "-", "needs ../shared/charts/album.toml")]
    import resource

    tmp = tempfile.mkdtemp(prefix="backline-bench-pictures-")
    cold = {**os.environ, "BACKLINE_CACHE_DIR": "off"}
    warm = {**os.environ, "BACKLINE_CACHE_DIR": os.path.join(tmp, "cache")}
    runs: dict[str, list[float]] = {"pictures": [], "none": [], "warm": []}
    cpu: dict[str, list[float]] = {"pictures": [], "none": [], "warm": []}
    subprocess.run([backline, "album", album, "-o", os.path.join(tmp, "prime")], check=True, env=warm,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # the warm cache filled
    load = [os.getloadavg()[0]]
    for _ in range(rounds):
        for label, extra, env in (("pictures", [], cold), ("none", ["--no-pictures"], cold), ("warm", [], warm)):
            out = os.path.join(tmp, label)
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([backline, "album", album, "-o", out, *extra], check=True, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            runs[label].append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[label].append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
            shutil.rmtree(out, ignore_errors=True)
    load.append(os.getloadavg()[0])
    note = (f"median (range) of {rounds}, alternated; load average {load[0]:.1f} -> {load[1]:.1f} "
            f"on {os.cpu_count()} cores")
    extra = statistics.median(runs["pictures"]) - statistics.median(runs["none"])
    rows = [("shared album, all 13 pictures, whole process", _spread(runs["pictures"]),
             f"goal < 3 s; CPU {_spread(cpu['pictures'])}; {note}"),
            ("shared album, --no-pictures, same run", _spread(runs["none"]),
             f"CPU {_spread(cpu['none'])}; the pictures add {extra:.2f} s"),
            ("shared album, all pictures, warm picture cache", _spread(runs["warm"]),
             f"CPU {_spread(cpu['warm'])}; nothing redrawn, matplotlib not even imported")]
    shutil.rmtree(tmp, ignore_errors=True)
    return rows + map_rows() + [("CPU speed check: 10^7 Python additions", _spread(speed_check()),
                                 "this machine's speed now (another engineer's load slows CPU seconds too)")]


def speed_check(runs: int = 3) -> list[float]:
    """CPU seconds of a fixed pure-Python loop: to compare figures taken under different loads."""
    out = []
    for _ in range(runs):
        t = time.process_time()
        total = 0
        for i in range(10**7):
            total += i
        out.append(time.process_time() - t)
    return out


def map_rows(runs: int = 15) -> list[tuple[str, str, str]]:
    """One arrangement map (stone-stair, 80 bars), in-process: drawn (memory cache emptied each
    time, no disk cache) and cached (the studio's path: the map's data, its key, the memory hit)."""
    import backline
    from backline import plot
    from backline.players.band import perform

    song = backline.load(os.path.join(os.path.dirname(ROOT), "shared", "charts", "stone-stair.chart"))
    perf = perform(song)
    plot.arrangement_png(perf)  # matplotlib loaded, as in a studio that drew once

    def drawn() -> None:
        plot.MEMORY.clear()
        plot.arrangement_png(perf)

    def timed(fn: Callable[[], object]) -> tuple[list[float], list[float]]:
        wall, cpu = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        return wall, cpu

    rows = []
    for label, fn, goal in (("drawn", drawn, "goal < 200 ms"),
                            ("cached", lambda: plot.arrangement_png(perf), "goal < 20 ms; map data + key + memory hit"),
                            ("cached, with the take performed", lambda: plot.arrangement_png(perform(song)),
                             "the studio's GET: perform + cached map")):
        wall, cpu = timed(fn)
        rows.append((f"one arrangement map (stone-stair), {label}, in-process", _spread(wall, 1000, "ms", 1),
                     f"{goal}; CPU {_spread(cpu, 1000, 'ms', 1)}; median (range) of {runs}"))
    return rows


def book_rows(backline: str, tmp: str) -> list[tuple[str, str, str]]:
    """A 10-song session book (the shared charts, then the examples) through LilyPond, whole process."""
    import glob

    lilypond = shutil.which("lilypond")
    charts = sorted(glob.glob(os.path.join(os.path.dirname(ROOT), "shared", "charts", "*.chart")))
    charts = (charts + sorted(glob.glob(os.path.join(ROOT, "examples", "*.chart"))))[:10]
    if not lilypond or len(charts) < 10:
        return [("book", "-", "needs lilypond (make book installs it) and 10 charts")]
    album = os.path.join(tmp, "book-album.toml")
    with open(album, "w") as f:
        f.write('title = "Bench Book"\n' + "".join(f"[[track]]\nchart = {c!r}\n" for c in charts))
    empty = os.path.join(tmp, "empty.ly")
    with open(empty, "w") as f:
        f.write('\\version "2.24.0" { c\' }\n')
    book = [backline, "book", album, "-o", os.path.join(tmp, "book.pdf")]
    runs: dict[str, list[tuple[float, float]]] = {"full": [], "bare": [], "start": []}
    cold = dict(os.environ, BACKLINE_CACHE_DIR="off")  # every map drawn: no picture cache
    for _ in range(2):
        runs["full"].append(_timed(book, cold))
        runs["bare"].append(_timed([*book, "--no-pictures"]))
        runs["start"].append(_timed([lilypond, "-s", "-o", os.path.join(tmp, "empty"), empty]))
    (full, full_cpu), (bare, bare_cpu), (start, start_cpu) = (min(runs[k]) for k in ("full", "bare", "start"))
    return [("book: 10 songs with arrangement maps (drawn, no cache), whole process", f"{full:.1f} s",
             f"{full_cpu:.1f} s of CPU (goal < 30 s on 2 cores)"),
            ("book: the same without the maps", f"{bare:.1f} s", f"{bare_cpu:.1f} s of CPU"),
            ("LilyPond start-up (a one-note score)", f"{start:.1f} s",
             f"{start_cpu:.1f} s of CPU, paid once a book: every part in one run")]


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and the CPU seconds the command's processes used (a loaded machine stretches the first)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    import compileall

    # Time the CLI as installed: with byte-code (PYTHONDONTWRITEBYTECODE would leave none).
    compileall.compile_dir(os.path.join(ROOT, "backline"), quiet=1)
    from backline.chart.parser import parse_chart
    from backline.players.band import perform

    rows: list[tuple[str, str, str]] = []
    backline = os.path.join(ROOT, ".venv", "bin", "backline")
    if not os.path.exists(backline):
        backline = shutil.which("backline") or "backline"
    if sys.argv[1:] == ["pictures"]:  # just the pictures' rows
        _print(picture_rows(backline))
        return
    text1000 = rock_chart(1000)
    parse_ms = median_ms(lambda: parse_chart(text1000).timeline())
    rows.append(("parse + expand, 1,000 bars (in-process)", f"{parse_ms:.1f} ms", "goal < 20 ms"))

    song100 = parse_chart(rock_chart(100))
    perform(song100)
    perf_ms = median_ms(lambda: perform(song100))
    rows.append(("perform 100 bars, risk 0 (in-process)", f"{perf_ms:.1f} ms", "goal < 20 ms"))
    risk_ms = median_ms(lambda: perform(song100, seed=3, risk=1.0))
    rows.append(("perform 100 bars, risk 1 (in-process)", f"{risk_ms:.1f} ms",
                 f"{risk_ms / perf_ms:.2f}x risk 0 (which plays each repeated bar once; whole renders below)"))
    song200 = parse_chart(rock_chart(200))
    p200 = perform(song200)
    enc_ms = median_ms(lambda: p200.to_bytes(), runs=9)
    rows.append(("encode MIDI, 200 bars (in-process)", f"{enc_ms:.1f} ms",
                 f"{sum(len(t.notes) for t in p200.tracks)} notes"))

    tmp = tempfile.mkdtemp(prefix="backline-bench-")
    chart = os.path.join(tmp, "rock200.chart")
    with open(chart, "w") as f:
        f.write(rock_chart(200))
    ours = [backline, "render", chart, "-o", tmp]
    mma = shutil.which("mma")
    if mma:
        mma_path = os.path.join(tmp, "rock200.mma")
        with open(mma_path, "w") as f:
            f.write(mma_file(200))
        theirs = [mma, "-f", os.path.join(tmp, "mma.mid"), mma_path]
        a, b = [], []
        for _ in range(9):
            a.append(whole_process(ours))
            b.append(whole_process(theirs))
        ratios = [x / y for x, y in zip(a, b, strict=True)]
        rows.append(("render 200-bar rock chart, whole process", f"{statistics.median(a) * 1000:.0f} ms",
                     f"MMA {statistics.median(b) * 1000:.0f} ms; median ratio {statistics.median(ratios):.2f}x "
                     "(goal <= 0.5x)"))
    else:
        a = [whole_process(ours) for _ in range(5)]
        rows.append(("render 200-bar rock chart, whole process", f"{statistics.median(a) * 1000:.0f} ms",
                     "mma not installed: no comparison"))
    risk0 = [backline, "render", chart, "-o", tmp, "--risk", "0"]
    risk1 = [backline, "render", chart, "-o", tmp, "--risk", "1", "--seed", "5"]
    r0, r1 = [], []
    for _ in range(7):
        r0.append(whole_process(risk0))
        r1.append(whole_process(risk1))
    rows.append(("take at risk 1 vs risk 0, 200 bars, whole process", f"{statistics.median(r1) * 1000:.0f} ms",
                 f"median ratio {statistics.median([x / y for x, y in zip(r1, r0, strict=True)]):.2f}x "
                 "(goal <= 1.5x)"))
    rows += picture_rows(backline)
    rows += interchange_rows(backline, tmp)
    rows += batch_rows(tmp, tmp, "disk")
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        memory = tempfile.mkdtemp(prefix="backline-bench-", dir="/dev/shm")
        try:
            rows += batch_rows(tmp, memory, "memory (/dev/shm)")
        finally:
            shutil.rmtree(memory, ignore_errors=True)
    rows += audio_rows(backline, tmp)
    rows += book_rows(backline, tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    _print(rows)


def _print(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'time':>10}  note")
    print("-" * (width + 40))
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
