// backline studio: plain JavaScript over the JSON API (no build step).
const $ = (id) => document.getElementById(id);
const api = async (method, url, body) => {
  const r = await fetch(url, { method, headers: body ? { "Content-Type": "application/json" } : {},
                               body: body ? JSON.stringify(body) : undefined });
  if (!r.ok) { const e = await r.json().catch(() => ({})); throw Object.assign(new Error(e.detail || r.statusText), e); }
  return r.json();
};
const status = (text) => { $("status").textContent = text; };
let chartVersion = null, albumVersion = null;
let chartPath = null, albumPath = null, checkTimer = null, takeA = null, takeB = null, playing = "A";

async function loadLists() {
  const charts = await api("GET", "/api/charts");
  $("charts").innerHTML = "";
  for (const c of charts) {
    const li = document.createElement("li"); li.textContent = c; li.dataset.path = c;
    li.onclick = () => openChart(c); $("charts").appendChild(li);
  }
  const albums = await api("GET", "/api/albums");
  $("albums").innerHTML = "";
  for (const a of albums) {
    const li = document.createElement("li"); li.textContent = a; li.dataset.path = a;
    li.onclick = () => openAlbum(a); $("albums").appendChild(li);
  }
}

function mark(list, path) {
  for (const li of document.querySelectorAll("nav li")) li.classList.toggle("active", li.dataset.path === path);
}

async function openChart(path) {
  chartPath = path; mark("charts", path);
  $("album").hidden = true; $("song").hidden = false;
  const data = await api("GET", "/api/chart?path=" + encodeURIComponent(path));
  $("song-title").textContent = path;
  $("editor").value = data.text; chartVersion = data.version;
  takeA = takeB = null; $("ab").disabled = true; $("ab-state").textContent = "";
  await check(); refreshArrangement(); await loadTakes();
}

function escapeHtml(s) { return s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]); }

