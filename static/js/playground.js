// The Playground: settings <-> URL, data previews, a network on the server, and live training over
// the jobs' Server-Sent Events. Every number and figure on screen comes from /api.
import { announce, api } from "./api.js";
import { layerEditor, layersFromText, layersToText } from "./layers.js";
import { decodeBoundary } from "./live.js";
import { $, busy, drawFigure, el, errorArea, formatNumber, options, pageError, placeholder, plotlyReady } from "./ui.js";

// The figures' class colours (Okabe–Ito, as in the server's theme), for thumbnails and the picker.
const CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"];
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_STRENGTHS = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const BATCH_SIZES = [0, 1, 5, 10, 30, 100];
const TEST_SHARES = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
const OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"];
const INITS = [["small", "small (0.01·randn)"], ["xavier", "Xavier"], ["he", "He"]];
const LOSSES = { softmax: "softmax", svm: "multiclass SVM", logistic: "logistic (2 classes)", hinge: "hinge (2 classes)", mse: "squared error" };
// Play runs jobs of CHUNK_STEPS steps back to back, recording history every HISTORY_EVERY steps
// (a job's history is stored when it stops, so a smaller one makes Pause quicker).
const CHUNK_STEPS = 10000;
const HISTORY_EVERY = 100;
const LIVE = { grid: 40, interval_ms: 50 };
// Training pace (steps per second, 0 = as fast as the server goes): slow enough to watch it learn.
const SPEEDS = [[0, "full speed"], [1000, "1,000 steps/s"], [300, "300 steps/s"], [100, "100 steps/s"], [30, "30 steps/s"], [10, "10 steps/s"]];
const FIGURE_REFRESH_MS = 1000;
const STILL_GRID = 100; // the boundary at rest is drawn finer than the live grid

const DEFAULTS = {
  ds: "spiral", n: 100, noise: 0.2, classes: 3, test: 0.2, dseed: 0,
  layers: "8-relu,8-relu", loss: "softmax", init: "he", seed: 0,
  opt: "adam", lr: 0.01, batch: 0, reg: "l2", lam: 0.001, speed: 0,
};
const NUMERIC = ["n", "noise", "classes", "test", "dseed", "seed", "lr", "batch", "lam", "speed"];
const DATA_KEYS = ["ds", "n", "noise", "classes", "test", "dseed"];
const NETWORK_KEYS = ["layers", "loss", "init", "seed"];

const trainErrors = errorArea($("#train-error"));
// `points`: the points added by clicking, [x1, x2, class] each, part of the data spec (and the URL).
const state = { ...DEFAULTS, points: [] };
let activationNames = [];
let datasetInfo = new Map(); // name -> GET /api/datasets entry
let layers = [];
let data = null; // the preview of the current data set
let network = null; // the stored network being trained
let playing = false;
let starting = null; // the request creating Play's next job, while it is on its way
let job = null; // {id, source}
let refreshTimer = null;
let boundaryLive = false; // the boundary plot holds a heatmap that live updates can restyle
let transportChanges = 0; // Play, Pause, Step and Reset presses: a points update resumes only if none came
const live = { updates: 0, since: 0 };

// --- state and URL ---------------------------------------------------------------------------

// Reads the settings in the address into `state`; returns the keys it had.
function readUrl() {
  const params = new URLSearchParams(window.location.search);
  for (const key of Object.keys(DEFAULTS)) {
    if (!params.has(key)) continue;
    const raw = params.get(key);
    if (NUMERIC.includes(key)) {
      const value = Number(raw);
      if (raw !== "" && Number.isFinite(value)) state[key] = value;
    } else {
      state[key] = raw;
    }
  }
  if (params.has("pts")) state.points = pointsFromText(params.get("pts"));
  return new Set(params.keys());
}

// Added points in the address: "x1_x2_class_x1_x2_class…" (characters a URL keeps as they are, so
// the server's limit of added points still gives an address of a few kilobytes).
function pointsToText(points) {
  return points.flat().join("_");
}

function pointsFromText(text) {
  const values = text.split("_").map(Number);
  const points = [];
  for (let i = 0; i + 2 < values.length; i += 3) {
    const [x1, x2, k] = values.slice(i, i + 3);
    if ([x1, x2].every(Number.isFinite) && Number.isInteger(k) && k >= 0) points.push([x1, x2, k]);
  }
  return points;
}

