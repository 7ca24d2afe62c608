// backline studio: the page. Plain JavaScript modules over the JSON API (docs: /docs, and
// the contract in the studio's OpenAPI); no build step. The in-page synth is player.js.
import { clock, Grid } from "./grid.js";
import { Player } from "./player.js";

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const q = (params) => new URLSearchParams(params).toString();
const download = (url) => url + (url.includes("?") ? "&" : "?") + "download=true";

class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || `the server answered ${status}`);
    this.status = status; this.code = body.code; this.body = body;
  }
}

async function api(method, url, body, options = {}) {
  const init = { method, signal: options.signal, headers: {} };
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    init.body = body; init.headers["Content-Type"] = "application/octet-stream";
  } else if (body !== undefined) {
    init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json";
  }
  let r;
  try { r = await fetch(url, init); } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError(0, { detail: "the studio server does not answer (is `backline serve` still running?)" });
  }
  if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => ({})));
  return r.status === 204 ? null : r.json();
}

/** A message shown where the user is looking: each part of the page has its own line. */
function say(where, text, kind = "info", action = null) {
  const box = $(where);
  box.replaceChildren();
  box.className = "msg " + kind;
  if (!text) return;
  box.appendChild(document.createTextNode(text));
  if (action) {
    const b = el("button", "msg-action", action.label);
    b.onclick = action.run;
    box.appendChild(document.createTextNode(" "));
    box.appendChild(b);
  }
}
const status = (text) => { $("status").textContent = text; };
const aborted = (e) => e && e.name === "AbortError";

// ---------------------------------------------------------------------------------------------
// State
const player = new Player();
const grid = new Grid($("grid"));
const state = {
  view: null, chart: null, album: null, version: null, saved: "", opening: 0,
  controller: null, takes: [], a: null, b: null, playing: null, playbacks: new Map(),
  previewOf: null, previewPending: false, checkTimer: null, previewTimer: null, info: null,
  albumData: null,
};
const timings = {};
window.studio = { player, grid, state, timings };

const dirty = () => state.view === "chart" && $("editor").value !== state.saved;

function showDirty() {
  $("dirty").hidden = !dirty();
  document.title = (dirty() ? "● " : "") + (state.chart ? state.chart.split("/").pop() + " — " : "") + "backline studio";
}

// ---------------------------------------------------------------------------------------------
// URLs: /chart/<path> and /album/<path> (History API; Back and Forward work)
const toUrl = (kind, path) => `/${kind}/` + path.split("/").map(encodeURIComponent).join("/");

function fromUrl(pathname) {
  const m = pathname.match(/^\/(chart|album)\/(.+)$/);
  if (!m) return null;
  return { kind: m[1], path: m[2].split("/").map(decodeURIComponent).join("/") };
}

function leaveOk() {
  if (!dirty()) return true;
  return window.confirm(`${state.chart} has unsaved changes. Leave it and lose them?`);
}

async function go(kind, path, push = true) {
  if (state.view === kind && (kind === "chart" ? state.chart : state.album) === path) return;
  if (!leaveOk()) return false;
  if (push) history.pushState({ kind, path }, "", toUrl(kind, path));
  await route({ kind, path });
  if (window.matchMedia("(max-width: 700px)").matches) setSidebar(false);
  return true;
}

async function route(target) {
  status("");
  if (!target) { showView("welcome"); return; }
  if (target.kind === "chart") await openChart(target.path);
  else await openAlbum(target.path);
}

window.addEventListener("popstate", async () => {
  const target = fromUrl(location.pathname);
  const same = target && state.view === target.kind && (target.kind === "chart" ? state.chart : state.album) === target.path;
  if (same) return;
  if (!leaveOk()) {  // put the URL of what is still on screen back
    history.pushState(null, "", state.view === "chart" ? toUrl("chart", state.chart) : state.view === "album" ? toUrl("album", state.album) : "/");
    return;
  }
  await route(target);
});

window.addEventListener("beforeunload", (e) => {
  if (dirty()) { e.preventDefault(); e.returnValue = ""; }
});

function showView(name) {
  for (const v of ["welcome", "song", "album"]) $(v).hidden = v !== name;
  state.view = name === "song" ? "chart" : name === "album" ? "album" : null;
  if (name !== "song") { player.stop(); state.chart = null; }
  if (name !== "album") state.album = null;
  markNav();
  showDirty();
}

