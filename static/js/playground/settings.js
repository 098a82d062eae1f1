// The Playground's settings and the address bar: one object, `settings`, that the URL holds, and
// the specs (data, network, training) the API takes, made from it.
import { layersToText } from "../layers.js";

export const DEFAULTS = {
  ds: "spiral", n: 100, noise: 0.2, classes: 3, test: 0.2, dseed: 0,
  layers: "8-relu,8-relu", loss: "softmax", init: "he", seed: 0,
  opt: "adam", lr: 0.005, batch: 0, reg: "l2", lam: 0.001, speed: "ramp", feat: "x1,x2",
  showtest: 1, discrete: 0, // the boundary plot's toggles: show the test points, discretize the output
};
const NUMERIC = ["n", "noise", "classes", "test", "dseed", "seed", "lr", "batch", "lam", "showtest", "discrete"];
export const DATA_KEYS = ["ds", "n", "noise", "classes", "test", "dseed"];
export const NETWORK_KEYS = ["layers", "loss", "init", "seed", "feat"];

// `points`: the points added by clicking, [x1, x2, class] each, part of the data spec (and the URL).
// `compare`: the Compare view's one change ("learning_rate:0.1"), or "" for the single view.
export const settings = { ...DEFAULTS, points: [], compare: "" };

// What the page works on: the data sets and limits of the server, the hidden layers being edited,
// the preview of the current data and the stored network being trained; in a class (?class=ID),
// the class and its assignment, and the settings it locks.
export const session = {
  datasets: new Map(), limits: null, activations: [], layers: [], data: null, network: null, classroom: null, locked: new Set(),
};

// Reads the settings in the address into `settings`; returns the keys it had.
export function readUrl() {
  const params = new URLSearchParams(window.location.search);
  for (const key of Object.keys(DEFAULTS)) {
    if (!params.has(key)) continue;
    const raw = params.get(key);
    if (NUMERIC.includes(key)) {
      const value = Number(raw);
      if (raw !== "" && Number.isFinite(value)) settings[key] = value;
    } else if (key === "speed") {
      settings.speed = parseSpeed(raw);
    } else {
      settings[key] = raw;
    }
  }
  if (params.has("pts")) settings.points = pointsFromText(params.get("pts"));
  settings.compare = params.get("compare") || "";
  return new Set(params.keys());
}

// Training pace: "ramp" (slow at first, then full speed), 0 (full speed) or steps per second.
export function parseSpeed(text) {
  const value = Number(text);
  return text !== "ramp" && text !== "" && Number.isFinite(value) ? value : "ramp";
}

// Added points in the address: "x1_x2_class_x1_x2_class…" (characters a URL keeps as they are, so
// the server's limit of added points still gives an address of a few kilobytes).
function pointsToText(points) {
  return points.flat().join("_");
}

export function pointsFromText(text) {
  const values = text.split("_").map(Number);
  const points = [];
  for (let i = 0; i + 2 < values.length; i += 3) {
    const [x1, x2, k] = values.slice(i, i + 3);
    if ([x1, x2].every(Number.isFinite) && Number.isInteger(k) && k >= 0) points.push([x1, x2, k]);
  }
  return points;
}

// The settings as an address's query (every key, and the added points): the Playground's own address,
// and the Sweeps page's link back to the Playground.
export function addressParams() {
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS)) params.set(key, String(settings[key]));
  if (settings.points.length) params.set("pts", pointsToText(settings.points));
  return params;
}

export function writeUrl() {
  settings.layers = layersToText(session.layers);
  const params = addressParams();
  const own = new URLSearchParams(params);
  if (settings.compare) own.set("compare", settings.compare); // a reload opens the Compare view again
  if (session.classroom) own.set("class", session.classroom.id); // the page stays the class's assignment
  window.history.replaceState(null, "", `${window.location.pathname}?${own}`);
  const sweepLink = document.getElementById("sweep-link");
  if (sweepLink) sweepLink.href = `/sweeps?${params}`; // the Sweeps page reads the same settings
}

