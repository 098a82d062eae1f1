// Sweeps: one setup (the Playground's, from the address) trained over 1 to 3 settings with several
// seeds. POST /api/sweeps starts it; its events carry each finished run, and the page redraws the
// server's figures as they arrive. Every number and figure comes from /api.
import { announce, api, serverLimits } from "./api.js";
import { labelOf, loadCatalog } from "./catalog.js";
import { layersFromText } from "./layers.js";
import { DEFAULTS, addressParams, dataSpec, readUrl, session, settings, trainingSpec } from "./playground/settings.js";
import { $, busy, drawFigure, el, errorArea, formatCell, options, pageError, placeholder, plotlyReady } from "./ui.js";

const MAX_AXES = 3;
const REFRESH_MS = 700; // at most this often the table and main figure are fetched again while runs finish
const BOUNDARIES_MS = 2000; // the boundary grid builds a panel per setting: less often
// The settings offered (each with values to start from), the metrics (with their labels and number
// formats), the figure kinds and the lists a setting's values come from: all from GET /api/catalog.
const catalog = { settings: [], metrics: [], figures: new Map(), lists: {} };
const settingOf = (path) => catalog.settings.find((s) => s.path === path);
const metricOf = (key) => catalog.metrics.find((m) => m.name === key) || { name: key, label: key, format: "number" };

const errors = errorArea($("#sweep-error"));
const page = {
  activations: [],
  limits: { maxLayers: 8, maxUnits: 256 }, // the server's, once GET /api/limits answers
  datasets: new Map(),
  axes: [],
  sweep: null, // the latest GET /api/sweeps/{id}
  runs: new Map(), // run index -> row, from events and GETs
  source: null, // the event stream of the running sweep
  state: "idle", // idle -> starting -> running -> (stopping) -> idle
};

// --- the base setup: the Playground's settings, read from the address by its own module ---------

// The sweep's own settings in the address too (`steps`, `seeds`, `metric`, and `vary=path:v1,v2`
// once per setting), so that a sweep can be shared or linked to (the Experiments page does).
function readSweepSettings() {
  const params = new URLSearchParams(window.location.search);
  for (const key of ["steps", "seeds"]) {
    const value = Math.round(Number(params.get(key)));
    if (params.has(key) && Number.isFinite(value) && value >= 1) $(`#${key}`).value = String(value);
  }
  if (catalog.metrics.some((m) => m.name === params.get("metric"))) $("#metric").value = params.get("metric");
  const axes = [];
  for (const text of params.getAll("vary")) {
    const at = text.lastIndexOf(":");
    const setting = settingOf(text.slice(0, at));
    if (!setting || at < 0 || axes.some((axis) => axis.path === setting.path) || axes.length >= MAX_AXES) continue;
    const values = text.slice(at + 1).split(",").filter(Boolean);
    const choices = choicesOf(setting);
    axes.push(choices
      ? { path: setting.path, values: values.filter((v) => choices.includes(v)), text: "" }
      : { path: setting.path, values: [], text: values.join(", ") });
  }
  return axes;
}

function writeUrl() {
  const params = addressParams();
  params.set("steps", $("#steps").value);
  params.set("seeds", $("#seeds").value);
  params.set("metric", $("#metric").value);
  for (const axis of page.axes) {
    const values = choicesOf(settingOf(axis.path)) ? axis.values.join(",") : axis.text.split(/[\s,;]+/).filter(Boolean).join(",");
    params.append("vary", `${axis.path}:${values}`);
  }
  window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
}

function base() {
  const s = settings;
  const varied = new Set(page.axes.map((axis) => axis.path));
  const network = { hidden: layersFromText(s.layers, page.activations, page.limits), loss: s.loss, init: s.init, seed: s.seed };
  // Input features other than the plain inputs (the Playground offers them for 2-D data only).
  const features = s.feat.split(",").filter(Boolean);
  if (features.join(",") !== DEFAULTS.feat) network.features = features;
  const training = trainingSpec({ steps: Math.max(1, Math.round(Number($("#steps").value) || 1)) });
  // A sweep over λ with no penalty would train the same network at every value: use L2 then.
  if (s.reg === "none" && varied.has("training.reg_strength")) training.regularization = "l2";
  return { network, data: dataSpec(), training };
}

