"""Audio: a take rendered with FluidSynth and a SoundFont into a mix and stems.

Each instrument (or, for a mix alone, each half of the band) is rendered by its own
FluidSynth synthesizer (in-process, see ``synth.py``), as many at once as there are cores;
the stems are the parts of the mix, so the mix is their sum. The mix is normalised to -14 LUFS
integrated with samples under -1 dBFS (a smooth limiter where needed; the same gain goes on
every stem), the song's release tail is kept (at most 5 s, faded), and a 2 ms fade-in guards
the first sample.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .soundfont import AudioError, find_soundfont

if TYPE_CHECKING:
    import numpy as np

    from ..performance import Performance

TARGET_LUFS = -14.0
CEILING = 10 ** (-1.05 / 20)  # a hair under -1 dBFS, so 24-bit rounding stays under it
TAIL_SECONDS = 5.0
MIX_SYNTHS = 2  # a mix alone is played by two synthesizers (cores only decide how many run at once)

__all__ = ["AudioError", "render_audio"]


def _groups(perf: Performance, stems: bool) -> list[list[str]]:
    """Which instruments each synthesizer plays: one each for stems, else two balanced halves
    (always two, whatever the cores: the same take gives the same bytes on every machine)."""
    names = [t.instrument for t in perf.tracks]
    if stems:
        return [[n] for n in names]
    weight = _weights(perf)
    groups: list[list[str]] = [[] for _ in range(min(MIX_SYNTHS, len(names)))]
    loads = [0.0] * len(groups)
    for name in sorted(names, key=lambda n: -weight[n]):
        k = loads.index(min(loads))
        groups[k].append(name)
        loads[k] += weight[name]
    return [g for g in groups if g]


def _weights(perf: Performance) -> dict[str, float]:
    """Rough FluidSynth cost of each instrument: its notes, drum hits counting double (their
    samples ring on; measured on stone-stair: ~0.5 ms a hit against ~0.13–0.25 ms a note)."""
    return {t.instrument: len(t.notes) * (2.0 if t.instrument == "drums" else 1.0) for t in perf.tracks}


def _tail_length(mix: np.ndarray, end: int, rate: int) -> int:
    """Frames to keep after the song's end: until the release has died away (≤ 5 s)."""
    import numpy as np

    limit = min(len(mix), end + int(TAIL_SECONDS * rate))
    tail = np.abs(mix[end:limit]).max(axis=1) if limit > end else np.zeros(0)
    loud = np.flatnonzero(tail > 10 ** (-70 / 20))
    return int(loud[-1]) + 1 if len(loud) else 0


def render_audio(perf: Performance, outdir: str, name: str, stems: bool = False, fmt: str = "wav",
                 rate: int = 44100, soundfont: str | None = None, count_in: int = 0, click: bool = False,
                 mute: tuple[str, ...] = (), jobs: int | None = None) -> dict[str, Any]:
    """Render ``perf`` to ``OUTDIR/<name>.<fmt>`` (24-bit) and, with ``stems``, one file per
    instrument in ``OUTDIR/<name>-stems/``. Returns paths, loudness and peak."""
    with _small_pages():
        return _render_audio(perf, outdir, name, stems, fmt, rate, soundfont, count_in, click, mute, jobs)


@contextmanager
def _small_pages() -> Iterator[None]:
    """numpy's huge pages off while audio is made (restored after). numpy asks the kernel for
    2 MB pages for big arrays; here that made each new 70 MB song-long buffer cost ~0.15 s of
    kernel time against ~0.02 s with ordinary pages (bench/: stems 20% faster)."""
    import numpy as np

    setter = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "_set_madvise_hugepage", None)
    if setter is None:
        yield
        return
    previous = setter(False)
    try:
        yield
    finally:
        setter(previous)


