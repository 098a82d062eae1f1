// One neuron: f(w·x + b) and its decision regions drawn by the server from w, b and the
// activation alone (nothing is stored as the sliders move); trained as a single-layer classifier
// (logistic or hinge loss) by a training job, whose network is deleted once its weights are read.
import { api } from "./api.js";
import { $, busy, debounce, drawFigure, el, errorArea, formatNumber, pageError, placeholder, plotlyReady } from "./ui.js";

const REG_STEPS = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
const neuronErrors = errorArea($("#neuron-error"));
const trainErrors = errorArea($("#train-error"));
const trainedRows = [];
let drawing = 0;
let labels = {}; // activation name -> its label (GET /api/activations)

const weight = (id) => Number($(`#${id}`).value);
const regStrength = () => REG_STEPS[Number($("#reg").value)];

function dataSpec() {
  const name = $("#dataset").value;
  return { name, n_per_class: 50, noise: name === "gauss" ? 0.4 : 0.1, seed: 0, ...(name === "gauss" ? { classes: 2 } : {}) };
}

// Two previews of one neuron, neither stored. Its output f(w·x + b) over the plane, with the data.
// As a classifier: the single-layer network 2 -> 1 with the same w and b under the chosen loss,
// drawn by the decision-boundary figure of that spec and those weights.
async function drawNeuron() {
  const mine = ++drawing;
  neuronErrors.clear();
  const activation = $("#activation").value;
  const [w1, w2, b] = ["w1", "w2", "b"].map(weight);
  const classifier = {
    spec: { input_dim: 2, hidden: [], output_dim: 1, loss: $("#loss").value, init: "small" },
    weights: { W1: [[w1], [w2]], b1: [b] },
    data: dataSpec(),
    grid: 80,
  };
  try {
    const [map, regions] = await busy(Promise.all([
      api("POST", "/api/figures/neuron", { body: { w1, w2, b, activation, data: dataSpec(), grid: 80 }, label: "Its output over the plane" }),
      api("POST", "/api/figures/decision-boundary", { body: classifier, label: "As a classifier: its decision regions and line" }),
    ]), { target: $("#neuron-plot").closest(".card") });
    if (mine !== drawing) return;
    // Both panels are titled on the page; the classifier's legend names the classes for both.
    await Promise.all([
      drawFigure($("#neuron-plot"), { ...map, layout: { ...map.layout, title: undefined, height: 380, showlegend: false } }),
      drawFigure($("#classifier-plot"), { ...regions, layout: { ...regions.layout, title: undefined, height: 380 } }),
    ]);
    const label = labels[activation] || activation;
    const signed = (value) => (value < 0 ? ` − ${formatNumber(-value)}` : ` + ${formatNumber(value)}`);
    $("#output-reading").textContent = `${label}(${formatNumber(weight("w1"))}·x1${signed(weight("w2"))}·x2${signed(weight("b"))}). The weights set the direction of the line w·x + b = 0 and how steeply the output changes across it; b shifts it.`;
  } catch (error) {
    neuronErrors.show(error);
  }
}

// One row per training, each naming its data set and loss: rows of different data are not comparable.
function renderWeights() {
  const head = el("tr", {}, ["data set", "loss", "λ", "w1", "w2", "b", "‖w‖", "accuracy"].map((t) => el("th", { scope: "col" }, t)));
  $("#weights-table").replaceChildren(
    el("caption", {}, "Trained weights, one row per training (300 steps on 100 points)"),
    el("thead", {}, head),
    el("tbody", {}, trainedRows.map((row) => el("tr", {},
      el("td", {}, row.dataset), el("td", {}, row.loss),
      [row.lambda, row.w1, row.w2, row.b, row.norm, row.accuracy].map((v) => el("td", { class: "num" }, formatNumber(v)))))));
}

