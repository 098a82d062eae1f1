// Compare: the Playground's network beside a copy of itself with one setting changed
// (POST /api/networks/{id}/fork: the same weights bit for bit, optimizer memory, history and data),
// both played in step. Each side is drawn as the single view draws its network, smaller: the
// server's boundary figure, whose regions the frames paint on its canvas (paint.js), and the
// server's loss curve, which the frames' records extend (figures.js).
//
// Each side has its own PlayController; both ask for jobs of the same steps, history spacing and
// pace (a paced job takes its steps by the clock). The pairing (pairing.js) holds a side's next job
// until the other's has finished, shows frames paired by step and, on Pause, has the side behind
// train the steps it lacks (same settings, its own job). Step trains one epoch of the original,
// then as many steps of the copy.
import { api } from "../api.js";
import { loadCatalog } from "../catalog.js";
import { decodeBoundary } from "../live.js";
import { $, busy, options } from "../ui.js";
import { regionColors } from "./boundary.js";
import { drawBoundary, drawCurve, metricsOf, readouts, sideNode } from "./compare_side.js";
import { PlayController } from "./controller.js";
import { extendCurve } from "./curves.js";
import { refreshFigures } from "./figures.js";
import { paintBoundary } from "./paint.js";
import { Pairing } from "./pairing.js";
import { dataSpec, session, settings, trainingSpec, writeUrl } from "./settings.js";
import { showMetrics, showStatus, trainErrors } from "./status.js";
import { HISTORY_EVERY, chunkSteps, driveTransport, livePace, reset, stop as stopSingle } from "./transport.js";

// The settings a copy may change while every weight keeps its shape, by their paths in the
// catalog's sweep settings (which give their labels, starting values and the lists they come from).
const FORKABLE = ["training.learning_rate", "training.optimizer", "training.reg_strength", "training.batch_size", "network.hidden[*].activation"];
const NUMERIC = new Set(["learning_rate", "reg_strength", "batch_size"]);
// The original's value of each, from the Playground's settings (null: none, "mixed": layers differ).
const CURRENT = {
  learning_rate: () => settings.lr,
  optimizer: () => settings.opt,
  reg_strength: () => settings.lam,
  batch_size: () => settings.batch || null,
  activation: () => {
    const used = new Set(session.layers.map((layer) => layer.activation));
    return used.size === 1 ? [...used][0] : "mixed";
  },
};
const LIVE = { grid: 40, interval_ms: 33 }; // the boundary alone: two streams share the page
const CHUNK_STEPS = 2000; // shorter jobs than the single view's: the side ahead waits at most one job
const CURVES_MS = 300;

const view = { catalog: null, change: null };
// The two sides, [original, copy], and the transport's view of them (`active`, `state`).
const pair = new Pairing((side, frame) => show(side, frame));
export const comparing = () => pair.sides.length === 2;

// --- the change ------------------------------------------------------------------------------

// The key a change goes by in the address ("learning_rate:0.1"): its path's last name.
const keyOf = (path) => path.split(".").pop().replace(/\[.*\]$/, "");

function settingOf(key) {
  return view.catalog.sweep_settings.find((setting) => keyOf(setting.path) === key);
}

// A value as the page shows it: a choice by its catalog label, no batch size as "full batch".
function valueText(key, value) {
  if (value === null) return key === "batch_size" ? "full batch" : "none";
  const setting = settingOf(key);
  const choice = setting.choices && view.catalog[setting.choices].find((item) => item.name === value);
  return choice ? choice.label : String(value);
}

const caption = (key, value) => `${settingOf(key).label} ${valueText(key, value)}`;

function choicesOf(key) {
  const setting = settingOf(key);
  const values = setting.choices ? view.catalog[setting.choices].map((item) => item.name) : setting.values;
  return values.filter((value) => value !== CURRENT[key]());
}

function fillValues() {
  const key = $("#compare-setting").value;
  options($("#compare-value"), choicesOf(key).map((value) => [value, valueText(key, value)]), choicesOf(key)[0]);
}