function paintErrors(text, errors) {
  // The mirror behind the textarea holds the same text; each error's token is wrapped in <mark>.
  const lines = text.split("\n");
  const byLine = {};
  for (const e of errors) (byLine[e.line - 1] = byLine[e.line - 1] || []).push(e);
  const html = lines.map((line, i) => {
    const errs = (byLine[i] || []).sort((a, b) => b.column - a.column);
    let out = line, pieces = [];
    let rest = line, done = line.length;
    const marks = [];
    for (const e of errs) {
      const start = Math.min(e.column - 1, line.length);
      let end = start; while (end < line.length && !/\s|\|/.test(line[end])) end++;
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
  $("errors").innerHTML = errors.map((e) => `<li>${e.line}:${e.column}: ${escapeHtml(e.message)}</li>`).join("");
  $("check-state").textContent = errors.length ? `${errors.length} problem(s)` : "✓ valid";
  $("check-state").className = errors.length ? "bad" : "ok";
}

async function check() {
  const text = $("editor").value;
  const result = await api("POST", "/api/check", { text });
  if ($("editor").value === text) paintErrors(text, result.errors);
  return result;
}

function refreshArrangement() {
  if (chartPath) $("arrangement").src = "/api/arrangement?path=" + encodeURIComponent(chartPath);
}

async function save() {
  if (!chartPath) return;
  let result;
  try { result = await api("PUT", "/api/chart", { path: chartPath, text: $("editor").value, version: chartVersion }); }
  catch (e) { status(e.code === "stale" ? "the file changed elsewhere: reload it" : "not saved: " + e.message); return; }
  chartVersion = result.version;
  status(result.ok ? "saved" : "saved (with problems)");
  if (result.ok) refreshArrangement();
}

async function loadTakes() {
  const takes = (await api("GET", "/api/takes?chart=" + encodeURIComponent(chartPath))).takes;
  const body = $("takes").querySelector("tbody"); body.innerHTML = "";
  for (const t of takes) {
    const tr = document.createElement("tr"); if (t.kept) tr.className = "kept";
    tr.innerHTML = `<td>${t.seed}</td><td>${t.risk}</td><td>${t.notes_per_bar}</td><td>${t.fills}</td><td></td>`;
    const cell = tr.lastChild;
    if (t.files.wav) {
      const play = document.createElement("button"); play.textContent = "▶ play";
      play.onclick = () => choose(t); cell.appendChild(play);
    }
    const keep = document.createElement("button"); keep.textContent = t.kept ? "kept" : "keep";
    keep.disabled = t.kept;
    keep.onclick = async () => { await api("PATCH", "/api/takes/" + t.id, { chart: chartPath, kept: true }); loadTakes(); };
    cell.appendChild(keep);
    const drop = document.createElement("button"); drop.textContent = "discard";
    drop.onclick = async () => { await api("POST", "/api/takes/" + t.id + "/discard", { chart: chartPath }); loadTakes(); };
    cell.appendChild(drop);
    body.appendChild(tr);
  }
}

function choose(t) {
  // The last two takes chosen are A and B; A/B switches between them at the same moment.
  if (!takeA || takeA.id === t.id) takeA = t; else { takeB = takeA; takeA = t; }
  playing = "A"; $("audio").src = t.files.wav; $("audio").play().catch(() => {});
  $("ab").disabled = !takeB;
  $("ab-state").textContent = takeB ? `A = seed ${takeA.seed}, B = seed ${takeB.seed}` : `seed ${takeA.seed}`;
}

function switchAB() {
  if (!takeA || !takeB) return;
  const audio = $("audio"), at = audio.currentTime, wasPlaying = !audio.paused;
  playing = playing === "A" ? "B" : "A";
  const t = playing === "A" ? takeA : takeB;
  audio.src = t.files.wav;
  audio.addEventListener("loadedmetadata", () => { audio.currentTime = at; if (wasPlaying) audio.play(); }, { once: true });
  $("ab-state").textContent = `playing ${playing} (seed ${t.seed})`;
}

async function renderTake() {
  $("render").disabled = true; status("rendering a take…");
  try {
    const seed = $("seed").value === "" ? null : Number($("seed").value);
    const t = await api("POST", "/api/takes", { chart: chartPath, text: $("editor").value, seed,
                                                risk: Number($("risk").value), bounce: true });
    status(`take ${t.seed} ready`); await loadTakes();
    if (t.files.wav) choose(t);
  } catch (e) { status("render failed: " + e.message); }
  finally { $("render").disabled = false; }
}

async function openAlbum(path) {
  albumPath = path; mark("albums", path);
  $("song").hidden = true; $("album").hidden = false;
  const a = await api("GET", "/api/album?path=" + encodeURIComponent(path));
  showAlbum(a);
  $("flow").src = "/api/album/flow?path=" + encodeURIComponent(path);
}

function clock(s) { const m = Math.floor(s / 60); return `${m}:${(s - 60 * m).toFixed(0).padStart(2, "0")}`; }

function showAlbum(a) {
  $("album-title").textContent = a.title;
  $("album-time").textContent = `${a.tracks.length} tracks, ${clock(a.seconds)}`;
  const ol = $("tracks"); ol.innerHTML = "";
  albumVersion = a.version;
  for (const t of a.tracks) {
    const li = document.createElement("li"); li.draggable = true; li.dataset.position = t.position;
    li.textContent = t.ok ? `${t.title} — ${t.key}, ${t.tempo} bpm, ${clock(t.seconds)}` : `${t.chart}: ${t.error}`;
    li.addEventListener("dragstart", (e) => { e.dataTransfer.setData("text/plain", String(t.position)); li.classList.add("dragging"); });
    li.addEventListener("dragend", () => li.classList.remove("dragging"));
    li.addEventListener("dragover", (e) => { e.preventDefault(); li.classList.add("over"); });
    li.addEventListener("dragleave", () => li.classList.remove("over"));
    li.addEventListener("drop", async (e) => {
      e.preventDefault(); li.classList.remove("over");
      const moved = Number(e.dataTransfer.getData("text/plain")), target = Number(li.dataset.position);
      if (moved === target) return;
      const order = [...ol.children].map((x) => Number(x.dataset.position)).filter((p) => p !== moved);
      order.splice(moved < target ? order.indexOf(target) + 1 : order.indexOf(target), 0, moved);
      const updated = await api("PUT", "/api/album/order", { path: albumPath, version: albumVersion, order });
      showAlbum(updated); status("running order saved");
      $("flow").src = "/api/album/flow?path=" + encodeURIComponent(albumPath);
    });
    ol.appendChild(li);
  }
}

async function renderAlbum() {
  $("album-render").disabled = true; status("rendering the album…");
  try {
    const r = await api("POST", "/api/album/render", { path: albumPath, audio: false });
    $("album-result").innerHTML = `Rendered: <a href="${r.files.report}" target="_blank">report</a>` +
      (r.warnings.length ? ` — ${r.warnings.map(escapeHtml).join("; ")}` : "");
    status("album rendered");
  } finally { $("album-render").disabled = false; }
}

$("editor").addEventListener("input", () => { clearTimeout(checkTimer); checkTimer = setTimeout(check, 250); });
$("editor").addEventListener("scroll", () => { $("mirror").scrollTop = $("editor").scrollTop; $("mirror").scrollLeft = $("editor").scrollLeft; });
$("editor").addEventListener("keydown", (e) => { if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save(); } });
$("save").onclick = save;
$("format").onclick = async () => { const r = await api("POST", "/api/format", { text: $("editor").value });
  if (r.ok) { $("editor").value = r.text; check(); } else status("fix the problems first"); };
$("render").onclick = renderTake;
$("ab").onclick = switchAB;
$("risk").oninput = () => { $("risk-out").textContent = $("risk").value; };
$("album-render").onclick = renderAlbum;
loadLists();
