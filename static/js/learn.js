// The lesson: the notes' sections in order, each with a question asked before its live figure
// answers it. The questions come from GET /api/learn/questions; the person's progress (sections
// read, answers and whether they were right) is kept by /api/learn/progress. A section's figures
// are made when it first comes near the screen; goTo(section) scrolls to one (`/learn#neuron`).
import { api } from "./api.js";
import { labelOf, loadCatalog } from "./catalog.js";
import { withClass } from "./learn_class.js";
import { renderTable, whenDone } from "./results.js";
import { numbers, sketchFigure } from "./sketch.js";
import { $, $$, busy, debounce, drawFigure, el, errorArea, formatCell, formatNumber, pageError, placeholder } from "./ui.js";

const percent = (value) => formatCell(value, "percent");

// --- Math: TeX strings in the page, typeset by the KaTeX the app serves ---------------------------

// Until KaTeX is there the template's formulas show their plain-text form, a computed one its TeX
// source; loadMath typesets every one once KaTeX has arrived.
function typeset(node, source = node.dataset.tex) {
  node.dataset.tex = source;
  if (window.katex) window.katex.render(source, node, { throwOnError: false, displayMode: node.classList.contains("display") });
  else node.textContent = source;
}

// KaTeX (its script 270 kB, style sheet and fonts) is asked for after the first figure, which
// needs none of it. Its files sit in this module's version of the static files.
let mathLoading = null;
function loadMath() {
  if (mathLoading) return mathLoading;
  const file = (name) => new URL(`../vendor/katex/${name}`, import.meta.url).href;
  const loaded = (node) => new Promise((resolve, reject) => {
    node.addEventListener("load", resolve, { once: true });
    node.addEventListener("error", () => reject(new Error("KaTeX could not be loaded: the formulas stay as plain text")), { once: true });
    document.head.append(node);
  });
  mathLoading = Promise.all([
    loaded(el("link", { rel: "stylesheet", href: file("katex.min.css") })),
    loaded(el("script", { src: file("katex.min.js") })),
  ]).then(() => { for (const node of $$(".tex[data-tex]")) typeset(node); })
    .catch((error) => pageError.show(error));
  return mathLoading;
}

// --- Questions: asked first, judged against the section's live result ---------------------------

// Per question: (answer) => {correct, text} once its section has a live result, else {waiting}.
const judges = {};
const pending = new Map(); // question id -> the answer waiting for its live result
const boxes = new Map(); // question id -> {verdict node}
let progress = null;
let questions = [];
// The accuracy or R² a question's answer turns on: the server's (GET /api/learn/questions), stated in its text.
const thresholdOf = (id) => questions.find((q) => q.id === id).threshold;

function questionBox(node, question) {
  const name = `q-${question.id}`;
  const verdict = el("p", { class: "verdict", role: "status", "aria-live": "polite", "data-testid": `verdict-${question.id}` });
  const inputs = question.kind === "number"
    ? [el("div", { class: "field" }, el("label", { for: `${name}-value` }, "your answer"),
      el("input", { type: "number", id: `${name}-value`, name, step: "1", required: true }))]
    : question.choices.map((choice) => el("label", { class: "choice", for: `${name}-${choice.value}` },
      el("input", { type: "radio", id: `${name}-${choice.value}`, name, value: choice.value, required: true }), choice.label));
  const form = el("form", { class: "question-form", "data-testid": `question-${question.id}` },
    el("fieldset", {}, el("legend", {}, `Your guess first: ${question.text}`), ...inputs,
      el("button", { type: "submit", class: "small" }, "Answer")),
    verdict);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const raw = data.get(name);
    if (raw === null || raw === "") return;
    pending.set(question.id, question.kind === "number" ? Number(raw) : String(raw));
    judge(question.id);
  });
  node.replaceChildren(form);
  boxes.set(question.id, { verdict });
}

// Judge the waiting answer to `id` if its live result is there; record it with its verdict.
async function judge(id) {
  if (!pending.has(id)) return;
  const answer = pending.get(id);
  const { verdict } = boxes.get(id);
  const outcome = await judges[id](answer);
  if (pending.get(id) !== answer) return; // answered again meanwhile
  if (outcome.waiting) {
    verdict.className = "verdict";
    verdict.textContent = `Answer noted. ${outcome.waiting}`;
    return;
  }
  pending.delete(id);
  verdict.className = `verdict ${outcome.correct ? "right" : "wrong"}`;
  verdict.textContent = `${outcome.correct ? "Right" : "Not this time"}: ${outcome.text}`;
  await saveProgress(() => api("POST", "/api/learn/answers", { body: { question: id, answer, correct: outcome.correct }, label: "Record your answer" }));
}

const judgeAll = (...ids) => ids.forEach((id) => judge(id));

// --- Progress ---------------------------------------------------------------------------------------

