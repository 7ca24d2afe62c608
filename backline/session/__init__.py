"""DAW sessions: a song (or an album) as a project that opens with its tempo map, meters,
section markers, a click and count-in, and the pre-production stems and MIDI on their tracks.

``write_session`` builds everything in a hidden folder beside ``outdir`` and moves it into
place only when all of it is made, so a failed session leaves nothing behind.

>>> import backline, os, tempfile
>>> song = backline.loads("title: Tiny\\ntempo: 100\\nsection A:\\n  | C | G |\\n")
>>> out = os.path.join(tempfile.mkdtemp(), "s")
>>> made = write_session(song, out, audio=False)
>>> sorted(os.listdir(out))
['README.txt', 'midi', 'tempo-map.txt', 'tiny.mid', 'tiny.rpp']
"""

from __future__ import annotations

import os

from ..files import slug, write_atomic

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any

    from ..album import Album
    from ..model import Song
    from .plan import Plan
    from .reaper import Lane

DAWS = ("reaper", "dawproject")
TRACK_TITLES = {"drums": "Drums", "bass": "Bass", "keys": "Keys", "guitar": "Guitar", "pad": "Pad",
                "melody": "Melody", "solo": "Solo", "click": "Click"}


class SessionError(ValueError):
    """A session that cannot be made as asked (the message says why, in one line)."""


def write_session(song: Song, outdir: str, daws: tuple[str, ...] = ("reaper",), seed: int = 0, risk: float = 0.0,
                  style: str | None = None, count_in: int = 1, audio: bool = True, rate: int = 44100,
                  soundfont: str | None = None, jobs: int | None = None) -> dict[str, Any]:
    """Render ``song`` and write its session folder; returns what was written (paths relative
    to ``outdir``) with the session's plan."""
    _check(daws, count_in)
    with _Staging(outdir) as stage:
        made = _song_session(song, stage.path, daws, seed, risk, style, count_in, audio, rate, soundfont, jobs)
        stage.commit()
    return made


def write_album_session(album: Album, outdir: str, daws: tuple[str, ...] = ("reaper",), count_in: int = 1,
                        audio: bool = True, rate: int = 44100, soundfont: str | None = None,
                        jobs: int | None = None) -> dict[str, Any]:
    """One session per track in ``NN-title/`` and a master project with the songs in order,
    each after its gap (the album's ``gap_seconds``)."""
    from ..album.render import _song

    _check(daws, count_in)
    songs = [_song(t) for t in album.tracks]
    with _Staging(outdir) as stage:
        sessions = []
        for number, (track, song) in enumerate(zip(album.tracks, songs, strict=True), start=1):
            folder = f"{number:02d}-{slug(song.title)}"
            made = _song_session(song, os.path.join(stage.path, folder), daws, track.seed, track.risk,
                                 track.style, count_in, audio, rate, soundfont, jobs)
            sessions.append((folder, made))
        gaps = [t.gap_seconds if t.gap_seconds is not None else album.gap_seconds for t in album.tracks]
        master = _master(album, sessions, gaps, stage.path, daws, rate)
        stage.commit()
    return {"title": album.title, "songs": [m for _, m in sessions], "master": master}


def session_zip(source: Song | Album, **options: Any) -> bytes:
    """The session of a song or an album as the bytes of a ZIP file (for downloads)."""
    import io
    import tempfile
    import zipfile

    from ..album import Album

    with tempfile.TemporaryDirectory(prefix="backline-session-") as tmp:
        folder = os.path.join(tmp, "session")
        if isinstance(source, Album):
            write_album_session(source, folder, **options)
        else:
            write_session(source, folder, **options)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for base, _, files in os.walk(folder):
                for name in sorted(files):
                    path = os.path.join(base, name)
                    z.write(path, os.path.relpath(path, folder))
        return buf.getvalue()


def _check(daws: tuple[str, ...], count_in: int) -> None:
    for daw in daws:
        if daw not in DAWS:
            raise SessionError(f"unknown DAW {daw!r}: use {' or '.join(DAWS)}")
    if not 0 <= count_in <= 8:
        raise SessionError("the count-in takes 0 to 8 bars")


