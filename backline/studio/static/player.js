// The in-page player: the take's MIDI through a SoundFont synthesizer running in the browser
// (spessasynth_lib, vendored by `make vendor`), so play starts at once and tempo, transpose,
// mute/solo/volume, seek and loop all change live, with no render on the server.
import { Sequencer, WorkletSynthesizer } from "spessasynth_lib";

const TPQ = 480;            // the server's MIDI files: 480 ticks per quarter note (API §5)
const CLICK = 15;           // the metronome's channel and woodblock program, as in backline.midi
const CLICK_PROGRAM = 115;
const DRUMS = 9;
const MAX_FONT = 100e6;     // bytes: TimGM6mb is 6 MB; MuseScore General (490 MB) is for the server's mix

export class Player extends EventTarget {
  constructor() {
    super();
    this.ctx = null; this.synth = null; this.seq = null; this.meter = null;
    this.loaded = null;        // {key, grid, channels} of what the sequencer holds
    this.playing = false;
    this.rate = 1; this.transpose = 0; this.metronome = false; this.countIn = false;
    this.mix = {};             // instrument -> {mute, solo, volume}
    this.loop = null;          // {from, to} bar numbers (inclusive) or null
    this.startedAt = 0;        // performance.now() of the last press of play
    this.soundAfter = null;    // ms from that press to the first sound the meter heard
    this.level = 0;
    this.countInTimer = null;
    this.ready = null;
  }

  /** Start the audio engine and load the SoundFont (at page load: no sound until a click). */
  init() {
    if (this.ready) return this.ready;
    this.ready = (async () => {
      const ctx = this.ctx = new AudioContext({ latencyHint: "interactive" });
      const font = fetch("/api/soundfont").then((r) => {
        if (!r.ok) throw new Error("no General MIDI SoundFont is installed on the server");
        const size = Number(r.headers.get("content-length") || 0);
        if (size > MAX_FONT) {  // a big sampled font would take minutes and the tab's memory
          r.body?.cancel();
          throw new Error(`the server's SoundFont is ${Math.round(size / 1e6)} MB, too big for the page (the bounce still works)`);
        }
        return r.arrayBuffer();
      });
      await Promise.all([ctx.audioWorklet.addModule("/static/vendor/spessasynth_processor.js"),
                         ctx.audioWorklet.addModule("/static/meter.js")]);
      this.synth = new WorkletSynthesizer(ctx);
      this.meter = new AudioWorkletNode(ctx, "backline-meter", { outputChannelCount: [2] });
      this.synth.connect(this.meter);
      this.meter.connect(ctx.destination);
      this.meter.port.onmessage = (e) => this.onMeter(e.data);
      await this.synth.soundBankManager.addSoundBank(await font, "main");
      await this.synth.isReady;
      this.seq = new Sequencer(this.synth, { skipToFirstNoteOn: false });
      this.seq.eventHandler.addEvent("songEnded", "backline", () => this.ended());
      this.seq.eventHandler.addEvent("songChange", "backline", () => { if (this.songLoaded) this.songLoaded(); });
    })();
    return this.ready;
  }

  onMeter(m) {
    if (m.type === "sound" && this.soundAfter === null) {
      this.soundAfter = performance.now() - this.startedAt;
      this.dispatchEvent(new CustomEvent("sound", { detail: this.soundAfter }));
    } else if (m.type === "level") {
      this.level = m.peak;
    }
  }

  /** Hold a playback (API §6: base64 MIDI, channels, grid); ``key`` says which take or text it is. */
  async load(playback, key) {
    await this.init();
    const at = this.playing ? this.position() : 0;
    const wasPlaying = this.playing;
    this.stop();
    this.bytes = fromBase64(playback.midi);
    this.loaded = { key, grid: playback.grid, channels: playback.channels, seconds: playback.seconds };
    await this.sendSong();
    this.applyMix();
    if (wasPlaying) this.play(at, false);
  }

