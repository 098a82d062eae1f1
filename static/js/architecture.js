// Architecture: build a spec, let the server count it, draw its topology and trace a forward pass.
// All previews of the spec (initialised from the seed): nothing is stored as you type.
import { api, serverLimits } from "./api.js";
import { loadCatalog } from "./catalog.js";
import { layerEditor } from "./layers.js";
import { $, busy, debounce, drawFigure, el, errorArea, formatNumber, pageError, plotlyReady } from "./ui.js";

const buildErrors = errorArea($("#build-error"));
const forwardErrors = errorArea($("#forward-error"));
const layers = [{ units: 4, activation: "relu" }];
let editor = null;
let network = null; // the spec and seed on screen, once the server has accepted them
let generation = 0;

function spec() {
  const outputDim = Number($("#output-dim").value);
  return {
    input_dim: Number($("#input-dim").value),
    hidden: layers.map((layer) => ({ units: layer.units, activation: layer.activation })),
    output_dim: outputDim,
    // One output: a real-valued score (the notes' [3, 4, 4, 1]); more: class scores.
    loss: outputDim === 1 ? "mse" : "softmax",
    init: $("#init").value,
  };
}

function showCounts(counts) {
  for (const key of ["layers", "neurons", "weights", "biases", "parameters"]) {
    $(`#count-${key}`).textContent = counts ? String(counts[key]) : "—";
  }
  $("#count-reading").textContent = counts
    ? `A ${counts.layers}-layer network: ${counts.neurons} neurons (the inputs are not counted), ${counts.weights} weights + ${counts.biases} biases${counts.slopes ? ` + ${counts.slopes} slopes` : ""} = ${counts.parameters} learnable parameters.`
    : "";
}

async function rebuild() {
  const mine = ++generation;
  buildErrors.clear();
  const candidate = { spec: spec(), seed: Number($("#seed").value) };
  try {
    const [counts, figure] = await busy(Promise.all([
      api("POST", "/api/networks/counts", { body: candidate.spec, label: "Count its neurons and parameters" }),
      api("POST", "/api/figures/topology", { body: candidate, label: "Topology figure (weights from the seed)" }),
    ]), { target: $("#counts").parentElement });
    if (mine !== generation) return;
    network = candidate;
    showCounts(counts);
    await drawFigure($("#topology"), figure);
    if (mine === generation) await forward();
  } catch (error) {
    if (mine === generation) {
      network = null;
      showCounts(null);
      buildErrors.show(error);
    }
  }
}

function parseInput() {
  const text = $("#forward-input").value.trim();
  const values = text.split(/[\s,;]+/).filter(Boolean).map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) {
    throw new Error("The input must be numbers separated by commas, e.g. 0.5, -1, 2.");
  }
  return values;
}

const vector = (values) => `[${values.map((v) => formatNumber(v)).join(", ")}]`;
const shape = (dims) => (dims ? dims.join(" × ") : "—");

async function forward() {
  if (!network) return;
  forwardErrors.clear();
  let input;
  try {
    input = parseInput();
  } catch (error) {
    forwardErrors.show(error);
    return;
  }
  const mine = generation;
  try {
    const [trace, figure] = await busy(Promise.all([
      api("POST", "/api/networks/forward", { body: { ...network, input }, label: "Forward pass, layer by layer" }),
      api("POST", "/api/figures/forward", { body: { ...network, input }, label: "Forward pass figure" }),
    ]), { target: $("#forward-table").closest(".card") });
    if (mine !== generation) return;
    renderTrace(trace.layers, input);
    await drawFigure($("#forward-plot"), figure);
  } catch (error) {
    forwardErrors.show(error);
  }
}

function renderTrace(traceLayers, input) {
  const head = el("tr", {}, ["layer", "computes", "W", "b", "output", "values"].map((t) => el("th", { scope: "col" }, t)));
  const rows = [el("tr", {}, el("td", {}, "x"), el("td", { class: "formula" }, "input"), el("td", {}, "—"), el("td", {}, "—"),
    el("td", {}, shape([input.length])), el("td", { class: "num" }, vector(input)))];
  traceLayers.forEach((layer, i) => {
    const previous = i === 0 ? "x" : traceLayers[i - 1].name;
    const last = i === traceLayers.length - 1;
    const formula = last || !layer.activation
      ? `${layer.name} = W${i + 1}·${previous} + b${i + 1}`
      : `${layer.name} = ${layer.activation}(W${i + 1}·${previous} + b${i + 1})`;
    rows.push(el("tr", {},
      el("td", {}, layer.name),
      el("td", { class: "formula" }, formula),
      el("td", {}, shape(layer.W_shape)),
      el("td", {}, shape(layer.b_shape)),
      el("td", {}, shape(layer.output_shape)),
      el("td", { class: "num" }, vector(layer.activation_value))));
  });
  $("#forward-table").replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
}

const EXAMPLE_INPUT = ["1", "2", "3", "-1", "0.5", "-2", "1.5", "-0.5", "2.5", "-1.5", "0", "1", "-3", "2", "0.5", "-1"];
const exampleInput = (size) => EXAMPLE_INPUT.slice(0, size).join(", ");

function applyPreset(sizes) {
  $("#input-dim").value = String(sizes[0]);
  $("#output-dim").value = String(sizes[sizes.length - 1]);
  layers.splice(0, layers.length, ...sizes.slice(1, -1).map((units) => ({ units, activation: "relu" })));
  $("#forward-input").value = exampleInput(sizes[0]);
  editor.render();
  rebuild();
}

async function main() {
  await plotlyReady();
  let activations;
  let limits;
  try {
    [activations, limits] = await Promise.all([api("GET", "/api/activations"), serverLimits(), loadCatalog()]);
  } catch (error) {
    pageError.show(error);
    return;
  }
  const later = debounce(rebuild, 300);
  editor = layerEditor($("#layers"), layers, later, {
    activations: activations.map((a) => a.name), maxLayers: limits.max_hidden_layers, maxUnits: limits.max_units, idPrefix: "arch-layer",
  });
  for (const id of ["#input-dim", "#output-dim", "#init", "#seed"]) $(id).addEventListener("change", later);
  // A new input size gets an example input of that size.
  $("#input-dim").addEventListener("change", () => { $("#forward-input").value = exampleInput(Number($("#input-dim").value)); });
  $("#forward-input").addEventListener("input", debounce(forward, 400));
  for (const button of document.querySelectorAll("[data-sizes]")) {
    button.addEventListener("click", () => applyPreset(button.dataset.sizes.split(",").map(Number)));
  }
  applyPreset([3, 4, 2]);
}

main();
