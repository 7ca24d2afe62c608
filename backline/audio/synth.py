"""FluidSynth in-process, through its C library (libfluidsynth, from the Debian package).

:func:`render_midi` plays a whole MIDI file on a fresh :class:`Synth` into a float32 stereo
array, straight into numpy memory: no process to start, no raw file to write and read back,
and the SoundFont's samples stay loaded between renders (:func:`keep_loaded`). ctypes lets go
of the GIL while the library renders, so synths in separate threads render on separate cores.

The binding is our own and small (MEASURED.md: pyfluidsynth silently lacks functions of
Debian's 2.3 library): every call used here is looked up when the library is loaded, every
return code is checked, and every render loop is bounded by the frames it must fill.

>>> import numpy as np
>>> from backline.audio.soundfont import find_soundfont
>>> empty = bytes.fromhex("4d546864000000060000000101e04d54726b0000000400ff2f00")
>>> silence = render_midi(empty, find_soundfont(), 44100, frames=4410)
>>> silence.shape, float(np.abs(silence).max()) < 1e-6
((4410, 2), True)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

import numpy as np

from .soundfont import AudioError

GAIN = 0.5  # headroom: the mix is normalised afterwards
BLOCK = 4096  # frames per library call
INTERP_LINEAR = 1  # ~15% faster than the default 4th order, hardly audible with GM fonts
FLUID_FAILED = -1
SONAMES = ("libfluidsynth.so.3", "libfluidsynth.so.2", "libfluidsynth.3.dylib", "libfluidsynth.dylib")

_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "new_fluid_settings": (ctypes.c_void_p, []),
    "delete_fluid_settings": (None, [ctypes.c_void_p]),
    "fluid_settings_setint": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]),
    "fluid_settings_setnum": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_double]),
    "fluid_settings_setstr": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]),
    "new_fluid_synth": (ctypes.c_void_p, [ctypes.c_void_p]),
    "delete_fluid_synth": (None, [ctypes.c_void_p]),
    "fluid_synth_sfload": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]),
    "fluid_synth_set_interp_method": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]),
    "fluid_synth_chorus_on": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]),
    "fluid_synth_write_float": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                                               ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]),
    "new_fluid_player": (ctypes.c_void_p, [ctypes.c_void_p]),
    "delete_fluid_player": (None, [ctypes.c_void_p]),
    "fluid_player_add_mem": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "fluid_player_play": (ctypes.c_int, [ctypes.c_void_p]),
    "fluid_player_stop": (ctypes.c_int, [ctypes.c_void_p]),
    "fluid_set_log_function": (ctypes.c_void_p, [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]),
}
_lib: ctypes.CDLL | None = None
_lib_lock = threading.Lock()


def library() -> ctypes.CDLL:
    """libfluidsynth with the functions used here typed, or ``AudioError`` saying how to install it."""
    global _lib
    with _lib_lock:
        if _lib is None:
            _lib = _load()
        return _lib


def _load() -> ctypes.CDLL:
    names = [n for n in (ctypes.util.find_library("fluidsynth"),) if n] + list(SONAMES)
    for name in dict.fromkeys(names):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        missing = [f for f in _SIGNATURES if not hasattr(lib, f)]
        if missing:
            raise AudioError(f"{name} lacks {', '.join(missing)}: FluidSynth 2.2 or newer is needed")
        for fname, (restype, argtypes) in _SIGNATURES.items():
            func = getattr(lib, fname)
            func.restype = restype
            func.argtypes = argtypes
        for level in range(5):  # FluidSynth would print to stderr; failures are return codes here
            lib.fluid_set_log_function(level, None, None)
        return lib
    raise AudioError("the FluidSynth library is not installed: install it with "
                     "'sudo apt-get install fluidsynth' (make does this for you)")


class Synth:
    """One FluidSynth synthesizer with ``soundfont`` loaded, rendering at ``rate``.

    A synth renders one song: FluidSynth's reset leaves state behind (measured: a second
    render in one synth starts 84 frames early), so each render gets a fresh synth. That is
    cheap (~15 ms) because FluidSynth shares loaded samples between the synths of a process,
    and :func:`keep_loaded` holds each SoundFont's samples for the life of the process."""

    def __init__(self, soundfont: str, rate: int) -> None:
        lib = self._lib = library()
        self._synth: int | None = None
        self._settings: int | None = lib.new_fluid_settings()
        for name, value in ((b"synth.sample-rate", float(rate)), (b"synth.gain", GAIN)):
            lib.fluid_settings_setnum(self._settings, name, value)
        for name, number in ((b"synth.lock-memory", 0), (b"synth.cpu-cores", 1), (b"synth.threadsafe-api", 0),
                             (b"player.reset-synth", 0)):
            lib.fluid_settings_setint(self._settings, name, number)
        lib.fluid_settings_setstr(self._settings, b"player.timing-source", b"sample")
        self._synth = lib.new_fluid_synth(self._settings)
        if not self._synth:
            self.close()
            raise AudioError("FluidSynth could not create a synthesizer")
        if lib.fluid_synth_sfload(self._synth, soundfont.encode(), 1) == FLUID_FAILED:
            self.close()
            raise AudioError(f"FluidSynth could not load the SoundFont {soundfont!r}")
        lib.fluid_synth_set_interp_method(self._synth, -1, INTERP_LINEAR)

    def render(self, midi: bytes, frames: int, chorus: bool = True,
               stop: threading.Event | None = None) -> np.ndarray:
        """``frames`` of ``midi`` (a Standard MIDI File) as float32 stereo, shape (frames, 2).

        Without ``chorus`` (no track sends to it) the chorus unit is off: ~5% faster. When
        ``stop`` is set (Ctrl-C in the main thread) the render ends within a block."""
        lib, synth = self._lib, self._synth
        if synth is None:
            raise AudioError("this synth is closed")
        lib.fluid_synth_chorus_on(synth, -1, 1 if chorus else 0)
        player = lib.new_fluid_player(synth)
        if not player:
            raise AudioError("FluidSynth could not create a MIDI player")
        try:
            if lib.fluid_player_add_mem(player, midi, len(midi)) == FLUID_FAILED:
                raise AudioError("FluidSynth could not read the MIDI data")
            if lib.fluid_player_play(player) == FLUID_FAILED:
                raise AudioError("FluidSynth could not start the MIDI player")
            out = np.empty((frames, 2), np.float32)
            base, stride = out.ctypes.data, out.strides[0]
            for start in range(0, frames, BLOCK):  # bounded: exactly the frames asked for
                if stop is not None and stop.is_set():
                    raise AudioError("rendering stopped")
                n = min(BLOCK, frames - start)
                at = base + start * stride
                if lib.fluid_synth_write_float(synth, n, at, 0, 2, at, 1, 2) == FLUID_FAILED:
                    raise AudioError("FluidSynth failed while rendering")
            lib.fluid_player_stop(player)
            return out
        finally:
            lib.delete_fluid_player(player)

    def close(self) -> None:
        if self._synth:
            self._lib.delete_fluid_synth(self._synth)
            self._synth = None
        if self._settings:
            self._lib.delete_fluid_settings(self._settings)
            self._settings = None

    def __enter__(self) -> Synth:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_kept: dict[str, Synth] = {}


def keep_loaded(soundfont: str) -> None:
    """Hold ``soundfont``'s samples in memory for the rest of the process (a batch worker
    loads each SoundFont once, however many songs it renders)."""
    with _lib_lock:
        if soundfont in _kept:
            return
    synth = Synth(soundfont, 44100)
    with _lib_lock:
        if _kept.setdefault(soundfont, synth) is not synth:
            synth.close()


def render_midi(midi: bytes, soundfont: str, rate: int, frames: int, chorus: bool = True,
                stop: threading.Event | None = None) -> np.ndarray:
    """``frames`` of float32 stereo from ``midi`` played with ``soundfont`` at ``rate``."""
    keep_loaded(soundfont)
    with Synth(soundfont, rate) as synth:
        return synth.render(midi, frames, chorus, stop)