function renderProgress() {
  const answers = new Map(progress.answers.map((a) => [a.question, a]));
  const read = progress.sections.filter((s) => s.read).length;
  const right = progress.answers.filter((a) => a.correct).length;
  $("#progress-summary").textContent = `${read} of ${progress.sections.length} sections read; ${progress.answers.length} of ${questions.length} questions answered, ${right} right.`;
  $("#progress-list").replaceChildren(...progress.sections.map((section) => {
    const asked = questions.filter((q) => q.section === section.id).map((q) => answers.get(q.id)).filter(Boolean);
    const state = [section.read ? "read" : "not read yet",
      ...asked.map((a) => (a.correct ? "answered right" : "answered, not right"))].join(" · ");
    return el("li", { "data-section": section.id, class: section.read ? "read" : "" },
      el("a", { href: `#${section.id}` }, `§${section.number} ${section.title}`), el("span", { class: "state" }, state));
  }));
}

// Each change answers the whole progress: one at a time, so that an older answer never
// overwrites a newer one.
let saving = Promise.resolve();
function saveProgress(request) {
  saving = saving.then(request).then((answer) => {
    progress = answer;
    renderProgress();
  }).catch((error) => pageError.show(error));
  return saving;
}

function markRead(section) {
  if (progress.sections.find((s) => s.id === section)?.read) return;
  saveProgress(() => api("PUT", `/api/learn/progress/${section}`, { label: "Mark a section as read" }));
}

function resetProgress() {
  pending.clear();
  for (const { verdict } of boxes.values()) { verdict.textContent = ""; verdict.className = "verdict"; }
  for (const form of $$(".question-form")) form.reset();
  return saveProgress(async () => {
    await api("DELETE", "/api/learn/progress", { label: "Start the lesson again" });
    return api("GET", "/api/learn/progress");
  });
}

// --- Shared pieces ----------------------------------------------------------------------------------

// A training job waited for; its network is the caller's to delete (`forget`) once read.
async function train(body, label) {
  const job = await api("POST", "/api/jobs", { query: { wait: true }, body, label });
  if (job.status !== "done") {
    forget(job.network_id);
    throw new Error(job.error || `training ended with status “${job.status}”`);
  }
  return job;
}

function forget(networkId) {
  if (networkId) api("DELETE", `/api/networks/${networkId}`, { label: "Delete a trained network (its figures are on the page)" }).catch(() => {});
}

const boundary = (networkId, label) => api("GET", `/api/networks/${networkId}/figures/decision-boundary`, { label });
const playground = (params) => `/?${new URLSearchParams(params)}`;
const sized = (figure, height = 360) => ({ ...figure, layout: { ...figure.layout, height } });
// Resolves once what the page holds now has been painted (the frame after it is drawn): plotly.js
// from the cache compiles for a good part of a second, which must not come before the sketch's paint.
const shown = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

// A section's part that can fail shows its own error; the rest of the page goes on.
function guarded(errorNode, target, work) {
  const errors = errorArea(errorNode);
  return async (...args) => {
    errors.clear();
    try {
      await busy(work(...args), { target });
    } catch (error) {
      errors.show(error);
    }
  };
}

// --- §1 Why a non-linearity ------------------------------------------------------------------------

const CIRCLE = { name: "circle", n_per_class: 100, noise: 0.1, seed: 0 };
const KINDS = ["relu", "linear"];
const nonlinearity = { accuracy: null };
const hiddenOf = (activation) => [{ units: 8, activation }];

async function showUntrained() {
  const figures = await Promise.all(KINDS.map((activation) => api("POST", "/api/figures/decision-boundary", {
    body: { spec: { input_dim: 2, hidden: hiddenOf(activation), output_dim: 2, loss: "softmax", init: "he" }, seed: 0, data: CIRCLE, grid: 50 },
    label: `§1: the ${activation} network before training`,
  })));
  const nodes = KINDS.map((kind) => $(`#nonlinearity-${kind}`));
  if (nodes.some((node) => node.dataset.drawn)) return; // trained meanwhile
  // The page's first figure: painted now, then drawn by Plotly (hovers, zoom, downloads) when
  // plotly.js has come; on a first visit that is about 1.5 MB later.
  if (!window.Plotly) {
    figures.forEach((figure, i) => sketchFigure(nodes[i], sized(figure)));
    await shown();
  }
  Promise.all(nodes.map((node, i) => drawFigure(node, sized(figures[i]))))
    .catch((error) => errorArea($("#nonlinearity-error")).show(error));
}

async function trainNonlinearity() {
  const training = { optimizer: "adam", learning_rate: 0.03, steps: 400, seed: 0 };
  const jobs = await Promise.all(KINDS.map((activation) => train({
    network: { hidden: hiddenOf(activation), loss: "softmax", init: "he" }, data: CIRCLE, training,
  }, `§1: train the ${activation} network`)));
  try {
    const [figures, exported] = await Promise.all([
      Promise.all(jobs.map((job, i) => boundary(job.network_id, `§1: the trained ${KINDS[i]} network's regions`))),
      api("GET", `/api/networks/${jobs[1].network_id}/export`, { label: "§1: the linear network's weights" }),
    ]);
    await Promise.all(KINDS.map((kind, i) => drawFigure($(`#nonlinearity-${kind}`), sized(figures[i]))));
    showProduct(exported.weights);
    nonlinearity.accuracy = Object.fromEntries(KINDS.map((kind, i) => [kind, jobs[i].metrics.train_accuracy]));
    $("#nonlinearity-status").textContent = `Trained 400 steps: with the max ${percent(nonlinearity.accuracy.relu)} of the points right, without it ${percent(nonlinearity.accuracy.linear)}.`;
    judge("nonlinearity-circle");
  } finally {
    jobs.forEach((job) => forget(job.network_id));
  }
}