  /** The song to the audio thread as bytes (it parses them there: parsing on the page's thread took
   * 100-400 ms), with the click track and the loop's markers; resolves when it holds it. */
  sendSong() {
    const loaded = new Promise((resolve) => { this.songLoaded = resolve; });
    const bytes = withClickTrack(this.bytes, this.loaded.grid, this.loop);
    this.seq.loadNewSongList([{ binary: bytes.buffer, fileName: "take.mid" }]);
    this.seq.loopCount = this.loop ? Infinity : 0;
    this.seq.pause();
    return loaded;
  }

  /** Seconds into the song (at the chart's own tempo, like the grid's times), from the audio clock:
   * where the song was at the last play, seek or tempo change, plus the audio time since, times the
   * tempo, folded into the loop. (The sequencer's own clock only moves in steps under load.) */
  position() {
    if (!this.playing || !this.loaded) return this.pausedAt ?? 0;
    const since = this.ctx.currentTime - this.anchor.ctx;
    if (since <= 0) return this.anchor.song;   // counting in: still at the bar
    let t = this.anchor.song + since * this.rate;
    const range = this.loopSeconds();
    if (range && t >= range[1] && this.anchor.song < range[1]) t = range[0] + ((t - range[0]) % (range[1] - range[0]));
    return Math.min(t, this.loaded.seconds ?? t);
  }

  loopSeconds() {
    if (!this.loop) return null;
    const bars = this.loaded.grid.bars, a = bars[this.loop.from], b = bars[this.loop.to];
    return [a.start_seconds, b.start_seconds + b.seconds];
  }

  /** Play from ``seconds`` (with the count-in when it is on and ``count`` is true). */
  async play(seconds = null, count = true, pressedAt = performance.now()) {
    this.startedAt = pressedAt;  // the click event's own time stamp when a click started it
    this.soundAfter = null;
    await this.init();
    if (!this.loaded) return;
    this.meter.port.postMessage("arm");
    if (this.ctx.state !== "running") await this.ctx.resume();
    const from = seconds ?? this.pausedAt ?? 0;
    clearTimeout(this.countInTimer);
    clearTimeout(this.idleTimer);
    this.seq.pause();
    this.synth.stopAll(true);  // a jump starts clean: no notes ringing on from where it was
    this.seq.currentTime = from;
    this.playing = true;
    this.pausedAt = from;
    const bar = this.barAt(from);
    if (count && this.countIn && bar) {
      const wait = this.scheduleCountIn(bar);
      this.anchor = { song: from, ctx: this.ctx.currentTime + wait };
      this.countInTimer = setTimeout(() => { if (this.playing) this.seq.play(); }, wait * 1000);
    } else {
      this.anchor = { song: from, ctx: this.ctx.currentTime };
      this.seq.play();
    }
    this.dispatchEvent(new Event("state"));
  }

  /** One bar of clicks at the bar's meter and the current tempo; returns its length in seconds. */
  scheduleCountIn(bar) {
    const beatSeconds = bar.seconds / bar.beats / this.rate;  // seconds per quarter note, now
    const t0 = this.ctx.currentTime + 0.03;
    this.synth.programChange(CLICK, CLICK_PROGRAM);
    this.synth.midiChannels[CLICK].setSystemParameter("isMuted", false);
    for (const [beat, accent] of bar.clicks) {
      const t = t0 + beat * beatSeconds, pitch = accent ? 84 : 77;
      this.synth.noteOn(CLICK, pitch, accent ? 110 : 85, { time: t });
      this.synth.noteOff(CLICK, pitch, { time: t + 0.06 });
    }
    return 0.03 + bar.beats * beatSeconds;
  }

