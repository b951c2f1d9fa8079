// The run's page: one EventSource on /events; every event updates a small model, and the model is drawn (SVG) at most
// ten times a second. Nothing is fetched but this page's own files and its events.
"use strict";

const PHASE_COLORS = { batch: "#8e9aaf", forward: "#2d6cdf", loss: "#8e44ad", backward: "#e67e22", optimizer: "#27ae60",
  snapshot: "#95a5a6", checkpoint: "#16a085", evaluate: "#c0a000", connect: "#bbb", join: "#999", gather: "#555" };
const TIMELINE_STEPS = 8;
const RECENT_PHASES = 40;        // phases per rank its GEMM GFLOP/s is averaged over
const RECENT_COLLECTIVES = 200;  // collectives per link its bandwidth is averaged over
const COLLECTIVE_COLOR = "#1d2330";
// nccl-tests' bus bandwidth factors (a barrier carries no data).
const BUS_FACTOR = { "all-reduce": n => 2 * (n - 1) / n, "all-gather": n => (n - 1) / n, "reduce-scatter": n => (n - 1) / n, "broadcast": () => 1 };

const model = { steps: [], validation: [], phases: [], recoveries: [], checks: [], log: [], members: new Map(), ranks: new Map(), links: new Map(), settings: {}, done: null };
let dirty = false;

const source = new EventSource("/events");
source.onmessage = message => { apply(JSON.parse(message.data)); dirty = true; };
source.onerror = () => { if (!model.done) setStatus("connection lost; retrying", "lost"); };
setInterval(() => { if (dirty) { dirty = false; draw(); } }, 100);

function apply(e) {
  switch (e.type) {
    case "step": model.steps.push(e); break;
    case "validation": model.validation.push(e); break;
    case "phase":
      model.phases.push(e); if (model.phases.length > 4000) model.phases.shift();
      model.ranks.set(e.rank, e.host);
      for (const c of e.collectives) remember(model.links, c[1], c, RECENT_COLLECTIVES);
      break;
    case "recovery": model.recoveries.push(e); break;
    case "resolved":
      for (const r of e.recoveries) {
        const open = model.recoveries.find(o => o.rank === r.rank && o.step === r.step && o.lostMs === undefined);
        if (open) Object.assign(open, { lostMs: r.lostMs, until: e.at });
      }
      break;
    case "placed": model.ranks.set(e.rank, e.host); break;
    case "member": model.members.set(e.address, e); break;
    case "check": model.checks.push(e); break;
    case "log": model.log.push(e); if (model.log.length > 1000) model.log.shift(); break;
    case "settings": model.settings = e.settings; break;
    case "done": model.done = e; break;
  }
}

function draw() {
  const last = model.steps[model.steps.length - 1];
  setStatus(model.done ? "finished" : "running", model.done ? "done" : "running");
  document.getElementById("progress").textContent = last ? `step ${last.step} / ${last.steps}, loss ${fixed(last.loss, 4)}` : "";
  drawLoss();
  drawSpeed(last);
  drawMembers();
  drawTimeline();
  drawRanks();
  drawLinks();
  fillRows("recoveries", model.recoveries.map(r => [r.rank, r.host, r.step, r.phase, r.kind, r.cause, `${(r.at / 1000).toFixed(2)} s`,
    r.lostMs === undefined ? "recovering…" : `${(r.lostMs / 1000).toFixed(2)} s`]));
  fillRows("settings", Object.entries(model.settings));
  // A training run's sections show on train's page; verify's page has checks, a host's its log.
  const training = (model.settings.command || "train") === "train";
  for (const section of document.querySelectorAll("[data-training]")) section.hidden = !training;
  document.getElementById("checks-section").hidden = model.checks.length === 0;
  fillRows("checks", model.checks.map(c => [c.name, c.shape, expo(c.maxAbsError), expo(c.maxRelError), expo(c.tolerance), c.passed ? "yes" : "NO"]));
  document.getElementById("log-section").hidden = model.log.length === 0;
  fillRows("log", model.log.slice(-200).map(l => [`${(l.at / 1000).toFixed(2)} s`, l.line]));
  if (model.done) document.getElementById("progress").textContent = model.done.summary;
}