def _song_session(song: Song, folder: str, daws: tuple[str, ...], seed: int, risk: float, style: str | None,
                  count_in: int, audio: bool, rate: int, soundfont: str | None, jobs: int | None) -> dict[str, Any]:
    from ..midi.encode import encode_performance
    from ..players.band import perform
    from .plan import session_plan, tempo_map_text

    os.makedirs(os.path.join(folder, "midi"), exist_ok=True)
    perf = perform(song, seed=seed, risk=risk, style=style)
    plan = session_plan(perf, count_in)
    name = slug(song.title)
    write_atomic(os.path.join(folder, f"{name}.mid"), encode_performance(perf, count_in=count_in, click=True))
    stems = _stems(perf, folder, count_in, rate, soundfont, jobs) if audio else {}
    labels = [t.instrument for t in perf.tracks] + ["click"]
    lanes = []
    for label in labels:
        midi = encode_performance(perf, count_in=count_in, click=True, only=(label,))
        write_atomic(os.path.join(folder, "midi", f"{label}.mid"), midi)
        wav, seconds = stems.get(label, (None, 0.0))
        lanes.append(_lane(label, wav, seconds, midi))
    files = {"midi": f"{name}.mid", "midi_parts": {label: f"midi/{label}.mid" for label in labels},
             "stems": {label: wav for label, (wav, _) in stems.items()}}
    files |= _projects(plan, lanes, folder, name, daws, rate)
    write_atomic(os.path.join(folder, "tempo-map.txt"), tempo_map_text(plan, rate))
    write_atomic(os.path.join(folder, "README.txt"), readme(plan, name, files, rate))
    return {"title": song.title, "files": files, "rate": rate, "count_in": count_in,
            "count_in_seconds": plan.count_in_seconds, "seconds": plan.end_seconds, "plan": plan}


def _lane(label: str, wav: str | None, seconds: float, midi: bytes | None, muted: bool = False) -> Lane:
    from .reaper import Lane

    return Lane(TRACK_TITLES.get(label, label.title()), wav, seconds, midi, muted)


def _stems(perf: Any, folder: str, count_in: int, rate: int, soundfont: str | None,
           jobs: int | None) -> dict[str, tuple[str, float]]:
    """The stems from backline's audio render (click included), as stems/<label>.wav with seconds."""
    import soundfile

    from ..audio import render_audio

    made = render_audio(perf, folder, "mix", stems=True, fmt="wav", rate=rate, soundfont=soundfont,
                        count_in=count_in, click=True, jobs=jobs)
    os.unlink(made["audio"])  # the mix holds the click: the stems are the session
    os.replace(os.path.join(folder, "mix-stems"), os.path.join(folder, "stems"))
    out = {}
    for label in made["stems"]:
        path = f"stems/{label}.wav"
        out[label] = (path, soundfile.info(os.path.join(folder, path)).frames / rate)
    return out


def _projects(plan: Plan, lanes: list[Lane], folder: str, name: str, daws: tuple[str, ...],
              rate: int) -> dict[str, str]:
    files = {}
    if "reaper" in daws:
        from .reaper import project_text, reaper_project

        files["reaper"] = f"{name}.rpp"
        write_atomic(os.path.join(folder, files["reaper"]), project_text(reaper_project(plan, lanes, rate)))
    if "dawproject" in daws:
        from .dawproject import dawproject_bytes

        files["dawproject"] = f"{name}.dawproject"
        write_atomic(os.path.join(folder, files["dawproject"]), dawproject_bytes(plan, lanes, rate))
    return files


def _master(album: Album, sessions: list[tuple[str, dict[str, Any]]], gaps: list[float], folder: str,
            daws: tuple[str, ...], rate: int) -> dict[str, Any]:
    """The album's master project: every song's stems in order, each song after its gap."""
    from .master import write_master_project

    return write_master_project(album, sessions, gaps, folder, daws, rate)


