# backline: `make demo` renders the demo album, `make test` runs the whole suite.
# Both set up what they need (a virtualenv in .venv; FluidSynth and a SoundFont from
# Debian when missing) and are safe to run again.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SF2    := /usr/share/sounds/sf2/TimGM6mb.sf2
SF2_FULL := /usr/share/sounds/sf2/FluidR3_GM.sf2

.PHONY: demo test lint bench bytecode system browser typeset book vendor clean

demo: $(STAMP) bytecode system vendor
	$(VENV)/bin/backline check examples/*.chart
	$(VENV)/bin/backline album examples/album.toml -o out/demo --audio

test: $(DEV) bytecode system browser typeset vendor
	$(VENV)/bin/ruff check backline tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q -n 2

lint: $(DEV)
	$(VENV)/bin/ruff check backline tests bench
	$(VENV)/bin/mypy

bench: $(DEV) bytecode system
	$(PY) bench/run.py

# The demo needs only what backline itself needs; the tests add the dev tools.
$(STAMP): pyproject.toml
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e . --config-settings editable_mode=compat
	@touch $@

# Byte-code for the package, as a wheel install would have: with PYTHONDONTWRITEBYTECODE set
# (as on this machine), every CLI start would otherwise recompile every module (~35 ms).
bytecode: $(STAMP)
	@$(PY) -m compileall -q backline >/dev/null

$(DEV): $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]' --config-settings editable_mode=compat
	@touch $@

# Debian packages for audio (and Chromium for the studio's browser tests): installed only when missing.
# FluidSynth's library renders in-process; TimGM6mb (6 MB) is the default SoundFont, FluidR3_GM
# (148 MB) the full one (--soundfont /usr/share/sounds/sf2/FluidR3_GM.sf2).
system:
	@if ! command -v fluidsynth >/dev/null 2>&1 || [ ! -f $(SF2) ] || [ ! -f $(SF2_FULL) ]; then \
	  echo "installing fluidsynth and the TimGM6mb and FluidR3 SoundFonts (Debian packages)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fluidsynth timgm6mb-soundfont \
	    fluid-soundfont-gm >/dev/null; \
	fi

browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "installing chromium for the studio's browser tests (Debian package)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# LilyPond engraves the session book (`backline book`); poppler-utils' pdftotext/pdftoppm read it
# back in the tests. About 40 MB of Debian packages (LilyPond, Guile, its fonts, Ghostscript), so
# only `make test` and `make book` install them: the demo does not need them.
typeset:
	@if ! command -v lilypond >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
	  echo "installing lilypond and poppler-utils for the session book (Debian packages)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lilypond poppler-utils >/dev/null; \
	fi

book: $(STAMP) bytecode typeset
	$(VENV)/bin/backline book examples/album.toml -o out/book.pdf --parts

# The studio page's in-browser synthesizer (spessasynth_lib: SoundFont synth and MIDI sequencer in an
# AudioWorklet), from the npm registry at the versions npm/package-lock.json pins, copied into the page's
# static folder. Installed only when missing or when the lock changes; nothing is fetched at run time.
VENDOR := backline/studio/static/vendor
NPM_DIST := npm/node_modules/spessasynth_lib/dist
vendor: $(VENDOR)/.installed

$(VENDOR)/.installed: npm/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "installing npm (Debian package) for the studio page's synth"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	cd npm && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(VENDOR)
	cp $(NPM_DIST)/index.js $(VENDOR)/spessasynth_lib.js
	cp $(NPM_DIST)/spessasynth_processor.min.js $(VENDOR)/spessasynth_processor.js
	cp npm/node_modules/spessasynth_core/dist/index.js $(VENDOR)/spessasynth_core.js
	cp npm/node_modules/stb-vorbis/dist/index.js $(VENDOR)/stb-vorbis.js
	cp npm/node_modules/spessasynth_lib/LICENSE $(VENDOR)/LICENSE.spessasynth
	@touch $@

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
