// §4 Activations: the sigmoid and tanh, what each kind of unit costs, and the dead ReLU units.
import { api } from "../api.js";
import { labelOf } from "../catalog.js";
import { $, drawFigure, el } from "../ui.js";
import { forget, guarded, judge, percent, playground, sized, train } from "./core.js";

export const judges = {};

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

// What each section does when it first comes near the screen, and the controls it wires.
export const sections = {
  activations() {
    linkActivations();
    $("#activations-lr").addEventListener("change", linkActivations);
    $("#activations-run").addEventListener("click", guarded($("#activations-error"), $("#activations"), runActivations));
    return guarded($("#activations-error"), $("#activations"), showActivationFigures)();
  },
};