  /** Let the audio thread rest after a while without sound (it costs CPU even when silent). */
  idle() {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => { if (!this.playing && this.ctx) this.ctx.suspend(); }, 30000);
  }

  /** Start the audio clock now (on the click that opened a song), so pressing play does not wait
   * for the audio device: resuming it took 50-350 ms in headless Chromium. */
  wake() {
    if (this.ctx && this.ctx.state !== "running") this.resuming = this.ctx.resume().catch(() => {});
    this.idle();
  }

  /** Resolves when the audio clock runs (or after ``ms`` when no click has allowed it yet). */
  running(ms = 1500) {
    if (!this.ctx || this.ctx.state === "running" || !this.resuming) return Promise.resolve();
    return Promise.race([this.resuming, new Promise((r) => setTimeout(r, ms))]);
  }

  pause() {
    if (!this.playing) return;
    clearTimeout(this.countInTimer);
    this.pausedAt = this.position();
    this.seq.pause();
    this.playing = false;
    this.idle();
    this.dispatchEvent(new Event("state"));
  }

  stop() {
    if (this.seq) { clearTimeout(this.countInTimer); this.seq.pause(); this.synth.stopAll(true); }
    this.playing = false;
    this.pausedAt = 0;
    this.idle();
    this.dispatchEvent(new Event("state"));
  }

  ended() {
    this.playing = false;
    this.pausedAt = 0;
    this.idle();
    this.dispatchEvent(new Event("state"));
  }

  barAt(seconds) {
    const bars = this.loaded?.grid.bars || [];
    let found = bars[0];
    for (const b of bars) { if (b.start_seconds <= seconds + 1e-6) found = b; else break; }
    return found && { ...found, clicks: found.clicks || clicks(found) };
  }

  setRate(rate) {
    if (this.playing && this.ctx.currentTime > this.anchor.ctx) this.anchor = { song: this.position(), ctx: this.ctx.currentTime };
    this.rate = rate;
    if (this.seq) this.seq.playbackRate = rate;
  }

  setTranspose(semitones) { this.transpose = semitones; this.applyMix(); }

  setMetronome(on) { this.metronome = on; this.applyMix(); }

  setPart(instrument, change) {
    this.mix[instrument] = { mute: false, solo: false, volume: 1, ...this.mix[instrument], ...change };
    this.applyMix();
  }

  /** Mute, solo, volume and transpose onto the synth's channels, now. */
  applyMix() {
    if (!this.synth || !this.loaded) return;
    const parts = this.loaded.channels;
    const soloing = parts.some((p) => this.mix[p.instrument]?.solo);
    for (const p of parts) {
      const m = { mute: false, solo: false, volume: 1, ...this.mix[p.instrument] };
      const ch = this.synth.midiChannels[p.channel], muted = m.mute || (soloing && !m.solo);
      if (muted && !ch.systemParameters.isMuted) this.synth.controllerChange(p.channel, 120, 0);  // all sound off: silent now
      ch.setSystemParameter("isMuted", muted);
      ch.setSystemParameter("gain", m.volume);
      ch.setSystemParameter("keyShift", p.drums || p.channel === DRUMS ? 0 : this.transpose);
    }
    const click = this.synth.midiChannels[CLICK];
    click.setSystemParameter("isMuted", !this.metronome);
    click.setSystemParameter("keyShift", 0);
  }

  /** Loop bars ``from``..``to`` (inclusive), or stop looping with null. */
  async setLoop(range) {
    this.loop = range;
    if (!this.loaded) return;
    const at = this.position(), wasPlaying = this.playing;
    if (wasPlaying) { clearTimeout(this.countInTimer); this.seq.pause(); this.playing = false; }
    await this.sendSong();
    this.applyMix();
    const span = this.loopSeconds();
    const inside = !span || (at >= span[0] && at < span[1]);
    if (wasPlaying) this.play(inside ? at : span[0], false);
    else if (span) this.pausedAt = span[0];
  }
}

/** Click positions of a bar (quarter notes from its start, accent) when the grid has none: every
 * pulse, or each group start in 7/8 (2+2+3) and 6/8 — a copy of backline.midi.encode's
 * _click_positions and backline.model.default_groups, until the grid carries the clicks itself. */