// The export keeps W as (inputs × units), used as x·W; in the notes' column form the linear
// network computes W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂).
function showProduct(weights) {
  const { W1, W2, b1, b2 } = weights;
  const product = W2[0].map((_, k) => W1.map((row) => row.reduce((sum, w, j) => sum + w * W2[j][k], 0)));
  const bias = b2.map((value, k) => value + b1.reduce((sum, b, j) => sum + b * W2[j][k], 0));
  const matrix = (rows) => `\\begin{bmatrix} ${rows.map((row) => row.map((v) => formatNumber(v)).join(" & ")).join(" \\\\ ")} \\end{bmatrix}`;
  typeset($("#nonlinearity-product"), `\\text{without the max: } s = W_2 W_1 x + (W_2 b_1 + b_2) = ${matrix(product)} x + ${matrix(bias.map((v) => [v]))}`);
}

judges["nonlinearity-circle"] = (answer) => {
  if (!nonlinearity.accuracy) return { waiting: "Press “Train both networks” to find out." };
  const separated = (kind) => nonlinearity.accuracy[kind] >= thresholdOf("nonlinearity-circle");
  const measured = separated("relu") ? (separated("linear") ? "both" : "relu") : (separated("linear") ? "linear" : "neither");
  return { correct: answer === measured, text: `the network with the max got ${percent(nonlinearity.accuracy.relu)} right, the one without it ${percent(nonlinearity.accuracy.linear)}: a disc inside a ring needs a bent boundary, and W₂W₁ is one matrix, a straight one.` };
};

function linkNonlinearity() {
  for (const kind of KINDS) {
    $(`#nonlinearity-open-${kind}`).href = playground({ ds: "circle", n: 100, noise: 0.1, classes: 2, test: 0, dseed: 0,
      layers: `8-${kind}`, loss: "softmax", init: "he", opt: "adam", lr: 0.03, batch: 0 });
  }
}

// --- §2 One neuron --------------------------------------------------------------------------------

const neuron = { line: null, doubled: null };
const slider = (name) => Number($(`#neuron-${name}`).value);

async function drawNeuron() {
  const body = { w1: slider("w1"), w2: slider("w2"), b: slider("b"), activation: $("#neuron-activation").value, grid: 60 };
  const figure = await api("POST", "/api/figures/neuron", { body, label: "§2: one neuron over the plane" });
  const plot = $("#neuron-plot");
  await drawFigure(plot, sized(figure, 380));
  if (!plot.dataset.hover) {
    plot.dataset.hover = "true";
    plot.on("plotly_hover", (event) => {
      const point = event.points[0];
      $("#neuron-x1").value = formatNumber(point.x);
      $("#neuron-x2").value = formatNumber(point.y);
      workedLater();
    });
  }
  const line = figure.data.find((trace) => trace.name === "w·x + b = 0");
  neuron.line = line ? [...numbers(line.x), ...numbers(line.y)] : [];
  await worked();
}

// The neuron's arithmetic at one point: the sum from the sliders, f(z) and f′(z) from the server's activation.
async function worked() {
  const [w1, w2, b] = ["w1", "w2", "b"].map(slider);
  const [x1, x2] = ["x1", "x2"].map((name) => Number($(`#neuron-${name}`).value));
  if (![x1, x2].every(Number.isFinite)) return;
  const z = w1 * x1 + w2 * x2 + b;
  const name = $("#neuron-activation").value;
  const values = await api("GET", `/api/activations/${name}`, { query: { start: z, stop: z, num: 2 }, label: "§2: f(z) and f′(z) at the point" });
  const n = (v) => formatNumber(v);
  // the function's name in TeX: sigmoid and tanh by their symbols, any other by its label
  const f = { sigmoid: "\\sigma", tanh: "\\tanh" }[name] || `\\mathrm{${labelOf("activations", name).replace(/ /g, "\\ ")}}`;
  const node = $("#neuron-worked");
  node.replaceChildren(el("div", { class: "tex display" }), el("div", { class: "tex display" }));
  const [sum, output] = node.children;
  typeset(sum, `w_1x_1 + w_2x_2 + b = (${n(w1)})(${n(x1)}) + (${n(w2)})(${n(x2)}) + (${n(b)}) = ${n(z)} = z`);
  typeset(output, `a = f(z) = \\text{${f}}(${n(z)}) = ${n(values.y[0])}, \\quad f'(z) = ${n(values.dy[0])}`);
  node.dataset.z = String(z);
}
const workedLater = debounce(() => worked().catch((error) => errorArea($("#neuron-error")).show(error)), 120);

async function doubleNeuron() {
  const names = ["w1", "w2", "b"];
  const doubled = names.map((name) => 2 * slider(name));
  if (doubled.some((value) => Math.abs(value) > 5)) {
    $("#neuron-status").textContent = "Twice these values would leave the sliders' range (±5): make them smaller first.";
    return;
  }
  const before = neuron.line;
  names.forEach((name, i) => { $(`#neuron-${name}`).value = String(doubled[i]); $(`#neuron-${name}-value`).textContent = formatNumber(doubled[i]); });
  await drawNeuron();
  const moved = before.length !== neuron.line.length || before.some((v, i) => Math.abs(v - neuron.line[i]) > 1e-6);
  neuron.doubled = moved ? "moves" : "stays";
  $("#neuron-status").textContent = moved ? "The line moved." : "The line is exactly where it was; the output now changes twice as fast across it.";
  judge("neuron-scale");
}