function markNav() {
  for (const a of document.querySelectorAll("#sidebar li a")) {
    const on = (a.dataset.kind === "chart" && a.dataset.path === state.chart) ||
               (a.dataset.kind === "album" && a.dataset.path === state.album);
    a.classList.toggle("active", on);
    if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
}

// ---------------------------------------------------------------------------------------------
// Sidebar
function setSidebar(open) {
  document.body.classList.toggle("nav-closed", !open);
  $("menu").setAttribute("aria-expanded", String(open));
}
$("menu").onclick = () => setSidebar(document.body.classList.contains("nav-closed"));

async function loadLists() {
  const [charts, albums] = await Promise.all([api("GET", "/api/charts"), api("GET", "/api/albums")]);
  fillList($("charts"), "chart", charts);
  fillList($("albums"), "album", albums);
  markNav();
}

function fillList(ul, kind, paths) {
  ul.replaceChildren();
  for (const p of paths) {
    const li = el("li"), a = el("a", null, p);
    a.href = toUrl(kind, p); a.dataset.kind = kind; a.dataset.path = p;
    a.onclick = (e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      timings.open = e.timeStamp;
      go(kind, p);
    };
    li.appendChild(a); ul.appendChild(li);
  }
}

// ---------------------------------------------------------------------------------------------
// A chart: editor, check, grid, preview playback
async function openChart(path) {
  const opening = ++state.opening;
  if (state.controller) state.controller.abort();
  const controller = state.controller = new AbortController();
  const signal = controller.signal;
  // asked first and drawn the moment it arrives (the page below is cleared before any answer can come)
  const gridShown = api("GET", "/api/grid?" + q({ path }), undefined, { signal }).then((g) => {
    if (opening !== state.opening) return;
    grid.show(g);
    timings.grid = performance.now();
    timings.gridMs = timings.grid - timings.open;
  }, (e) => { if (!aborted(e) && opening === state.opening) say("play-msg", "No grid: " + gridProblem(e), "error"); });
  timings.open = timings.open || performance.now();
  player.stop();
  showView("song");
  state.chart = path; state.a = state.b = null; state.playing = null; state.takes = [];
  state.playbacks = new Map(); state.previewFor = null;
  markNav();
  $("song-title").textContent = path;
  for (const m of ["song-msg", "play-msg", "takes-msg"]) say(m, "");
  $("merge").hidden = true;
  $("editor").value = ""; state.saved = "";  // nothing to lose while the text loads
  $("errors").replaceChildren(); $("mirror").textContent = "";
  $("grid").replaceChildren(); $("play").disabled = true; $("source").textContent = "";
  $("bounce-box").hidden = true; $("bounce").removeAttribute("src");
  $("takes").querySelector("tbody").replaceChildren(); $("trash").replaceChildren(); $("trash-box").hidden = true;
  showAB();
  for (const kind of ["chart", "musicxml", "chordpro", "ireal", "session"]) {
    $("dl-" + kind).href = `/api/chart/download/${kind}?` + q({ path });
  }
  bookLink();
  let chart;
  try {
    chart = await api("GET", "/api/chart?" + q({ path }), undefined, { signal });
  } catch (e) {
    if (aborted(e) || opening !== state.opening) return;
    say("song-msg", `Cannot open ${path}: ${e.message}`, "error");
    return;
  }
  if (opening !== state.opening) return;
  $("editor").value = chart.text;
  state.saved = chart.text; state.version = chart.version;
  showDirty();
  await gridShown;
  if (opening !== state.opening) return;
  timings.open = 0;
  startSynth();  // after the grid: loading the SoundFont would slow it down
  check();
  loadTakes(opening);
  preview(opening);
}

/** The session book for the part chosen beside it (concert pitch, or B♭, E♭, F instruments). */
function bookLink() {
  const part = $("dl-part").value;
  $("dl-book").href = "/api/chart/download/book?" + q(part ? { path: state.chart, part } : { path: state.chart });
}
$("dl-part").onchange = bookLink;

function gridProblem(e) {
  if (e.code === "chart" && e.body.errors && e.body.errors.length) {
    const p = e.body.errors[0];
    return `the chart has errors (line ${p.line}, column ${p.column}: ${p.message})`;
  }
  return e.message;
}

function escapeHtml(s) { return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }

function paintErrors(text, errors) {
  // The mirror behind the textarea holds the same text; each error's token is wrapped in <mark>.
  const byLine = {};
  for (const e of errors) (byLine[e.line - 1] = byLine[e.line - 1] || []).push(e);
  const html = text.split("\n").map((line, i) => {
    const errs = (byLine[i] || []).sort((a, b) => b.column - a.column);
    const marks = [];
    let done = line.length;
    for (const e of errs) {
      const start = Math.min(e.column - 1, line.length);
      let end = start;
      while (end < line.length && !/\s|\|/.test(line[end])) end++;
      if (end === start) end = Math.min(line.length, start + 1);
      if (end > done) continue;
      marks.push([start, end, e.message]); done = start;
    }
    marks.reverse();
    let pos = 0, built = "";
    for (const [s, e, msg] of marks) {
      built += escapeHtml(line.slice(pos, s)) + `<mark class="err" title="${escapeHtml(msg)}">` +
               escapeHtml(line.slice(s, e) || " ") + "</mark>";
      pos = e;
    }
    return built + escapeHtml(line.slice(pos));
  }).join("\n");
  $("mirror").innerHTML = html + "\n";
  $("errors").innerHTML = errors.map((e) => `<li><a href="#" data-line="${e.line}" data-column="${e.column}">${e.line}:${e.column}</a>: ${escapeHtml(e.message)}</li>`).join("");
  $("check-state").textContent = errors.length ? `${errors.length} problem(s)` : "✓ valid";
  $("check-state").className = errors.length ? "bad" : "ok";
}

$("errors").addEventListener("click", (e) => {
  const a = e.target.closest("a[data-line]");
  if (!a) return;
  e.preventDefault();
  goToLine(Number(a.dataset.line), Number(a.dataset.column));
});

function goToLine(line, column = 1) {
  const ed = $("editor"), lines = ed.value.split("\n");
  let pos = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  pos += column - 1;
  ed.focus(); ed.setSelectionRange(pos, pos);
  const lh = parseFloat(getComputedStyle(ed).lineHeight) || 20;
  ed.scrollTop = Math.max(0, (line - 3) * lh);
}

async function check() {
  const text = $("editor").value, chart = state.chart;
  try {
    const result = await api("POST", "/api/check", { text });
    if ($("editor").value === text && state.chart === chart) {
      paintErrors(text, result.errors);
      if (result.ok && state.previewFor !== text) schedulePreview();
    }
    return result;
  } catch (e) {
    if (state.chart === chart) say("song-msg", "Could not check the chart: " + e.message, "error");
    return null;
  }
}

function schedulePreview() {
  clearTimeout(state.previewTimer);
  state.previewTimer = setTimeout(() => { if (!player.playing) preview(state.opening); else state.previewPending = true; }, 500);
}

/** Perform the text on screen (nothing is written) and hold it in the synth, ready to play. */
async function preview(opening) {
  if (state.playing) return;  // a take is in the player: the text is heard through a new take
  const text = $("editor").value, chart = state.chart;
  state.previewFor = text;
  const body = { text, seed: 0, risk: Number($("risk").value), style: $("style").value || null };
  try {
    const pb = await api("POST", "/api/preview", body, { signal: state.controller.signal });
    if (opening !== state.opening || state.playing) return;
    await player.load(pb, "text");
    await player.running();
    if (opening !== state.opening) return;
    grid.show(pb.grid);
    buildMixer(pb.channels);
    $("play").disabled = false;
    $("source").textContent = "Playing the text on screen (a preview: seed 0, nothing saved).";
    say("play-msg", "");
  } catch (e) {
    if (aborted(e) || opening !== state.opening || state.chart !== chart) return;
    state.previewFor = null;
    say("play-msg", "Nothing to play yet: " + gridProblem(e), "error");
  }
}

async function save(force = false) {
  if (!state.chart) return;
  const text = $("editor").value, chart = state.chart;
  try {
    const r = await api("PUT", "/api/chart", { path: chart, text, version: force ? force : state.version });
    if (state.chart !== chart) return;
    state.saved = text; state.version = r.version;
    $("merge").hidden = true;
    showDirty();
    say("song-msg", r.ok ? "Saved." : `Saved, with ${r.errors.length} problem(s) still in it.`, r.ok ? "ok" : "warn");
    status("saved");
  } catch (e) {
    if (e.code === "stale") { showMerge(e.body.current); return; }
    say("song-msg", "Not saved: " + e.message, "error");
  }
}

// The merge view: a line diff of the saved file (theirs) against the text on screen (mine).
function showMerge(current) {
  state.theirs = current;
  const pre = $("merge-diff");
  pre.replaceChildren();
  for (const [kind, line] of diffLines(current.text.split("\n"), $("editor").value.split("\n"))) {
    const row = el(kind === "-" ? "del" : kind === "+" ? "ins" : "span", null, (kind === " " ? "  " : kind + " ") + line + "\n");
    pre.appendChild(row);
  }
  $("merge").hidden = false;
  say("song-msg", "Not saved: the file changed since you opened it. Choose below.", "warn");
  $("merge-mine").focus();
}

function diffLines(a, b) {
  // Longest common subsequence over lines (charts are short: a few hundred lines at most).
  const n = a.length, m = b.length, L = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) {
    L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  }
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push([" ", a[i]]); i++; j++; }
    else if (j < m && (i >= n || L[i][j + 1] >= L[i + 1][j])) { out.push(["+", b[j]]); j++; }
    else { out.push(["-", a[i]]); i++; }
  }
  return out;
}

