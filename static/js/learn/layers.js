// §5 Layers: a network's sizes counted, drawn and traced; §6 their representational power.
import { api } from "../api.js";
import { $, $$, debounce, drawFigure, el, formatNumber, placeholder } from "../ui.js";
import { boundary, forget, guarded, judge, playground, sized, thresholdOf, train } from "./core.js";

export const judges = {};

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

// What each section does when it first comes near the screen, and the controls it wires.
export const sections = {
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
};