// A generator's own defaults for the data settings the address leaves out.
function dataDefaults(given) {
  const entry = info();
  if (!entry) return;
  const points = entry.params.n_per_class || entry.params.n_points;
  if (!given.has("n")) state.n = Math.min(500, points.default);
  if (!given.has("noise")) state.noise = entry.params.noise.default;
  if (!given.has("classes") && entry.params.classes) state.classes = entry.params.classes.default;
}

function writeUrl() {
  state.layers = layersToText(layers);
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS)) params.set(key, String(state[key]));
  if (state.points.length) params.set("pts", pointsToText(state.points));
  window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
}

const isUpload = () => state.ds.startsWith("upload:");
const info = () => datasetInfo.get(state.ds);

function dataSpec() {
  const added = state.points.length ? { points: state.points.map((point) => [...point]) } : {};
  if (isUpload()) return { id: state.ds.slice("upload:".length), test_fraction: state.test, seed: state.dseed, ...added };
  const params = info().params;
  const spec = { name: state.ds, noise: state.noise, seed: state.dseed, test_fraction: state.test, ...added };
  spec[params.n_per_class ? "n_per_class" : "n_points"] = state.n;
  if (params.classes) spec.classes = state.classes;
  return spec;
}

function outputDim() {
  return ["softmax", "svm"].includes(state.loss) ? data.n_classes : 1;
}

function networkSpec() {
  return {
    input_dim: data.train.X[0].length,
    hidden: layers.map((layer) => ({ units: layer.units, activation: layer.activation })),
    output_dim: outputDim(),
    loss: state.loss,
    init: state.init,
  };
}

function trainingSpec(amount) {
  return {
    optimizer: state.opt, learning_rate: state.lr, regularization: state.reg, reg_strength: state.lam,
    batch_size: state.batch || null, seed: state.seed, ...amount,
  };
}

// --- controls --------------------------------------------------------------------------------

function fillControls() {
  const entry = info();
  const pointsParam = entry && (entry.params.n_per_class || entry.params.n_points);
  $("#points-label").firstChild.textContent = entry && entry.params.n_per_class ? "points per class: " : "points: ";
  for (const id of ["points", "noise", "classes", "regenerate"]) $(`#${id}`).disabled = isUpload() && id !== "regenerate";
  if (pointsParam) {
    $("#points").max = String(Math.min(500, pointsParam.maximum));
    $("#points").min = String(Math.max(10, pointsParam.minimum));
  }
  $("#points").value = String(state.n);
  $("#points-value").textContent = String(state.n);
  $("#noise").value = String(state.noise);
  $("#noise-value").textContent = String(state.noise);
  $("#classes-field").hidden = !(entry && entry.params.classes);
  if (entry && entry.params.classes) {
    const { minimum, maximum } = entry.params.classes;
    const counts = [];
    for (let k = minimum; k <= Math.min(maximum, 6); k += 1) counts.push([k, String(k)]);
    options($("#classes"), counts, state.classes);
  }
  // A value from the address that is not in a list joins it (the lists are choices, not limits).
  const withState = (values, key) => (values.includes(state[key]) ? values : [...values, state[key]].sort((a, b) => a - b));
  options($("#test"), withState(TEST_SHARES, "test").map((share) => [share, `${Math.round(100 * (1 - share))} : ${Math.round(100 * share)}`]), state.test);
  options($("#init"), INITS, state.init);
  $("#seed").value = String(state.seed);
  options($("#optimizer"), OPTIMIZERS.map((name) => [name, name]), state.opt);
  options($("#lr"), withState(LEARNING_RATES, "lr").map((rate) => [rate, String(rate)]), state.lr);
  options($("#batch"), withState(BATCH_SIZES, "batch").map((size) => [size, size ? String(size) : "full batch"]), state.batch);
  options($("#reg"), [["none", "none"], ["l1", "L1"], ["l2", "L2"]], state.reg);
  options($("#lam"), withState(REG_STRENGTHS, "lam").map((value) => [value, String(value)]), state.lam);
  options($("#speed"), SPEEDS.some(([value]) => value === state.speed) ? SPEEDS : [...SPEEDS, [state.speed, `${state.speed} steps/s`]], state.speed);
  for (const button of document.querySelectorAll(".dataset-thumb")) {
    button.setAttribute("aria-pressed", String(button.dataset.name === state.ds || (button.dataset.name === "upload" && isUpload())));
  }
}

