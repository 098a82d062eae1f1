// The Playground: settings <-> URL, data previews, a network on the server, and live training over
// the jobs' Server-Sent Events. Every number and figure on screen comes from /api. The parts:
// playground/settings.js (the URL's settings and the specs made from them), controller.js (Play's
// state machine), transport.js (Play, Pause, Step, Reset), data.js (data and added points),
// figures.js (the figures and the live boundary).
import { api, serverLimits } from "./api.js";
import { choices, labelOf, loadCatalog } from "./catalog.js";
import { layerEditor, layersFromText } from "./layers.js";
import { $, busy, debounce, options, pageError, plotlyReady } from "./ui.js";
import { clearAdvice } from "./playground/advice.js";
import { openAssignment, sendForm, startClass } from "./playground/classroom.js";
import { buildThumbnails, listenForClicks, loadData } from "./playground/data.js";
import { drawHiddenSpace, fillHiddenLayers, hooks, refreshFigures } from "./playground/figures.js";
import { layerTools } from "./playground/layertools.js";
import {
  DATA_KEYS, DEFAULTS, NETWORK_KEYS, clampSettings, dataDefaults, datasetEntry, isUpload, parseSpeed, readUrl, session, settings, writeUrl,
} from "./playground/settings.js";
import { featureChooser, syncFeatures } from "./playground/features.js";
import { bindFigureTools } from "./playground/nodes.js";
import { showMetrics, showStatus, trainErrors } from "./playground/status.js";
import { controller, pause, play, pressed, reset, setTransport, step, stop } from "./playground/transport.js";
import * as compare from "./playground/compare.js";

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.005, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_STRENGTHS = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const BATCH_SIZES = [0, 1, 5, 10, 30, 100];
const TEST_SHARES = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
// Training pace: a ramp (slow, then full speed), as fast as the server goes (0) or steps per second.
const SPEEDS = [["ramp", "watch it learn"], [0, "full speed"], [1000, "1,000 steps/s"], [300, "300 steps/s"], [100, "100 steps/s"], [30, "30 steps/s"], [10, "10 steps/s"]];

// --- controls --------------------------------------------------------------------------------

function fillControls() {
  const entry = datasetEntry();
  const pointsParam = entry && (entry.params.n_per_class || entry.params.n_points);
  $("#points-label").firstChild.textContent = entry && entry.params.n_per_class ? "points per class: " : "points: ";
  for (const id of ["points", "noise", "classes", "regenerate"]) $(`#${id}`).disabled = isUpload() && id !== "regenerate";
  if (pointsParam) {
    $("#points").max = String(Math.min(500, pointsParam.maximum));
    $("#points").min = String(Math.max(10, pointsParam.minimum));
  }
  $("#points").value = String(settings.n);
  $("#points-value").textContent = String(settings.n);
  $("#noise").value = String(settings.noise);
  $("#noise-value").textContent = String(settings.noise);
  $("#classes-field").hidden = !(entry && entry.params.classes);
  if (entry && entry.params.classes) {
    const { minimum, maximum } = entry.params.classes;
    const counts = [];
    for (let k = minimum; k <= maximum; k += 1) counts.push([k, String(k)]);
    options($("#classes"), counts, settings.classes);
  }
  // A value from the address that is not in a list joins it (the lists are choices, not limits).
  const withSetting = (values, key) => (values.includes(settings[key]) ? values : [...values, settings[key]].sort((a, b) => a - b));
  options($("#test"), withSetting(TEST_SHARES, "test").map((share) => [share, `${Math.round(100 * (1 - share))} : ${Math.round(100 * share)}`]), settings.test);
  options($("#init"), choices("initializations"), settings.init);
  $("#seed").value = String(settings.seed);
  options($("#optimizer"), choices("optimizers"), settings.opt);
  options($("#lr"), withSetting(LEARNING_RATES, "lr").map((rate) => [rate, String(rate)]), settings.lr);
  options($("#batch"), withSetting(BATCH_SIZES, "batch").map((size) => [size, size ? String(size) : "full batch"]), settings.batch);
  options($("#reg"), choices("regularizations"), settings.reg);
  options($("#lam"), withSetting(REG_STRENGTHS, "lam").map((value) => [value, String(value)]), settings.lam);
  options($("#speed"), SPEEDS.some(([value]) => value === settings.speed) ? SPEEDS : [...SPEEDS, [settings.speed, `${settings.speed} steps/s`]], settings.speed);
  for (const button of document.querySelectorAll(".dataset-thumb")) {
    button.setAttribute("aria-pressed", String(button.dataset.name === settings.ds || (button.dataset.name === "upload" && isUpload())));
  }
}

