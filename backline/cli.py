"""The ``backline`` command: a thin layer over the Python API.

Exit codes: 0 success, 1 an invalid chart (or a failed render), 2 a usage error.
Imports stay inside the commands so that start-up is fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

TYPE_CHECKING = False  # not typing's: importing typing costs each CLI start ~5 ms (records.py)
if TYPE_CHECKING:
    from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A command line that cannot be carried out as given."""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(argv[0] if argv and not argv[0].startswith("-") else None) or _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0) and EXIT_USAGE
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except UsageError as e:
        print(f"backline: error: {_one_line(str(e))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("backline: stopped (Ctrl-C); nothing half-written is left", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # an ordinary failure (disk full, permissions, a bad value) is one line
        if os.environ.get("BACKLINE_DEBUG"):
            raise
        print(f"backline: error: {failure(e)}", file=sys.stderr)
        return EXIT_INVALID


def _one_line(text: str) -> str:
    return " ".join(text.split("\n")) if "\n" in text else text


def failure(e: BaseException) -> str:
    """An exception as one line for a user: what failed, on which file, and why.

    >>> failure(OSError(28, "No space left on device", "out/a.wav"))
    'out/a.wav: No space left on device'
    >>> failure(MemoryError())
    'out of memory (MemoryError)'
    """
    from .checks import BadValue

    if isinstance(e, OSError) and e.strerror:
        text = f"{e.filename}: {e.strerror}" if e.filename else e.strerror
        if e.errno == 36:  # ENAMETOOLONG
            text += " (a title or name is too long for a file name)"
        return text
    if isinstance(e, BadValue | ValueError) and str(e):
        return _one_line(str(e))
    if isinstance(e, MemoryError):
        return "out of memory (MemoryError)"
    if isinstance(e, RecursionError):
        return "input nested too deeply (RecursionError)"
    return _one_line(f"{type(e).__name__}: {e}")[:300] + " (set BACKLINE_DEBUG=1 for the details)"


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, sized without importing shutil (its default does, at every start)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            try:
                width = int(os.environ.get("COLUMNS", "")) - 2
            except ValueError:
                try:
                    width = os.get_terminal_size(sys.stdout.fileno()).columns - 2
                except (OSError, ValueError):
                    width = 78
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors are one line (the usage itself is in --help)."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _opt(option: str) -> Callable[[str], Any]:
    """An argparse ``type`` that reads a value the way every edge does (backline.checks)."""

    def read(text: str) -> Any:
        from .checks import BadValue, check

        try:
            return check(option, text)
        except BadValue as e:
            raise argparse.ArgumentTypeError(e.message) from None

    read.__name__ = option
    return read


class _Unused:
    """Stands in for the parsers of commands not on the command line (building all costs ms)."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        pass


def _parser(command: str | None = None) -> Any:
    """The argument parser; with ``command``, just that command's (None when it is not one)."""
    p = _Parser(prog="backline", description="Album pre-production from plain-text charts.",
                formatter_class=_Formatter)
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(metavar="COMMAND")

    def cmd(name: str, func: Callable[[argparse.Namespace], int], help: str) -> Any:
        if command is not None and name != command:
            return _Unused()
        sp = sub.add_parser(name, help=help, description=help, formatter_class=_Formatter)
        sp.set_defaults(func=func)
        return sp

    c = cmd("check", cmd_check, "check charts; exit 0 when all are valid")
    c.add_argument("charts", nargs="+", metavar="CHART")
    c.add_argument("--json", action="store_true", help="print results as JSON")
    c.add_argument("--jobs", type=_opt("jobs"), default=0, metavar="N", help="processes (default: all cores)")
    _styles_option(c)

    f = cmd("fmt", cmd_fmt, "rewrite charts in the canonical, aligned layout")
    f.add_argument("charts", nargs="+", metavar="CHART")
    f.add_argument("--stdout", action="store_true", help="print instead of rewriting")
    f.add_argument("--check", action="store_true", help="exit 1 if a file would change")

    i = cmd("info", cmd_info, "show a chart's title, key, tempo map, form, length and chords")
    i.add_argument("chart", metavar="CHART")
    i.add_argument("--json", action="store_true")
    _styles_option(i)

    r = cmd("render", cmd_render, "play charts as a band into MIDI")
    r.add_argument("charts", nargs="+", metavar="CHART")
    r.add_argument("-o", "--out", default=".", metavar="OUTDIR")
    r.add_argument("--style", help="play every chart in this style")
    r.add_argument("--seed", type=_opt("seed"), default=0)
    r.add_argument("--risk", type=_opt("risk"), default=0.0)
    r.add_argument("--count-in", type=_opt("count_in"), default=0, metavar="BARS")
    r.add_argument("--click", action="store_true", help="add a click track")
    r.add_argument("--json", action="store_true")
    r.add_argument("--jobs", type=_opt("jobs"), default=0, metavar="N", help="charts at once (default: all cores)")
    _audio_options(r)
    _styles_option(r)

    t = cmd("takes", cmd_takes,
            "render N takes (ids and seeds printed), each in OUTDIR/<id>/, logged in OUTDIR/takes.jsonl")
    t.add_argument("chart", metavar="CHART")
    t.add_argument("-n", type=_opt("takes"), default=4, metavar="N", help="how many takes (default 4)")
    t.add_argument("--risk", type=_opt("risk"), default=0.5)
    t.add_argument("--seeds", help="comma-separated seeds instead of fresh ones")
    t.add_argument("--style")
    t.add_argument("-o", "--out", required=True, metavar="OUTDIR")
    t.add_argument("--json", action="store_true")
    _styles_option(t)

    k = cmd("keep", cmd_keep, "mark a take as a keeper")
    k.add_argument("outdir", metavar="OUTDIR")
    k.add_argument("take", metavar="TAKE", help="the take's id, or its seed when only one take has it")

    c2 = cmd("comp", cmd_comp, "build a master whose sections come from chosen takes")
    c2.add_argument("chart", metavar="CHART")
    c2.add_argument("--pick", nargs="+", required=True, metavar="SECTION=SEED")
    c2.add_argument("--risk", type=_opt("risk"), help="the takes' risk (default: from --takes, else 0.5)")
    c2.add_argument("--takes", metavar="OUTDIR", help="the folder of the takes, to read their risk")
    c2.add_argument("--seed", type=_opt("seed"), default=0, help="seed for sections not picked")
    c2.add_argument("--style")
    c2.add_argument("-o", "--out", required=True, metavar="OUT", help="a .mid file or a folder")
    c2.add_argument("--json", action="store_true")
    _styles_option(c2)

    pr = cmd("practice", cmd_practice, "a section looped, slower, transposed, minus an instrument: MIDI and audio")
    pr.add_argument("chart", metavar="CHART")
    pr.add_argument("--section", metavar="NAME")
    pr.add_argument("--loop", type=_opt("loop"), default=1, metavar="N")
    pr.add_argument("--tempo", type=_opt("tempo"), default="100%", metavar="PCT|BPM", help="e.g. 75%% or 96")
    pr.add_argument("--ramp", metavar="FROM:TO", help="speed trainer, e.g. 70%%:100%% (tempo rises each loop)")
    pr.add_argument("--transpose", type=_opt("transpose"), default=0, metavar="SEMITONES")
    pr.add_argument("--mute", nargs="+", default=[], metavar="INSTRUMENT")
    pr.add_argument("--count-in", type=_opt("count_in"), default=1, metavar="BARS")
    pr.add_argument("--no-audio", action="store_true", help="MIDI only")
    pr.add_argument("--format", type=_opt("format"), default="wav")
    pr.add_argument("--rate", type=_opt("rate"), default=44100)
    pr.add_argument("--soundfont", metavar="SF2")
    pr.add_argument("-o", "--out", default=".", metavar="OUTDIR")
    pr.add_argument("--json", action="store_true")
    _styles_option(pr)

    al = cmd("album", cmd_album, "render an album: every track, pictures, flow report, master and CUE sheet")
    al.add_argument("album", metavar="ALBUM.toml")
    al.add_argument("-o", "--out", required=True, metavar="OUTDIR")
    al.add_argument("--audio", action="store_true")
    al.add_argument("--stems", action="store_true", help="stems for every track (implies --audio)")
    al.add_argument("--format", type=_opt("format"), default="wav")
    al.add_argument("--rate", type=_opt("rate"), default=44100)
    al.add_argument("--soundfont", metavar="SF2")
    al.add_argument("--jobs", type=_opt("jobs"), default=0, metavar="N", help="tracks at once (default: all cores)")
    al.add_argument("--no-pictures", action="store_true")
    al.add_argument("--json", action="store_true")

    pl = cmd("plot", cmd_plot, "draw a song's arrangement map (or the piano roll of a take)")
    pl.add_argument("chart", metavar="CHART")
    pl.add_argument("-o", "--out", required=True, metavar="PNG")
    pl.add_argument("--kind", choices=("map", "roll"), default="map")
    pl.add_argument("--take", type=_opt("seed"), default=0, metavar="SEED")
    pl.add_argument("--risk", type=_opt("risk"), default=None, help="default 0, or 0.5 with --take")
    pl.add_argument("--style")
    _styles_option(pl)

    im = cmd("import", cmd_import, "import iReal Pro links or playlists, ChordPro, MusicXML or MIDI into charts")
    im.add_argument("sources", nargs="+", metavar="SOURCE")
    im.add_argument("-o", "--out", required=True, metavar="OUTDIR")
    im.add_argument("--json", action="store_true")

    ex = cmd("export", cmd_export, "export a chart as MusicXML, ChordPro or an iReal Pro link")
    ex.add_argument("chart", metavar="CHART")
    ex.add_argument("--to", required=True, choices=("musicxml", "chordpro", "ireal"))
    ex.add_argument("-o", "--out", required=True, metavar="FILE")
    _styles_option(ex)

    sk = cmd("sketch", cmd_sketch, "propose a song scaffold (form, chords, riff, guide melody) as a chart")
    sk.add_argument("--style", default="rock")
    sk.add_argument("--key", metavar='"A minor"')
    sk.add_argument("--tempo", type=_opt("tempo"), metavar="BPM")
    sk.add_argument("--time", metavar="4/4")
    sk.add_argument("--form", metavar='"Intro Verse Chorus …"')
    sk.add_argument("--seed", type=_opt("seed"), default=0)
    sk.add_argument("--from-riff", metavar="FILE|NOTES", help="build the song around the band's riff")
    sk.add_argument("--album", type=int, metavar="N", help="N sketches and an album file, into -o DIR")
    sk.add_argument("-o", "--out", metavar="CHART|DIR")

    sv = cmd("serve", cmd_serve, "open the studio: a local web page to write charts, hear takes, order albums")
    sv.add_argument("--port", type=_opt("port"), default=8000)
    sv.add_argument("--root", default=".", metavar="DIR")
    sv.add_argument("--host", default="127.0.0.1", help="bind elsewhere than this machine (with care)")

    ba = cmd("batch", cmd_batch, "render a matrix of items (keys, tempos, styles, seeds, mutes) locally or on Dask")
    ba.add_argument("spec", metavar="SPEC.toml")
    ba.add_argument("-o", "--out", required=True, metavar="OUTDIR")
    ba.add_argument("--engine", choices=("local", "dask", "ray"), default="local")
    ba.add_argument("--address", metavar="tcp://HOST:PORT", help="a running Dask scheduler")
    ba.add_argument("--jobs", type=_opt("jobs"), default=0, metavar="N", help="processes (default: all cores)")
    ba.add_argument("--json", action="store_true")

    _studio_commands(cmd)

    s = cmd("styles", cmd_styles, "list the styles, or show one")
    s.add_argument("what", nargs="*", metavar="show NAME")
    s.add_argument("--json", action="store_true")
    _styles_option(s)
    return p if sub.choices else None


def _audio_options(p: Any) -> None:
    p.add_argument("--audio", action="store_true", help="render audio with FluidSynth too")
    p.add_argument("--stems", action="store_true", help="one audio file per instrument (implies --audio)")
    p.add_argument("--format", type=_opt("format"), default="wav")
    p.add_argument("--rate", type=_opt("rate"), default=44100)
    p.add_argument("--soundfont", metavar="SF2", help="a General MIDI SoundFont")


def _styles_option(p: Any) -> None:
    p.add_argument("--styles", metavar="DIR", help="a folder of extra style files")


def _version() -> str:
    from . import __version__

    return f"backline {__version__}"


def _style_names(args: argparse.Namespace) -> list[str]:
    from .styles import style_names

    if args.styles and not os.path.isdir(args.styles):
        raise UsageError(f"--styles {args.styles}: no such folder")
    return style_names(args.styles)


def _load_all(paths: list[str], styles: list[str]) -> tuple[list[Any], list[Any]]:
    """Songs that load, and the problems of those that do not."""
    from .chart.errors import ChartInvalid
    from .chart.load import load_chart

    songs, problems = [], []
    for path in paths:
        try:
            songs.append(load_chart(path, styles))
        except ChartInvalid as e:
            problems.extend(e.problems)
    return songs, problems


def cmd_check(args: argparse.Namespace) -> int:
    _style_names(args)
    if len(args.charts) > 200 and _jobs(args) > 1:
        from .bulk import check_job, run_many

        texts = run_many(check_job, [(c, args.styles) for c in args.charts], _jobs(args), "checking", args.json)
        flat = [t for chunk in texts for t in chunk]
        if args.json:
            print(json.dumps({"ok": not flat, "checked": len(args.charts), "errors": flat}, indent=2))
        else:
            for t in flat:
                print(f"{t['path']}:{t['line']}:{t['column']}: error: {t['message']}", file=sys.stderr)
            print(f"{sum(1 for t in texts if not t)} of {len(args.charts)} chart(s) valid", file=sys.stderr)
        return EXIT_INVALID if flat else EXIT_OK
    _songs, problems = _load_all(args.charts, _style_names(args))
    if args.json:
        print(json.dumps({"ok": not problems, "checked": len(args.charts),
                          "errors": [p.as_dict() for p in problems]}, indent=2))
    else:
        for p in problems:
            print(p, file=sys.stderr)
        bad = len({p.path for p in problems})
        if len(args.charts) > 1 or not bad:  # one chart's problems say it all
            print(f"{len(args.charts) - bad} of {len(args.charts)} chart(s) valid", file=sys.stderr)
    return EXIT_INVALID if problems else EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    from .chart.errors import ChartInvalid
    from .chart.fmt import format_chart
    from .chart.load import read_text
    from .files import write_atomic

    status = EXIT_OK
    for path in args.charts:
        try:
            text = read_text(path)
            new = format_chart(text, path)
        except ChartInvalid as e:
            for p in e.problems:
                print(p, file=sys.stderr)
            status = EXIT_INVALID
            continue
        if args.stdout:
            sys.stdout.write(new)
        elif args.check:
            if new != text:
                print(f"{path}: would be reformatted", file=sys.stderr)
                status = EXIT_INVALID
        elif new != text:
            write_atomic(os.path.realpath(path), new)  # through a symlink to its target: the link stays
            print(f"{path}: formatted", file=sys.stderr)
    return status


def cmd_info(args: argparse.Namespace) -> int:
    from .info import song_info

    song = _load_one(args.chart, _style_names(args))
    if song is None:
        return EXIT_INVALID
    info = song_info(song)
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(_info_text(info))
    return EXIT_OK


def _info_text(info: dict[str, Any]) -> str:
    tempos = ", ".join(f"{t['bpm']:g} at bar {t['bar']}" for t in info["tempo_map"])
    mins, secs = divmod(info["seconds"], 60)
    lines = [
        f"{info['title']}" + (f" — {info['artist']}" if info["artist"] else ""),
        f"key     {info['key']}",
        f"tempo   {tempos}",
        f"meter   {', '.join(info['meters'])}",
        f"style   {', '.join(info['styles'])}",
        f"length  {info['bars']} bars, {int(mins)}:{secs:05.2f}",
        "form    " + " ".join(s["name"] for s in info["sections"]),
        "chords  " + " ".join(info["chords"]),
    ]
    return "\n".join(lines)


def _jobs(args: argparse.Namespace) -> int:
    """--jobs as given (checked when read), else one per core (at most the range's top)."""
    from .checks import RANGES

    return int(getattr(args, "jobs", 0) or min(os.cpu_count() or 1, RANGES["jobs"].high))


def cmd_render(args: argparse.Namespace) -> int:
    from .bulk import render_job, render_loaded, run_many
    from .files import slug

    names = _style_names(args)
    if args.style and args.style not in names:
        from .chart.errors import did_you_mean

        raise UsageError(f"unknown style {args.style!r}: {did_you_mean(args.style, names)}")
    audio = None
    if args.audio or args.stems:
        audio = {"stems": args.stems, "fmt": args.format, "rate": args.rate, "soundfont": args.soundfont}
    jobs = _jobs(args)
    opts = {"seed": args.seed, "risk": args.risk, "style": args.style, "count_in": args.count_in,
            "click": args.click, "styles_dir": args.styles, "audio": audio}
    if audio is not None and jobs > 1 and len(args.charts) > 1:
        audio["jobs"] = 1  # the charts are the parallel part
    work, taken, status, loaded = [], set(), EXIT_OK, None
    for path in args.charts:  # read titles first, so two songs never write one file
        song = _load_one(path, names)
        if song is None:
            status = EXIT_INVALID
            continue
        if audio is not None:
            from .checks import BadValue, check_audio_length

            try:  # before any work: a long song's audio buffers would not fit in memory
                check_audio_length(song.timeline().seconds)
            except BadValue as e:
                print(f"backline: error: {path}: {e.message}", file=sys.stderr)
                status = EXIT_INVALID
                continue
        title = song.title
        name, n = slug(title), 1
        while name in taken:
            n += 1
            name = f"{slug(title)}-{n}"
        taken.add(name)
        work.append((path, args.out, name, opts))
        loaded = song
    if not work:
        return status
    from .files import make_folder

    make_folder(args.out)  # only once there is something to write into it
    if len(work) == 1:  # the one chart that loaded: render it here, without parsing it again
        done = [render_loaded(loaded, work[0])]
    else:  # workers load their own charts, so the jobs sent to them stay small
        done = run_many(render_job, work, jobs, "rendering", quiet=args.json)
    results = [d["result"] for d in done if "result" in d]
    for d in done:
        for problem in d.get("problems", []):
            print(problem, file=sys.stderr)
            status = EXIT_INVALID
    if args.json:
        print(json.dumps(results if len(args.charts) > 1 else (results[0] if results else {}), indent=2))
    else:
        if len(args.charts) <= 10:
            for res in results:
                print(f"{res['midi']}: {res['bars']} bars, {res['seconds']:.1f} s", file=sys.stderr)
        if results or len(args.charts) > 1:
            print(f"rendered {len(results)} of {len(args.charts)} chart(s) into {args.out}", file=sys.stderr)
    return status


def _output_file(path: str, option: str = "-o") -> None:
    """Refuse, before any work, an output file that could not be written: a folder, a missing
    folder, a name too long for the file system."""
    if os.path.isdir(path):
        raise UsageError(f"{option} {path[:100]}: is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"{option} {path[:100]}: no folder {folder[:100]}")
    if len(os.path.basename(path).encode("utf-8", "surrogateescape")) > 240:
        raise UsageError(f"{option} {path[:60]}…: the file name is too long")


def _load_one(path: str, names: list[str]) -> Any:
    """The song, or None once its problems are printed."""
    songs, problems = _load_all([path], names)
    for p in problems:
        print(p, file=sys.stderr)
    return songs[0] if songs else None


def _check(option: str, value: Any) -> Any:
    """A value that did not come through argparse (a log, a list), read as backline.checks does."""
    from .checks import BadValue, check

    try:
        return check(option, value)
    except BadValue as e:
        raise UsageError(f"--{option.replace('_', '-')}: {e.message}") from None


def cmd_takes(args: argparse.Namespace) -> int:
    from .takes import new_seeds, render_takes

    if args.seeds:
        seeds = [_check("seed", x) for x in args.seeds.split(",") if x.strip()]
        if not seeds:
            raise UsageError("--seeds takes whole numbers separated by commas")
        _check("takes", len(seeds))
    else:
        seeds = new_seeds(args.n)
    song = _load_one(args.chart, _style_names(args))
    if song is None:
        return EXIT_INVALID
    records = render_takes(song, args.out, seeds, args.risk, style=args.style, styles_dir=args.styles)
    if args.json:
        print(json.dumps(records, indent=2))
    else:
        for r in records:
            extra = f", solo {r['solo_range'][0]}-{r['solo_range'][1]}" if "solo_range" in r else ""
            midi = os.path.join(args.out, r["files"]["midi"])
            print(f"take {r['id']} (seed {r['seed']}): {midi} ({r['notes_per_bar']} notes/bar, {r['fills']} fills"
                  f"{extra})")
    return EXIT_OK


def cmd_keep(args: argparse.Namespace) -> int:
    from .takes import TakeError, keep

    try:
        record = keep(args.outdir, args.take)
    except TakeError as e:
        raise UsageError(f"{args.outdir}: {e}") from None
    print(f"kept take {record['id']}, seed {record['seed']} ({record['title']})", file=sys.stderr)
    return EXIT_OK


def cmd_comp(args: argparse.Namespace) -> int:
    from .files import slug
    from .render import take_record
    from .takes import comp, read_log

    picks: dict[str, int] = {}
    for item in args.pick:
        name, _, seed = item.partition("=")
        if not name or not seed.strip():
            raise UsageError(f"--pick {item[:40]!r}: write SECTION=SEED, e.g. Verse=12")
        picks[name] = _check("seed", seed)
    song = _load_one(args.chart, _style_names(args))
    if song is None:
        return EXIT_INVALID
    unknown = [n for n in picks if n not in song.sections]
    if unknown:
        from .chart.errors import did_you_mean

        raise UsageError(f"no section {unknown[0]!r} in {args.chart}: {did_you_mean(unknown[0], list(song.sections))}")
    risk = args.risk
    if risk is None and args.takes:
        logged = {r.get("seed"): r.get("risk") for r in read_log(args.takes) if r.get("event") == "take"}
        risks = {logged[s] for s in picks.values() if s in logged}
        risk = risks.pop() if len(risks) == 1 else None
    risk = 0.5 if risk is None else _check("risk", risk)
    if args.out.endswith(".mid"):
        _output_file(args.out)
    perf = comp(song, picks, risk, seed=args.seed, style=args.style, styles_dir=args.styles)
    out = args.out
    if not out.endswith(".mid"):
        from .files import make_folder

        make_folder(out)
        out = os.path.join(out, f"{slug(song.title)}-comp.mid")
    perf.to_midi(out)
    record = take_record(perf) | {"picks": picks}
    from .files import write_atomic

    write_atomic(out[:-4] + ".take.json", json.dumps(record, indent=2) + "\n")
    result = {"midi": out, "take": out[:-4] + ".take.json", "picks": picks, "risk": risk,
              "bars": len(perf.timeline.bars), "seconds": round(perf.seconds, 3)}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{out}: " + ", ".join(f"{k} from seed {v}" for k, v in picks.items()), file=sys.stderr)
    return EXIT_OK


class _progress:
    """A spinner with elapsed time on a terminal (rich); silent when piped or with --json."""

    def __init__(self, label: str, quiet: bool = False) -> None:
        self.label = label
        self.live: Any = None
        self.quiet = quiet or not sys.stderr.isatty()

    def __enter__(self) -> _progress:
        if not self.quiet:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.live = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
            self.live.start()
            self.live.add_task(self.label, total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()


def cmd_practice(args: argparse.Namespace) -> int:
    from .audio.soundfont import AudioError
    from .model import VOICES
    from .practice import PracticeError, render_practice, tempo_factor

    ends: list[Any] = []
    if args.ramp:
        a, sep, b = args.ramp.partition(":")
        if not sep:
            raise UsageError("--ramp takes FROM:TO, e.g. 70%:100%")
        ends = [_check("tempo", a), _check("tempo", b)]
    for m in args.mute:
        if m not in VOICES:
            raise UsageError(f"--mute {m[:40]!r}: use one of {', '.join(VOICES)}")
    song = _load_one(args.chart, _style_names(args))
    if song is None:
        return EXIT_INVALID
    tempo = tempo_factor(args.tempo, song.tempo)
    ramp = (tempo_factor(ends[0], song.tempo), tempo_factor(ends[1], song.tempo)) if ends else None
    audio = None if args.no_audio else {"fmt": args.format, "rate": args.rate, "soundfont": args.soundfont}
    try:
        with _progress(f"practice: {song.title}", quiet=args.json):
            result = render_practice(song, args.out, section=args.section, loop=args.loop, tempo=tempo, ramp=ramp,
                                     transpose=args.transpose, mute=tuple(args.mute), count_in=args.count_in,
                                     audio=audio)
    except PracticeError as e:
        raise UsageError(str(e)) from None
    except AudioError as e:
        print(f"backline: error: {e}", file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['midi']}" + (f", {result['audio']}" if "audio" in result else "") +
              f": {result['bars']} bars, {result['seconds']:.1f} s", file=sys.stderr)
    return EXIT_OK


def cmd_album(args: argparse.Namespace) -> int:
    from .album import AlbumError, load_album
    from .album.render import render_album
    from .audio.soundfont import AudioError
    from .chart.errors import ChartInvalid

    jobs = _jobs(args)
    try:
        album = load_album(args.album)
    except AlbumError as e:
        print(f"backline: error: {e}", file=sys.stderr)
        return EXIT_INVALID
    audio = None
    if args.audio or args.stems:
        audio = {"stems": args.stems, "fmt": args.format, "rate": args.rate, "soundfont": args.soundfont}
    try:
        with _progress(f"album: {album.title} ({len(album.tracks)} tracks)", quiet=args.json):
            report = render_album(album, args.out, audio=audio, jobs=jobs, pictures=not args.no_pictures)
    except ChartInvalid as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return EXIT_INVALID
    except (AudioError, AlbumError) as e:
        print(f"backline: error: {e}", file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        mins, secs = divmod(report["seconds"], 60)
        print(f"{album.title}: {len(report['tracks'])} tracks, {int(mins)}:{secs:04.1f}", file=sys.stderr)
        print(f"  report:   {report['report']}", file=sys.stderr)
        if report.get("audio"):
            print(f"  audio:    {report['audio']} (CUE: {report['cue']})", file=sys.stderr)
        if report.get("flow_chart"):
            print(f"  pictures: {report['flow_chart']} and {len(report['pictures']) - 1} more in {args.out}",
                  file=sys.stderr)
        for w in report["warnings"]:
            print(f"  warning:  {w}", file=sys.stderr)
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from .players.band import perform
    from .plot import FORMATS, arrangement_map, piano_roll

    if (os.path.splitext(args.out)[1][1:].lower() or "png") not in FORMATS:
        raise UsageError(f"-o {args.out[:80]}: a picture is written as .png, .svg or .pdf")
    if os.path.isdir(args.out):
        raise UsageError(f"-o {args.out[:100]}: is a folder; give a file name")
    risk = args.risk if args.risk is not None else (0.5 if args.take else 0.0)
    song = _load_one(args.chart, _style_names(args))
    if song is None:
        return EXIT_INVALID
    perf = perform(song, seed=args.take, risk=risk, style=args.style, styles_dir=args.styles)
    folder = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(folder, exist_ok=True)
    (arrangement_map if args.kind == "map" else piano_roll)(perf, args.out)
    print(args.out, file=sys.stderr)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from .files import InputError, regular_file
    from .interchange import import_sources

    for source in args.sources:
        try:
            regular_file(source)  # a FIFO, a device or a folder: refused by name, unread
        except InputError as e:
            raise UsageError(str(e)) from None
    with _progress(f"importing {len(args.sources)} source(s)", quiet=args.json):
        result = import_sources(args.sources, args.out)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for f in result["failed"]:
            print(f"{f['source']}: {f['title'] or '?'}: {f['reason']}", file=sys.stderr)
        print(f"imported {result['imported']}, failed {len(result['failed'])} -> {args.out}", file=sys.stderr)
    return EXIT_OK if result["imported"] or not result["failed"] else EXIT_INVALID


def cmd_export(args: argparse.Namespace) -> int:
    from .files import write_atomic
    from .interchange import export_song

    _output_file(args.out)
    song = _load_one(args.chart, _style_names(args))
    if song is None:
        return EXIT_INVALID
    write_atomic(args.out, export_song(song, args.to))
    print(args.out, file=sys.stderr)
    return EXIT_OK


def cmd_sketch(args: argparse.Namespace) -> int:
    from .files import write_atomic
    from .sketch import SketchError, sketch, sketch_album

    try:
        if args.album:
            if not args.out:
                raise UsageError("--album needs -o DIR")
            made = sketch_album(args.album, args.out, seed=args.seed,
                                style=args.style if args.style != "rock" else None)
            print(f"{made['album']}: " + ", ".join(made["titles"]), file=sys.stderr)
            return EXIT_OK
        if args.tempo is not None and args.tempo.bpm is None:
            raise UsageError("--tempo: a sketch's tempo is in beats per minute, e.g. 96")
        if args.out:
            _output_file(args.out)
        text = sketch(style=args.style, key=args.key, tempo=args.tempo.bpm if args.tempo else None, time=args.time,
                      form=args.form,
                      seed=args.seed, from_riff=args.from_riff)
    except SketchError as e:
        raise UsageError(str(e)) from None
    if args.out:
        write_atomic(args.out, text)
        print(args.out, file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .studio.app import serve

    if not os.path.isdir(args.root):
        raise UsageError(f"--root {args.root}: no such folder")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"backline: warning: the studio will answer anyone who can reach {args.host}:{args.port} and has "
              "the token in its URL", file=sys.stderr)
    serve(args.root, args.host, args.port)
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import BatchError, expand, load_spec
    from .batch.run import run_batch

    if args.engine == "ray":
        raise UsageError("the ray engine is not provided; use --engine dask (see docs/batch.md)")
    try:
        items = expand(load_spec(args.spec), args.out)
    except BatchError as e:
        print(f"backline: error: {e}", file=sys.stderr)
        return EXIT_INVALID
    live: Any = None
    if not args.json and sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        live = Progress(TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True)
        live.start()
        task = live.add_task("batch", total=len(items))

    def tick(done: int, total: int) -> None:
        if live is not None:
            live.update(task, completed=len(items) - total + done)

    try:
        result = run_batch(items, args.out, engine=args.engine, address=args.address, jobs=_jobs(args), progress=tick)
    finally:
        if live is not None:
            live.stop()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['items']} items: {result['rendered']} rendered, {result['skipped']} already done, "
              f"{result['failed']} failed ({result['seconds']:.1f} s); manifest {result['manifest']}", file=sys.stderr)
    return EXIT_OK if not result["failed"] else EXIT_INVALID


def cmd_styles(args: argparse.Namespace) -> int:
    from .styles import load_style, style_names

    if args.styles and not os.path.isdir(args.styles):
        raise UsageError(f"--styles {args.styles}: no such folder")
    if args.what:
        if args.what[0] != "show" or len(args.what) != 2:
            raise UsageError("usage: backline styles [show NAME]")
        name = args.what[1]
        if name not in style_names(args.styles):
            from .chart.errors import did_you_mean

            raise UsageError(f"unknown style {name!r}: {did_you_mean(name, style_names(args.styles))}")
        style = load_style(name, args.styles)
        if args.json:
            print(json.dumps(style.describe(), indent=2))
        else:
            print(style.summary())
        return EXIT_OK
    styles = [load_style(n, args.styles) for n in style_names(args.styles)]
    if args.json:
        print(json.dumps([{"name": s.name, "description": s.description} for s in styles], indent=2))
    else:
        width = max(len(s.name) for s in styles)
        for s in styles:
            print(f"{s.name:<{width}}  {s.description}")
    return EXIT_OK


def _studio_commands(cmd: Callable[..., Any]) -> None:
    """``session`` and ``book``: what the band takes into the studio."""
    se = cmd("session", cmd_session, "a DAW session: tempo map, markers, click, stems and MIDI (Reaper, DAWproject)")
    se.add_argument("source", metavar="CHART|ALBUM.toml")
    se.add_argument("-o", "--out", required=True, metavar="DIR")
    se.add_argument("--daw", action="append", choices=("reaper", "dawproject"), metavar="reaper|dawproject",
                    help="the project(s) to write (default reaper; give it twice for both)")
    se.add_argument("--count-in", type=_opt("count_in"), default=1, metavar="BARS",
                    help="bars of click before the song (0-8)")
    se.add_argument("--seed", type=_opt("seed"), default=0)
    se.add_argument("--risk", type=_opt("risk"), default=0.0)
    se.add_argument("--style")
    se.add_argument("--no-audio", action="store_true", help="MIDI only: no stems")
    se.add_argument("--rate", type=_opt("rate"), default=44100)
    se.add_argument("--soundfont", metavar="SF2")
    se.add_argument("--json", action="store_true")
    _styles_option(se)

    bk = cmd("book", cmd_book, "the session book: a PDF lead sheet per song (LilyPond), for C, Bb, Eb or F")
    bk.add_argument("source", metavar="CHART|ALBUM.toml")
    bk.add_argument("-o", "--out", required=True, metavar="BOOK.pdf")
    bk.add_argument("--transpose-for", choices=("Bb", "Eb", "F"), help="a part for a transposing instrument")
    bk.add_argument("--parts", action="store_true", help="also BOOK-Bb.pdf, BOOK-Eb.pdf and BOOK-F.pdf beside it")
    bk.add_argument("--no-pictures", action="store_true", help="leave out the arrangement maps")
    bk.add_argument("--lilypond", metavar="PATH", help="the LilyPond program (default: lilypond on the PATH)")
    bk.add_argument("--json", action="store_true")
    _styles_option(bk)


def _is_album(path: str) -> bool:
    return path.endswith(".toml")


def cmd_session(args: argparse.Namespace) -> int:
    from .audio.soundfont import AudioError
    from .chart.errors import ChartInvalid
    from .session import SessionError, write_album_session, write_session

    daws = tuple(dict.fromkeys(args.daw or ["reaper"]))
    options = {"daws": daws, "count_in": args.count_in, "audio": not args.no_audio, "rate": args.rate,
               "soundfont": args.soundfont}
    try:
        if _is_album(args.source):
            from .album import AlbumError, load_album

            try:
                album = load_album(args.source)
            except AlbumError as e:
                print(f"backline: error: {e}", file=sys.stderr)
                return EXIT_INVALID
            with _progress(f"session: {album.title} ({len(album.tracks)} songs)", quiet=args.json):
                made = write_album_session(album, args.out, **options)
            summary = {"title": made["title"], "master": made["master"]["reaper"],
                       "songs": [_session_summary(m) for m in made["songs"]]}
        else:
            song = _load_one(args.source, _style_names(args))
            if song is None:
                return EXIT_INVALID
            with _progress(f"session: {song.title}", quiet=args.json):
                made = write_session(song, args.out, seed=args.seed, risk=args.risk, style=args.style, **options)
            summary = _session_summary(made)
    except ChartInvalid as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return EXIT_INVALID
    except (SessionError, AudioError) as e:
        print(f"backline: error: {e}", file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{args.out}: " + ", ".join(p for p in (summary.get("reaper"), summary.get("dawproject"),
                                                       summary.get("master")) if p) +
              (f" and {len(summary['songs'])} song sessions" if "songs" in summary else ""), file=sys.stderr)
    return EXIT_OK