def _render_audio(perf: Performance, outdir: str, name: str, stems: bool, fmt: str, rate: int,
                  soundfont: str | None, count_in: int, click: bool, mute: tuple[str, ...],
                  jobs: int | None) -> dict[str, Any]:
    import numpy as np

    if fmt not in ("wav", "flac"):
        raise AudioError(f"unknown audio format {fmt!r}: use wav or flac")
    if rate not in (44100, 48000):
        raise AudioError(f"unsupported rate {rate}: use 44100 or 48000")
    from .loudness import frame_peaks
    from .synth import library

    sf2 = find_soundfont(soundfont)
    library()
    cores = jobs or os.cpu_count() or 1
    offset_seconds = count_in * perf.timeline.bars[0].seconds if count_in and perf.timeline.bars else 0.0
    from ..checks import BadValue, check_audio_length

    try:  # before any sample is made: the buffers below are song-long
        check_audio_length(perf.seconds + offset_seconds, repr(perf.song.title[:60]))
    except BadValue as e:
        raise AudioError(e.message) from None
    end = round((perf.seconds + offset_seconds) * rate)
    frames = end + int(TAIL_SECONDS * rate)
    if mute:  # a play-along: the muted instruments are neither in the mix nor among the stems
        perf = perf._replace(tracks=[t for t in perf.tracks if t.instrument not in mute])
    clicks = bool(count_in or click) and "click" not in mute
    groups = _groups(perf, stems)
    _check_memory(frames, len(groups) + int(clicks))
    kept = _synthesize(perf, groups, sf2, rate, frames, count_in, click, clicks, cores)
    mix = np.zeros((frames, 2), np.float32)
    for part in kept.values():
        mix += part
    length = end + _tail_length(mix, end, rate)
    peaks = frame_peaks(mix[:length])
    if stems:
        for part in kept.values():
            np.maximum(peaks, frame_peaks(part[:length]), out=peaks)
    gain_env, loudness = _master_gain(mix[:length], peaks, rate)
    gain_env *= _fades(length, end, rate)
    path = os.path.join(outdir, f"{name}.{fmt}")
    result: dict[str, Any] = {
        "audio": path, "loudness": round(loudness, 2),
        "peak_dbfs": round(20 * float(np.log10(max(1e-9, float((peaks * gain_env).max())))), 2),
        "seconds": round(length / rate, 3)}
    files = [(path, mix)]
    made_folder = None
    if stems:
        folder = os.path.join(outdir, f"{name}-stems")
        made_folder = None if os.path.isdir(folder) else folder
        os.makedirs(folder, exist_ok=True)
        result["stems"] = {label: os.path.join(folder, f"{label}.{fmt}") for label in kept}
        files += [(result["stems"][label], part) for label, part in kept.items()]
    try:
        _write_all(files, gain_env, rate, fmt, cores)
    except BaseException:  # a full disk, Ctrl-C: none of this take's audio stays, half of it would mislead
        for file, _ in files:
            with contextlib.suppress(OSError):
                os.unlink(file)
        if made_folder is not None:
            shutil.rmtree(made_folder, ignore_errors=True)
        raise
    return result


def _check_memory(frames: int, buffers: int) -> None:
    """Refuse, before any sample is made, audio whose song-long buffers (each part, the mix and
    the gain work: stereo float32) would not fit in the memory this machine has free."""
    need = frames * 8 * (buffers + 2)
    free = _free_memory()
    if free is not None and need > free * 0.8:
        raise AudioError(f"this audio needs about {need / 2**30:.1f} GB of memory and {free / 2**30:.1f} GB "
                         "are free: render a shorter song, or without --stems")