// "learning_rate:0.1" -> { key, value }, or null when it names nothing a copy can change.
function parseChange(text) {
  const at = text.indexOf(":");
  const key = text.slice(0, at);
  if (at < 0 || !(key in CURRENT)) return null;
  const raw = text.slice(at + 1);
  const value = NUMERIC.has(key) ? Number(raw) : raw;
  return NUMERIC.has(key) && !(value > 0) ? null : { key, value };
}

// The fork's body: a training setting goes to the copy's jobs; the activation to its spec.
function forkBody({ key, value }) {
  if (key === "activation") return { network: { hidden: session.layers.map((layer) => ({ units: layer.units, activation: value })) } };
  return { training: { [key]: value } };
}

// --- the two sides -----------------------------------------------------------------------------

// A side: its network, the training settings its jobs change, its controller and its part of the page.
function makeSide(role, network, training, text) {
  const { node, boundary, curve } = sideNode(role, network, text);
  const side = {
    role, network, training, text, node, boundary, curve,
    painting: null, records: [], extendedAt: 0, diverged: false, shown: {},
  };
  side.controller = new PlayController({
    nextJob: (first) => nextJob(side, first),
    frame: (progress) => pair.arrived(side, progress),
    finished: (job) => finished(side, job),
    changed: (state, detail) => changed(side, state, detail),
  });
  return side;
}

// The same steps, history spacing and pace for both sides' jobs, once the pairing gives the side its turn.
async function nextJob(side, first) {
  await pair.turn(side);
  const steps = Math.min(CHUNK_STEPS, ...pair.sides.map((s) => chunkSteps(s.network, batchOf(s))));
  return {
    body: {
      network: { id: side.network.id }, data: dataSpec(),
      training: { ...trainingSpec({ steps, history_every: Math.min(HISTORY_EVERY, steps) }), ...side.training },
      live: { ...LIVE, ...livePace(first, side.network) },
    },
    label: `Compare: a training job continuing ${side.text}`,
  };
}

const batchOf = (side) => ("batch_size" in side.training ? side.training.batch_size : settings.batch);

function finished(side, job) {
  side.network.steps_trained = job.progress.step;
  side.diverged = job.status === "diverged";
  pair.finished(side);
  // A fresh network's curve: drawn once its first job has stored a history, then extended by records.
  if (!side.curve.dataset.drawn) drawCurve(side).catch((error) => trainErrors.show(error));
}

function changed(side, state, detail) {
  driveTransport(pair);
  if (state !== "idle") {
    if (state === "running") showStatus("Training both…");
    return;
  }
  pair.wake();
  // The job's last step, which the screen may not have shown (held for the other side's frames).
  if (detail.cancelled) showJob(side, detail.cancelled);
  if (detail.ended) {
    // A side stopped by itself (diverged, failed): the other stops too, so both stay comparable.
    if (detail.error) trainErrors.show(new Error(`${side.text}: ${detail.error.message}`));
    pause();
  }
}

// --- frames, once paired --------------------------------------------------------------------

// One paint at a time per side; a frame arriving meanwhile replaces the one waiting.
async function show(side, frame) {
  if (side.painting) {
    side.painting.next = frame;
    return;
  }
  side.painting = { next: frame };
  try {
    while (side.painting.next) {
      const next = side.painting.next;
      side.painting.next = null;
      await paintFrame(side, next);
    }
  } finally {
    side.painting = null;
  }
}

async function paintFrame(side, frame) {
  const { record } = frame;
  readouts(side, {
    step: frame.step, epoch: frame.epoch,
    train_loss: record && record.train_loss !== null ? record.train_loss : frame.batch_loss,
    ...(record ? metricsOf(record) : {}),
  });
  if (record) extendLater(side, record);
  if (!frame.boundary || frame.boundary.kind === "regression-1d") return; // a curve: redrawn on Pause
  const plot = side.boundary;
  if (!plot._fullLayout) return;
  const boundary = await decodeBoundary(frame.boundary);
  if (!pair.active || !plot._fullLayout) return; // paused meanwhile: the figure is redrawn
  if (paintBoundary(plot, frame.boundary, boundary.codes, regionColors(plot, boundary))) {
    plot.dataset.updates = String(Number(plot.dataset.updates || 0) + 1);
    plot.dataset.step = String(frame.step); // the step on screen, for people and tests to read
  }
}

