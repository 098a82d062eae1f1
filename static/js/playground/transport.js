// Play, Pause, Step and Reset: the Playground's transport, driving the play controller.
import { api } from "../api.js";
import { $, busy } from "../ui.js";
import { adviseDiverged, adviseFrom, clearAdvice } from "./advice.js";
import { PlayController } from "./controller.js";
import {
  abortFigureRequests, boundaryIsLive, countLiveUpdates, drawLiveBoundary, fillHiddenLayers, keepRecord, liveOptions,
  refreshFigures,
} from "./figures.js";
import { classJob, dataSpec, networkSpec, session, settings, trainingSpec } from "./settings.js";
import { showJob, showMetrics, showStatus, trainErrors } from "./status.js";

// Play runs jobs of CHUNK_STEPS steps back to back (fewer for a big network: chunkSteps), recording
// history every HISTORY_EVERY steps (a job's history is stored when it stops, so fewer records make
// Pause quicker; a longer job makes fewer pauses between jobs at full speed).
const CHUNK_STEPS = 30000;
export const HISTORY_EVERY = 100;
const FIGURE_REFRESH_MS = 1000;

export const controller = new PlayController({ nextJob, frame, finished, changed });
let refreshTimer = null;
// What the transport shows as playing: this page's controller, or Compare's pair of them
// (`driveTransport`); anything with `active` and `state` as the controller has them.
let driver = controller;

export function driveTransport(source) {
  driver = source || controller;
  setTransport();
}

// The pace: a fresh network's first job ramps up (the first seconds show where it learns most);
// the jobs after it, and a network that has trained already, go at full speed or the chosen pace.
export function livePace(first, network = session.network) {
  if (settings.speed === "ramp") return { ramp: first && network.steps_trained === 0 };
  return { steps_per_second: settings.speed || null };
}

// Steps per job within the server's compute limit (steps x batch points x parameters), so that
// every network the page can build can play: a big one plays in shorter jobs; a paced one no longer
// than a paced job may run.
export function chunkSteps(network = session.network, batchSize = settings.batch) {
  const points = session.data.train.X.length + settings.points.length; // added points are training points
  const batch = batchSize ? Math.min(batchSize, points) : points;
  const perStep = batch * network.counts.parameters;
  const paced = settings.speed && settings.speed !== "ramp" ? Math.floor(settings.speed * session.limits.max_paced_seconds) : Infinity;
  return Math.max(1, Math.min(CHUNK_STEPS, paced, Math.floor(session.limits.max_compute / perStep)));
}

function nextJob(first) {
  const steps = chunkSteps();
  const body = {
    network: { id: session.network.id }, data: dataSpec(),
    training: trainingSpec({ steps, history_every: Math.min(HISTORY_EVERY, steps) }),
    live: { ...liveOptions(), ...livePace(first) }, ...classJob(),
  };
  return { body, label: "Play: a training job continuing this network" };
}

function frame(progress) {
  const { record } = progress;
  showMetrics({
    epoch: progress.epoch,
    trainLoss: record && record.train_loss !== null ? record.train_loss : progress.batch_loss,
    testLoss: record ? record.test_loss : undefined,
  });
  if (record) {
    adviseFrom(record);
    keepRecord(record);
  }
  drawLiveBoundary(progress);
}

function finished(job) {
  showJob(job);
  session.network.steps_trained = job.progress.step;
  if (job.status === "diverged") adviseDiverged(job.progress.step);
}

function changed(state, detail) {
  setTransport();
  // The periodic figures start with the first frame: before it, their requests would hold up the
  // job's own (the browser opens a few connections per server).
  if (state === "running" && !refreshTimer) {
    refreshTimer = setInterval(() => refreshFigures(false, { periodic: true, playing: true }), FIGURE_REFRESH_MS);
  }
  if (state === "waiting") {
    showStatus(detail.position ? `Waiting for a free worker (position ${detail.position})…` : "Training…");
  } else if (state === "running") {
    showStatus("Training…");
  } else if (state === "stopping") {
    abortFigureRequests();
    stopRefreshing();
    delete $("#pause").dataset.latencyMs;
  } else if (state === "idle") {
    stopRefreshing();
    if (detail.error) trainErrors.show(detail.error);
    if (detail.cancelled) {
      showJob(detail.cancelled);
      session.network.steps_trained = Math.max(session.network.steps_trained, detail.cancelled.progress.step);
      $("#pause").dataset.latencyMs = detail.milliseconds.toFixed(0);
      showStatus(`Paused (the server stopped the job in ${detail.milliseconds.toFixed(0)} ms).`);
    } else if (detail.ended) {
      showStatus(detail.error ? "Stopped." : "Paused.");
      if (detail.finished) refreshFigures(true);
    } else if (!detail.error) {
      showStatus("Paused.");
    }
  }
}