function describeSetup() {
  const s = settings;
  const hidden = layersFromText(s.layers, page.activations, page.limits).map((h) => `${h.units} ${labelOf("activations", h.activation)}`);
  const data = s.ds.startsWith("upload:") ? "your uploaded data" : `${s.ds} data`;
  $("#base-summary").textContent = `${data} (noise ${s.noise}, ${Math.round(100 * s.test)} % held out); hidden layers: ${hidden.join(", ") || "none"}; inputs ${s.feat.replaceAll(",", ", ")}; ` +
    `${s.loss} loss, ${s.init} initialization; ${s.opt}, learning rate ${s.lr}, ${s.reg === "none" ? "no regularization" : `${s.reg.toUpperCase()} λ = ${s.lam}`}, ` +
    `${s.batch ? `batches of ${s.batch}` : "full batch"}; seed ${s.seed}.`;
  $("#base-playground").href = `/?${addressParams()}`;
}

// --- what to vary -------------------------------------------------------------------------------

const choicesOf = (setting) => (setting.choices ? catalog.lists[setting.choices] : null);

function parseValues(text, field) {
  const values = text.split(/[\s,;]+/).filter(Boolean).map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new Error(`${field}: give numbers separated by commas`);
  return values;
}

function axisValues(axis) {
  const setting = settingOf(axis.path);
  if (choicesOf(setting)) return axis.values;
  return parseValues(axis.text, setting.label);
}

function renderAxes() {
  const rows = page.axes.map((axis, i) => {
    const setting = settingOf(axis.path);
    const id = `axis-${i}`;
    const taken = new Set(page.axes.filter((_, j) => j !== i).map((a) => a.path));
    const select = el("select", { id: `${id}-setting`, onchange: (event) => { Object.assign(axis, fresh(event.target.value)); renderAxes(); } });
    options(select, catalog.settings.filter((s) => !taken.has(s.path)).map((s) => [s.path, s.label]), axis.path);
    const remove = el("button", { type: "button", class: "small", "aria-label": `Remove the setting ${setting.label}`, disabled: page.axes.length === 1,
      onclick: () => { page.axes.splice(i, 1); renderAxes(); } }, "Remove");
    const choices = choicesOf(setting);
    const values = choices
      ? el("fieldset", { class: "choice-list" }, el("legend", {}, "values"), choices.map((name) => el("label", { class: "check" },
        el("input", { type: "checkbox", value: name, checked: axis.values.includes(name), onchange: (event) => {
          // In the order picked: the figures and tables list the values so.
          axis.values = axis.values.filter((value) => value !== name).concat(event.target.checked ? [name] : []);
          updatePlan();
        } }), labelOf("activations", name))))
      : el("div", { class: "field" }, el("label", { for: `${id}-values` }, "values (comma-separated)"),
        el("input", { type: "text", id: `${id}-values`, value: axis.text, inputmode: "decimal", oninput: (event) => { axis.text = event.target.value; updatePlan(); } }));
    return el("div", { class: "axis-row" },
      el("div", { class: "axis-head" }, el("label", { for: `${id}-setting` }, `setting ${i + 1}`), select, remove), values);
  });
  $("#axes").replaceChildren(...rows);
  $("#add-axis").disabled = page.axes.length >= MAX_AXES;
  updatePlan();
}

function fresh(path) {
  const setting = settingOf(path);
  const values = setting.choices ? setting.values.filter((v) => choicesOf(setting).includes(v)) : setting.values;
  return { path, values: [...values], text: values.join(", ") };
}

function addAxis() {
  const taken = new Set(page.axes.map((a) => a.path));
  const next = catalog.settings.find((s) => !taken.has(s.path));
  if (page.axes.length < MAX_AXES && next) page.axes.push(fresh(next.path));
  renderAxes();
  $(`#axis-${page.axes.length - 1}-setting`).focus();
}

// The sweep request of the form, or an Error naming what to fix.
function request() {
  const axes = {};
  for (const axis of page.axes) {
    const values = axisValues(axis);
    if (values.length === 0) throw new Error(`${settingOf(axis.path).label}: pick at least one value`);
    axes[axis.path] = values;
  }
  const seeds = Math.round(Number($("#seeds").value));
  return { base: base(), axes, seeds: Number.isFinite(seeds) ? seeds : 1 };
}