function extendLater(side, record) {
  side.records.push(record);
  const now = performance.now();
  if (now - side.extendedAt < CURVES_MS) return;
  side.extendedAt = now;
  extendCurve(side.curve, side.records.splice(0), "step");
}

function showJob(side, job) {
  side.network.steps_trained = job.progress.step;
  readouts(side, { step: job.progress.step, epoch: job.progress.epoch, ...metricsOf(job.metrics || {}) });
}

const drawSides = () => Promise.all(pair.sides.flatMap((side) => [drawBoundary(side), drawCurve(side)]));

// --- Play, Pause, Step, Reset for both ----------------------------------------------------------

export async function play() {
  if (pair.active) return;
  trainErrors.clear();
  pair.restart();
  for (const side of pair.sides) side.records = [];
  for (const side of pair.sides) delete side.boundary.dataset.updates;
  await Promise.all(pair.sides.map((side) => side.controller.play()));
}

// The side behind trains the steps it lacks with its own settings (the pairing finds it), so both
// stand at the same step.
const catchUp = (side, steps) => trainSteps(side, { steps, history_every: HISTORY_EVERY }, "Compare: the steps this side lacks, so both stand at the same step");

export async function pause() {
  try {
    if (!(await pair.pause(catchUp, drawSides))) return;
    showStatus(`Paused, both at step ${pair.sides[0].network.steps_trained}.`);
  } catch (error) {
    trainErrors.show(error);
  }
  driveTransport(pair);
}

async function trainSteps(side, amount, label) {
  const body = { network: { id: side.network.id }, data: dataSpec(), training: { ...trainingSpec(amount), ...side.training } };
  const job = await busy(api("POST", "/api/jobs", { query: { wait: true }, body, label }));
  showJob(side, job);
  side.diverged = job.status === "diverged";
  if (!["done", "diverged"].includes(job.status)) throw new Error(`${side.text}: the job ended with status “${job.status}”${job.error ? `: ${job.error}` : "."}`);
  return job;
}

// One epoch of the original; then the copy trains as many steps (an epoch of another batch size
// would be another number of steps).
export async function step() {
  if (pair.active) return;
  trainErrors.clear();
  const [original, copy] = pair.sides;
  $("#step").disabled = true;
  try {
    const before = original.network.steps_trained;
    const job = await trainSteps(original, { epochs: 1, history_every: 1 }, "Compare: one epoch of the network");
    await trainSteps(copy, { steps: job.progress.step - before, history_every: 1 }, "Compare: as many steps of the copy");
    showStatus(`One epoch trained, both at step ${original.network.steps_trained}.`);
    await drawSides();
  } catch (error) {
    trainErrors.show(error);
  }
  driveTransport(pair);
}

// Reset: a fresh network (the single view's Reset), and a fresh copy of it with the same change.
export async function resetBoth() {
  await pair.stop();
  const copy = pair.sides[1].network;
  await reset();
  if (!session.network) return;
  await deleteCopy(copy);
  try {
    await fork(view.change);
  } catch (error) {
    trainErrors.show(error);
  }
}

// --- entering and leaving ----------------------------------------------------------------------

async function fork(change) {
  const original = session.network;
  const forked = await busy(api("POST", `/api/networks/${original.id}/fork`, { body: forkBody(change), label: "Compare: a copy of this network with one setting changed" }));
  view.change = change;
  pair.sides = [
    makeSide("original", original, {}, caption(change.key, CURRENT[change.key]())),
    makeSide("copy", forked.network, forked.training || {}, caption(change.key, change.value)),
  ];
  $("#compare-sides").replaceChildren(...pair.sides.map((side) => side.node));
  $("#compare-what").textContent = `${pair.sides[0].text} and ${pair.sides[1].text}`;
  $(".playground").classList.add("comparing");
  $("#compare-view").hidden = false;
  $("#compare-setup").hidden = true;
  $("#compare").setAttribute("aria-expanded", "false");
  settings.compare = `${change.key}:${change.value}`;
  writeUrl();
  driveTransport(pair);
  for (const side of pair.sides) readouts(side, { step: side.network.steps_trained, epoch: side.network.epochs_trained });
  showStatus("Two networks from the same weights: press Play or Step to train both.");
  if ($("#compare-setup").contains(document.activeElement) || document.activeElement === document.body) $("#play").focus();
  await drawSides();
}

