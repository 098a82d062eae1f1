// The network editor shared by the Playground and the Architecture page: hidden layers as rows of
// (units, activation), with add/remove. `layers` is an array of {units, activation}, edited in place.
import { el } from "./ui.js";

export const ACTIVATION_LABELS = {
  sigmoid: "sigmoid", tanh: "tanh", relu: "ReLU", leaky_relu: "leaky ReLU", prelu: "PReLU", maxout: "maxout",
  elu: "ELU", softplus: "softplus", gelu: "GELU", swish: "swish", linear: "linear",
};

export function layerEditor(container, layers, onChange, { maxLayers = 6, maxUnits = 64, activations, idPrefix = "layer" }) {
  function render() {
    const rows = layers.map((layer, i) => {
      const unitsId = `${idPrefix}-${i}-units`;
      const activationId = `${idPrefix}-${i}-activation`;
      const units = el("input", {
        type: "number", id: unitsId, min: "1", max: String(maxUnits), step: "1", value: String(layer.units),
        onchange: (event) => {
          const value = Math.round(Number(event.target.value));
          layer.units = Math.min(maxUnits, Math.max(1, Number.isFinite(value) ? value : 1));
          event.target.value = String(layer.units);
          onChange();
        },
      });
      const activation = el("select", {
        id: activationId,
        onchange: (event) => { layer.activation = event.target.value; onChange(); },
      }, activations.map((name) => el("option", { value: name, selected: name === layer.activation }, ACTIVATION_LABELS[name] || name)));
      const remove = el("button", {
        type: "button", class: "small", "aria-label": `Remove hidden layer ${i + 1}`,
        onclick: () => { layers.splice(i, 1); render(); onChange(); },
      }, "✕");
      return el("div", { class: "layer-row" },
        el("span", { class: "layer-name" }, `Layer ${i + 1}`),
        el("div", {}, el("label", { for: unitsId }, "units"), units),
        el("div", {}, el("label", { for: activationId }, "activation"), activation),
        remove);
    });
    const add = el("button", {
      type: "button", disabled: layers.length >= maxLayers,
      onclick: () => {
        const last = layers[layers.length - 1];
        layers.push({ units: last ? last.units : 4, activation: last ? last.activation : "relu" });
        render();
        onChange();
      },
    }, "+ Add a hidden layer");
    const note = layers.length === 0 ? el("p", { class: "hint" }, "No hidden layer: a linear classifier (a single-layer network).") : null;
    container.replaceChildren(...rows, ...(note ? [note] : []), add);
  }
  render();
  return { render };
}

// "8-relu,4-tanh" <-> [{units: 8, activation: "relu"}, ...] (the URL form of the hidden layers).
export function layersToText(layers) {
  return layers.map((layer) => `${layer.units}-${layer.activation}`).join(",");
}

export function layersFromText(text, activations) {
  if (text === "") return [];
  return text.split(",").map((part) => {
    const [units, activation] = part.split("-");
    const count = Math.round(Number(units));
    return {
      units: Number.isFinite(count) && count >= 1 ? Math.min(count, 256) : 4,
      activation: activations.includes(activation) ? activation : "relu",
    };
  });
}
