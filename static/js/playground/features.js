// The input features the network sees (TensorFlow Playground's X₁, X₂, X₁², …): one toggle per
// feature, showing its map over the plane. The choice is the setting `feat`, sent as the network
// spec's `features`; they are functions of two inputs, so other data leaves them off.
import { api } from "../api.js";
import { decodeMaps, paintMap } from "../thumbnails.js";
import { el } from "../ui.js";
import { DEFAULTS, session, settings } from "./settings.js";

const chooser = { buttons: [], names: [] };
const chosen = () => settings.feat.split(",").filter(Boolean);

// `changed()`: the choice changed (the network is rebuilt with it).
export async function featureChooser(node, changed) {
  const answer = await api("GET", "/api/features", { query: { grid: 32 }, label: "The input features and their maps" });
  const maps = await decodeMaps(answer.maps, answer.grid);
  chooser.names = answer.features.map((feature) => feature.name);
  const toggle = (name) => {
    const current = chosen();
    const next = current.includes(name) ? current.filter((other) => other !== name) : [...current, name];
    if (!next.length) return; // the first layer needs something to see
    settings.feat = chooser.names.filter((other) => next.includes(other)).join(",");
    syncFeatures();
    changed();
  };
  chooser.buttons = answer.features.map((feature, k) => {
    const canvas = el("canvas", { "aria-hidden": "true" });
    paintMap(canvas, maps[k], answer.grid);
    return el("button", {
      type: "button", class: "feature", dataset: { name: feature.name, testid: `feature-${feature.name}` },
      title: `${feature.formula} over the plane (blue above 0, red below)`, onclick: () => toggle(feature.name),
    }, canvas, el("span", {}, feature.label));
  });
  node.replaceChildren(...chooser.buttons);
  // An address may name features this server does not have: keep the ones it has.
  const known = chosen().filter((name) => chooser.names.includes(name));
  if (known.length !== chosen().length) {
    settings.feat = known.length ? known.join(",") : DEFAULTS.feat;
    changed();
  }
  syncFeatures();
}

// The toggles show the setting; they are off for data that does not have two inputs.
export function syncFeatures() {
  const planar = !session.data || session.data.train.X[0].length === 2;
  for (const button of chooser.buttons) {
    button.setAttribute("aria-pressed", String(chosen().includes(button.dataset.name)));
    button.disabled = !planar;
  }
}