def cmd_book(args: argparse.Namespace) -> int:
    from .book import BookError, write_book
    from .chart.errors import ChartInvalid

    if args.parts and args.transpose_for:
        raise UsageError("--parts writes every part already: leave out --transpose-for")
    try:
        if _is_album(args.source):
            from .album import AlbumError, load_album

            try:
                source = load_album(args.source)
            except AlbumError as e:
                print(f"backline: error: {e}", file=sys.stderr)
                return EXIT_INVALID
        else:
            source = _load_one(args.source, _style_names(args))
            if source is None:
                return EXIT_INVALID
        with _progress(f"book: {source.title}", quiet=args.json):
            made = write_book(source, args.out, transpose_for=args.transpose_for, parts=args.parts,
                              pictures=not args.no_pictures, lilypond=args.lilypond)
    except ChartInvalid as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return EXIT_INVALID
    except BookError as e:
        print(f"backline: error: {e}", file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print(json.dumps(made, indent=2))
    else:
        print(", ".join(made["files"].values()), file=sys.stderr)
    return EXIT_OK


def _session_summary(made: dict[str, Any]) -> dict[str, Any]:
    files = made["files"]
    return {"title": made["title"], "reaper": files.get("reaper"), "dawproject": files.get("dawproject"),
            "stems": files["stems"], "midi": files["midi"], "seconds": round(made["seconds"], 3),
            "count_in_seconds": round(made["count_in_seconds"], 6)}


if __name__ == "__main__":
    sys.exit(main())


def main_exit() -> None:
    """Console-script entry point."""
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `backline … | head`: the reader left; no "Exception ignored" message
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)