$("merge-mine").onclick = () => save(state.theirs.version);
$("merge-theirs").onclick = () => {
  $("editor").value = state.theirs.text; state.saved = state.theirs.text; state.version = state.theirs.version;
  $("merge").hidden = true; showDirty(); check();
  say("song-msg", "Reloaded the saved file; your edits were dropped.", "ok");
};
$("merge-close").onclick = () => { $("merge").hidden = true; $("editor").focus(); };

// Editor keys: Tab indents, Shift+Tab outdents, Enter keeps the indent, Esc then Tab leaves.
let escaped = false;
$("editor").addEventListener("keydown", (e) => {
  const ed = e.target;
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") { e.preventDefault(); save(); return; }
  if (e.key === "Escape") { escaped = true; return; }
  if (e.key === "Tab" && !escaped && !e.ctrlKey && !e.altKey && !e.metaKey) {
    e.preventDefault();
    indent(ed, e.shiftKey);
  } else if (e.key === "Enter" && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey) {
    const start = ed.selectionStart, lineStart = ed.value.lastIndexOf("\n", start - 1) + 1;
    const lead = ed.value.slice(lineStart, start).match(/^[ \t]*/)[0];
    e.preventDefault();
    ed.setRangeText("\n" + lead, start, ed.selectionEnd, "end");
    ed.dispatchEvent(new Event("input"));
  }
  if (e.key !== "Escape" && e.key !== "Shift") escaped = false;
});

function indent(ed, out) {
  const { selectionStart: s, selectionEnd: t, value } = ed;
  const lineStart = value.lastIndexOf("\n", s - 1) + 1;
  if (!out && s === t) { ed.setRangeText("  ", s, t, "end"); ed.dispatchEvent(new Event("input")); return; }
  const endLine = value.indexOf("\n", t - (t > s && value[t - 1] === "\n" ? 1 : 0));
  const blockEnd = endLine < 0 ? value.length : endLine;
  const lines = value.slice(lineStart, blockEnd).split("\n");
  const changed = lines.map((l) => out ? l.replace(/^( {1,2}|\t)/, "") : "  " + l).join("\n");
  ed.setRangeText(changed, lineStart, blockEnd, "select");
  if (s === t) { const d = changed.length - (blockEnd - lineStart); ed.setSelectionRange(Math.max(lineStart, s + d), Math.max(lineStart, s + d)); }
  ed.dispatchEvent(new Event("input"));
}

$("editor").addEventListener("input", () => {
  showDirty();
  clearTimeout(state.checkTimer);
  state.checkTimer = setTimeout(check, 250);
});
$("editor").addEventListener("scroll", () => { $("mirror").scrollTop = $("editor").scrollTop; $("mirror").scrollLeft = $("editor").scrollLeft; });
$("save").onclick = () => save();
$("format").onclick = async () => {
  const r = await api("POST", "/api/format", { text: $("editor").value });
  if (r.ok) { $("editor").value = r.text; showDirty(); check(); } else say("song-msg", "Fix the problems first, then tidy.", "warn");
};

