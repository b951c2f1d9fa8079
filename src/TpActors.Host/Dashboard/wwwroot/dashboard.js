// The run's page: one EventSource on /events; every event updates a small model, and the model is drawn (SVG) at most
// ten times a second. Nothing is fetched but this page's own files and its events.
"use strict";

const PHASE_COLORS = { batch: "#8e9aaf", forward: "#2d6cdf", loss: "#8e44ad", backward: "#e67e22", optimizer: "#27ae60",
  snapshot: "#95a5a6", checkpoint: "#16a085", evaluate: "#c0a000", connect: "#bbb", join: "#999", gather: "#555" };
const TIMELINE_STEPS = 8;

const model = { steps: [], validation: [], phases: [], recoveries: [], members: new Map(), ranks: new Map(), settings: {}, done: null };
let dirty = false;

const source = new EventSource("/events");
source.onmessage = message => { apply(JSON.parse(message.data)); dirty = true; };
source.onerror = () => { if (!model.done) setStatus("connection lost; retrying", "lost"); };
setInterval(() => { if (dirty) { dirty = false; draw(); } }, 100);

function apply(e) {
  switch (e.type) {
    case "step": model.steps.push(e); break;
    case "validation": model.validation.push(e); break;
    case "phase": model.phases.push(e); if (model.phases.length > 4000) model.phases.shift(); model.ranks.set(e.rank, e.host); break;
    case "recovery": model.recoveries.push(e); break;
    case "placed": model.ranks.set(e.rank, e.host); break;
    case "member": model.members.set(e.address, e); break;
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
  fillRows("recoveries", model.recoveries.map(r => [r.rank, r.step, r.phase, r.kind, r.cause, `${(r.at / 1000).toFixed(2)} s`]));
  fillRows("settings", Object.entries(model.settings));
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
  const byHost = new Map();
  for (const [rank, host] of model.ranks) byHost.set(host, (byHost.get(host) || []).concat(rank));
  body.innerHTML = [...model.members.values()].map(m =>
    `<tr class="${m.status}"><td>${esc(m.address)}</td><td>${esc(m.status)}</td><td>${m.slots || "–"}</td><td>${(byHost.get(m.address) || []).sort().join(", ")}</td></tr>`).join("");
}

function drawTimeline() {
  const svg = document.getElementById("timeline"), w = 800, h = 160;
  const lastStep = Math.max(0, ...model.phases.map(p => p.step));
  const shown = model.phases.filter(p => p.step > lastStep - TIMELINE_STEPS);
  if (shown.length === 0) return;
  const ranks = [...new Set(shown.map(p => p.rank))].sort((a, b) => a - b), row = (h - 20) / ranks.length;
  const t0 = Math.min(...shown.map(p => p.start)), t1 = Math.max(...shown.map(p => p.start + p.ms)), span = t1 - t0 || 1;
  const x = t => 60 + (w - 70) * (t - t0) / span;
  svg.innerHTML = ranks.map((r, i) => `<text x="4" y="${i * row + row / 2 + 4}" font-size="11">rank ${r}</text>`).join("") +
    shown.map(p => `<rect x="${x(p.start).toFixed(1)}" y="${(ranks.indexOf(p.rank) * row + 2).toFixed(1)}" width="${Math.max(0.5, x(p.start + p.ms) - x(p.start)).toFixed(1)}" ` +
      `height="${(row - 4).toFixed(1)}" fill="${PHASE_COLORS[p.phase] || "#444"}"><title>rank ${p.rank} step ${p.step} ${p.phase}: ${p.ms.toFixed(2)} ms</title></rect>`).join("") +
    model.recoveries.filter(r => r.at >= t0 && r.at <= t1).map(r =>
      `<line x1="${x(r.at)}" x2="${x(r.at)}" y1="0" y2="${h - 20}" stroke="#c0392b" stroke-width="2"><title>recovery: rank ${r.rank} ${r.kind}</title></line>`).join("") +
    `<text x="${w - 4}" y="${h - 4}" font-size="11" text-anchor="end">${span.toFixed(1)} ms</text>`;
  document.getElementById("legend").innerHTML = Object.entries(PHASE_COLORS).map(([p, c]) => `<span><i style="background:${c}"></i>${p}</span>`).join("");
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

function fixed(value, digits) { return value === null || value === undefined ? "–" : Number(value).toFixed(digits); }
function esc(text) { return text.replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c])); }