// Training runs in the server's workers as a job, which keeps its network in the database: the
// network is deleted as soon as its weights and curve are read (and would expire if the page
// closed first, being unnamed).
// A newer training supersedes one still running: only the newest one's result is shown.
let trainings = 0;
async function train() {
  const mine = ++trainings;
  trainErrors.clear();
  let trainedId = null;
  const lambda = regStrength();
  const body = {
    network: { hidden: [], loss: $("#loss").value, init: "small" },
    data: dataSpec(),
    training: { optimizer: "sgd", learning_rate: 0.5, regularization: "l2", reg_strength: lambda, steps: 300, seed: 0 },
  };
  try {
    const job = await busy(api("POST", "/api/jobs", { query: { wait: true }, body, label: "Train the neuron (one job, waits for the result)" }), { target: $("#classifier-plot").closest(".card"), text: "Training…" });
    trainedId = job.network_id;
    if (mine !== trainings) return;
    if (job.status !== "done") throw new Error(job.error || `training ended with status “${job.status}”`);
    const exported = await api("GET", `/api/networks/${job.network_id}/export`, { label: "The trained weights" });
    if (mine !== trainings) return;
    const [w1, w2] = exported.weights.W1.map((row) => row[0]);
    const b = exported.weights.b1[0];
    const dataset = $("#dataset").selectedOptions[0].textContent;
    const loss = body.network.loss === "hinge" ? "hinge" : "logistic";
    trainedRows.push({ dataset, loss, lambda, w1, w2, b, norm: Math.hypot(w1, w2), accuracy: job.metrics.train_accuracy });
    renderWeights();
    for (const [id, value] of [["w1", w1], ["w2", w2], ["b", b]]) setSlider(id, value);
    if ($("#loss").value === "logistic") $("#activation").value = "sigmoid";
    const curve = await api("GET", `/api/networks/${job.network_id}/figures/training`, { label: "Its training curve" });
    await drawFigure($("#training-plot"), curve);
    $("#classifier-reading").textContent = `Trained with λ = ${lambda}: w = (${formatNumber(w1)}, ${formatNumber(w2)}), b = ${formatNumber(b)}, training accuracy ${formatNumber(100 * job.metrics.train_accuracy)}%. The sliders now hold these values.`;
    await drawNeuron();
  } catch (error) {
    if (mine === trainings) trainErrors.show(error);
  } finally {
    if (trainedId) api("DELETE", `/api/networks/${trainedId}`, { label: "Delete the trained network (its weights are on the page)" }).catch(() => {});
  }
}

function setSlider(id, value) {
  const input = $(`#${id}`);
  const clipped = Math.max(Number(input.min), Math.min(Number(input.max), value));
  input.value = String(clipped);
  $(`#${id}-value`).textContent = formatNumber(value);
}

async function main() {
  await plotlyReady();
  placeholder($("#training-plot"), "The loss curve appears after training.");
  try {
    // PReLU and maxout are layers with parameters of their own, not one neuron's squashing function
    const activations = (await api("GET", "/api/activations")).filter((a) => a.name !== "maxout" && a.name !== "prelu");
    labels = Object.fromEntries(activations.map((a) => [a.name, a.label]));
    $("#activation").replaceChildren(...activations.map((a) => el("option", { value: a.name, selected: a.name === "sigmoid" }, a.label)));
  } catch (error) {
    pageError.show(error);
    return;
  }
  const redraw = debounce(drawNeuron, 150);
  for (const id of ["w1", "w2", "b"]) {
    $(`#${id}`).addEventListener("input", (event) => { $(`#${id}-value`).textContent = event.target.value; redraw(); });
  }
  $("#activation").addEventListener("change", drawNeuron);
  $("#dataset").addEventListener("change", drawNeuron);
  $("#loss").addEventListener("change", drawNeuron);
  $("#reg").addEventListener("input", (event) => { $("#reg-value").textContent = String(REG_STEPS[Number(event.target.value)]); });
  // Arrow keys change the slider once per press: train once the value has settled.
  $("#reg").addEventListener("change", debounce(train, 500));
  $("#train").addEventListener("click", train);
  // Enabled only now: a press before the page has its activations and listeners would be lost.
  $("#train").disabled = false;
  await drawNeuron();
}

main();