judges["neuron-scale"] = (answer) => {
  if (!neuron.doubled) return { waiting: "Press “Multiply w₁, w₂ and b by 2” to find out." };
  return { correct: answer === neuron.doubled, text: neuron.doubled === "stays"
    ? "the line is where 2(w·x + b) = 0, which are the same points as w·x + b = 0; only the steepness across it doubled."
    : "the figure's line moved." };
};

// --- §3 One neuron as a linear classifier ---------------------------------------------------------

const classifier = { points: [], rows: [], xor: null };

function classifierData() {
  const name = $("#classifier-data").value;
  return { name, n_per_class: 50, noise: name === "gauss" ? 0.4 : 0.1, seed: 0, ...(name === "gauss" ? { classes: 2 } : {}),
    ...(classifier.points.length ? { points: classifier.points } : {}) };
}

async function trainClassifier() {
  const data = classifierData();
  const lambda = Number($("#classifier-lambda").value);
  const loss = $("#classifier-loss").value;
  const job = await train({
    network: { hidden: [], loss, init: "small" }, data,
    training: { optimizer: "sgd", learning_rate: 0.5, regularization: "l2", reg_strength: lambda, steps: 300, seed: 0 },
  }, "§3: train one neuron as a classifier");
  try {
    const [figure, exported] = await Promise.all([boundary(job.network_id, "§3: its decision regions"),
      api("GET", `/api/networks/${job.network_id}/export`, { label: "§3: its weights" })]);
    const plot = $("#classifier-plot");
    await drawFigure(plot, sized(figure, 380), { doubleClickDelay: 0 });
    if (!plot.dataset.clicks) {
      plot.dataset.clicks = "true";
      plot.on("plotly_click", (event) => {
        const point = event.points[0];
        classifier.points.push([point.x, point.y, Number($("#classifier-class").value)]);
        trainClassifierGuarded();
      });
    }
    const [w1, w2] = exported.weights.W1.map((row) => row[0]);
    const accuracy = job.metrics.train_accuracy;
    classifier.rows.push({ data: data.name, added: classifier.points.length, loss, lambda, w1, w2, b: exported.weights.b1[0], accuracy });
    renderClassifierRows();
    if (data.name === "xor" && !classifier.points.length) {
      classifier.xor = accuracy;
      judge("classifier-xor");
    }
    $("#classifier-open").href = playground({ ds: data.name, n: 50, noise: data.noise, classes: 2, test: 0, dseed: 0, layers: "",
      loss, init: "small", opt: "sgd", lr: 0.5, batch: 0, reg: "l2", lam: lambda, pts: classifier.points.flat().join("_") });
  } finally {
    forget(job.network_id);
  }
}
const trainClassifierGuarded = guarded($("#classifier-error"), $("#classifier"), trainClassifier);

function renderClassifierRows() {
  const head = el("tr", {}, ["data", "added points", "loss", "λ", "w₁", "w₂", "b", "‖w‖", "accuracy"].map((t) => el("th", { scope: "col" }, t)));
  $("#classifier-table").replaceChildren(el("caption", {}, "One row per training (300 steps of SGD): watch ‖w‖ as λ grows"),
    el("thead", {}, head),
    el("tbody", {}, classifier.rows.map((row) => el("tr", {}, el("td", {}, row.data), el("td", { class: "num" }, String(row.added)),
      el("td", {}, row.loss === "hinge" ? "hinge" : "logistic"),
      [row.lambda, row.w1, row.w2, row.b, Math.hypot(row.w1, row.w2)].map((v) => el("td", { class: "num" }, formatNumber(v))),
      el("td", { class: "num" }, percent(row.accuracy))))));
}

judges["classifier-xor"] = (answer) => {
  if (classifier.xor === null) return { waiting: "Choose the xor data and press “Train the neuron” to find out." };
  const above = classifier.xor > thresholdOf("classifier-xor");
  return { correct: answer === (above ? "yes" : "no"), text: `trained on xor it got ${percent(classifier.xor)} of the points right. One neuron draws one line, and no line puts opposite quadrants on the same side: at best it gets three of the four quadrants right.` };
};

// --- §4 Activations -------------------------------------------------------------------------------

const RUN_ACTIVATIONS = ["relu", "tanh", "leaky_relu"];
const activations = { dead: null };