export const isUpload = () => settings.ds.startsWith("upload:");
export const datasetEntry = () => session.datasets.get(settings.ds);

// A generator's own defaults for the data settings the address leaves out.
export function dataDefaults(given) {
  const entry = datasetEntry();
  if (!entry) return;
  const points = entry.params.n_per_class || entry.params.n_points;
  if (!given.has("n")) settings.n = Math.min(500, points.default);
  if (!given.has("noise")) settings.noise = entry.params.noise.default;
  if (!given.has("classes") && entry.params.classes) settings.classes = entry.params.classes.default;
}

// Settings (from an address) outside what the server takes get the nearest valid value; returns
// what was replaced, in words ("classes 20 → 8").
export function clampSettings(limits) {
  const replaced = [];
  const clamp = (key, lo, hi, label, whole = false) => {
    const value = settings[key];
    const valid = Math.min(Math.max(whole ? Math.round(value) : value, lo), hi);
    if (valid !== value) replaced.push(`${label} ${value} → ${valid}`);
    settings[key] = valid;
  };
  const entry = datasetEntry();
  if (entry) {
    const { params } = entry;
    if (params.classes) clamp("classes", params.classes.minimum, params.classes.maximum, "classes", true);
    const count = params.n_per_class || params.n_points;
    // Points per class times the classes (two, for the sets without a choice) within the points limit.
    const classes = params.n_per_class ? (params.classes ? settings.classes : 2) : 1;
    clamp("n", count.minimum, Math.min(count.maximum, Math.floor(limits.max_points / classes)), "points", true);
    clamp("noise", params.noise.minimum, params.noise.maximum, "noise");
    clamp("test", params.test_fraction.minimum, params.test_fraction.maximum, "test share");
  }
  clamp("batch", 0, limits.max_points, "batch size", true);
  for (const [key, label] of [["lr", "learning rate"], ["lam", "strength λ"]]) {
    if (!(settings[key] > 0 || (key === "lam" && settings[key] === 0))) {
      replaced.push(`${label} ${settings[key]} → ${DEFAULTS[key]}`);
      settings[key] = DEFAULTS[key];
    }
  }
  return replaced;
}

export function dataSpec() {
  const added = settings.points.length ? { points: settings.points.map((point) => [...point]) } : {};
  if (isUpload()) return { id: settings.ds.slice("upload:".length), test_fraction: settings.test, seed: settings.dseed, ...added };
  const params = datasetEntry().params;
  const spec = { name: settings.ds, noise: settings.noise, seed: settings.dseed, test_fraction: settings.test, ...added };
  spec[params.n_per_class ? "n_per_class" : "n_points"] = settings.n;
  if (params.classes) spec.classes = settings.classes;
  return spec;
}

// The network for `data` (a data preview): its sizes come from that data, never from older data.
export function networkSpec(data) {
  const inputs = data.train.X[0].length;
  return {
    input_dim: inputs,
    ...(inputs === 2 ? { features: settings.feat.split(",").filter(Boolean) } : {}), // features: 2 inputs only
    hidden: session.layers.map((layer) => ({ units: layer.units, activation: layer.activation })),
    output_dim: ["softmax", "svm"].includes(settings.loss) ? data.n_classes : 1,
    loss: settings.loss,
    init: settings.init,
  };
}

export function trainingSpec(amount) {
  return {
    optimizer: settings.opt, learning_rate: settings.lr, regularization: settings.reg, reg_strength: settings.lam,
    batch_size: settings.batch || null, seed: settings.seed, ...amount,
  };
}

// A job made for a class's assignment names the class: the server checks it keeps the locked settings.
export const classJob = () => (session.classroom && session.classroom.view.state !== "ended" ? { class_id: session.classroom.id } : {});