function clicks(bar) {
  const [num, den] = bar.meter.split(" ")[0].split("/").map(Number);
  const written = (bar.meter.match(/\(([\d+]+)\)/) || [])[1];
  const groups = written ? written.split("+").map(Number) : defaultGroups(num, den);
  const pulse = 4 / den;
  if (den <= 4 || !groups.some((g) => g > 1)) return Array.from({ length: num }, (_, k) => [k * pulse, k === 0]);
  let pos = 0;
  return groups.map((g, k) => { const at = pos * pulse; pos += g; return [at, k === 0]; });
}

function defaultGroups(num, den) {
  const of = (n, g) => Array(n).fill(g);
  if (den <= 4) return num === 5 ? [3, 2] : num === 7 ? [2, 2, 3] : of(num, 1);
  if (num % 3 === 0 && num > 3) return of(num / 3, 3);
  if (num <= 3) return [num];
  if (num % 2) return [...of((num - 3) / 2, 2), 3];
  if (num > 4) return [3, 3, ...of((num - 6) / 2, 2)];
  return of(num / 2, 2);
}

/** The song's bytes (an SMF) from base64. */
function fromBase64(text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  const raw = atob(text), out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** The SMF with one more track: the metronome's woodblock on channel 16 (muted unless the click is
 * on) and, when looping, the markers that tell the sequencer where to turn back ("loopStart", and
 * "loopEnd" one tick before the bar line, so the next bar's first notes never sound).
 * Hand-written on purpose: appending a chunk to the bytes takes well under a millisecond, where
 * parsing the file into spessasynth's MIDI objects and cloning them to the audio thread took
 * 100-800 ms on this page's thread (measured in headless Chromium on stone-stair.chart). */
function withClickTrack(smf, grid, loop) {
  const events = [[0, [0xC0 | CLICK, CLICK_PROGRAM]]];
  for (const bar of grid.bars) {
    for (const [beat, accent] of (bar.clicks || clicks(bar))) {
      const t = Math.round((bar.start_beat + beat) * TPQ), pitch = accent ? 84 : 77;
      events.push([t, [0x90 | CLICK, pitch, accent ? 110 : 85]], [t + TPQ / 8, [0x80 | CLICK, pitch, 0]]);
    }
  }
  if (loop) {
    const a = grid.bars[loop.from], b = grid.bars[loop.to];
    events.push([Math.round(a.start_beat * TPQ), meta(6, "loopStart")]);
    events.push([Math.round((b.start_beat + b.beats) * TPQ) - 1, meta(6, "loopEnd")]);
  }
  const rank = (e) => ({ 0xC0: 0, 0x80: 1, 0xF0: 2, 0x90: 3 })[e[1][0] & 0xF0];  // program first, offs before ons
  events.sort((x, y) => x[0] - y[0] || rank(x) - rank(y));
  const body = [];
  let last = 0;
  for (const [tick, data] of events) { vlq(tick - last, body); body.push(...data); last = tick; }
  body.push(0, 0xFF, 0x2F, 0);
  const n = body.length;
  const chunk = [0x4D, 0x54, 0x72, 0x6B, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, ...body];
  const out = new Uint8Array(smf.length + chunk.length);
  out.set(smf);
  out.set(chunk, smf.length);
  const tracks = ((smf[10] << 8) | smf[11]) + 1;   // MThd: format, ntrks, division
  out[10] = tracks >> 8; out[11] = tracks & 255;
  return out;
}

function meta(type, text) { return [0xFF, type, text.length, ...Array.from(text, (c) => c.charCodeAt(0))]; }

function vlq(value, out) {
  const bytes = [value & 127];
  for (value >>>= 7; value > 0; value >>>= 7) bytes.unshift((value & 127) | 128);
  out.push(...bytes);
}