function drawLoss() {
  const svg = document.getElementById("loss"), w = 800, h = 220, pad = 28;
  const points = model.steps.filter(s => s.loss !== null), val = model.validation.filter(v => v.loss !== null);
  if (points.length === 0) return;
  const maxStep = Math.max(points[points.length - 1].steps, 1);
  const losses = points.map(p => p.loss).concat(val.map(v => v.loss));
  const lo = Math.min(...losses), hi = Math.max(...losses), span = hi - lo || 1;
  const x = s => pad + (w - 2 * pad) * s / maxStep, y = l => h - pad - (h - 2 * pad) * (l - lo) / span;
  const line = points.map((p, i) => `${i ? "L" : "M"}${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join("");
  svg.innerHTML = `<path d="${line}" fill="none" stroke="#2d6cdf" stroke-width="1.5"/>` +
    val.map(v => `<circle cx="${x(v.step)}" cy="${y(v.loss)}" r="4" fill="#c0392b"><title>validation ${v.loss}</title></circle>`).join("") +
    model.recoveries.map(r => `<line x1="${x(r.step)}" x2="${x(r.step)}" y1="${pad}" y2="${h - pad}" stroke="#c0392b" stroke-dasharray="3 3"/>`).join("") +
    `<text x="4" y="${pad}" font-size="11">${fixed(hi, 3)}</text><text x="4" y="${h - pad}" font-size="11">${fixed(lo, 3)}</text>` +
    `<text x="${w - pad}" y="${h - 6}" font-size="11" text-anchor="end">step ${maxStep}</text>`;
}

function drawSpeed(last) {
  const rows = [];
  if (last && model.steps.length > 1) {
    const first = model.steps[0], rate = (last.step - first.step) / Math.max(1e-9, last.seconds - first.seconds);
    rows.push(["steps/s", rate.toFixed(1)]);
    const tokens = Number(model.settings["tokens per step"] || 0);
    if (tokens) rows.push(["tokens/s", Math.round(rate * tokens).toLocaleString("en")]);
    rows.push(["step time", `${(1000 / rate).toFixed(1)} ms`]);
  }
  if (model.validation.length) rows.push(["validation loss", fixed(model.validation[model.validation.length - 1].loss, 4)]);
  rows.push(["recoveries", model.recoveries.length]);
  fillRows("speed", rows);
}

function drawMembers() {
  const body = document.querySelector("#members tbody");
  // Akka's address (akka.tcp://system@host:port) or host:port alike, as host:port.
  const hostOf = address => address.slice(address.lastIndexOf("@") + 1);
  const byHost = new Map();
  for (const [rank, host] of model.ranks) byHost.set(hostOf(host), (byHost.get(hostOf(host)) || []).concat(rank));
  body.innerHTML = [...model.members.values()].map(m =>
    `<tr class="${m.status}"><td>${esc(m.address)}</td><td>${esc(m.status)}</td><td>${m.slots || "–"}</td><td>${(byHost.get(hostOf(m.address)) || []).sort().join(", ")}</td></tr>`).join("");
}

// GEMM GFLOP/s of each rank over its last phases that ran GEMMs, and its share of phase time spent in collectives.
function drawRanks() {
  const rows = [...model.ranks.keys()].sort((a, b) => a - b).map(rank => {
    const recent = model.phases.filter(p => p.rank === rank).slice(-RECENT_PHASES);
    const flops = sum(recent, p => p.gemmFlops), gemmMs = sum(recent, p => p.gemmMs), ms = sum(recent, p => p.ms);
    const inCollectives = sum(recent, p => sum(p.collectives, c => c[5]));
    return [rank, model.ranks.get(rank), gemmMs > 0 ? (flops / gemmMs / 1e6).toFixed(1) : "–",
      ms > 0 ? `${(100 * gemmMs / ms).toFixed(0)} %` : "–", ms > 0 ? `${(100 * inCollectives / ms).toFixed(0)} %` : "–"];
  });
  fillRows("ranks", rows);
}

// Per link: the last collectives' bytes, bytes/s (algbw) and busbw, summed over the ranks that ran them.
function drawLinks() {
  const rows = [...model.links.entries()].map(([link, recent]) => {
    const data = recent.filter(c => c[0] !== "barrier"), seconds = sum(data, c => c[5]) / 1000;
    const bytes = sum(data, c => c[3]), bus = sum(data, c => c[3] * (BUS_FACTOR[c[0]] || (() => 0))(c[2]));
    return [link, recent.length, bytes.toLocaleString("en"), seconds > 0 ? (bytes / seconds / 1e9).toFixed(3) : "–", seconds > 0 ? (bus / seconds / 1e9).toFixed(3) : "–"];
  });
  fillRows("links", rows);
}

function drawTimeline() {
  const svg = document.getElementById("timeline"), w = 800, h = 160;
  const lastStep = Math.max(0, ...model.phases.map(p => p.step));
  const shown = model.phases.filter(p => p.step > lastStep - TIMELINE_STEPS);
  if (shown.length === 0) return;
  const ranks = [...new Set(shown.map(p => p.rank))].sort((a, b) => a - b), row = (h - 20) / ranks.length;
  const t0 = Math.min(...shown.map(p => p.start));
  // Recoveries in or after the shown steps widen the span to where they happened (an open one to its start).
  const recent = model.recoveries.filter(r => (r.until ?? r.at) >= t0);
  const t1 = Math.max(...shown.map(p => p.start + p.ms), ...recent.map(r => r.until ?? r.at)), span = t1 - t0 || 1;
  const x = t => 60 + (w - 70) * (t - t0) / span;
  svg.innerHTML = ranks.map((r, i) => `<text x="4" y="${i * row + row / 2 + 4}" font-size="11">rank ${r}</text>`).join("") +
    shown.map(p => `<rect x="${x(p.start).toFixed(1)}" y="${(ranks.indexOf(p.rank) * row + 2).toFixed(1)}" width="${Math.max(0.5, x(p.start + p.ms) - x(p.start)).toFixed(1)}" ` +
      `height="${(row - 4).toFixed(1)}" fill="${PHASE_COLORS[p.phase] || "#444"}"><title>rank ${p.rank} step ${p.step} ${p.phase}: ${p.ms.toFixed(2)} ms</title></rect>` +
      // The phase's collectives: a dark band in the lower half of its bar.
      p.collectives.map(c => `<rect class="collective" x="${x(p.start + c[4]).toFixed(1)}" y="${(ranks.indexOf(p.rank) * row + row / 2).toFixed(1)}" ` +
        `width="${Math.max(0.5, x(p.start + c[4] + c[5]) - x(p.start + c[4])).toFixed(1)}" height="${(row / 2 - 2).toFixed(1)}" fill="${COLLECTIVE_COLOR}" opacity="0.7">` +
        `<title>rank ${p.rank} ${c[0]} ${c[3].toLocaleString("en")} B over ${c[1]}: ${c[5].toFixed(3)} ms</title></rect>`).join("")).join("") +
    recent.map(r =>
      `<rect x="${x(Math.max(r.at, t0))}" y="0" width="${Math.max(2, x(Math.min(r.until ?? t1, t1)) - x(Math.max(r.at, t0)))}" height="${h - 20}" fill="#c0392b" opacity="0.15"/>` +
      `<line class="recovery" x1="${x(Math.max(r.at, t0))}" x2="${x(Math.max(r.at, t0))}" y1="0" y2="${h - 20}" stroke="#c0392b" stroke-width="2"><title>recovery: rank ${r.rank} ${r.kind}</title></line>`).join("") +
    `<text x="${w - 4}" y="${h - 4}" font-size="11" text-anchor="end">${span.toFixed(1)} ms</text>`;
  document.getElementById("legend").innerHTML = Object.entries(PHASE_COLORS).concat([["collectives", COLLECTIVE_COLOR], ["recovering", "#e8b5ae"]])
    .map(([p, c]) => `<span><i style="background:${c}"></i>${p}</span>`).join("");
}

function fillRows(id, rows) {
  const table = document.getElementById(id), body = table.tBodies[0] || table.createTBody();
  body.innerHTML = rows.map(r => `<tr>${r.map(c => `<td>${esc(String(c))}</td>`).join("")}</tr>`).join("");
}

function setStatus(text, kind) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = `status ${kind}`;
}

function remember(map, key, item, keep) {
  const list = map.get(key) || [];
  list.push(item); if (list.length > keep) list.shift();
  map.set(key, list);
}

function sum(items, f) { let total = 0; for (const item of items) total += f(item); return total; }
function expo(value) { return value === null || value === undefined ? "–" : Number(value).toExponential(2); }
function fixed(value, digits) { return value === null || value === undefined ? "–" : Number(value).toFixed(digits); }
function esc(text) { return text.replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c])); }
