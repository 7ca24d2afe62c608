// The chord grid: the chart's form as the band plays it (every section occurrence, its bars and
// chords as written, repeats, meter and tempo changes, directions), with a playhead.
// Data: the server's grid JSON (API §5); this file only draws it.

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const DIRECTION_ORDER = ["tempo", "time", "key", "transpose", "dynamics", "feel", "style", "only", "tacet",
                         "riffs", "solo", "melody"];

function directionText(name, value) {
  if (value === true) return name;
  if (Array.isArray(value)) return `${name}: ${value.join(", ")}`;
  return `${name}: ${value}`;
}

export class Grid extends EventTarget {
  constructor(root) {
    super();
    this.root = root;
    this.data = null;
    this.cells = [];
    this.now = -1;
    this.selection = null;   // {from, to} bar numbers
    this.anchor = null;
  }

  /** Draw ``grid``; the playhead goes to bar 0. */
  show(grid) {
    this.data = grid;
    this.cells = [];
    this.now = -1;
    this.selection = null;
    const root = this.root;
    root.replaceChildren();
    const head = el("p", "grid-head");
    head.textContent = `${grid.title} · ${grid.key} · ${fmtTempo(grid.tempo)} · ${grid.meter} · ${grid.style}` +
      ` · ${grid.bars.length} bars · ${clock(grid.seconds)}`;
    root.appendChild(head);
    const written = Object.fromEntries(grid.sections.map((s) => [s.name, s]));
    let previous = null;
    grid.form.forEach((occ, index) => {
      const sec = written[occ.section] || { bars: [], directions: {} };
      const box = el("div", "occ");
      box.dataset.occurrence = index;
      const top = el("div", "occ-head");
      const name = el("button", "sec-play", occ.section);
      name.title = `play from ${occ.section}`;
      name.onclick = (e) => this.dispatchEvent(new CustomEvent("play-from", { detail: { bar: occ.first_bar, at: e.timeStamp } }));
      top.appendChild(name);
      if (occ.repeats > 1) top.appendChild(el("span", "repeat", `×${occ.repeats} (${occ.repeat} of ${occ.repeats})`));
      if (sec.like) top.appendChild(el("span", "like", `like ${sec.like}`));
      for (const key of DIRECTION_ORDER) {
        if (sec.directions && sec.directions[key] !== undefined && sec.directions[key] !== null) {
          top.appendChild(el("span", "dir dir-" + key, directionText(key, sec.directions[key])));
        }
      }
      const loop = el("button", "sec-loop", "⟲ loop");
      loop.title = `loop ${occ.section}`;
      loop.setAttribute("aria-label", `loop ${occ.section} (${index + 1}. in the form)`);
      loop.onclick = () => this.select(occ.first_bar, occ.first_bar + occ.bar_count - 1, true);
      top.appendChild(loop);
      box.appendChild(top);
      const bars = el("div", "bars" + (occ.repeat > 1 ? " repeated" : ""));
      for (let n = occ.first_bar; n < occ.first_bar + occ.bar_count; n++) {
        const bar = grid.bars[n];
        const writtenBar = sec.bars[bar.bar_in_section] || { slots: [], repeat: false };
        const cell = el("button", "gbar");
        cell.dataset.bar = n;
        cell.setAttribute("aria-label", `bar ${n + 1}, ${occ.section}: ` +
          (writtenBar.repeat ? "repeat the bar before" : writtenBar.slots.map((s) => s.text).join(" ")));
        if (!previous || previous.meter !== bar.meter) cell.appendChild(el("span", "meter", bar.meter));
        if (!previous || Math.abs(previous.tempo - bar.tempo) >= 0.5) cell.appendChild(el("span", "tempo", "♩=" + fmtTempo(bar.tempo)));
        const chords = el("span", "chords");
        if (writtenBar.repeat) {
          chords.appendChild(el("span", "slot simile", "%"));
        } else {
          for (const s of writtenBar.slots) chords.appendChild(el("span", "slot" + (s.hit ? " hit" : "") + (s.text === "." ? " hold" : ""), s.text));
        }
        cell.appendChild(chords);
        cell.appendChild(el("span", "num", String(n + 1)));
        cell.appendChild(el("span", "prog"));
        cell.onclick = (e) => {
          if (e.shiftKey && this.anchor !== null) {
            this.select(Math.min(this.anchor, n), Math.max(this.anchor, n), true);
          } else {
            this.anchor = n;
            this.dispatchEvent(new CustomEvent("play-from", { detail: { bar: n, at: e.timeStamp } }));
          }
        };
        bars.appendChild(cell);
        this.cells.push(cell);
        previous = bar;
      }
      box.appendChild(bars);
      root.appendChild(box);
    });
    this.setNow(0, 0, false);
  }

  /** Mark bars ``from``..``to`` as the loop range (and say so when ``loop``). */
  select(from, to, loop) {
    this.selection = from === null ? null : { from, to };
    this.cells.forEach((c, i) => c.classList.toggle("selected", this.selection !== null && i >= from && i <= to));
    if (loop) this.dispatchEvent(new CustomEvent("loop", { detail: this.selection }));
  }

  /** The bar under ``seconds`` (at the chart's own tempo). */
  barAt(seconds) {
    const bars = this.data ? this.data.bars : [];
    let lo = 0, hi = bars.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bars[mid].start_seconds <= seconds + 1e-6) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** Move the playhead to ``seconds``; returns the bar number. */
  playhead(seconds) {
    const n = this.barAt(seconds);
    if (n < 0) return n;
    const bar = this.data.bars[n];
    const frac = Math.min(1, Math.max(0, (seconds - bar.start_seconds) / bar.seconds));
    this.setNow(n, frac);
    return n;
  }

  setNow(n, frac, follow = true) {
    if (n !== this.now) {
      if (this.cells[this.now]) this.cells[this.now].classList.remove("now");
      this.now = n;
      const cell = this.cells[n];
      if (cell) cell.classList.add("now");
      if (cell && follow) {
        const r = cell.getBoundingClientRect(), box = this.root.getBoundingClientRect();
        // follow inside the grid's own scroll box only: the page under the editor stays put
        if (r.top < box.top) this.root.scrollTop += r.top - box.top - 4;
        else if (r.bottom > box.bottom) this.root.scrollTop += r.bottom - box.bottom + 4;
      }
    }
    const prog = this.cells[n] && this.cells[n].lastChild;
    if (prog) prog.style.transform = `scaleX(${frac})`;
  }
}

export function clock(s) {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s - 60 * m)).padStart(2, "0")}`;
}

function fmtTempo(t) { return Number.isInteger(t) ? String(t) : t.toFixed(1).replace(/\.0$/, ""); }