async function showActivationFigures() {
  const [sigmoid, tanh] = await Promise.all([
    api("GET", "/api/activations/sigmoid/figure", { query: { start: -6, stop: 6 }, label: "§4: the sigmoid and its slope" }),
    api("GET", "/api/activations/tanh/figure", { query: { start: -6, stop: 6, compare: "sigmoid", tanh_identity: true }, label: "§4: tanh = 2σ(2x) − 1" }),
  ]);
  // Each plot has its heading on the page, as on the Activations page.
  const untitled = (figure) => ({ ...figure, layout: { ...figure.layout, title: undefined, margin: { ...figure.layout.margin, t: 20 } } });
  await Promise.all([drawFigure($("#activations-sigmoid"), untitled(sigmoid)), drawFigure($("#activations-tanh"), untitled(tanh))]);
  const costs = await Promise.all(["relu", "leaky_relu", "prelu", "maxout"].map((activation) => api("POST", "/api/networks/counts", {
    body: { input_dim: 2, hidden: [{ units: 10, activation }], output_dim: 3, loss: "softmax" }, label: "§4: what each activation's units cost",
  }).then((counts) => [activation, counts])));
  const head = el("tr", {}, ["hidden layer of 10", "weights", "biases", "slopes", "parameters of 2 → 10 → 3"].map((t) => el("th", { scope: "col" }, t)));
  $("#activations-cost").replaceChildren(el("thead", {}, head), el("tbody", {}, costs.map(([activation, counts]) => el("tr", {},
    el("td", {}, labelOf("activations", activation)), ...[counts.weights, counts.biases, counts.slopes, counts.parameters].map((v) => el("td", { class: "num" }, String(v)))))));
}

// The ReLU run in the Playground: the same network, data and learning rate.
function linkActivations() {
  $("#activations-open").href = playground({ ds: "spiral", n: 100, classes: 3, noise: 0.2, test: 0, dseed: 0, layers: "20-relu",
    loss: "softmax", init: "he", opt: "sgd", lr: $("#activations-lr").value, batch: 0, reg: "l2", lam: 0.001 });
}

async function runActivations() {
  const lr = Number($("#activations-lr").value);
  const data = { name: "spiral", n_per_class: 100, classes: 3, noise: 0.2, seed: 0 };
  const jobs = await Promise.all(RUN_ACTIVATIONS.map((activation) => train({
    network: { hidden: [{ units: 20, activation }], loss: "softmax", init: "he" }, data,
    training: { optimizer: "sgd", learning_rate: lr, steps: 200, seed: 0 },
  }, `§4: train 20 ${activation} units at learning rate ${lr}`)));
  try {
    const figure = await api("GET", `/api/networks/${jobs[0].network_id}/figures/dead-units`, { label: "§4: the ReLU network's dead units" });
    await drawFigure($("#activations-dead-plot"), sized(figure, 320));
  } finally {
    jobs.forEach((job) => forget(job.network_id));
  }
  activations.dead = Object.fromEntries(RUN_ACTIVATIONS.map((name, i) => [name, jobs[i].metrics.dead_fraction[0]]));
  const head = el("tr", {}, ["activation", "dead units", "training accuracy"].map((t) => el("th", { scope: "col" }, t)));
  $("#activations-table").replaceChildren(el("caption", {}, `After 200 steps at learning rate ${lr}`), el("thead", {}, head),
    el("tbody", {}, RUN_ACTIVATIONS.map((name, i) => el("tr", { "data-activation": name }, el("td", {}, labelOf("activations", name)),
      el("td", { class: "num" }, `${Math.round(20 * activations.dead[name])} of 20`), el("td", { class: "num" }, percent(jobs[i].metrics.train_accuracy))))));
  $("#activations-status").textContent = `Dead: a unit whose input is negative for every training point, so its gradient is zero for good. The notes report up to 40 % of a ReLU network; here ${percent(activations.dead.relu)} at learning rate ${lr}.`;
  judge("activations-dead");
}

judges["activations-dead"] = (answer) => {
  if (!activations.dead) return { waiting: "Press “Run the three networks” to find out." };
  const most = RUN_ACTIVATIONS.reduce((best, name) => (activations.dead[name] > activations.dead[best] ? name : best));
  if (activations.dead[most] === 0) return { waiting: "No unit died at this learning rate: choose a higher one and run again." };
  return { correct: answer === most, text: `${labelOf("activations", most)} lost ${percent(activations.dead[most])} of its units. Leaky ReLU keeps a small slope below zero, and tanh's slope is never exactly zero, so neither can die this way.` };
};

// --- §5 Layers ------------------------------------------------------------------------------------

const layers = { counted: null };

function parseSizes(text) {
  const sizes = text.split(/[\s,;[\]]+/).filter(Boolean).map(Number);
  if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error("Layer sizes are whole numbers from the inputs to the outputs, e.g. 3, 4, 4, 1.");
  }
  return sizes;
}

function specOf(sizes) {
  const outputs = sizes[sizes.length - 1];
  return { input_dim: sizes[0], hidden: sizes.slice(1, -1).map((units) => ({ units, activation: "relu" })), output_dim: outputs,
    loss: outputs === 1 ? "mse" : "softmax", init: "xavier" };
}

