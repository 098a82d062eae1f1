// One neuron: f(w·x + b) drawn by the server from a network whose only hidden unit has these
// weights; trained as a single-layer classifier (logistic or hinge loss) through a training job.
import { api } from "./api.js";
import { $, busy, debounce, drawFigure, el, errorArea, formatNumber, pageError, placeholder, plotlyReady } from "./ui.js";
import { ACTIVATION_LABELS } from "./layers.js";

const REG_STEPS = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
const neuronErrors = errorArea($("#neuron-error"));
const trainErrors = errorArea($("#train-error"));
const shown = { neuron: null, classifier: null }; // the stored networks on screen
const trainedRows = [];
let drawing = 0;

const weight = (id) => Number($(`#${id}`).value);
const regStrength = () => REG_STEPS[Number($("#reg").value)];

function dataSpec() {
  const name = $("#dataset").value;
  return { name, n_per_class: 50, noise: name === "gauss" ? 0.4 : 0.1, seed: 0, ...(name === "gauss" ? { classes: 2 } : {}) };
}

// Replace the network shown in `slot`, deleting the one it replaces.
function keep(slot, network) {
  const previous = shown[slot];
  shown[slot] = network;
  if (previous) api("DELETE", `/api/networks/${previous.id}`).catch(() => {});
}

const importDocument = (spec, weights) => ({
  format: "nnviz-network", version: 1, spec, weights, history: [], data: dataSpec(), steps_trained: 0,
});

// Two stored networks show one neuron. Its output f(w·x + b): the single hidden unit of
// 2 -> [1] -> 1 whose output layer passes it on unchanged (weight 1, bias 0), drawn by the
// server's per-neuron map. As a classifier: the single-layer network 2 -> 1 with the same w and b
// under the chosen loss, drawn by the decision-boundary figure.
async function drawNeuron() {
  const mine = ++drawing;
  neuronErrors.clear();
  const activation = $("#activation").value;
  const W1 = [[weight("w1")], [weight("w2")]];
  const b1 = [weight("b")];
  const unit = importDocument(
    { input_dim: 2, hidden: [{ units: 1, activation }], output_dim: 1, loss: "logistic", init: "small" },
    { W1, b1, W2: [[1]], b2: [0] });
  const linear = importDocument({ input_dim: 2, hidden: [], output_dim: 1, loss: $("#loss").value, init: "small" }, { W1, b1 });
  try {
    const [neuron, classifier] = await busy(Promise.all([
      api("POST", "/api/networks/import", { body: unit, label: "The neuron as a network (import its weights)" }),
      api("POST", "/api/networks/import", { body: linear, label: "The neuron as a single-layer classifier" }),
    ]), { target: $("#neuron-plot").closest(".card") });
    if (mine !== drawing) {
      for (const network of [neuron, classifier]) api("DELETE", `/api/networks/${network.id}`).catch(() => {});
      return;
    }
    keep("neuron", neuron);
    keep("classifier", classifier);
    const [map, regions] = await Promise.all([
      api("GET", `/api/networks/${neuron.id}/figures/neurons`, { query: { grid: 80 }, label: "Its output over the plane" }),
      api("GET", `/api/networks/${classifier.id}/figures/decision-boundary`, { query: { grid: 80 }, label: "Its decision regions and line" }),
    ]);
    if (mine !== drawing) return;
    // Both panels are titled on the page; one neuron's map fills its panel.
    await Promise.all([
      drawFigure($("#neuron-plot"), { ...map, layout: { ...map.layout, title: undefined, height: 380 } }),
      drawFigure($("#classifier-plot"), { ...regions, layout: { ...regions.layout, title: undefined, height: 380 } }),
    ]);
    const label = ACTIVATION_LABELS[activation] || activation;
    const signed = (value) => (value < 0 ? ` − ${formatNumber(-value)}` : ` + ${formatNumber(value)}`);
    $("#output-reading").textContent = `${label}(${formatNumber(weight("w1"))}·x1${signed(weight("w2"))}·x2${signed(weight("b"))}). The weights set the direction of the line w·x + b = 0 and how steeply the output changes across it; b shifts it.`;
  } catch (error) {
    neuronErrors.show(error);
  }
}

function renderWeights() {
  const head = el("tr", {}, ["λ", "w1", "w2", "b", "‖w‖", "accuracy"].map((t) => el("th", { scope: "col" }, t)));
  $("#weights-table").replaceChildren(el("thead", {}, head), el("tbody", {}, trainedRows.map((row) => el("tr", {},
    [row.lambda, row.w1, row.w2, row.b, row.norm, row.accuracy].map((v) => el("td", { class: "num" }, formatNumber(v)))))));
}

async function train() {
  trainErrors.clear();
  $("#train").disabled = true;
  const lambda = regStrength();
  const body = {
    network: { hidden: [], loss: $("#loss").value, init: "small" },
    data: dataSpec(),
    training: { optimizer: "sgd", learning_rate: 0.5, regularization: "l2", reg_strength: lambda, steps: 300, seed: 0 },
  };
  try {
    const job = await busy(api("POST", "/api/jobs", { query: { wait: true }, body, label: "Train the neuron (one job, waits for the result)" }), { target: $("#classifier-plot").closest(".card"), text: "Training…" });
    if (job.status !== "done") throw new Error(job.error || `training ended with status “${job.status}”`);
    const exported = await api("GET", `/api/networks/${job.network_id}/export`, { label: "The trained weights" });
    const [w1, w2] = exported.weights.W1.map((row) => row[0]);
    const b = exported.weights.b1[0];
    trainedRows.push({ lambda, w1, w2, b, norm: Math.hypot(w1, w2), accuracy: job.metrics.train_accuracy });
    renderWeights();
    for (const [id, value] of [["w1", w1], ["w2", w2], ["b", b]]) setSlider(id, value);
    if ($("#loss").value === "logistic") $("#activation").value = "sigmoid";
    const curve = await api("GET", `/api/networks/${job.network_id}/figures/training`, { label: "Its training curve" });
    await drawFigure($("#training-plot"), curve);
    api("DELETE", `/api/networks/${job.network_id}`).catch(() => {});
    $("#classifier-reading").textContent = `Trained with λ = ${lambda}: w = (${formatNumber(w1)}, ${formatNumber(w2)}), b = ${formatNumber(b)}, training accuracy ${formatNumber(100 * job.metrics.train_accuracy)}%. The sliders now hold these values.`;
    await drawNeuron();
  } catch (error) {
    trainErrors.show(error);
  } finally {
    $("#train").disabled = false;
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
    const activations = (await api("GET", "/api/activations")).map((a) => a.name).filter((name) => name !== "maxout" && name !== "prelu");
    $("#activation").replaceChildren(...activations.map((name) => el("option", { value: name, selected: name === "sigmoid" }, ACTIVATION_LABELS[name] || name)));
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
  $("#reg").addEventListener("change", train);
  $("#train").addEventListener("click", train);
  await drawNeuron();
}

main();