// ---------------------------------------------------------------------------------------------
// Rehearsal: transport, grid clicks, loop, tempo, transpose, mixer
async function playFrom(bar, pressedAt) {
  if (!player.playing) await freshPreview();
  if (!player.loaded) return;
  const b = player.loaded.grid.bars[bar];
  if (!b) return;
  if (player.loop && (bar < player.loop.from || bar > player.loop.to)) {
    grid.select(null); player.setLoop(null); $("loop").checked = false;
  }
  await player.play(b.start_seconds, true, pressedAt);
}

grid.addEventListener("play-from", (e) => playFrom(e.detail.bar, e.detail.at));
grid.addEventListener("loop", (e) => {
  $("loop").checked = !!e.detail;
  player.setLoop(e.detail);
  if (e.detail) {
    const bars = player.loaded.grid.bars;
    say("play-msg", e.detail.from === e.detail.to ? `Looping bar ${e.detail.from + 1}.` : `Looping bars ${e.detail.from + 1}–${e.detail.to + 1}.`, "ok");
    if (!player.playing) player.play(bars[e.detail.from].start_seconds);
  }
});

$("loop").onchange = () => {
  if ($("loop").checked) {
    const sel = grid.selection || occurrenceAt(grid.now);
    if (!sel) { $("loop").checked = false; return; }
    grid.select(sel.from, sel.to, true);
  } else {
    grid.select(null); player.setLoop(null); say("play-msg", "");
  }
};

function occurrenceAt(bar) {
  const occ = player.loaded && player.loaded.grid.form.find((o) => bar >= o.first_bar && bar < o.first_bar + o.bar_count);
  return occ ? { from: occ.first_bar, to: occ.first_bar + occ.bar_count - 1 } : null;
}

$("play").onclick = async (e) => {
  if (player.playing) { player.pause(); return; }
  await freshPreview();
  player.play(null, true, e.timeStamp);
};

/** Play what is on screen: an edit not yet in the preview is performed first (not when a take is loaded). */
async function freshPreview() {
  if (state.playing || state.view !== "chart" || $("editor").value === state.previewFor) return;
  clearTimeout(state.previewTimer);
  await preview(state.opening);
}
$("stop").onclick = () => { player.stop(); grid.playhead(player.loop ? player.loaded.grid.bars[player.loop.from].start_seconds : 0); };
$("count-in").onchange = () => { player.countIn = $("count-in").checked; };
$("metronome").onchange = () => player.setMetronome($("metronome").checked);
$("rate").oninput = () => {
  const pct = Number($("rate").value), tempo = player.loaded && player.loaded.grid.tempo;
  $("rate-out").textContent = pct + "%" + (tempo ? ` (♩=${Math.round(tempo * pct / 100)})` : "");
  player.setRate(pct / 100);
};
$("transpose").oninput = () => {
  const v = Math.max(-6, Math.min(6, Math.round(Number($("transpose").value) || 0)));
  player.setTranspose(v);
};

document.addEventListener("keydown", (e) => {
  if (e.key !== " " || state.view !== "chart") return;
  if (e.target.closest("input, textarea, select, button, a, summary, [contenteditable]")) return;
  e.preventDefault();
  $("play").click();
});

player.addEventListener("state", () => {
  $("play").textContent = player.playing ? "❚❚ Pause" : "▶ Play";
  $("play").setAttribute("aria-pressed", String(player.playing));
  if (player.playing) { $("bounce").pause(); requestAnimationFrame(tick); }
  else if (state.previewPending) { state.previewPending = false; preview(state.opening); }
});
player.addEventListener("sound", (e) => { timings.soundMs = e.detail; });

function tick() {
  if (!player.loaded) return;
  const t = player.position();
  const n = grid.playhead(t);
  const bars = player.loaded.grid.bars, bar = bars[n];
  if (bar) {
    const occ = player.loaded.grid.form.find((o) => n >= o.first_bar && n < o.first_bar + o.bar_count);
    $("position").textContent = `bar ${n + 1}/${bars.length} · ${occ ? occ.section : ""} · ${clock(t)}`;
  }
  $("level").value = player.level;
  if (player.playing) requestAnimationFrame(tick);
}

function buildMixer(channels) {
  const body = $("mixer").querySelector("tbody");
  body.replaceChildren();
  for (const c of channels) {
    const m = { mute: false, solo: false, volume: 1, ...player.mix[c.instrument] };
    const tr = el("tr"); tr.dataset.instrument = c.instrument;
    tr.appendChild(el("th", null, c.name || c.instrument));
    const mute = el("button", "mute", "M"), solo = el("button", "solo", "S");
    mute.title = `mute ${c.instrument}`; solo.title = `solo ${c.instrument}`;
    mute.setAttribute("aria-pressed", String(m.mute)); solo.setAttribute("aria-pressed", String(m.solo));
    mute.onclick = () => { const on = mute.getAttribute("aria-pressed") !== "true"; mute.setAttribute("aria-pressed", String(on)); player.setPart(c.instrument, { mute: on }); };
    solo.onclick = () => { const on = solo.getAttribute("aria-pressed") !== "true"; solo.setAttribute("aria-pressed", String(on)); player.setPart(c.instrument, { solo: on }); };
    const vol = el("input"); vol.type = "range"; vol.min = "0"; vol.max = "1.5"; vol.step = "0.05"; vol.value = String(m.volume);
    vol.setAttribute("aria-label", `${c.instrument} volume`);
    vol.oninput = () => player.setPart(c.instrument, { volume: Number(vol.value) });
    for (const x of [mute, solo, vol]) { const td = el("td"); td.appendChild(x); tr.appendChild(td); }
    body.appendChild(tr);
  }
}