async function buildLayers() {
  const sizes = parseSizes($("#layers-sizes").value);
  const spec = specOf(sizes);
  const input = sizes.slice(0, 1).flatMap((n) => Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * (i + 1) * 0.5));
  const [counts, topology, trace] = await Promise.all([
    api("POST", "/api/networks/counts", { body: spec, label: "§5: count its neurons and parameters" }),
    api("POST", "/api/figures/topology", { body: { spec, seed: 0 }, label: "§5: its layers" }),
    api("POST", "/api/networks/forward", { body: { spec, seed: 0, input }, label: "§5: the forward pass" }),
  ]);
  layers.counted = { sizes, counts };
  $("#layers-counts").textContent = `[${sizes.join(", ")}]: ${counts.layers} layers, ${counts.neurons} neurons, ${counts.weights} weights + ${counts.biases} biases = ${counts.parameters} learnable parameters.`;
  await drawFigure($("#layers-topology"), sized(topology, 340));
  const shape = (dims) => dims.join(" × ");
  const head = el("tr", {}, ["layer", "computes", "W", "b", "out"].map((t) => el("th", { scope: "col" }, t)));
  $("#layers-forward").replaceChildren(el("caption", {}, "The forward pass, inputs as a column"), el("thead", {}, head),
    el("tbody", {}, trace.layers.map((layer, i) => {
      const previous = i === 0 ? "x" : trace.layers[i - 1].name;
      const sum = `W${i + 1}·${previous} + b${i + 1}`;
      return el("tr", {}, el("td", {}, layer.name), el("td", { class: "formula" }, layer.activation === "none" ? sum : `${layer.activation}(${sum})`),
        el("td", {}, shape(layer.W_shape)), el("td", {}, shape(layer.b_shape)), el("td", {}, shape(layer.output_shape)));
    })));
}
const buildLayersGuarded = guarded($("#layers-error"), $("#layers"), buildLayers);

judges["layers-params"] = async (answer) => {
  $("#layers-sizes").value = "3, 4, 4, 1";
  await buildLayersGuarded();
  if (!layers.counted || layers.counted.sizes.join() !== "3,4,4,1") return { waiting: "The count of [3, 4, 4, 1] did not arrive; try again." };
  const { counts } = layers.counted;
  return { correct: answer === counts.parameters, text: `the server counts ${counts.weights} weights (3·4 + 4·4 + 4·1) and ${counts.biases} biases (one per neuron): ${counts.parameters} parameters, as in the notes (41).` };
};

// --- §6 Representational power --------------------------------------------------------------------

const SINE = { name: "sine", n_points: 100, noise: 0.05, seed: 0 };
const power = { fit: null };

function linkPower() {
  $("#power-open").href = playground({ ds: "sine", n: 100, noise: 0.05, test: 0, dseed: 0, layers: `${$("#power-width").value}-relu`,
    loss: "mse", init: "he", opt: "adam", lr: 0.01, batch: 0, reg: "l2", lam: 0 });
}

async function fitSine() {
  const units = Number($("#power-width").value);
  const job = await train({
    network: { hidden: [{ units, activation: "relu" }], loss: "mse", init: "he" }, data: SINE,
    training: { optimizer: "adam", learning_rate: 0.01, reg_strength: 0, steps: 3000, seed: 0 },
  }, `§6: fit the sine with ${units} hidden units`);
  try {
    await drawFigure($("#power-plot"), sized(await boundary(job.network_id, "§6: the fitted curve"), 340));
  } finally {
    forget(job.network_id);
  }
  power.fit = { units, r2: job.metrics.train_r2 };
  $("#power-status").textContent = `${units} hidden units, 3,000 steps of Adam: R² = ${formatNumber(power.fit.r2)}.`;
  judge("power-width");
}

judges["power-width"] = (answer) => {
  const units = Number($("#power-width").value);
  if (!power.fit || power.fit.units !== units) return { waiting: `Press “Fit the sine” to fit it with ${units} units.` };
  const bar = thresholdOf("power-width");
  const fits = power.fit.r2 >= bar;
  return { correct: answer === (fits ? "yes" : "no"), text: `with ${units} units R² is ${formatNumber(power.fit.r2)}${fits ? "" : `, short of ${bar}`}. Each ReLU unit adds at most one bend to the curve.` };
};

// --- §7 Layer sizes: the experiments this server keeps ------------------------------------------------

const sizes = { capacity: null, regularization: null };

async function kept(name) {
  let job = await api("GET", `/api/experiments/${name}`, { label: `§7: the ${name} experiment's kept result` });
  while (job.status === "queued" || job.status === "running") {
    $("#sizes-status").textContent = "This server is computing its first result with the default options…";
    job = await api("GET", `/api/experiments/${name}`, { query: { wait: true } });
  }
  if (job.status !== "done" || !job.result) throw new Error(job.error || `the ${name} experiment ended with status “${job.status}”`);
  return job.result;
}

const best = (rows, key) => rows.reduce((a, b) => (b[key] > a[key] ? b : a));

async function showSizes() {
  const [capacity, regularization] = await Promise.all([kept("capacity"), kept("regularization")]);
  $("#sizes-results").hidden = false;
  for (const [key, result] of [["capacity", capacity], ["lambda", regularization]]) {
    $(`#sizes-${key}-summary`).textContent = result.summary;
    await drawFigure($(`#sizes-${key}-plot`), result.figure);
    // The spread over the seeds, as the Experiments page draws it.
    $(`#sizes-${key}-bands`).hidden = !result.bands;
    if (result.bands) await drawFigure($(`#sizes-${key}-bands`), result.bands);
    $(`#sizes-${key}-table`).replaceChildren(renderTable(result) || "");
  }
  sizes.capacity = capacity;
  sizes.regularization = regularization;
  $("#sizes-status").textContent = `Means over ${capacity.seeds} seeds, computed once by this server.`;
  $("#sizes-differs").replaceChildren(...differences(capacity.table, regularization.table));
  $("#sizes-differs").hidden = !$("#sizes-differs").textContent;
  judgeAll("sizes-capacity", "sizes-lambda");
}

