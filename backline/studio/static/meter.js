// An AudioWorklet between the synth and the speakers: it passes the sound through unchanged, and
// reports (1) the first non-silent frame after the page arms it (the "play pressed -> sound"
// figure the page shows and the browser tests read) and (2) the peak level for the level meter.
class Meter extends AudioWorkletProcessor {
  constructor() {
    super();
    this.armed = false;
    this.peak = 0;
    this.frames = 0;
    this.port.onmessage = (e) => { this.armed = e.data === "arm"; };
  }

  process(inputs, outputs) {
    const input = inputs[0], output = outputs[0];
    let peak = this.peak, first = -1;
    for (let c = 0; c < output.length; c++) {
      const src = input[c], dst = output[c];
      if (!src) { dst.fill(0); continue; }
      dst.set(src);
      for (let i = 0; i < src.length; i++) {
        const v = src[i] < 0 ? -src[i] : src[i];
        if (v > peak) peak = v;
        if (first < 0 && v > 1e-4) first = i;
      }
    }
    if (this.armed && first >= 0) {
      this.armed = false;
      this.port.postMessage({ type: "sound", time: currentTime + first / sampleRate });
    }
    this.peak = peak;
    this.frames += 128;
    if (this.frames >= sampleRate / 20) {
      this.port.postMessage({ type: "level", peak: this.peak });
      this.peak = 0;
      this.frames = 0;
    }
    return true;
  }
}

registerProcessor("backline-meter", Meter);