def _free_memory() -> int | None:
    """Bytes of memory available (Linux's MemAvailable), or None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _synthesize(perf: Performance, groups: list[list[str]], soundfont: str, rate: int, frames: int,
                count_in: int, click: bool, clicks: bool, cores: int) -> dict[str, np.ndarray]:
    """Each group's audio (and with ``clicks`` the click's), ``frames`` long, keyed by its label
    ("drums", "bass+keys", "click"), in the order of the groups; the heaviest starts first."""
    from concurrent.futures import ThreadPoolExecutor

    from ..midi.encode import encode_performance
    from .synth import render_midi

    jobs = {"+".join(g): encode_performance(perf, count_in=count_in, click=False, only=tuple(g)) for g in groups}
    if clicks:
        jobs["click"] = encode_performance(perf, count_in=count_in, click=click, only=("click",))
    weight = _weights(perf)
    order = sorted(jobs, key=lambda label: -sum(weight.get(n, 0.0) for n in label.split("+")))
    chorus = any(t.chorus > 0 for t in perf.tracks)
    stop = threading.Event()  # set on Ctrl-C (or a failure): every synth thread ends within a block
    with ThreadPoolExecutor(max_workers=max(1, cores)) as pool:  # ctypes lets go of the GIL: one core each
        try:
            done = dict(zip(order, pool.map(lambda label: render_midi(jobs[label], soundfont, rate, frames, chorus,
                                                                      stop), order), strict=True))
        except BaseException:
            stop.set()
            raise
    return {label: done[label] for label in jobs}


def _fades(length: int, end: int, rate: int) -> np.ndarray:
    """A 2 ms fade-in, and a 250 ms fade-out at the end of the kept tail."""
    import numpy as np

    ramp = np.ones(length, np.float32)
    fade_in, fade_out = min(length, int(0.002 * rate)), min(length, int(0.25 * rate))
    ramp[:fade_in] = np.linspace(0.0, 1.0, fade_in, dtype=np.float32)
    if length > end:
        ramp[length - fade_out:] *= np.linspace(1.0, 0.0, fade_out, dtype=np.float32)
    return ramp


def _write_all(files: list[tuple[str, np.ndarray]], gain_env: np.ndarray, rate: int, fmt: str, cores: int) -> None:
    """Each buffer times the gain (in place: the buffers are done with), written to its path."""
    from concurrent.futures import ThreadPoolExecutor

    def finish(item: tuple[str, np.ndarray]) -> None:
        audio = item[1][: len(gain_env)]
        audio *= gain_env[:, None]
        _write(item[0], audio, rate, fmt)

    with ThreadPoolExecutor(max_workers=max(1, cores)) as pool:
        list(pool.map(finish, files))


def _master_gain(mix: np.ndarray, peaks: np.ndarray, rate: int) -> tuple[np.ndarray, float]:
    """Per-frame gain: loudness to -14 LUFS, and a limiter keeping ``peaks`` (the mix's and
    every stem's) under -1 dBFS. Returns the gain and the loudness it gives.

    The 100 ms block powers are measured once; after limiting, only the blocks the limiter
    touched are measured again."""
    import numpy as np

    from .loudness import BLOCK, block_powers, gained_block_powers, limiter_gain, loudness_of_blocks

    powers = block_powers(mix, rate)
    loudness = loudness_of_blocks(powers)
    if not np.isfinite(loudness):
        return np.ones(len(mix), np.float32), loudness
    level = 10 ** ((TARGET_LUFS - loudness) / 20)
    step = int(rate * BLOCK)
    gain = np.full(len(mix), level, np.float32)
    for _ in range(4):
        limit = limiter_gain(peaks * np.float32(level), CEILING, rate)
        gain = np.full(len(mix), level, np.float32)
        scaled = powers * level * level
        if limit is not None:
            gain *= limit
            touched = np.unique(np.flatnonzero(limit < 1.0) // step)
            touched = touched[touched < len(powers)]
            scaled[touched] = gained_block_powers(mix, gain, touched, rate)
        loudness = loudness_of_blocks(scaled)
        error = TARGET_LUFS - loudness
        if abs(error) < 0.1:
            break
        level *= 10 ** (error / 20)
    return gain, loudness


def _write(path: str, data: np.ndarray, rate: int, fmt: str) -> None:
    """24-bit WAV or FLAC, written atomically (never half a file at ``path``)."""
    import soundfile

    from ..files import write_atomic_with

    write_atomic_with(path, lambda f: soundfile.write(f, data, rate, subtype="PCM_24", format=fmt.upper()))
