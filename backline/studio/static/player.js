// The in-page player: the take's MIDI through a SoundFont synthesizer running in the browser
// (spessasynth_lib, vendored by `make vendor`), so play starts at once and tempo, transpose,
// mute/solo/volume, seek and loop all change live, with no render on the server.
import { Sequencer, WorkletSynthesizer } from "spessasynth_lib";
import { BasicMIDI, MIDIMessage, MIDITrack } from "spessasynth_core";

const TPQ = 480;            // the server's MIDI files: 480 ticks per quarter note (API §5)
const CLICK = 15;           // the metronome's channel and woodblock program, as in backline.midi
const CLICK_PROGRAM = 115;
const MARKER = 6;           // a MIDI marker meta event: where a loop may turn back
const DRUMS = 9;

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
    const bytes = Uint8Array.from(atob(playback.midi), (c) => c.charCodeAt(0));
    const midi = BasicMIDI.fromArrayBuffer(bytes.buffer, "take.mid");
    addClickTrack(midi, playback.grid);
    const at = this.playing ? this.position() : 0;
    const wasPlaying = this.playing;
    this.stop();
    this.midi = midi;
    this.loaded = { key, grid: playback.grid, channels: playback.channels, seconds: playback.seconds };
    this.applyLoop(false);
    this.applyMix();
    if (wasPlaying) this.play(at, false);
  }

  /** Seconds into the song (at the chart's own tempo, like the grid's times). */
  position() {
    if (!this.seq || !this.loaded) return 0;
    if (!this.playing || performance.now() < this.countInUntil) return this.pausedAt ?? 0;  // counting in: still at the bar
    return this.seq.currentHighResolutionTime;
  }

  /** Play from ``seconds`` (with the count-in when it is on and ``count`` is true). */
  async play(seconds = null, count = true) {
    this.startedAt = performance.now();
    this.soundAfter = null;
    await this.init();
    if (!this.loaded) return;
    this.meter.port.postMessage("arm");
    if (this.ctx.state !== "running") await this.ctx.resume();
    const from = seconds ?? this.pausedAt ?? 0;
    clearTimeout(this.countInTimer);
    clearTimeout(this.idleTimer);
    this.seq.pause();
    this.seq.currentTime = from;
    this.playing = true;
    this.pausedAt = from;
    const bar = this.barAt(from);
    this.countInUntil = 0;
    if (count && this.countIn && bar) {
      const wait = this.scheduleCountIn(bar);
      this.countInTimer = setTimeout(() => { if (this.playing) this.seq.play(); }, wait * 1000);
    } else {
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
    this.countInUntil = performance.now() + (0.03 + bar.beats * beatSeconds) * 1000;
    return 0.03 + bar.beats * beatSeconds;
  }

  /** Let the audio thread rest after a while without sound (it costs CPU even when silent). */
  idle() {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => { if (!this.playing && this.ctx) this.ctx.suspend(); }, 8000);
  }

  pause() {
    if (!this.playing) return;
    clearTimeout(this.countInTimer);
    this.pausedAt = this.seq.currentHighResolutionTime;
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
      const ch = this.synth.midiChannels[p.channel];
      ch.setSystemParameter("isMuted", m.mute || (soloing && !m.solo));
      ch.setSystemParameter("gain", m.volume);
      ch.setSystemParameter("keyShift", p.drums || p.channel === DRUMS ? 0 : this.transpose);
    }
    const click = this.synth.midiChannels[CLICK];
    click.setSystemParameter("isMuted", !this.metronome);
    click.setSystemParameter("keyShift", 0);
  }

  /** Loop bars ``from``..``to`` (inclusive), or stop looping with null. */
  setLoop(range) {
    this.loop = range;
    this.applyLoop(true);
  }

  applyLoop(keepPlaying) {
    if (!this.midi) return;
    const bars = this.loaded.grid.bars;
    const at = this.position(), wasPlaying = this.playing && keepPlaying;
    if (this.loop) {
      const a = bars[this.loop.from], b = bars[this.loop.to];
      this.midi.loop = { start: Math.round(a.start_beat * TPQ),
                         end: Math.round((b.start_beat + b.beats) * TPQ) - 1, type: "hard" };
    } else {
      this.midi.loop = { start: 0, end: this.midi.lastVoiceEventTick + 1, type: "hard" };
    }
    this.seq.loadNewSongList([this.midi]);
    this.seq.loopCount = this.loop ? Infinity : 0;
    this.seq.pause();
    if (wasPlaying) {
      const inLoop = !this.loop || (at >= bars[this.loop.from].start_seconds &&
                                    at < bars[this.loop.to].start_seconds + bars[this.loop.to].seconds);
      this.play(inLoop ? at : bars[this.loop.from].start_seconds, false);
    } else {
      this.pausedAt = this.loop ? bars[this.loop.from].start_seconds : this.pausedAt;
    }
  }
}

/** Click positions of a bar (quarter notes from its start, accent) when the grid has none:
 * every pulse, or every group start in 7/8-like meters (as backline.midi's click). */
function clicks(bar) {
  const [num, den] = bar.meter.split(" ")[0].split("/").map(Number);
  const pulse = 4 / den;
  const groups = (bar.meter.match(/\(([\d+]+)\)/) || [])[1];
  if (den > 4 && groups) {
    let pos = 0; const out = [];
    for (const g of groups.split("+").map(Number)) { out.push([pos * pulse, out.length === 0]); pos += g; }
    return out;
  }
  if (den > 4 && num % 3 === 0 && num >= 6) {
    return Array.from({ length: num / 3 }, (_, k) => [k * 3 * pulse, k === 0]);
  }
  return Array.from({ length: num }, (_, k) => [k * pulse, k === 0]);
}

/** A click track on channel 16 (muted unless the metronome is on) and a marker just before
 * every bar line, so a loop turns back before the next bar's first note sounds. */
function addClickTrack(midi, grid) {
  const track = new MIDITrack();
  track.name = "Click";
  track.channels.add(CLICK);
  track.pushEvent(new MIDIMessage(0, 0xC0 | CLICK, new Uint8Array([CLICK_PROGRAM])));
  const events = [];
  for (const bar of grid.bars) {
    const start = bar.start_beat;
    for (const [beat, accent] of (bar.clicks || clicks(bar))) {
      const t = Math.round((start + beat) * TPQ), pitch = accent ? 84 : 77;
      events.push([t, 1, new MIDIMessage(t, 0x90 | CLICK, new Uint8Array([pitch, accent ? 110 : 85]))]);
      events.push([t + TPQ / 8, 0, new MIDIMessage(t + TPQ / 8, 0x80 | CLICK, new Uint8Array([pitch, 0]))]);
    }
    const end = Math.round((start + bar.beats) * TPQ) - 1;
    events.push([end, 0, new MIDIMessage(end, MARKER, new Uint8Array([98]))]);
  }
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (const [, , e] of events) track.pushEvent(e);
  const last = events.length ? events[events.length - 1][0] : 0;
  track.pushEvent(new MIDIMessage(last, 0x2F, new Uint8Array([])));
  midi.tracks.push(track);
  midi.flush();
}