// Losses that fit the data; an unfit choice falls back to the usual one.
function fillLosses() {
  const allowed = data.task === "regression" ? ["mse"] : ["softmax", "svm", ...(data.n_classes === 2 ? ["logistic", "hinge"] : [])];
  if (!allowed.includes(state.loss)) state.loss = allowed[0];
  options($("#loss"), allowed.map((name) => [name, LOSSES[name]]), state.loss);
}

function fillClassPicker() {
  const picker = $("#class-picker");
  if (data.task !== "classification" || data.train.X[0].length !== 2) {
    picker.replaceChildren();
    return;
  }
  const chosen = picker.querySelector("input:checked");
  const selected = chosen ? Number(chosen.value) : 0;
  const coordinate = (id, text) => el("label", { for: id }, text, el("input", { type: "number", id, step: "any", value: "0", class: "coordinate" }));
  picker.replaceChildren(el("span", { class: "label" }, "Click the plot to add a point of class:"),
    ...data.class_names.map((name, k) => el("label", {},
      el("input", { type: "radio", name: "add-class", value: String(k), checked: k === Math.min(selected, data.n_classes - 1) }),
      el("span", { class: "swatch", style: `background:${CLASS_COLORS[k % CLASS_COLORS.length]}` }), name)),
    el("form", { class: "add-point", onsubmit: typedPoint, "aria-label": "Add a point by its coordinates" },
      el("span", { class: "label" }, "or at"), coordinate("add-x1", "x1"), coordinate("add-x2", "x2"),
      el("button", { type: "submit", class: "small" }, "Add point")),
    el("button", { type: "button", class: "small", id: "clear-points", onclick: clearPoints }, "Remove added points"),
    el("span", { id: "added-count", "data-testid": "added-count" }, ""));
  showAddedCount();
}

function showAddedCount() {
  const count = state.points.length;
  const shown = $("#added-count");
  if (shown) shown.textContent = count ? `${count} added` : "";
  if ($("#clear-points")) $("#clear-points").hidden = count === 0;
}

// A settings change: data changes and network changes reset; training changes apply at once.
async function settingChanged(keys) {
  // Added points belong to the data set they were added to, and to its classes.
  if (keys.includes("ds")) state.points = [];
  if (keys.includes("classes")) state.points = state.points.filter((point) => point[2] < state.classes);
  writeUrl();
  trainErrors.clear();
  try {
    if (keys.some((key) => DATA_KEYS.includes(key))) {
      await stop();
      await loadData();
      await reset();
    } else if (keys.some((key) => NETWORK_KEYS.includes(key))) {
      await stop();
      await reset();
    } else if (playing) {
      await stop();
      await play();
    }
  } catch (error) {
    trainErrors.show(error);
  }
}

function bindControls() {
  const bind = (id, key, event = "change", parse = Number) => {
    $(`#${id}`).addEventListener(event, (e) => {
      state[key] = parse(e.target.value);
      settingChanged([key]);
    });
  };
  for (const [id, key] of [["classes", "classes"], ["test", "test"], ["seed", "seed"], ["lr", "lr"], ["batch", "batch"], ["lam", "lam"], ["speed", "speed"]]) bind(id, key);
  for (const [id, key] of [["loss", "loss"], ["init", "init"], ["optimizer", "opt"], ["reg", "reg"]]) bind(id, key, "change", String);
  bind("points", "n");
  bind("noise", "noise");
  $("#points").addEventListener("input", (e) => { $("#points-value").textContent = e.target.value; });
  $("#noise").addEventListener("input", (e) => { $("#noise-value").textContent = e.target.value; });
  $("#regenerate").addEventListener("click", () => {
    state.dseed += 1;
    settingChanged(["dseed"]);
  });
  $("#upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    await uploadCsv(file, $("#upload-task").value, "Upload your CSV");
    event.target.value = "";
  });
  const pressed = (action) => () => {
    transportChanges += 1;
    return action();
  };
  $("#play").addEventListener("click", pressed(play));
  $("#pause").addEventListener("click", pressed(pause));
  $("#step").addEventListener("click", pressed(step));
  $("#reset").addEventListener("click", async () => {
    transportChanges += 1;
    await stop();
    await reset();
  });
  $("#boundary").addEventListener("click", clickPoint);
  $("#keep").addEventListener("submit", keepNetwork);
  $("#hidden-layer").addEventListener("change", async () => {
    const query = hiddenSpaceQuery();
    if (!network || !query) return;
    try {
      const figure = await busy(api("GET", `/api/networks/${network.id}/figures/hidden-space`, { query, label: "Figure: hidden-space" }));
      await drawFigure($("#hidden-space"), figure);
    } catch (error) {
      trainErrors.show(error);
    }
  });
}

