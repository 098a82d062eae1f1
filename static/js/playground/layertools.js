// The network edited where it is drawn, as in TensorFlow Playground: over each hidden layer's
// column of the diagram, − / + for its units and its activation; beside the card's title, − / +
// for the hidden layers. The settings card's layer editor edits the same `session.layers` (the keyboard's and the
// exact numbers' way); `changed()` rebuilds the network.
import { labelOf } from "../catalog.js";
import { el } from "../ui.js";
import { session } from "./settings.js";

// limits: { maxLayers, maxUnits }; activations: their names.
export function layerTools(container, countBox, plot, { maxLayers, maxUnits, activations, changed }) {
  const edit = (change) => () => {
    change();
    changed();
  };
  const button = (text, label, testid, disabled, action) => el("button", {
    type: "button", class: "small", "aria-label": label, dataset: { testid }, disabled, onclick: edit(action),
  }, text);

  function render() {
    const { layers } = session;
    countBox.replaceChildren(
      button("−", "Remove the last hidden layer", "layers-minus", layers.length === 0, () => layers.pop()),
      el("span", {}, `${layers.length} hidden`),
      button("+", "Add a hidden layer", "layers-plus", layers.length >= maxLayers, () => {
        const last = layers[layers.length - 1];
        layers.push({ units: last ? last.units : 4, activation: last ? last.activation : "relu" });
      }));
    const tools = layers.map((layer, i) => {
      const select = el("select", {
        "aria-label": `Activation of hidden layer ${i + 1}`, dataset: { testid: `activation-${i + 1}` },
        onchange: (event) => {
          layer.activation = event.target.value;
          changed();
        },
      }, activations.map((name) => el("option", { value: name, selected: name === layer.activation }, labelOf("activations", name))));
      return el("div", { class: "layer-tool", dataset: { layer: String(i + 1) } },
        el("div", { class: "units" },
          button("−", `Fewer units in hidden layer ${i + 1}`, `units-minus-${i + 1}`, layer.units <= 1, () => { layer.units -= 1; }),
          el("span", { "aria-label": `hidden layer ${i + 1}: ${layer.units} units` }, String(layer.units)),
          button("+", `More units in hidden layer ${i + 1}`, `units-plus-${i + 1}`, layer.units >= maxUnits, () => { layer.units += 1; })),
        select);
    });
    container.replaceChildren(...tools);
    place();
  }

  // Each layer's tools over its column (the diagram's x: the inputs at 0, hidden layer i at i).
  function place() {
    const axis = plot._fullLayout && plot.dataset.upright !== "true" ? plot._fullLayout.xaxis : null; // upright: in a row
    container.classList.toggle("in-row", !axis);
    const tools = container.querySelectorAll(".layer-tool");
    tools.forEach((tool) => {
      const x = axis ? axis._offset + axis.l2p(Number(tool.dataset.layer)) : null;
      tool.style.left = x === null || !Number.isFinite(x) ? "" : `${x}px`;
    });
  }

  return { render, place };
}