// Losses that fit the data; an unfit choice falls back to the usual one.
function fillLosses() {
  const { data } = session;
  const allowed = data.task === "regression" ? ["mse"] : ["softmax", "svm", ...(data.n_classes === 2 ? ["logistic", "hinge"] : [])];
  if (!allowed.includes(settings.loss)) settings.loss = allowed[0];
  options($("#loss"), allowed.map((name) => [name, labelOf("losses", name)]), settings.loss);
}

// New data: its preview, the losses that fit it and the controls that show it.
async function newData() {
  fillControls();
  await loadData();
  fillLosses();
  syncFeatures();
}

// Settings changes apply one after another: a network change made while new data loads waits for
// that data, so the network is built for it (its output size comes from the new classes).
let changes = Promise.resolve();

function settingChanged(keys) {
  // Added points belong to the data set they were added to, and to its classes.
  if (keys.includes("ds")) settings.points = [];
  if (keys.includes("classes")) settings.points = settings.points.filter((point) => point[2] < settings.classes);
  writeUrl();
  trainErrors.clear();
  clearAdvice();
  const resume = controller.active;
  changes = changes.then(() => applyChange(keys, resume));
  return changes;
}

// Data changes and network changes reset; training changes apply at once, and a Play goes on with them.
async function applyChange(keys, resume) {
  try {
    if (keys.some((key) => DATA_KEYS.includes(key))) {
      await stop();
      await newData();
      await reset();
    } else if (keys.some((key) => NETWORK_KEYS.includes(key))) {
      await stop();
      await reset();
    } else if (controller.active) {
      await controller.renew();
    } else if (resume) {
      await play();
    }
  } catch (error) {
    trainErrors.show(error);
  }
}

function bindControls() {
  const bind = (id, key, event = "change", parse = Number) => {
    $(`#${id}`).addEventListener(event, (e) => {
      settings[key] = parse(e.target.value);
      settingChanged([key]);
    });
  };
  for (const [id, key] of [["classes", "classes"], ["test", "test"], ["seed", "seed"], ["lr", "lr"], ["batch", "batch"], ["lam", "lam"]]) bind(id, key);
  bind("speed", "speed", "change", parseSpeed);
  for (const [id, key] of [["loss", "loss"], ["init", "init"], ["optimizer", "opt"], ["reg", "reg"]]) bind(id, key, "change", String);
  bind("points", "n");
  bind("noise", "noise");
  $("#points").addEventListener("input", (e) => { $("#points-value").textContent = e.target.value; });
  $("#noise").addEventListener("input", (e) => { $("#noise-value").textContent = e.target.value; });
  $("#regenerate").addEventListener("click", () => {
    settings.dseed += 1;
    settingChanged(["dseed"]);
  });
  $("#upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    await uploadCsv(file, $("#upload-task").value, "Upload your CSV");
    event.target.value = "";
  });
  // In the Compare view the transport drives both networks.
  const either = (single, both) => pressed(() => (compare.comparing() ? both() : single()));
  $("#play").addEventListener("click", either(play, compare.play));
  $("#pause").addEventListener("click", either(pause, compare.pause));
  $("#step").addEventListener("click", either(step, compare.step));
  $("#reset").addEventListener("click", either(async () => {
    await stop();
    await reset();
  }, compare.resetBoth));
  $("#keep").addEventListener("submit", keepNetwork);
  $("#share").addEventListener("click", shareNetwork);
  $("#open-network").addEventListener("change", openNetworkFile);
  $("#hidden-layer").addEventListener("change", drawHiddenSpace);
}

async function uploadCsv(blob, task, label) {
  trainErrors.clear();
  try {
    await stop();
    const uploaded = await busy(api("POST", "/api/datasets", { form: { file: blob, task }, label }));
    settings.ds = `upload:${uploaded.id}`;
    settings.points = [];
    writeUrl();
    await newData();
    await reset();
  } catch (error) {
    trainErrors.show(error);
  }
}

// A downloaded network (GET /api/networks/{id}/export) stored again by the import endpoint, then
// opened as the address ?network=ID opens a stored network.
async function openNetworkFile(event) {
  const file = event.target.files[0];
  if (!file) return;
  trainErrors.clear();
  try {
    let exported;
    try {
      exported = JSON.parse(await file.text());
    } catch {
      throw new Error(`${file.name} is not a network file (JSON): open the file that “Download this network” saved.`);
    }
    await stop();
    const imported = await busy(api("POST", "/api/networks/import", { body: exported, label: "Open a network file" }));
    window.location.assign(`${window.location.pathname}?network=${encodeURIComponent(imported.id)}`);
  } catch (error) {
    trainErrors.show(error);
  }
  event.target.value = "";
}