// The Compare view for `change`, after the single view's Play (if any) has stopped: its network is
// then idle and stored, as a fork needs.
async function start(change) {
  trainErrors.clear();
  try {
    await stopSingle();
    await fork(change);
  } catch (error) {
    trainErrors.show(error);
  }
}

// End compare: back to the single view and its network; the copy kept by a name, or deleted.
async function end(keep) {
  await pair.stop();
  const [original, copy] = pair.sides;
  const { epoch, train_loss: trainLoss, test_loss: testLoss } = original.shown;
  showMetrics({ epoch, trainLoss, testLoss }); // the single view goes on from the original's numbers
  trainErrors.clear();
  if (keep) {
    try {
      const kept = await busy(api("PATCH", `/api/networks/${copy.network.id}`, { body: { name: `${copy.text} (compare)` }, label: "End compare: keep the copy (a name)" }));
      showKept(kept);
    } catch (error) {
      trainErrors.show(error);
    }
  } else {
    deleteCopy(copy.network);
    showStatus("The copy is deleted; this is the network you had.");
  }
  pair.sides = [];
  view.change = null;
  $("#compare-sides").replaceChildren();
  $("#compare-view").hidden = true;
  $(".playground").classList.remove("comparing");
  settings.compare = "";
  writeUrl();
  driveTransport(null);
  $("#compare").focus(); // where the view was opened: its own buttons are gone
  await refreshFigures(true);
}

function showKept(kept) {
  const link = document.createElement("a");
  link.href = `${window.location.pathname}?network=${encodeURIComponent(kept.id)}`;
  link.textContent = "open it";
  $("#status").replaceChildren(`The copy is kept as “${kept.name}” (`, link, "); this is the network you had.");
}

async function deleteCopy(network) {
  try {
    await api("DELETE", `/api/networks/${network.id}`, { label: "Compare: delete the copy" });
  } catch (error) {
    trainErrors.show(new Error(`The copy (${network.id}) could not be deleted; it expires by itself. ${error.message}`));
  }
}

// The Compare button, its form (the setting and its new value, from the catalog) and End compare;
// `reopen`: the address's change ("learning_rate:0.1"), opened once the page's network is ready.
export async function bindCompare() {
  view.catalog = await loadCatalog();
  const offered = view.catalog.sweep_settings.filter((setting) => FORKABLE.includes(setting.path));
  options($("#compare-setting"), offered.map((setting) => [keyOf(setting.path), setting.label]), "learning_rate");
  $("#compare-setting").addEventListener("change", fillValues);
  $("#compare").addEventListener("click", () => {
    const form = $("#compare-setup");
    form.hidden = !form.hidden;
    $("#compare").setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) {
      fillValues();
      $("#compare-setting").focus();
    }
  });
  $("#compare-cancel").addEventListener("click", () => {
    $("#compare-setup").hidden = true;
    $("#compare").setAttribute("aria-expanded", "false");
    $("#compare").focus();
  });
  $("#compare-setup").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("#compare-setting").value;
    const raw = $("#compare-value").value;
    start({ key, value: NUMERIC.has(key) ? Number(raw) : raw });
  });
  $("#compare-keep").addEventListener("click", () => end(true));
  $("#compare-delete").addEventListener("click", () => end(false));
}

// The address's Compare view, once the page has its network.
export async function reopen(text) {
  if (!text) return;
  const change = parseChange(text);
  if (change && session.network) {
    await start(change);
  } else {
    settings.compare = ""; // nothing a copy can change: the single view, and an address that says so
    writeUrl();
  }
}