function updatePlan() {
  writeUrl();
  try {
    const { axes, seeds } = request();
    const counts = Object.values(axes).map((values) => values.length);
    const settings = counts.reduce((a, b) => a * b, 1);
    $("#plan").textContent = `${counts.join(" × ")} = ${settings} setting${settings === 1 ? "" : "s"} × ${seeds} seed${seeds === 1 ? "" : "s"} = ${formatCell(settings * seeds, "count")} runs of ${formatCell(Number($("#steps").value), "count")} steps.`;
  } catch (error) {
    $("#plan").textContent = error.message;
  }
}

// --- running: one explicit state machine ------------------------------------------------------

function setState(state) {
  page.state = state;
  $("#run").disabled = state !== "idle";
  $("#cancel").disabled = state !== "running";
  // Focus stays on a control that can act: Cancel while running, Run afterwards.
  const focused = document.activeElement;
  if (state === "running" && focused === $("#run")) $("#cancel").focus();
  if (state === "idle" && focused === $("#cancel")) $("#run").focus();
}

async function run() {
  if (page.state !== "idle") return;
  errors.clear();
  let body;
  try {
    body = request();
  } catch (error) {
    errors.show(error);
    return;
  }
  setState("starting");
  $("#status").textContent = "Starting…";
  try {
    const sweep = await busy(api("POST", "/api/sweeps", { body, label: "Start the sweep" }));
    startFollowing(sweep);
  } catch (error) {
    errors.show(error);
    $("#status").textContent = "";
    setState("idle");
  }
}

function startFollowing(sweep) {
  page.sweep = sweep;
  page.runs = new Map((sweep.rows || []).map((row) => [row.run, row]));
  const csv = $("#csv");
  csv.href = `/api/sweeps/${sweep.id}/table.csv`;
  csv.hidden = false;
  announce("Download the table (CSV)", "GET", csv.href);
  fillFigureKinds(sweep);
  showProgress(sweep.progress);
  drawAll().catch((error) => errors.show(error));
  if (!["queued", "running"].includes(sweep.status)) {
    setState("running");
    finished(sweep);
    return;
  }
  setState("running");
  const url = `/api/sweeps/${sweep.id}/events`;
  announce("Follow the sweep: an event as runs finish, with their rows (Server-Sent Events)", "GET", url);
  const source = new EventSource(url);
  page.source = source;
  source.addEventListener("progress", (event) => {
    const progress = JSON.parse(event.data);
    for (const row of progress.rows || []) page.runs.set(row.run, row);
    showProgress(progress);
    if ((progress.rows || []).length) scheduleRefresh();
  });
  source.addEventListener("done", (event) => finished(JSON.parse(event.data)));
  // A dropped connection reconnects by itself (and is sent every row again); a closed one ends here.
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) finished(); };
}

async function cancel() {
  if (page.state !== "running") return;
  setState("stopping");
  try {
    finished(await api("POST", `/api/sweeps/${page.sweep.id}/cancel`, { label: "Cancel the sweep" }));
  } catch (error) {
    errors.show(error);
    finished();
  }
}

// The sweep has ended (`sweep`: as the done event or the cancel answered it, else fetched).
async function finished(ended) {
  if (page.state === "idle") return;
  if (page.source) page.source.close();
  page.source = null;
  clearTimeout(refresh.timer);
  refresh.timer = null;
  try {
    if (ended) {
      page.sweep = ended;
      for (const row of ended.rows) page.runs.set(row.run, row);
    } else {
      await refreshSweep();
    }
    await drawAll(true);
    const { status, error, progress } = page.sweep;
    $("#status").textContent = status === "done"
      ? `Done: ${formatCell(progress.finished, "count")} runs.`
      : `The sweep ended (${status})${error ? `: ${error}` : ""}; ${progress.finished} of ${progress.total} runs finished.`;
  } catch (error) {
    errors.show(error);
  }
  setState("idle");
}

function showProgress(progress) {
  if (!progress) return;
  $("#status").textContent = `Training… ${formatCell(progress.finished, "count")} of ${formatCell(progress.total, "count")} runs finished.`;
}

// While runs finish: the sweep (its aggregates) and the main figure again at most every
// REFRESH_MS, the boundary grid every BOUNDARIES_MS.
const refresh = { timer: null, boundariesAt: 0 };
function scheduleRefresh() {
  if (refresh.timer) return;
  refresh.timer = setTimeout(async () => {
    try {
      await refreshSweep();
      await drawAll(performance.now() - refresh.boundariesAt >= BOUNDARIES_MS);
    } catch (error) {
      errors.show(error);
    } finally {
      refresh.timer = null;
    }
  }, REFRESH_MS);
}