// ---------------------------------------------------------------------------------------------
// Takes: immutable, one id each; keep/discard act on one take; discard can be undone
async function loadTakes(opening = state.opening) {
  const chart = state.chart;
  try {
    const [live, trash] = await Promise.all([
      api("GET", "/api/takes?" + q({ chart })),
      api("GET", "/api/takes?" + q({ chart, trash: true }))]);
    if (opening !== state.opening || state.chart !== chart) return;
    state.takes = live.takes;
    const ids = new Set(live.takes.map((t) => t.id));
    if (state.a && !ids.has(state.a.id)) state.a = null;  // A/B never points at a discarded take
    if (state.b && !ids.has(state.b.id)) state.b = null;
    showTakes(live.takes);
    showTrash(trash.takes);
    showAB();
  } catch (e) {
    if (state.chart === chart) say("takes-msg", "Could not list the takes: " + e.message, "error");
  }
}

const takeLabel = (t) => t.name || `seed ${t.seed} · ${t.created.slice(11, 19)}`;

function showTakes(takes) {
  const body = $("takes").querySelector("tbody");
  body.replaceChildren();
  if (!takes.length) {
    const tr = el("tr"), td = el("td", "hint", "No takes yet: render one above.");
    td.colSpan = 5; tr.appendChild(td); body.appendChild(tr); return;
  }
  for (const t of takes) body.appendChild(takeRow(t));
}

function takeRow(t) {
  const tr = el("tr"); tr.dataset.id = t.id;
  if (t.kept) tr.classList.add("kept");
  if (state.playing && state.playing.id === t.id) tr.classList.add("loaded");
  const name = el("input", "take-name"); name.value = t.name; name.placeholder = takeLabel(t);
  name.setAttribute("aria-label", "take name");
  name.onchange = () => patchTake(t, { name: name.value });
  const c1 = el("td"); c1.appendChild(name);
  if (t.kept) c1.appendChild(el("span", "star", " ★ kept"));
  if (t.version !== state.version) c1.appendChild(el("span", "older", " (made from another text)"));
  const notes = el("input", "take-notes"); notes.value = t.notes; notes.placeholder = "notes";
  notes.setAttribute("aria-label", "take notes");
  notes.onchange = () => patchTake(t, { notes: notes.value });
  const c2 = el("td"); c2.appendChild(notes);
  tr.append(c1, c2, el("td", null, String(t.seed)), el("td", null, String(t.risk)));
  const actions = el("td", "actions");
  const button = (label, title, run) => { const b = el("button", null, label); b.title = title; b.onclick = run; actions.appendChild(b); return b; };
  button("▶", "play this take in the page", () => playTake(t));
  button("A", "make this take A", () => setAB("a", t));
  button("B", "make this take B", () => setAB("b", t));
  button(t.kept ? "unkeep" : "keep", t.kept ? "no longer a keeper" : "mark as a keeper", () => patchTake(t, { kept: !t.kept }));
  button(t.files.wav ? "▶ bounce" : "bounce", "the server's full mix (mastered WAV and stems)", () => bounce(t));
  const dl = el("details", "downloads"); dl.appendChild(el("summary", null, "↓"));
  for (const [kind, label] of [["midi", "MIDI"], ["wav", "WAV"], ["stems", "stems (zip)"]]) {
    if (!t.files[kind]) continue;
    const a = el("a", null, label); a.href = download(t.files[kind]); a.download = ""; dl.appendChild(a);
  }
  actions.appendChild(dl);
  button("discard", "throw this take away (can be undone)", () => discard(t));
  tr.appendChild(actions);
  return tr;
}

async function patchTake(t, change) {
  const chart = state.chart;
  try {
    const updated = await api("PATCH", `/api/takes/${t.id}`, { chart, ...change });
    if (state.chart !== chart) return;
    if (state.a && state.a.id === t.id) state.a = updated;
    if (state.b && state.b.id === t.id) state.b = updated;
    await loadTakes();
    if ("kept" in change) say("takes-msg", `${takeLabel(updated)}: ${updated.kept ? "kept ★" : "no longer kept"}.`, "ok");
  } catch (e) { say("takes-msg", "Not changed: " + e.message, "error"); }
}

async function discard(t) {
  if (!window.confirm(`Discard the take "${takeLabel(t)}"? (You can undo it.)`)) return;
  const chart = state.chart;
  try {
    await api("POST", `/api/takes/${t.id}/discard`, { chart });
    if (state.chart !== chart) return;
    if (state.a && state.a.id === t.id) state.a = null;
    if (state.b && state.b.id === t.id) state.b = null;
    if (state.playing && state.playing.id === t.id) { state.playing = null; player.stop(); preview(state.opening); }
    if ($("bounce").dataset.id === t.id) { $("bounce").pause(); $("bounce").removeAttribute("src"); $("bounce-box").hidden = true; }
    await loadTakes();
    say("takes-msg", `Discarded "${takeLabel(t)}".`, "ok", { label: "Undo", run: () => restore(t) });
  } catch (e) { say("takes-msg", "Not discarded: " + e.message, "error"); }
}

async function restore(t) {
  const chart = state.chart;
  try {
    await api("POST", `/api/takes/${t.id}/restore`, { chart });
    if (state.chart !== chart) return;
    await loadTakes();
    say("takes-msg", `Restored "${takeLabel(t)}".`, "ok");
  } catch (e) { say("takes-msg", "Not restored: " + e.message, "error"); }
}

function showTrash(takes) {
  const ul = $("trash");
  ul.replaceChildren();
  $("trash-box").hidden = !takes.length;
  for (const t of takes) {
    const li = el("li", null, takeLabel(t) + " ");
    const b = el("button", null, "restore"); b.onclick = () => restore(t);
    li.appendChild(b); ul.appendChild(li);
  }
}

