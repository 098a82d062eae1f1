// §1 Why a non-linearity: the page's first figure (two untrained networks' regions, painted by
// sketch.js before plotly.js is there), then both networks trained.
import { api } from "../api.js";
import { sketchFigure } from "../sketch.js";
import { $, drawFigure, errorArea, formatNumber } from "../ui.js";
import { boundary, forget, guarded, judge, percent, playground, shown, sized, thresholdOf, train } from "./core.js";
import { typeset } from "./math.js";

export const judges = {};

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

// What each section does when it first comes near the screen, and the controls it wires.
export const sections = {
  nonlinearity() {
    linkNonlinearity();
    $("#nonlinearity-train").addEventListener("click", guarded($("#nonlinearity-error"), $("#nonlinearity"), trainNonlinearity));
    return showUntrained();
  },
};