function setTransport() {
  const focused = document.activeElement;
  $("#play").disabled = playing || !network;
  $("#pause").disabled = !playing;
  $("#step").disabled = playing || !network;
  // Play and Pause take turns: the focus goes with them instead of falling to the page.
  if (focused && focused.disabled && (focused.id === "play" || focused.id === "pause")) $(playing ? "#pause" : "#play").focus();
  // The stored network's spec, weights and history, as the export endpoint gives them.
  $("#export").hidden = !network || playing;
  if (network) $("#export").href = `/api/networks/${network.id}/export`;
  $("#keep").hidden = !network || playing || Boolean(network.name);
}

// --- data ------------------------------------------------------------------------------------

async function loadData() {
  // Nothing to train until the new data's network exists.
  $("#play").disabled = true;
  $("#step").disabled = true;
  fillControls();
  data = await busy(api("POST", "/api/datasets/preview", { body: dataSpec(), label: "The data set (points)" }), { target: $("#boundary").closest(".card") });
  fillLosses();
  fillClassPicker();
  $("#boundary-title").textContent = data.task === "classification" ? "Decision boundary" : "The fitted function";
  if (isUpload()) drawThumb($(".dataset-thumb[data-name=upload] canvas"), data);
  writeUrl();
}

async function uploadCsv(blob, task, label) {
  trainErrors.clear();
  try {
    await stop();
    const uploaded = await busy(api("POST", "/api/datasets", { form: { file: blob, task }, label }));
    state.ds = `upload:${uploaded.id}`;
    state.points = [];
    writeUrl();
    await loadData();
    await reset();
  } catch (error) {
    trainErrors.show(error);
  }
}

// ConvNetJS's trick: a click on the plot adds a point of the chosen class.
function clickPoint(event) {
  const gd = $("#boundary");
  if (!gd._fullLayout) return;
  const xaxis = gd._fullLayout.xaxis;
  const yaxis = gd._fullLayout.yaxis;
  const box = gd.getBoundingClientRect();
  const px = event.clientX - box.left - xaxis._offset;
  const py = event.clientY - box.top - yaxis._offset;
  if (px < 0 || py < 0 || px > xaxis._length || py > yaxis._length) return;
  addPoint([xaxis.p2d(px), yaxis.p2d(py)]);
}

// The same from the keyboard: type the coordinates.
function typedPoint(event) {
  event.preventDefault();
  const point = [Number($("#add-x1").value), Number($("#add-x2").value)];
  if (point.every(Number.isFinite)) addPoint(point);
}

// A new point joins the data spec's list of added points (to a thousandth: finer than a pixel); the
// network keeps training on the new data, from where it is.
function addPoint(point) {
  const picker = $("#class-picker input:checked");
  if (!picker || !data || data.task !== "classification") return;
  const round = (value) => Math.round(value * 1000) / 1000;
  state.points.push([round(point[0]), round(point[1]), Number(picker.value)]);
  pointsChanged();
}

function clearPoints() {
  state.points = [];
  pointsChanged();
}

// Clicks come faster than the server answers: one update runs at a time and sends the whole list,
// and one more follows if points changed meanwhile, so no click is lost.
const pointUpdates = { running: null, again: false, accepted: [] };

function pointsChanged() {
  writeUrl();
  showAddedCount();
  if (pointUpdates.running) {
    pointUpdates.again = true;
    return pointUpdates.running;
  }
  pointUpdates.running = (async () => {
    do {
      pointUpdates.again = false;
      await applyPoints();
    } while (pointUpdates.again);
  })().finally(() => { pointUpdates.running = null; });
  return pointUpdates.running;
}