async function playback(t) {
  if (!state.playbacks.has(t.id)) {
    state.playbacks.set(t.id, api("GET", `/api/takes/${t.id}/playback?` + q({ chart: t.chart })).catch((e) => { state.playbacks.delete(t.id); throw e; }));
  }
  return state.playbacks.get(t.id);
}

async function loadTake(t, at = null) {
  const chart = state.chart;
  const pb = await playback(t);
  if (state.chart !== chart) return false;
  await player.load(pb, t.id);
  state.playing = t;
  grid.show(pb.grid);
  buildMixer(pb.channels);
  $("play").disabled = false;
  $("source").textContent = `Playing take "${takeLabel(t)}" (seed ${t.seed}, risk ${t.risk}).`;
  for (const tr of $("takes").querySelectorAll("tr")) tr.classList.toggle("loaded", tr.dataset.id === t.id);
  if (at !== null) player.pausedAt = at;
  return true;
}

async function playTake(t) {
  try { if (await loadTake(t)) await player.play(0); } catch (e) { say("takes-msg", "Cannot play it: " + e.message, "error"); }
}

function setAB(slot, t) {
  state[slot] = t;
  showAB();
  playback(t).catch(() => {});  // fetched now, so the switch is instant
}

function showAB() {
  $("ab-a").textContent = state.a ? takeLabel(state.a) : "—";
  $("ab-b").textContent = state.b ? takeLabel(state.b) : "—";
  $("ab-switch").disabled = !(state.a && state.b);
  $("ab-state").textContent = state.a && state.b ? "" : "choose two takes with the A and B buttons";
}

$("ab-switch").onclick = async () => {
  if (!state.a || !state.b) return;
  const next = state.playing && state.playing.id === state.a.id ? state.b : state.a;
  const at = player.position(), wasPlaying = player.playing;
  try {
    await loadTake(next, at);  // the player goes on from the same moment when it was playing
    if (wasPlaying && !player.playing) await player.play(at, false);
    $("ab-state").textContent = `now ${next === state.a ? "A" : "B"}`;
  } catch (e) { say("takes-msg", "Cannot switch: " + e.message, "error"); }
};

async function renderTake() {
  const chart = state.chart, opening = state.opening;
  const seed = $("seed").value === "" ? undefined : Number($("seed").value);
  const body = { chart, text: $("editor").value, risk: Number($("risk").value), style: $("style").value || null,
                 name: $("take-name").value };
  if (seed !== undefined) body.seed = seed;
  $("render").disabled = true;
  say("takes-msg", "Rendering a take of the text on screen…", "info");
  try {
    const t = await api("POST", "/api/takes", body);
    if (opening !== state.opening || state.chart !== chart) {
      status(`A take of ${chart} is ready (open it to hear it).`);  // never played in another song's view
      return;
    }
    $("take-name").value = "";
    await loadTakes();
    say("takes-msg", `Take "${takeLabel(t)}" is ready.`, "ok");
    if (state.a) state.b = state.a;
    state.a = t; showAB();
    if (await loadTake(t)) await player.play(0);
  } catch (e) {
    if (state.chart === chart) say("takes-msg", "No take: " + gridProblem(e), "error");
    else status(`The take of ${chart} failed: ${e.message}`);
  } finally {
    if (state.chart === chart) $("render").disabled = false;
  }
}
$("render").onclick = renderTake;
$("risk").oninput = () => { $("risk-out").textContent = $("risk").value; };

async function bounce(t) {
  const chart = state.chart;
  try {
    let take = t;
    if (!t.files.wav) {
      say("takes-msg", `Bouncing "${takeLabel(t)}" (the server's full mix)…`, "info");
      take = await api("POST", `/api/takes/${t.id}/bounce`, { chart, stems: true });
      if (state.chart !== chart) return;
      await loadTakes();
      say("takes-msg", `Bounce of "${takeLabel(take)}" is ready.`, "ok");
    }
    player.pause();
    const audio = $("bounce");
    audio.src = take.files.wav; audio.dataset.id = take.id;
    $("bounce-name").textContent = takeLabel(take);
    $("bounce-box").hidden = false;
    audio.play().catch(() => {});
  } catch (e) { if (state.chart === chart) say("takes-msg", "No bounce: " + e.message, "error"); }
}

// ---------------------------------------------------------------------------------------------
// Albums: running order by drag and drop (mouse, touch) or ↑ ↓; broken charts say so
async function openAlbum(path) {
  const opening = ++state.opening;
  if (state.controller) state.controller.abort();
  state.controller = new AbortController();
  showView("album");
  state.album = path;
  markNav();
  say("album-msg", ""); $("album-result").replaceChildren();
  $("tracks").replaceChildren(); $("album-title").textContent = path; $("album-time").textContent = "";
  $("flow").hidden = true;
  $("dl-album-book").href = "/api/album/download/book?" + q({ path });
  $("dl-album-session").href = "/api/album/download/session?" + q({ path });
  try {
    const a = await api("GET", "/api/album?" + q({ path }), undefined, { signal: state.controller.signal });
    if (opening !== state.opening) return;
    showAlbum(a);
  } catch (e) {
    if (aborted(e) || opening !== state.opening) return;
    say("album-msg", `Cannot open ${path}: ${e.message}`, "error");
  }
}

function showAlbum(a) {
  state.albumData = a;
  $("album-title").textContent = a.title || a.path;
  $("album-time").textContent = `${a.tracks.length} tracks, ${clock(a.seconds)}`;
  const ol = $("tracks");
  ol.replaceChildren();
  a.tracks.forEach((t, i) => ol.appendChild(trackRow(t, i, a.tracks.length)));
  const broken = a.tracks.filter((t) => !t.ok);
  if (broken.length) {
    say("album-msg", broken.map((t) => t.error || `track ${t.position + 1} (${t.chart}) cannot be read`).join("; ") +
        ". Fix it to render the album.", "error");
    $("flow").hidden = true;
  } else {
    const flow = $("flow");
    flow.onerror = () => { flow.hidden = true; };
    flow.onload = () => { flow.hidden = false; };
    flow.src = "/api/album/flow?" + q({ path: a.path, v: a.version });
  }
  if (a.rendered) showRendered(a.rendered);
}