def readme(plan: Plan, name: str, files: dict[str, Any], rate: int) -> str:
    """README.txt: what the folder holds and how to open it in any DAW."""
    lines = [f"{plan.title}: a session from backline", "",
             f"Sample rate {rate} Hz. Everything starts at 0:00, which is the first beat of a "
             f"{plan.count_in_bars}-bar count-in ({plan.count_in_seconds:.3f} s); the song starts after it."
             if plan.count_in_bars else f"Sample rate {rate} Hz. Everything starts at 0:00, the song's first beat.",
             "", "What is here:"]
    if "reaper" in files:
        lines.append(f"  {files['reaper']:<24} Reaper project: tempo map, meters, section markers and regions,")
        lines.append(f"  {'':<24} one folder track per instrument with its stem and its MIDI, and a click")
    if "dawproject" in files:
        lines.append(f"  {files['dawproject']:<24} DAWproject (Bitwig Studio, Studio One, Cubase): the same")
    lines += [f"  {files['midi']:<24} all the MIDI in one file, with the tempo map, meters, section markers,",
              f"  {'':<24} chord symbols, the count-in and a click track",
              f"  {'midi/':<24} the same MIDI, one file per instrument",
              f"  {'stems/':<24} one 24-bit WAV per instrument, all of the same length, from 0:00"
              if files.get("stems") else f"  {'stems/':<24} (not rendered: MIDI only)",
              f"  {'tempo-map.txt':<24} every tempo and meter change and section start, in seconds and samples",
              "", "Opening it in another DAW:",
              f"  1. Make a project at {rate} Hz. Import {files['midi']} first and let the DAW take its tempo",
              "     map (Logic: 'Import tempo'; Cubase/Nuendo: 'Import tempo track'; Ableton Live: drag the file",
              "     into the arrangement with 'Warp' off; Pro Tools: 'Import MIDI' with the tempo map).",
              "     Or type the tempo map in from tempo-map.txt.",
              "  2. Import every WAV from stems/ at 0:00 (the very start of the project), one track each.",
              "     They are not time-stretched: do not warp or conform them to the tempo.",
              "  3. The markers come with the MIDI file; tempo-map.txt lists them too."]
    return "\n".join(lines) + "\n"


class _Staging:
    """A hidden folder beside ``outdir`` that becomes ``outdir`` on ``commit`` (or is removed)."""

    def __init__(self, outdir: str) -> None:
        self.outdir = os.path.abspath(outdir)
        self.path = ""
        self.done = False

    def __enter__(self) -> _Staging:
        import tempfile

        parent = os.path.dirname(self.outdir)
        where = f"cannot write the session to {self.outdir}"
        if os.path.exists(self.outdir) and not os.path.isdir(self.outdir):
            raise SessionError(f"{where}: it is a file, not a folder")
        existing = parent
        while not os.path.exists(existing):
            existing = os.path.dirname(existing)
        if not os.path.isdir(existing):
            raise SessionError(f"{where}: {existing} is a file, not a folder")
        try:
            os.makedirs(parent, exist_ok=True)
            self.path = tempfile.mkdtemp(prefix=f".{os.path.basename(self.outdir)}.", dir=parent)
            os.chmod(self.path, 0o755)
        except OSError as e:
            raise SessionError(f"{where}: {e.strerror or e}") from None
        return self

    def commit(self) -> None:
        """Move everything made into ``outdir`` (files already there with the same names are replaced)."""
        if not os.path.isdir(self.outdir):
            os.replace(self.path, self.outdir)
        else:
            for base, _, files in os.walk(self.path):
                target = os.path.join(self.outdir, os.path.relpath(base, self.path))
                os.makedirs(target, exist_ok=True)
                for f in files:
                    os.replace(os.path.join(base, f), os.path.join(target, f))
        self.done = True

    def __exit__(self, *exc: object) -> None:
        import shutil

        if self.path and os.path.isdir(self.path):
            shutil.rmtree(self.path, ignore_errors=True)
        if not self.done and self.path:
            self.path = ""