function stopRefreshing() {
  clearInterval(refreshTimer);
  refreshTimer = null;
}

export function setTransport() {
  const { network } = session;
  const active = driver.active;
  const focused = document.activeElement;
  $("#play").disabled = active || !network;
  $("#pause").disabled = !active || driver.state === "stopping";
  $("#step").disabled = active || !network;
  // Play and Pause take turns: the focus goes with them instead of falling to the page (to their
  // group while both wait, as Pause stops the job).
  const left = focused && (focused.id === "transport" || (focused.disabled && (focused.id === "play" || focused.id === "pause")));
  if (left) ([$("#pause"), $("#play")].find((button) => !button.disabled) || $("#transport")).focus();
  // The stored network's spec, weights and history, as the export endpoint gives them.
  $("#export").hidden = !network || active;
  if (network) $("#export").href = `/api/networks/${network.id}/export`;
  $("#keep").hidden = !network || active || Boolean(network.name);
  $("#share").hidden = !network || active;
  $("#compare").disabled = !network; // while playing too: Compare pauses first
  if (!network) $("#share-link").hidden = true; // a link names the network it was made for
}

// Play, Pause, Step and Reset presses: an added point resumes Play only if none came meanwhile.
let transportChanges = 0;
export const transportCount = () => transportChanges;
export function pressed(action) {
  return (...args) => {
    transportChanges += 1;
    return action(...args);
  };
}

export async function play() {
  if (controller.active || !session.network) return;
  trainErrors.clear();
  await controller.play(async () => {
    if (!boundaryIsLive()) await refreshFigures(true, { playing: true, boundaryOnly: true });
    countLiveUpdates();
  });
}

export const stop = () => controller.stop();

export async function pause() {
  await stop();
  await refreshFigures(true);
}

export async function step() {
  if (controller.active || !session.network) return;
  trainErrors.clear();
  $("#step").disabled = true;
  try {
    const body = { network: { id: session.network.id }, data: dataSpec(), training: trainingSpec({ epochs: 1, history_every: 1 }), ...classJob() };
    const job = await busy(api("POST", "/api/jobs", { query: { wait: true }, body, label: "Step: one epoch, waiting for the result" }));
    showJob(job);
    if (job.status === "diverged") adviseDiverged(job.progress.step);
    if (job.status !== "done") throw new Error(`The step ended with status “${job.status}”${job.error ? `: ${job.error}` : "."}`);
    session.network.steps_trained = job.progress.step;
    showStatus("One epoch trained.");
    await refreshFigures(true);
  } catch (error) {
    trainErrors.show(error);
  }
  setTransport();
}

// Reset: a fresh network (epoch 0) that carries the data spec, so every figure can be drawn at once.
export async function reset() {
  trainErrors.clear();
  clearAdvice();
  const previous = session.network;
  session.network = null;
  setTransport();
  try {
    const { data } = session;
    session.network = await busy(api("POST", "/api/networks", { body: { ...networkSpec(data), seed: settings.seed, data: dataSpec() }, label: "Reset: a new network with its data" }));
    fillHiddenLayers();
    showMetrics({ epoch: 0, trainLoss: null, testLoss: null });
    showStatus(`${session.network.counts.parameters} parameters in ${session.network.counts.layers} layers. Press Play or Step.`);
    // Refreshes run one after another: once the new network's figures are drawn, none still asks
    // for the previous one, which can go (a kept one stays).
    await refreshFigures(true);
    if (previous && !previous.name) deletePrevious(previous);
  } catch (error) {
    trainErrors.show(error);
  }
  setTransport();
}

// An unnamed network is scratch: Reset deletes the old one. If that fails, say so (it expires later).
async function deletePrevious(previous) {
  try {
    await api("DELETE", `/api/networks/${previous.id}`, { label: "Reset: delete the previous network" });
  } catch (error) {
    trainErrors.show(new Error(`The previous network (${previous.id}) could not be deleted; it expires by itself. ${error.message}`));
  }
}
