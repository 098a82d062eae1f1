// One line of plain-language advice under the plot, given only when the evidence is clear: the
// same finding in two history records in a row (dead layers, update sizes), or a diverged run.
import { $ } from "../ui.js";
import { session } from "./settings.js";

// CS231n's rule of thumb (its Part 3, on learning): updates about 1e-3 of the weights; ten times less, or a hundred times
// more, in every weight matrix is clearly off.
const RATIO_LOW = 1e-4;
const RATIO_HIGH = 1e-1;
const ACTIVATION_NAMES = { relu: "ReLUs", leaky_relu: "leaky ReLUs", prelu: "PReLUs", elu: "ELUs" };

let previous = null; // the finding of the last record, so that a finding counts only when it repeats

function show(text) {
  const line = $("#advice");
  line.textContent = text;
  line.hidden = !text;
}

export function clearAdvice() {
  previous = null;
  show("");
}

function exponent(value) {
  return `1e${Math.round(Math.log10(value))}`;
}

// What a history record ({dead_fraction, update_ratio, ...}) clearly says, or "".
function finding(record) {
  const dead = (record.dead_fraction || []).findIndex((fraction) => fraction === 1);
  if (dead >= 0) {
    const layer = session.layers[dead];
    const units = (layer && ACTIVATION_NAMES[layer.activation]) || "units";
    return `All ${units} in hidden layer ${dead + 1} are dead (they pass no gradient for any point): lower the learning rate.`;
  }
  const ratios = (record.update_ratio || []).filter((ratio) => Number.isFinite(ratio) && ratio > 0);
  if (ratios.length && ratios.every((ratio) => ratio < RATIO_LOW)) {
    return `Updates are about ${exponent(Math.max(...ratios))} of the weights (about 1e-3 is healthy): raise the learning rate.`;
  }
  if (ratios.length && ratios.every((ratio) => ratio > RATIO_HIGH)) {
    return `Updates are about ${exponent(Math.min(...ratios))} of the weights (about 1e-3 is healthy): lower the learning rate.`;
  }
  return "";
}

export function adviseFrom(record) {
  const found = finding(record);
  if (found && found === previous) show(found);
  else if (!found) show("");
  previous = found;
}

export function adviseDiverged(step) {
  show(`The loss diverged at step ${step}: lower the learning rate.`);
}