// The stored network takes the new data spec (training stops for that moment and then continues
// the same network), and the figures show the points.
async function applyPoints() {
  if (!network) return; // the next Reset creates the network with them
  trainErrors.clear();
  const resume = playing;
  const transport = transportChanges;
  const points = state.points.map((point) => [...point]);
  let refused = null;
  try {
    await stop();
    await busy(api("PATCH", `/api/networks/${network.id}`, { body: { data: dataSpec() }, label: "Added points: the network's data spec with them" }));
    pointUpdates.accepted = points;
  } catch (error) {
    // A list the server refuses (too many points) goes back to the last one it took. A 409 means a
    // job started meanwhile (a Step): it sends the whole list too, so nothing is lost.
    if (error.status === 422) {
      state.points = pointUpdates.accepted.map((point) => [...point]);
      writeUrl();
      showAddedCount();
    }
    if (error.status !== 409) refused = error;
  }
  await refreshFigures(true);
  if (resume && transport === transportChanges) {
    await play();
  } else if (!refused) {
    $("#status").textContent = `${points.length} added point${points.length === 1 ? "" : "s"}. Press Play or Step.`;
  }
  if (refused) trainErrors.show(refused);
}

// Unnamed networks are scratch and expire; a name keeps this one on the server (Reset leaves it).
async function keepNetwork(event) {
  event.preventDefault();
  const name = $("#keep-name").value.trim();
  if (!network || !name) return;
  trainErrors.clear();
  try {
    network = await busy(api("PATCH", `/api/networks/${network.id}`, { body: { name }, label: "Keep the network on the server (a name)" }));
    $("#status").textContent = `Kept on the server as “${network.name}” (id ${network.id}).`;
  } catch (error) {
    trainErrors.show(error);
  }
  setTransport();
}

