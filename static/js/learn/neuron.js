// §2 One neuron over the plane, and §3 one neuron as a linear classifier.
import { api } from "../api.js";
import { labelOf } from "../catalog.js";
import { numbers } from "../sketch.js";
import { $, debounce, drawFigure, el, errorArea, formatNumber } from "../ui.js";
import { boundary, forget, guarded, judge, percent, playground, sized, thresholdOf, train } from "./core.js";
import { typeset } from "./math.js";

export const judges = {};

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

// What each section does when it first comes near the screen, and the controls it wires.
export const sections = {
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
};