// Unnamed networks are scratch and expire; a name keeps this one on the server (Reset leaves it).
async function keepNetwork(event) {
  event.preventDefault();
  const name = $("#keep-name").value.trim();
  if (!session.network || !name) return;
  trainErrors.clear();
  try {
    session.network = await busy(api("PATCH", `/api/networks/${session.network.id}`, { body: { name }, label: "Keep the network on the server (a name)" }));
    showStatus(`Kept on the server as “${session.network.name}” (id ${session.network.id}).`);
  } catch (error) {
    trainErrors.show(error);
  }
  setTransport();
}

// A read-only link to the network as it is now (/shared/{token}: its weights and figures, and a copy
// for whoever opens it), copied to the clipboard where the browser allows it.
async function shareNetwork() {
  if (!session.network) return;
  trainErrors.clear();
  try {
    const share = await busy(api("POST", `/api/networks/${session.network.id}/share`, { label: "A read-only link to this network" }));
    const url = new URL(share.url, window.location.origin).href;
    $("#share-url").href = url;
    $("#share-url").textContent = url;
    $("#share-link").hidden = false;
    let copied = "";
    try {
      await navigator.clipboard.writeText(url);
      copied = "Copied.";
    } catch {
      copied = "Copy it from here.";
    }
    $("#share-copied").textContent = copied;
  } catch (error) {
    trainErrors.show(error);
  }
}

// The hidden layers, edited in three places that show the same `session.layers`: the settings
// card's editor, the tools over the diagram, and the transport's activation of every layer.
function editNetwork(limits) {
  const activations = session.activations;
  let editor = null;
  let tools = null;
  const changed = (source) => () => {
    if (source !== editor) editor.render();
    tools.render();
    fillActivations();
    settingChanged(["layers"]);
  };
  editor = layerEditor($("#layers"), session.layers, () => changed(editor)(), { ...limits, activations, idPrefix: "pg-layer" });
  tools = layerTools($("#layer-tools"), $("#layer-count"), $("#topology"), { ...limits, activations, changed: changed(tools) });
  const all = $("#all-activations");
  function fillActivations() {
    const used = new Set(session.layers.map((layer) => layer.activation));
    const mixed = used.size > 1 ? [["", "mixed"]] : [];
    options(all, [...mixed, ...activations.map((name) => [name, labelOf("activations", name)])], used.size === 1 ? [...used][0] : "");
    all.disabled = used.size === 0;
  }
  all.addEventListener("change", () => {
    if (!all.value) return;
    for (const layer of session.layers) layer.activation = all.value;
    changed(null)();
  });
  fillActivations();
  hooks.drawn.add((kind, node) => {
    if (kind !== "topology") return;
    tools.render();
    if (!node.dataset.toolsBound) {
      node.on("plotly_afterplot", tools.place); // a resized diagram moves its columns
      node.dataset.toolsBound = "true";
    }
  });
}

// The first screen's row takes the height the window leaves under it, and the transport sticks
// under the header: both measured, as the header and the intro wrap differently on each screen.
const ROW_LEAST = 400; // px: below it the page scrolls rather than shrink the pictures further
const ROW_MOST = 900; // px: a square plot area of about 740 px, enough on any window

function fitFirstScreen() {
  const header = $(".site-header");
  document.documentElement.style.setProperty("--header-h", `${header.offsetHeight}px`);
  const top = $(".playground > .data").getBoundingClientRect().top + window.scrollY;
  const row = Math.min(ROW_MOST, Math.max(ROW_LEAST, Math.floor(window.innerHeight - top - 8)));
  $(".playground").style.setProperty("--row", `${row}px`);
}

// On a phone the boundary comes right after the transport (Play and the picture on the first
// screen), then the network and the data: moved in the page, not only on screen, so that the
// keyboard still goes the way the eye does.
function phoneOrder() {
  const phone = window.matchMedia("(max-width: 600px)");
  const place = () => {
    const stage = $(".playground > .stage");
    const editor = $("#weight-edit");
    if (phone.matches) {
      $(".playground > .data").before(stage, $(".playground > .network"));
      if (editor) $("#map-legend").after(editor); // under the diagram: the first screen is the plot's
    } else {
      $(".playground > .data").after($(".playground > .network"), stage);
      if (editor) $(".status-area .status-line").after(editor);
    }
  };
  phone.addEventListener("change", place);
  place();
}

// --- start -----------------------------------------------------------------------------------