async function refreshSweep() {
  page.sweep = await api("GET", `/api/sweeps/${page.sweep.id}`, { label: "The sweep: status, rows and aggregates" });
  for (const row of page.sweep.rows) page.runs.set(row.run, row);
}

// --- figures and tables -------------------------------------------------------------------------

function fillFigureKinds(sweep) {
  // Boundaries have their own plot; a heatmap needs exactly two settings.
  const kinds = sweep.figures.filter((kind) => kind !== "boundaries" && (kind !== "heatmap" || sweep.axes.length === 2));
  options($("#figure-kind"), kinds.map((kind) => [kind, catalog.figures.get(kind) || kind]), sweep.figure || kinds[0]);
  $("#figure-kind").disabled = false;
}

// Before the first run the server has not said which figures the sweep has: say so, not an empty list.
function noFigureKindsYet() {
  options($("#figure-kind"), [["", "after the first run"]], "");
  $("#figure-kind").disabled = true;
}

async function drawAll(withBoundaries = true) {
  renderTables();
  const sweep = page.sweep;
  if (!sweep) return;
  const metric = $("#metric").value;
  const kind = $("#figure-kind").value;
  const plot = $("#sweep-plot");
  if (sweep.progress.finished === 0) {
    placeholder(plot, "Waiting for the first run to finish…");
  } else {
    const figure = await api("GET", `/api/sweeps/${sweep.id}/figures/${kind}`, { query: { metric }, label: `The sweep's ${kind} figure` });
    await drawFigure(plot, figure);
    onClick(plot, settingAtPoint);
  }
  if (!withBoundaries || sweep.progress.finished === 0 || !(sweep.figures || []).includes("boundaries")) return;
  refresh.boundariesAt = performance.now();
  const boundaries = $("#boundaries-plot");
  try {
    const figure = await api("GET", `/api/sweeps/${sweep.id}/figures/boundaries`, { label: "The boundary of each setting (its first seed)" });
    boundaries.hidden = false;
    await drawFigure(boundaries, figure);
    onClick(boundaries, boundaryPanel);
  } catch (error) {
    // Data a boundary cannot be drawn for (more than 2 inputs): the other figures stand.
    if (error.status !== 422) throw error;
    boundaries.hidden = true;
  }
}

const valueText = (value) => (typeof value === "string" ? labelOf("activations", value) : formatCell(value, "setting"));
const openLink = (row, text) => (row && row.network_id
  ? el("a", { href: `/?network=${encodeURIComponent(row.network_id)}` }, text)
  : "—");

function firstRun(setting) {
  return [...page.runs.values()].filter((row) => row.setting === setting && row.network_id)
    .sort((a, b) => a.seed - b.seed)[0];
}

function renderTables() {
  const sweep = page.sweep;
  if (!sweep) return;
  const metric = $("#metric").value;
  const { format, label: metricLabel } = metricOf(metric);
  const paths = sweep.axes.map((axis) => axis.path);
  const head = (labels) => el("thead", {}, el("tr", {}, labels.map((label) => el("th", { scope: "col" }, label))));
  const axisLabels = paths.map((path) => (settingOf(path) || { label: path }).label);
  const number = (value, attrs = {}) => el("td", { class: "num", ...attrs }, formatCell(value, format));
  $("#aggregates").replaceChildren(el("table", { id: "aggregates-table" },
    head([...axisLabels, "runs", `${metricLabel}: mean`, "min", "max", "network"]),
    el("tbody", {}, sweep.aggregates.map((agg) => {
      const stats = agg.metrics[metric];
      return el("tr", { dataset: { setting: String(agg.setting) } },
        paths.map((path) => el("td", {}, valueText(agg.settings[path]))),
        el("td", { class: "num" }, `${agg.finished} of ${agg.runs}${agg.diverged ? `, ${agg.diverged} diverged` : ""}`),
        number(stats && stats.mean, { dataset: { value: stats ? String(stats.mean) : "" } }),
        number(stats && stats.min), number(stats && stats.max),
        el("td", {}, openLink(firstRun(agg.setting), "open in the Playground")));
    }))));
  const rows = [...page.runs.values()].sort((a, b) => a.run - b.run);
  const shown = catalog.metrics.filter(({ name }) => rows.some((row) => row[name] !== null && row[name] !== undefined));
  $("#runs").replaceChildren(el("table", {},
    head(["run", ...axisLabels, "seed", "status", ...shown.map((m) => m.label), "network"]),
    el("tbody", {}, rows.map((row) => el("tr", {},
      el("td", { class: "num" }, String(row.run)),
      paths.map((path) => el("td", {}, valueText(row.settings[path]))),
      el("td", { class: "num" }, String(row.seed)), el("td", {}, row.status),
      shown.map((m) => el("td", { class: "num" }, formatCell(row[m.name], m.format))),
      el("td", {}, openLink(row, "open")))))));
}