// Where these runs and the notes part ways, said from the numbers.
function differences(capacityRows, lambdaRows) {
  const notes = [];
  const widest = capacityRows[capacityRows.length - 1];
  const bestTest = best(capacityRows, "test_accuracy");
  if (bestTest.hidden_units === widest.hidden_units) {
    notes.push(`Unlike the notes' hint that 3 units may generalise better, here ${widest.hidden_units} units also do best on held-out points (${percent(bestTest.test_accuracy)} against ${percent(capacityRows[0].test_accuracy)} with ${capacityRows[0].hidden_units}). `);
  }
  const bestLambda = best(lambdaRows, "test_accuracy");
  if (bestLambda.reg_strength === lambdaRows[0].reg_strength) {
    notes.push(`The notes show stronger λ giving smoother regions; here the weakest, λ = ${bestLambda.reg_strength}, scores best on held-out points (${percent(bestLambda.test_accuracy)}): the stronger ones smooth away part of the real boundary.`);
  }
  return notes.length ? [el("strong", {}, "Where our measurement differs: "), ...notes] : [];
}

judges["sizes-capacity"] = (answer) => {
  if (!sizes.capacity) return { waiting: "Press “Show the measured results” to find out." };
  const top = best(sizes.capacity.table, "train_accuracy");
  return { correct: answer === String(top.hidden_units), text: `${top.hidden_units} units get ${percent(top.train_accuracy)} of the training points right (the mean over ${sizes.capacity.seeds} seeds): more units can bend the boundary around more points.` };
};

judges["sizes-lambda"] = (answer) => {
  if (!sizes.regularization) return { waiting: "Press “Show the measured results” to find out." };
  const top = best(sizes.regularization.table, "test_accuracy");
  return { correct: answer === String(top.reg_strength), text: `λ = ${top.reg_strength} gets ${percent(top.test_accuracy)} of the held-out points right (the mean over ${sizes.regularization.seeds} seeds).` };
};

// --- §8 The spiral: the case study, trained in front of the reader ----------------------------------

const spiral = { linear: null, network: null };

async function runSpiral() {
  const button = $("#spiral-run");
  button.disabled = true;
  const status = $("#spiral-status");
  status.textContent = "Starting…";
  try {
    let job = await api("POST", "/api/experiments/case-study", { body: {}, label: "§8: train the case study's two models" });
    if (job.status === "queued" || job.status === "running") {
      job = await whenDone(job.id, (event) => {
        status.textContent = `Training… step ${formatCell(event.step, "count")} of ${formatCell(event.total_steps, "count")} over both models`;
      });
    }
    if (job.status !== "done" || !job.result) throw new Error(job.error || `the case study ended with status “${job.status}”`);
    const { result } = job;
    $("#spiral-summary").textContent = result.summary;
    $("#spiral-summary").hidden = false;
    $("#spiral-plot").hidden = false;
    await drawFigure($("#spiral-plot"), result.figure);
    $("#spiral-table").replaceChildren(renderTable(result) || "");
    spiral.linear = result.table.find((row) => row.model === "linear").train_accuracy;
    spiral.network = result.table.find((row) => row.model !== "linear").train_accuracy;
    status.textContent = "Done: both trained on this server just now.";
    judge("spiral-linear");
  } finally {
    button.disabled = false;
  }
}

judges["spiral-linear"] = (answer) => {
  if (spiral.linear === null) return { waiting: "Press “Train both on the spiral” to find out." };
  const choices = questions.find((q) => q.id === "spiral-linear").choices.map((choice) => Number(choice.value));
  const nearest = choices.reduce((a, b) => (Math.abs(b - 100 * spiral.linear) < Math.abs(a - 100 * spiral.linear) ? b : a));
  return { correct: answer === String(nearest), text: `the linear classifier reached ${percent(spiral.linear)} (the notes: 49 %), the 2-layer network ${percent(spiral.network)} (the notes: 98 %): three straight boundaries cut each arm in pieces.` };
};

// --- The page ---------------------------------------------------------------------------------------