async function main() {
  fitFirstScreen();
  $("#api-call").open = false; // below everything, folded: the first screen is the network at work
  await plotlyReady();
  const given = readUrl();
  let datasets;
  let limits;
  try {
    const [activations, list, stated] = await busy(Promise.all([
      api("GET", "/api/activations"),
      api("GET", "/api/datasets", { label: "The data sets and their parameters" }),
      serverLimits(),
      loadCatalog(),
    ]));
    session.activations = activations.map((a) => a.name);
    datasets = list;
    limits = stated;
  } catch (error) {
    pageError.show(error);
    return;
  }
  session.datasets = new Map(datasets.map((d) => [d.name, d]));
  session.limits = limits;
  const { network: opened, notice: missing } = await openStored(given);
  const classNotice = await openAssignment(given);
  const replaced = [];
  if (!isUpload() && !session.datasets.has(settings.ds)) {
    replaced.push(`data set “${settings.ds}” → ${DEFAULTS.ds}`);
    settings.ds = DEFAULTS.ds;
  }
  dataDefaults(given);
  replaced.push(...clampSettings(limits));
  const editorLimits = { maxLayers: limits.max_hidden_layers, maxUnits: limits.max_units };
  session.layers = layersFromText(settings.layers, session.activations, editorLimits, replaced);
  editNetwork(editorLimits);
  const notices = replaced.length ? [`This address asked for values this server does not take; the nearest valid ones are used: ${replaced.join("; ")}.`] : [];
  if (missing) notices.unshift(missing);
  if (classNotice) notices.unshift(classNotice);
  bindControls();
  const comparing = compare.bindCompare().catch((error) => pageError.show(error));
  featureChooser($("#features"), () => settingChanged(["feat"])).catch((error) => pageError.show(error));
  bindFigureTools();
  phoneOrder(); // after the weight editor is made
  const choose = (name) => {
    settings.ds = name;
    dataDefaults(new Set());
    settingChanged(["ds"]);
  };
  buildThumbnails(datasets, choose).catch((error) => pageError.show(error)).finally(fillControls);
  try {
    await newData();
  } catch (error) {
    trainErrors.show(error);
    if (!isUpload() && !settings.points.length) return;
    // An address whose uploaded data this server does not have, or whose added points do not fit
    // the data: start without them, and say so once the page is ready.
    if (isUpload()) {
      notices.push(`This address's uploaded data is not on this server (any more): the ${DEFAULTS.ds} is shown instead. ${error.message}`);
      settings.ds = DEFAULTS.ds;
      dataDefaults(new Set());
    } else {
      notices.push(error.message);
    }
    settings.points = [];
    await newData();
  }
  if (opened) {
    session.network = opened;
    fillHiddenLayers();
    showMetrics({ epoch: opened.epochs_trained, trainLoss: null, testLoss: null });
    showStatus(`Your copy: ${opened.counts.parameters} parameters, ${opened.steps_trained} steps trained. Press Play to go on.`);
    setTransport();
    await refreshFigures(true);
  } else {
    await reset();
  }
  listenForClicks($("#boundary"));
  startClass();
  if (session.classroom?.view.role !== "member") sendForm().catch((error) => pageError.show(error));
  fitFirstScreen(); // the status line and the editor above the row are filled now
  window.addEventListener("resize", debounce(fitFirstScreen, 200));
  await comparing;
  await compare.reopen(settings.compare); // the address's Compare view, if it names one
  if (notices.length) trainErrors.show(notices.join(" ")); // reset() clears the errors
}

// ?network=ID opens one of your stored networks (e.g. the copy of a shared one): its settings fill
// the page. Returns { network }, or { network: null, notice } when the address names one that is
// gone or not yours: the page says so once it is ready (after the reset that would clear it).
async function openStored(given) {
  const id = new URLSearchParams(window.location.search).get("network");
  if (!id) return { network: null };
  let stored;
  try {
    stored = await busy(api("GET", `/api/networks/${encodeURIComponent(id)}`, { label: "The network this address opens" }));
  } catch (error) {
    return { network: null, notice: `This address opens network ${id}, which is not on this server for you (it expired, was deleted, or is someone else's): a new network is shown instead. ${error.message}` };
  }
  const { spec } = stored;
  const data = stored.data || {};
  Object.assign(settings, { layers: spec.hidden.map((h) => `${h.units}-${h.activation}`).join(","), loss: spec.loss, init: spec.init });
  if (spec.features) settings.feat = spec.features.join(",");
  if (data.id) settings.ds = `upload:${data.id}`;
  if (data.name) settings.ds = data.name;
  for (const [key, field] of [["n", "n_per_class"], ["n", "n_points"], ["noise", "noise"], ["classes", "classes"], ["test", "test_fraction"], ["dseed", "seed"]]) {
    if (data[field] !== undefined) {
      settings[key] = data[field];
      given.add(key);
    }
  }
  return { network: stored };
}

main();