function trackRow(t, i, count) {
  const li = el("li", "track" + (t.ok ? "" : " broken"));
  li.dataset.position = i; li.draggable = true;
  const handle = el("span", "handle", "≡"); handle.title = "drag to move"; handle.setAttribute("aria-hidden", "true");
  const label = el("span", "track-label", t.ok ? `${t.title} — ${t.key}, ${t.tempo} bpm, ${clock(t.seconds)}` : `${t.chart}`);
  li.append(handle, label);
  if (!t.ok) li.appendChild(el("span", "track-error", " " + (t.error || "cannot be read")));
  const open = el("a", "track-open", "open"); open.href = toUrl("chart", t.chart);
  open.onclick = (e) => { e.preventDefault(); go("chart", t.chart); };
  const up = el("button", "up", "↑"), down = el("button", "down", "↓");
  up.setAttribute("aria-label", `move ${t.title || t.chart} up`); down.setAttribute("aria-label", `move ${t.title || t.chart} down`);
  up.disabled = i === 0; down.disabled = i === count - 1;
  up.onclick = () => move(i, i - 1); down.onclick = () => move(i, i + 1);
  li.append(open, up, down);
  li.addEventListener("dragstart", (e) => { e.dataTransfer.setData("text/x-backline-track", String(i)); e.dataTransfer.effectAllowed = "move"; li.classList.add("dragging"); });
  li.addEventListener("dragend", () => li.classList.remove("dragging"));
  li.addEventListener("dragover", (e) => { if (e.dataTransfer.types.includes("text/x-backline-track")) { e.preventDefault(); li.classList.add("over"); } });
  li.addEventListener("dragleave", () => li.classList.remove("over"));
  li.addEventListener("drop", (e) => {
    e.preventDefault(); li.classList.remove("over");
    const from = Number(e.dataTransfer.getData("text/x-backline-track"));
    move(from, i);
  });
  handle.addEventListener("pointerdown", (e) => touchDrag(e, li, i));
  return li;
}

/** Touch (and pen) reorder: hold the ≡ handle, slide to another song, let go. */
function touchDrag(e, li, from) {
  if (e.pointerType === "mouse") return;
  e.preventDefault();
  li.classList.add("dragging");
  let target = from;
  const moveTo = (ev) => {
    const over = document.elementFromPoint(ev.clientX, ev.clientY);
    const row = over && over.closest("#tracks li");
    for (const r of $("tracks").children) r.classList.toggle("over", r === row && r !== li);
    if (row) target = Number(row.dataset.position);
  };
  const end = (ev) => {
    document.removeEventListener("pointermove", moveTo);
    document.removeEventListener("pointerup", end);
    document.removeEventListener("pointercancel", cancel);
    for (const r of $("tracks").children) r.classList.remove("over", "dragging");
    if (ev) move(from, target);
  };
  const cancel = () => end(null);
  document.addEventListener("pointermove", moveTo);
  document.addEventListener("pointerup", end);
  document.addEventListener("pointercancel", cancel);
}

/** Move the track at ``from`` to position ``to`` (the dropped-on track's place); same place: nothing. */
async function move(from, to) {
  const a = state.albumData;
  if (!a || from === to || from < 0 || to < 0 || from >= a.tracks.length || to >= a.tracks.length) return;
  const order = a.tracks.map((_, k) => k);
  order.splice(from, 1);
  order.splice(to, 0, from);
  const path = a.path;
  try {
    const updated = await api("PUT", "/api/album/order", { path, version: a.version, order });
    if (state.album !== path) return;
    showAlbum(updated);
    say("album-msg", "Running order saved.", "ok");
    status("running order saved");
    const moved = $("tracks").children[to];
    if (moved) moved.querySelector(document.activeElement && document.activeElement.classList.contains("up") ? ".up" : ".down")?.focus?.();
  } catch (e) {
    if (e.code === "stale") {
      say("album-msg", "The album file changed elsewhere; here it is as saved now. Move the song again.", "warn");
      const fresh = await api("GET", "/api/album?" + q({ path }));
      if (state.album === path) showAlbum(fresh);
    } else {
      say("album-msg", "Order not saved: " + e.message, "error");
    }
  }
}

async function renderAlbum() {
  const path = state.album;
  $("album-render").disabled = true;
  say("album-msg", "Rendering the album" + ($("album-audio").checked ? " with audio" : "") + "…", "info");
  try {
    const r = await api("POST", "/api/album/render", { path, audio: $("album-audio").checked });
    if (state.album !== path) { status(`The album ${path} is rendered.`); return; }
    showRendered(r);
    say("album-msg", "Album rendered" + (r.warnings && r.warnings.length ? ": " + r.warnings.join("; ") : "."), r.warnings && r.warnings.length ? "warn" : "ok");
  } catch (e) {
    if (state.album !== path) return;
    if (e.code === "chart") {
      const first = (e.body.errors || [])[0];
      say("album-msg", `Not rendered: track ${e.body.track} (${e.body.chart}) has errors` +
          (first ? ` — line ${first.line}, column ${first.column}: ${first.message}` : "") + ".", "error",
          { label: "Open it", run: () => go("chart", e.body.chart) });
    } else {
      say("album-msg", "Not rendered: " + e.message, "error");
    }
  } finally { $("album-render").disabled = false; }
}
$("album-render").onclick = renderAlbum;

