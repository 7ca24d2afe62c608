"""Practice: one section (or the song) looped, slower or faster, in another key, minus an
instrument, with a count-in; or a speed trainer raising the tempo each loop.

>>> import backline
>>> song = backline.loads("tempo: 100\\nsection A:\\n  | C | G |\\nsection B:\\n  | F |\\n")
>>> p = practice_song(song, section="A", loop=3, ramp=(0.7, 1.0))
>>> [round(b.tempo) for b in p.timeline().bars[::2]]
[70, 85, 100]
"""

from __future__ import annotations

from typing import Any

from .checks import Tempo, check
from .model import Ramp, Song


class PracticeError(ValueError):
    """A practice request that does not fit the song."""


def tempo_factor(tempo: Tempo, song_tempo: float) -> float:
    """A checked tempo option (``75%`` or ``96`` bpm, see backline.checks) as a factor of the song's.

    >>> from backline.checks import check
    >>> tempo_factor(check("tempo", "75%"), 120), tempo_factor(check("tempo", "96"), 120)
    (0.75, 0.8)
    """
    return tempo.factor if tempo.factor is not None else float(tempo.bpm or song_tempo) / song_tempo


def scaled_tempo(song: Song, factor: float) -> Song:
    """The song with every tempo (the header's and the sections' ramps) times ``factor``.

    >>> import backline
    >>> scaled_tempo(backline.loads("tempo: 100\\nsection A:\\n  | C |\\n"), 0.9).tempo
    90.0
    """
    if factor == 1.0:
        return song
    sections = {n: s._replace(tempo=Ramp(s.tempo.start * factor, s.tempo.end * factor)) if s.tempo else s
                for n, s in song.sections.items()}
    return song._replace(tempo=song.tempo * factor, sections=sections)


def practice_song(song: Song, section: str | None = None, loop: int = 1, tempo: float = 1.0,
                  ramp: tuple[float, float] | None = None, transpose: int = 0) -> Song:
    """The song reshaped for practice (see module doc). ``tempo`` and ``ramp`` are factors."""
    if section is not None and section not in song.sections:
        from .chart.errors import did_you_mean

        raise PracticeError(f"no section {section!r}: {did_you_mean(section, list(song.sections))}")
    loop, transpose, tempo = check("loop", loop), check("transpose", transpose), check("tempo_factor", tempo)
    ramp = (check("tempo_factor", ramp[0]), check("tempo_factor", ramp[1])) if ramp else None
    song = song.transposed(transpose) if transpose else song
    order = [section] if section else list(song.form)
    _check_length(song, order, loop)
    sections = {}
    form = []
    for i in range(loop):
        factor = ramp[0] + (ramp[1] - ramp[0]) * (i / (loop - 1) if loop > 1 else 1.0) if ramp else tempo
        for name in order:
            sec = song.sections[name]
            base = sec.tempo or Ramp(song.tempo, song.tempo)
            label = name if loop == 1 and factor == 1.0 else f"{name} ({i + 1}/{loop}, {round(factor * 100)}%)"
            if label not in sections:
                sections[label] = sec._replace(name=label, tempo=Ramp(base.start * factor, base.end * factor))
            form.append(label)
    return song._replace(sections=sections, form=form, title=f"{song.title} (practice)")


def _check_length(song: Song, order: list[str], loop: int) -> None:
    """The looped song is held to a chart's limits (bars and quarter notes as played)."""
    from .chart.parser import MAX_BARS, MAX_BEATS

    bars = loop * sum(len(song.sections[name].bars) for name in order)
    beats = loop * sum(len(song.sections[name].bars) * (song.sections[name].meter or song.meter).bar_beats
                       for name in order)
    if bars > MAX_BARS or beats > MAX_BEATS:
        raise PracticeError(f"{loop} loops make {bars:,} bars ({beats:,.0f} quarter notes): the limit is "
                            f"{MAX_BARS:,} bars and {MAX_BEATS:,} quarter notes; loop fewer times or one section")


def render_practice(song: Song, outdir: str, section: str | None = None, loop: int = 1, tempo: float = 1.0,
                    ramp: tuple[float, float] | None = None, transpose: int = 0, mute: tuple[str, ...] = (),
                    count_in: int = 1, audio: dict[str, Any] | None = None, seed: int = 0,
                    risk: float = 0.0) -> dict[str, Any]:
    """Write the practice take's MIDI (and audio) to ``outdir``."""
    import os

    from .files import make_folder, slug
    from .players.band import perform

    count_in = check("count_in", count_in)
    shaped = practice_song(song, section, loop, tempo, ramp, transpose)
    perf = perform(shaped, seed=seed, risk=risk)
    perf = perf._replace(tracks=[t for t in perf.tracks if t.instrument not in mute])
    make_folder(outdir)
    name = slug(song.title) + "-practice" + (f"-{slug(section)}" if section else "")
    midi = os.path.join(outdir, name + ".mid")
    perf.to_midi(midi, count_in=count_in, click=False)
    result: dict[str, Any] = {"midi": midi, "bars": len(perf.timeline.bars), "seconds": round(perf.seconds, 3),
                              "sections": shaped.form, "muted": list(mute), "transpose": transpose}
    if audio is not None:
        from .audio import render_audio

        try:
            made = render_audio(perf, outdir, name, count_in=count_in, **audio)
        except BaseException:  # a full disk, Ctrl-C: the MIDI of a practice take without its audio goes too
            os.unlink(midi)
            raise
        result["audio"] = made["audio"]
        if "stems" in made:
            result["stems"] = made["stems"]
    return result