// A data set's thumbnail: its preview points on a small canvas (regression: colour = target).
function drawThumb(canvas, preview) {
  const ctx = canvas.getContext("2d");
  const size = canvas.width;
  ctx.clearRect(0, 0, size, size);
  const points = [...preview.train.X.map((x, i) => [x, preview.train.y[i]]), ...preview.test.X.map((x, i) => [x, preview.test.y[i]])];
  const oneD = points.length > 0 && points[0][0].length === 1;
  const coords = points.map(([x, y]) => (oneD ? [x[0], y] : [x[0], x[1]]));
  const xs = coords.map((c) => c[0]);
  const ys = coords.map((c) => c[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const targets = points.map((p) => p[1]);
  const [t0, t1] = [Math.min(...targets), Math.max(...targets)];
  const pad = 4;
  coords.forEach(([x, y], i) => {
    const cx = pad + ((x - x0) / (x1 - x0 || 1)) * (size - 2 * pad);
    const cy = size - pad - ((y - y0) / (y1 - y0 || 1)) * (size - 2 * pad);
    if (preview.task === "classification") ctx.fillStyle = CLASS_COLORS[targets[i] % CLASS_COLORS.length];
    else if (oneD) ctx.fillStyle = CLASS_COLORS[0];
    else ctx.fillStyle = `hsl(${210 - 180 * ((targets[i] - t0) / (t1 - t0 || 1))}, 70%, 45%)`;
    ctx.beginPath();
    ctx.arc(cx, cy, 1.8, 0, 2 * Math.PI);
    ctx.fill();
  });
}

async function buildThumbnails(datasets) {
  const container = $("#datasets");
  const thumb = (name, title) => {
    const button = el("button", { type: "button", class: "dataset-thumb", dataset: { name }, "aria-pressed": "false", title },
      el("canvas", { width: 64, height: 64, "aria-hidden": "true" }), name);
    if (name !== "upload") {
      button.addEventListener("click", () => {
        state.ds = name;
        dataDefaults(new Set());
        settingChanged(["ds"]);
      });
    } else {
      button.addEventListener("click", () => $("#upload").click());
    }
    return button;
  };
  container.replaceChildren(...datasets.map((d) => thumb(d.name, d.description)), thumb("upload", "Upload a CSV of x1, x2, label"));
  await Promise.all(datasets.map(async (d) => {
    const points = d.params.n_per_class ? { n_per_class: 30 } : { n_points: 80 };
    const preview = await api("POST", "/api/datasets/preview", { body: { name: d.name, ...points, seed: 0 } });
    drawThumb($(`.dataset-thumb[data-name="${d.name}"] canvas`), preview);
  }));
}

// --- the network and its figures ---------------------------------------------------------------

function showMetrics({ epoch, trainLoss, testLoss }) {
  if (epoch !== undefined) $("#epoch").textContent = Number.isInteger(epoch) ? String(epoch) : epoch.toFixed(1);
  if (trainLoss !== undefined) $("#train-loss").textContent = formatNumber(trainLoss);
  if (testLoss !== undefined) $("#test-loss").textContent = formatNumber(testLoss);
}

function showJob(finished) {
  showMetrics({ epoch: finished.progress.epoch, trainLoss: finished.metrics.train_loss, testLoss: finished.metrics.test_loss });
}

// Reset: a fresh network (epoch 0) that carries the data spec, so every figure can be drawn at once.
async function reset() {
  trainErrors.clear();
  const previous = network;
  network = null;
  setTransport();
  try {
    network = await busy(api("POST", "/api/networks", { body: { ...networkSpec(), seed: state.seed, data: dataSpec() }, label: "Reset: a new network with its data" }));
    fillHiddenLayers();
    if (previous && !previous.name) api("DELETE", `/api/networks/${previous.id}`).catch(() => {}); // a kept one stays
    showMetrics({ epoch: 0, trainLoss: null, testLoss: null });
    $("#status").textContent = `${network.counts.parameters} parameters in ${network.counts.layers} layers. Press Play or Step.`;
    await refreshFigures(true);
  } catch (error) {
    trainErrors.show(error);
  }
  setTransport();
}

// Figures redrawn about once a second while training (the boundary itself follows the events).
const FIGURES = [
  ["neurons", { grid: 24 }],
  ["topology", {}],
  ["training", { x_axis: "epoch" }],
  ["dead-units", {}],
  ["update-ratio", {}],
];
const NEEDS_HISTORY = ["training", "dead-units", "update-ratio"];

// The hidden-space view needs a hidden layer and at most two inputs; it is drawn when training stops.
function hiddenSpaceQuery() {
  if (layers.length === 0 || data.train.X[0].length > 2) return null;
  return { layer: Number($("#hidden-layer").value) || 1 };
}

function fillHiddenLayers() {
  const chosen = Math.min(Number($("#hidden-layer").value) || 1, Math.max(layers.length, 1));
  options($("#hidden-layer"), layers.map((_, i) => [i + 1, `h${i + 1}`]), chosen);
  $("#hidden-layer").disabled = layers.length === 0;
}

// Figure refreshes run one after another; a periodic one is skipped while another is under way.
let refreshChain = Promise.resolve();
let refreshesPending = 0;

function refreshFigures(withBoundary, { periodic = false } = {}) {
  if (!network || (periodic && refreshesPending > 0)) return refreshChain;
  refreshesPending += 1;
  refreshChain = refreshChain.then(() => drawFigures(withBoundary)).finally(() => { refreshesPending -= 1; });
  return refreshChain;
}

// Figure requests in flight; Pause aborts them so that its cancel request needs no free connection.
let figureRequests = new AbortController();

async function drawFigures(withBoundary) {
  if (!network) return;
  const id = network.id;
  const { signal } = figureRequests;
  const trained = network.steps_trained > 0 || playing;
  const hidden = withBoundary ? hiddenSpaceQuery() : null;
  const wanted = [
    ...(withBoundary ? [["decision-boundary", { grid: playing ? LIVE.grid : STILL_GRID }]] : []),
    ...FIGURES,
    ...(hidden ? [["hidden-space", hidden]] : []),
  ];
  if (withBoundary && !hidden) placeholder($("#hidden-space"), "The hidden-space view needs a hidden layer.");
  try {
    await Promise.all(wanted.map(async ([kind, query]) => {
      const node = $(`#${kind === "decision-boundary" ? "boundary" : kind}`);
      if (!trained && NEEDS_HISTORY.includes(kind)) {
        placeholder(node, "The curves appear once the network has trained.");
        return;
      }
      const figure = await api("GET", `/api/networks/${id}/figures/${kind}`, { query, signal, label: `Figure: ${kind}` });
      if (!network || network.id !== id) return;
      await drawFigure(node, figure);
      if (kind === "decision-boundary") boundaryLive = figure.data.length > 0;
    }));
  } catch (error) {
    trainErrors.show(error);
  }
}

// --- training --------------------------------------------------------------------------------

async function onProgress(event) {
  const progress = JSON.parse(event.data);
  const record = progress.record;
  showMetrics({
    epoch: progress.epoch,
    trainLoss: record && record.train_loss !== null ? record.train_loss : progress.batch_loss,
    testLoss: record ? record.test_loss : undefined,
  });
  if (!progress.boundary || !boundaryLive) return;
  const boundary = await decodeBoundary(progress.boundary);
  if (!boundaryLive) return; // stopped while decoding
  // 1-D regression: trace 0 is the fitted curve, whose values arrive as z.
  const update = boundary.kind === "regression-1d" ? { x: [boundary.x], y: [boundary.z] } : { x: [boundary.x], y: [boundary.y], z: [boundary.z] };
  window.Plotly.restyle($("#boundary"), update, [0]);
  live.updates += 1;
  const seconds = (performance.now() - live.since) / 1000;
  $("#boundary").dataset.updates = String(live.updates);
  $("#boundary").dataset.updatesPerSecond = (live.updates / seconds).toFixed(1);
}

function follow(jobId) {
  const url = `/api/jobs/${jobId}/events`;
  announce("Live progress of the training job (Server-Sent Events)", "GET", url);
  const source = new EventSource(url);
  job = { id: jobId, source };
  source.addEventListener("progress", (event) => {
    if (job && job.id === jobId) onProgress(event);
  });
  source.addEventListener("done", (event) => {
    source.close();
    if (!job || job.id !== jobId) return;
    const finished = JSON.parse(event.data);
    job = null;
    showJob(finished);
    network.steps_trained = finished.progress.step;
    if (finished.status === "done" && playing) {
      startChunk();
    } else if (finished.status !== "cancelled") {
      playing = false;
      stopRefreshing();
      setTransport();
      if (finished.status !== "done") trainErrors.show(new Error(`Training stopped (${finished.status})${finished.error ? `: ${finished.error}` : "."}`));
      refreshFigures(true);
    }
  });
  source.onerror = () => {
    // The stream ended without a `done` (server restart): stop, and say so.
    if (job && job.id === jobId) {
      source.close();
      job = null;
      playing = false;
      stopRefreshing();
      setTransport();
      trainErrors.show(new Error("The live connection to the training job was lost."));
    }
  };
}

async function startChunk() {
  const body = { network: { id: network.id }, data: dataSpec(), training: trainingSpec({ steps: CHUNK_STEPS, history_every: HISTORY_EVERY }), live: { ...LIVE, steps_per_second: state.speed || null } };
  const request = api("POST", "/api/jobs", { body, label: "Play: a training job continuing this network" });
  starting = request;
  try {
    const queued = await request;
    if (playing) follow(queued.id); // else Pause came first: stop() cancels this job
  } catch (error) {
    if (!playing) return; // stop() reports it
    playing = false;
    stopRefreshing();
    setTransport();
    trainErrors.show(error);
  } finally {
    if (starting === request) starting = null;
  }
}

async function play() {
  if (playing || !network) return;
  trainErrors.clear();
  playing = true;
  setTransport();
  $("#status").textContent = "Training…";
  if (!boundaryLive) await refreshFigures(true);
  live.updates = 0;
  live.since = performance.now();
  await startChunk();
  refreshTimer = setInterval(() => refreshFigures(false, { periodic: true }), FIGURE_REFRESH_MS);
}

function stopRefreshing() {
  clearInterval(refreshTimer);
  refreshTimer = null;
}

// Stop training now: close the stream first so nothing on screen moves after the click, then
// cancel the job; its answer holds the epoch and losses of the last finished step.
async function stop() {
  if (!playing) return;
  playing = false;
  stopRefreshing();
  const current = job;
  const pending = starting; // between two jobs of a Play: the next one is on its way
  job = null;
  setTransport();
  if (!current && !pending) {
    $("#status").textContent = "Paused.";
    return;
  }
  if (current) current.source.close();
  figureRequests.abort();
  figureRequests = new AbortController();
  delete $("#pause").dataset.latencyMs;
  const started = performance.now();
  try {
    const jobId = current ? current.id : (await pending).id;
    const cancelled = await api("POST", `/api/jobs/${jobId}/cancel`, { label: "Pause: cancel the job" });
    const elapsed = performance.now() - started;
    $("#pause").dataset.latencyMs = elapsed.toFixed(0);
    showJob(cancelled);
    network.steps_trained = Math.max(network.steps_trained, cancelled.progress.step);
    $("#status").textContent = `Paused (the server stopped the job in ${elapsed.toFixed(0)} ms).`;
  } catch (error) {
    trainErrors.show(error);
  }
}

async function pause() {
  await stop();
  await refreshFigures(true);
}

async function step() {
  if (playing || !network) return;
  trainErrors.clear();
  $("#step").disabled = true;
  try {
    const body = { network: { id: network.id }, data: dataSpec(), training: trainingSpec({ epochs: 1, history_every: 1 }) };
    const finished = await busy(api("POST", "/api/jobs", { query: { wait: true }, body, label: "Step: one epoch, waiting for the result" }));
    showJob(finished);
    if (finished.status !== "done") throw new Error(`The step ended with status “${finished.status}”${finished.error ? `: ${finished.error}` : "."}`);
    network.steps_trained = finished.progress.step;
    $("#status").textContent = "One epoch trained.";
    await refreshFigures(true);
  } catch (error) {
    trainErrors.show(error);
  }
  setTransport();
}

// --- start -----------------------------------------------------------------------------------

async function main() {
  await plotlyReady();
  const given = readUrl();
  let datasets;
  try {
    const [activations, list] = await busy(Promise.all([
      api("GET", "/api/activations"),
      api("GET", "/api/datasets", { label: "The data sets and their parameters" }),
    ]));
    activationNames = activations.map((a) => a.name);
    datasets = list;
  } catch (error) {
    pageError.show(error);
    return;
  }
  datasetInfo = new Map(datasets.map((d) => [d.name, d]));
  const opened = await openStored(given);
  if (!isUpload() && !datasetInfo.has(state.ds)) state.ds = DEFAULTS.ds;
  dataDefaults(given);
  layers = layersFromText(state.layers, activationNames);
  layerEditor($("#layers"), layers, () => settingChanged(["layers"]), { activations: activationNames, idPrefix: "pg-layer" });
  bindControls();
  buildThumbnails(datasets).catch((error) => pageError.show(error)).finally(fillControls);
  let dropped = null; // why the address's data was not used: shown once the page is ready
  try {
    await loadData();
  } catch (error) {
    trainErrors.show(error);
    if (!isUpload() && !state.points.length) return;
    // An address whose uploaded data this server does not have, or whose added points do not fit
    // the data: start without them.
    if (isUpload()) state.ds = DEFAULTS.ds;
    state.points = [];
    dropped = error;
    await loadData();
  }
  if (opened) {
    network = opened;
    fillHiddenLayers();
    showMetrics({ epoch: opened.epochs_trained, trainLoss: null, testLoss: null });
    $("#status").textContent = `Your copy: ${opened.counts.parameters} parameters, ${opened.steps_trained} steps trained. Press Play to go on.`;
    setTransport();
    await refreshFigures(true);
  } else {
    await reset();
  }
  if (dropped) trainErrors.show(dropped); // reset() clears the errors
}

// ?network=ID opens one of your stored networks (e.g. the copy of a shared one): its settings fill
// the page. Returns the network, or null when the address names none (or one that is not yours).
async function openStored(given) {
  const id = new URLSearchParams(window.location.search).get("network");
  if (!id) return null;
  let stored;
  try {
    stored = await busy(api("GET", `/api/networks/${encodeURIComponent(id)}`, { label: "The network this address opens" }));
  } catch (error) {
    trainErrors.show(error);
    return null;
  }
  const { spec } = stored;
  const data = stored.data || {};
  Object.assign(state, { layers: spec.hidden.map((h) => `${h.units}-${h.activation}`).join(","), loss: spec.loss, init: spec.init });
  if (data.id) state.ds = `upload:${data.id}`;
  if (data.name) state.ds = data.name;
  for (const [key, field] of [["n", "n_per_class"], ["n", "n_points"], ["noise", "noise"], ["classes", "classes"], ["test", "test_fraction"], ["dseed", "seed"]]) {
    if (data[field] !== undefined) {
      state[key] = data[field];
      given.add(key);
    }
  }
  return stored;
}

main();