function showRendered(r) {
  const box = $("album-result");
  box.replaceChildren();
  const files = r.files || {};
  const links = el("p", "bar");
  const link = (url, label, download) => { if (!url) return; const a = el("a", null, label); a.href = url; if (download) a.download = ""; else a.target = "_blank"; links.appendChild(a); };
  const master = files.master || files["master.wav"], cue = files.cue || files["album.cue"];
  link(files.report || files["report.html"], "Report (opens as a page)", false);
  link(master && download(master), "Album master (WAV)", true);
  link(cue && download(cue), "CUE sheet", true);
  box.appendChild(links);
  if (master) {
    const audio = el("audio"); audio.controls = true; audio.preload = "none"; audio.src = master;
    audio.id = "album-audio-player";
    box.appendChild(audio);
  }
}

// ---------------------------------------------------------------------------------------------
// New song (template or sketch) and Import
let templates = [];
$("new").onclick = async () => {
  say("new-msg", "");
  try {
    const [t, styles] = await Promise.all([api("GET", "/api/templates"), styleList()]);
    templates = t;
    $("template").replaceChildren(...t.map((x, i) => { const o = el("option", null, x.name); o.value = String(i); return o; }));
    $("template-help").textContent = t[0] ? t[0].description : "";
    $("sketch-style").replaceChildren(...styles.map((s) => { const o = el("option", null, s.name); o.value = s.name; o.title = s.description; return o; }));
  } catch (e) { say("nav-msg", "Cannot start a new song: " + e.message, "error"); return; }
  $("new-dialog").showModal();
};
$("template").onchange = () => { $("template-help").textContent = (templates[Number($("template").value)] || {}).description || ""; };
for (const r of document.querySelectorAll("input[name=from]")) {
  r.onchange = () => {
    const sketch = document.querySelector("input[name=from]:checked").value === "sketch";
    $("new-template").hidden = sketch; $("new-sketch").hidden = !sketch;
  };
}
$("new-form").addEventListener("submit", async (e) => {
  if (e.submitter && e.submitter.value !== "create") return;
  e.preventDefault();
  if (!leaveOk()) return;
  const title = $("new-name").value.trim();
  try {
    let text;
    if (document.querySelector("input[name=from]:checked").value === "sketch") {
      const body = { style: $("sketch-style").value };
      if ($("sketch-key").value.trim()) body.key = $("sketch-key").value.trim();
      if ($("sketch-tempo").value) body.tempo = Number($("sketch-tempo").value);
      if ($("sketch-form").value.trim()) body.form = $("sketch-form").value.trim();
      if (title) body.title = title;
      text = (await api("POST", "/api/sketch", body)).text;
    } else {
      const t = templates[Number($("template").value)];
      if (!t) { say("new-msg", "Choose a template.", "error"); return; }
      text = title ? t.text.replace(/^title:.*$/m, `title: ${title}`) : t.text;
      if (title && !/^title:/m.test(text)) text = `title: ${title}\n` + text;
    }
    const made = await api("POST", "/api/charts", { text });
    $("new-dialog").close();
    await loadLists();
    state.saved = $("editor").value;  // leaving was confirmed above
    await go("chart", made.path);
    say("song-msg", `Created ${made.path}.`, "ok");
  } catch (err) {
    say("new-msg", "Not created: " + gridProblem(err), "error");
  }
});

$("import").onclick = () => $("import-file").click();
$("import-file").onchange = async () => {
  const file = $("import-file").files[0];
  if (!file) return;
  say("nav-msg", `Importing ${file.name}…`, "info");
  try {
    const r = await api("POST", "/api/import?" + q({ name: file.name }), file);
    await loadLists();
    const failed = (r.failed || []).map((f) => `${f.title}: ${f.reason}`).join("; ");
    say("nav-msg", `Imported ${r.imported} chart(s)` + (failed ? `; not imported: ${failed}` : "") + ".", failed ? "warn" : "ok");
    if (r.files && r.files.length) await go("chart", r.files[0]);
  } catch (e) {
    say("nav-msg", `Not imported: ${e.message}`, "error");
  } finally { $("import-file").value = ""; }
};

let stylesPromise = null;
function styleList() {
  if (!stylesPromise) stylesPromise = api("GET", "/api/styles").catch((e) => { stylesPromise = null; throw e; });
  return stylesPromise;
}

async function loadInfo() {
  try {
    const [info, styles] = await Promise.all([api("GET", "/api/info"), styleList()]);
    state.info = info;
    $("risk-help").textContent = info.risk_help || "";
    for (const s of styles) {
      const o = el("option", null, s.name); o.value = s.name; o.title = s.description; $("style").appendChild(o);
    }
  } catch (e) { /* the pickers keep their defaults; the lists show the error */ }
}
$("style").onchange = () => {
  const s = $("style").selectedOptions[0];
  $("risk-help").textContent = (s && s.value ? `${s.value}: ${s.title}. ` : "") + ((state.info && state.info.risk_help) || "");
  state.previewFor = null; if (!state.playing) schedulePreview();
};

// ---------------------------------------------------------------------------------------------
// Start
/** The synth and its SoundFont load with the first song opened (an album page needs neither). */
function startSynth() {
  player.init().catch((e) => say("play-msg", "The in-page synth cannot start: " + e.message, "error"));
  player.wake();
}

async function start() {
  if (window.matchMedia("(max-width: 700px)").matches && fromUrl(location.pathname)) setSidebar(false);
  try { await loadLists(); } catch (e) { say("nav-msg", e.message, "error"); }
  loadInfo();
  const target = fromUrl(location.pathname);
  history.replaceState(target, "", location.pathname);
  await route(target);
}
start();