// A click on the picture opens the run behind it: the heatmap's cell is (first setting across,
// second up); a line's point is the first setting's value on the line of the others' values (the
// line's legend group, "path = value, ..."). Parallel coordinates and curves open nothing.
function settingAtPoint(point) {
  const sweep = page.sweep;
  const paths = sweep.axes.map((axis) => axis.path);
  const same = (value, shown) => shown !== undefined && String(shown) === String(value);
  const kind = $("#figure-kind").value;
  let matches;
  if (kind === "heatmap") {
    matches = (agg) => same(agg.settings[paths[0]], point.x) && same(agg.settings[paths[1]], point.y);
  } else if (kind === "lines") {
    const group = (point.data && point.data.legendgroup) || "";
    const others = (agg) => paths.slice(1).map((path) => `${path} = ${agg.settings[path]}`).join(", ");
    matches = (agg) => same(agg.settings[paths[0]], point.x) && (paths.length === 1 || others(agg) === group);
  } else {
    return null;
  }
  const match = sweep.aggregates.find(matches);
  return match ? match.setting : null;
}

// Plotly's own click event (its graph div gets `on` when drawn into); one listener per node.
function onClick(node, settingOfPoint) {
  node.removeAllListeners("plotly_click");
  node.on("plotly_click", (event) => event.points && event.points[0] && openRun(settingOfPoint(event.points[0])));
}

function openRun(setting) {
  const row = setting === null ? null : firstRun(setting);
  if (row) window.location.assign(`/?network=${encodeURIComponent(row.network_id)}`);
}

function boundaryPanel(point) {
  const axis = (point.data && point.data.xaxis) || "x";
  const index = axis === "x" ? 0 : Number(axis.slice(1)) - 1;
  const withNetwork = page.sweep.aggregates.filter((agg) => firstRun(agg.setting));
  return withNetwork[index] ? withNetwork[index].setting : null;
}

// --- start ---------------------------------------------------------------------------------------

async function main() {
  await plotlyReady();
  readUrl();
  try {
    const [offered, datasets, limits] = await busy(Promise.all([
      loadCatalog(),
      api("GET", "/api/datasets", { label: "The data sets (their settings)" }),
      serverLimits(),
    ]));
    page.activations = offered.activations.map((a) => a.name);
    catalog.settings = offered.sweep_settings;
    catalog.metrics = offered.metrics;
    catalog.figures = new Map(offered.sweep_figures.map((f) => [f.name, f.label]));
    for (const list of ["activations", "optimizers", "initializations"]) catalog.lists[list] = offered[list].map((item) => item.name);
    page.limits = { maxLayers: limits.max_hidden_layers, maxUnits: limits.max_units };
    page.datasets = new Map(datasets.map((d) => [d.name, d]));
    session.datasets = page.datasets; // the data spec is the Playground's (settings.js), made from its entry
  } catch (error) {
    pageError.show(error);
  }
  // Test accuracy (or R²) when some data is held out, as the server's own default.
  const entry = page.datasets.get(settings.ds);
  const score = entry && entry.task === "regression" ? "r2" : "accuracy";
  options($("#metric"), catalog.metrics.map((m) => [m.name, m.label]), `${settings.test > 0 ? "test" : "train"}_${score}`);
  describeSetup();
  noFigureKindsYet();
  const given = readSweepSettings();
  page.axes = given.length ? given : [fresh("training.learning_rate"), fresh("network.hidden[0].units")];
  renderAxes();
  $("#add-axis").addEventListener("click", addAxis);
  for (const id of ["seeds", "steps"]) $(`#${id}`).addEventListener("input", updatePlan);
  $("#run").addEventListener("click", run);
  $("#cancel").addEventListener("click", cancel);
  for (const id of ["metric", "figure-kind"]) {
    $(`#${id}`).addEventListener("change", () => {
      writeUrl();
      drawAll(false).catch((error) => errors.show(error));
    });
  }
}

main();
