// The network editor shared by the Playground and the Architecture page: hidden layers as rows of
// (units, activation), with add/remove. `layers` is an array of {units, activation}, edited in place.
import { labelOf } from "./catalog.js";
import { el } from "./ui.js";

// `maxLayers`, `maxUnits`: the server's limits (GET /api/limits), stated under the rows; a value
// beyond them is clamped, and the note says so.
export function layerEditor(container, layers, onChange, { maxLayers, maxUnits, activations, idPrefix = "layer" }) {
  const limits = `Up to ${maxLayers} hidden layers of 1 to ${maxUnits} units (this server's limits).`;
  const note = el("p", { class: "hint limit-note", role: "status", "data-testid": "layer-limits" }, limits);
  function render() {
    const rows = layers.map((layer, i) => {
      const unitsId = `${idPrefix}-${i}-units`;
      const activationId = `${idPrefix}-${i}-activation`;
      const units = el("input", {
        type: "number", id: unitsId, min: "1", max: String(maxUnits), step: "1", value: String(layer.units),
        onchange: (event) => {
          const value = Math.round(Number(event.target.value));
          layer.units = Math.min(maxUnits, Math.max(1, Number.isFinite(value) ? value : 1));
          note.textContent = layer.units === value ? limits
            : `${event.target.value} units is outside this server's limits (1 to ${maxUnits}): layer ${i + 1} has ${layer.units}.`;
          event.target.value = String(layer.units);
          onChange();
        },
      });
      const activation = el("select", {
        id: activationId,
        onchange: (event) => { layer.activation = event.target.value; onChange(); },
      }, activations.map((name) => el("option", { value: name, selected: name === layer.activation }, labelOf("activations", name))));
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
    const linear = layers.length === 0 ? el("p", { class: "hint" }, "No hidden layer: a linear classifier (a single-layer network).") : null;
    note.textContent = limits;
    container.replaceChildren(...rows, ...(linear ? [linear] : []), add, note);
  }
  render();
  return { render, note };
}

// "8-relu,4-tanh" <-> [{units: 8, activation: "relu"}, ...] (the URL form of the hidden layers).
export function layersToText(layers) {
  return layers.map((layer) => `${layer.units}-${layer.activation}`).join(",");
}

// Values outside the limits take the nearest valid one; `replaced` lists what was changed, in words.
export function layersFromText(text, activations, { maxLayers, maxUnits }, replaced = []) {
  if (text === "") return [];
  const parts = text.split(",");
  if (parts.length > maxLayers) replaced.push(`${parts.length} hidden layers → ${maxLayers} (the limit)`);
  return parts.slice(0, maxLayers).map((part, i) => {
    const [units, activation] = part.split("-");
    const count = Math.round(Number(units));
    const valid = Number.isFinite(count) ? Math.min(Math.max(count, 1), maxUnits) : 4;
    if (valid !== count) replaced.push(`layer ${i + 1}: ${units} units → ${valid}`);
    if (!activations.includes(activation)) replaced.push(`layer ${i + 1}: activation “${activation}” → relu`);
    return { units: valid, activation: activations.includes(activation) ? activation : "relu" };
  });
}