// What each section does when it first comes near the screen, and the controls it wires.
const SECTIONS = {
  nonlinearity() {
    linkNonlinearity();
    $("#nonlinearity-train").addEventListener("click", guarded($("#nonlinearity-error"), $("#nonlinearity"), trainNonlinearity));
    return showUntrained();
  },
  async neuron() {
    const list = await api("GET", "/api/activations");
    $("#neuron-activation").replaceChildren(...list.filter((a) => !["maxout", "prelu"].includes(a.name))
      .map((a) => el("option", { value: a.name, selected: a.name === "sigmoid" }, a.label)));
    const draw = guarded($("#neuron-error"), $("#neuron"), drawNeuron);
    const later = debounce(draw, 150);
    for (const name of ["w1", "w2", "b"]) {
      $(`#neuron-${name}`).addEventListener("input", (event) => { $(`#neuron-${name}-value`).textContent = event.target.value; later(); });
    }
    $("#neuron-activation").addEventListener("change", draw);
    for (const name of ["x1", "x2"]) $(`#neuron-${name}`).addEventListener("input", workedLater);
    $("#neuron-double").addEventListener("click", guarded($("#neuron-error"), $("#neuron"), doubleNeuron));
    return draw();
  },
  classifier() {
    $("#classifier-train").addEventListener("click", trainClassifierGuarded);
    for (const id of ["#classifier-data", "#classifier-loss", "#classifier-lambda"]) {
      $(id).addEventListener("change", () => {
        if (id === "#classifier-data") classifier.points = [];
        trainClassifierGuarded();
      });
    }
    $("#classifier-clear").addEventListener("click", () => { classifier.points = []; trainClassifierGuarded(); });
    return trainClassifierGuarded();
  },
  activations() {
    linkActivations();
    $("#activations-lr").addEventListener("change", linkActivations);
    $("#activations-run").addEventListener("click", guarded($("#activations-error"), $("#activations"), runActivations));
    return guarded($("#activations-error"), $("#activations"), showActivationFigures)();
  },
  layers() {
    $("#layers-sizes").addEventListener("input", debounce(buildLayersGuarded, 400));
    for (const button of $$("#layers [data-sizes]")) {
      button.addEventListener("click", () => { $("#layers-sizes").value = button.dataset.sizes.split(",").join(", "); buildLayersGuarded(); });
    }
    return buildLayersGuarded();
  },
  power() {
    linkPower();
    $("#power-width").addEventListener("change", linkPower);
    placeholder($("#power-plot"), "Choose a width and press “Fit the sine”.");
    $("#power-fit").addEventListener("click", guarded($("#power-error"), $("#power"), fitSine));
  },
  sizes() {
    $("#sizes-show").addEventListener("click", guarded($("#sizes-error"), $("#sizes"), showSizes));
  },
  spiral() {
    $("#spiral-run").addEventListener("click", guarded($("#spiral-error"), $("#spiral"), runSpiral));
  },
};

// The page's first figure (§1's) needs none of the lesson's questions, the person's progress or the
// catalog's names: it is asked for at once, beside them, rather than a round trip later.
const ON_ITS_OWN = new Set(["nonlinearity"]);

// The lesson's questions (their forms built), the person's progress and the catalog's names; true
// once there, false when they could not be had (the page's error says why).
let loaded = null;

function loadLesson() {
  return Promise.all([
    api("GET", "/api/learn/questions", { label: "The lesson's questions" }),
    api("GET", "/api/learn/progress", { label: "Your progress through the lesson" }),
    loadCatalog(),
  ]).then(([asked, answered]) => {
    [questions, progress] = [asked, answered];
    for (const question of questions) {
      const node = $(`.question[data-question="${question.id}"]`);
      if (node) questionBox(node, question);
    }
    renderProgress();
    return true;
  }, (error) => {
    pageError.show(error);
    return false;
  });
}

const started = new Set();
function start(section) {
  if (started.has(section) || !SECTIONS[section]) return;
  started.add(section);
  const setUp = ON_ITS_OWN.has(section) ? SECTIONS[section]() : loaded.then((ok) => ok && SECTIONS[section]());
  Promise.resolve(setUp).catch((error) => errorArea($(`#${section}-error`)).show(error)).finally(loadMath);
}

// Scroll to a section (its id, as in /learn#neuron), start its figures and put the focus on its heading.
export function goTo(section) {
  const node = document.getElementById(section);
  if (!node || !node.classList.contains("lesson-section")) return false;
  start(section);
  node.scrollIntoView({ block: "start" });
  focusHeading(node);
  if (window.location.hash !== `#${section}`) history.replaceState(null, "", `#${section}`);
  return true;
}

function focusHeading(section) {
  const heading = $("h2", section);
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}

// A section named in the address is gone to at once; the browser's own move to the address's
// fragment can come later, up to the load event, and takes the focus away (a section cannot hold
// it): the heading gets it back then, unless the person has put it somewhere meanwhile.
function goToAddress() {
  const section = window.location.hash.slice(1);
  if (!section || !goTo(section)) return;
  window.addEventListener("load", () => {
    if (document.activeElement === document.body) focusHeading(document.getElementById(section));
  }, { once: true });
}

function watchSections() {
  const near = new IntersectionObserver((entries) => {
    for (const entry of entries) if (entry.isIntersecting) start(entry.target.id);
  }, { rootMargin: "300px 0px" });
  // A section counts as read once its end (the links to its full pages) has been on the screen.
  const ends = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      ends.unobserve(entry.target);
      loaded.then((ok) => ok && markRead(entry.target.closest(".lesson-section").id));
    }
  });
  for (const section of $$(".lesson-section")) {
    near.observe(section);
    ends.observe($(".open-links", section));
  }
}

async function main() {
  loaded = loadLesson();
  window.addEventListener("hashchange", () => goTo(window.location.hash.slice(1)));
  watchSections();
  goToAddress();
  if (!(await loaded)) return;
  $("#reset-progress").addEventListener("click", resetProgress);
  withClass(goTo);
}

main();
