// The history curves between two redraws: each line of the training, dead-units and update-ratio
// figures names the history value it draws (its `meta`: [key] or [key, layer]), so the records
// that frames bring extend it; the next redraw replaces them with the stored history.
import { $ } from "../ui.js";
import { moveTraces, numbers, refitAxes } from "./traces.js";

const CURVES = { training: "epoch", "dead-units": "step", "update-ratio": "step" }; // figure -> its x key
const CURVES_MS = 300; // the curves take the records at most this often (frames come every 33 ms or so)

// The records that frames brought, taken by the curves at most every CURVES_MS.
export class CurveFeed {
  #records = [];
  #extendedAt = 0;

  // hidden(id): the figure is below the first screen and out of view (it waits);
  // tally(plot): counts one live update of the plot.
  constructor({ hidden, tally }) {
    this.hidden = hidden;
    this.tally = tally;
  }

  keep(record) {
    this.#records.push(record);
    const now = performance.now();
    if (now - this.#extendedAt >= CURVES_MS) {
      this.#extendedAt = now;
      this.#extend();
    }
  }

  #extend() {
    const records = this.#records.splice(0);
    if (!records.length) return;
    for (const [id, xKey] of Object.entries(CURVES)) {
      const plot = $(`#${id}`);
      if (this.hidden(id)) continue;
      if (extendCurve(plot, records, xKey, id === "update-ratio")) this.tally(plot);
    }
  }
}

// Extends a drawn curves figure's lines (each names its history key in `meta`: [key] or [key,
// layer]) by the records, against the record's `xKey`; `positive`: values of 0 left out (a log
// axis). Returns whether any line grew.
export function extendCurve(plot, records, xKey, positive = false) {
  if (!plot.dataset.drawn || !Array.isArray(plot.data)) return false;
  const data = {};
  plot.data.forEach((trace, index) => {
    if (!Array.isArray(trace.meta)) return;
    const [key, layer] = trace.meta;
    const xs = numbers(trace.x);
    const ys = numbers(trace.y);
    const before = xs.length;
    for (const record of records) {
      const value = layer === undefined ? record[key] : (record[key] || [])[layer];
      const after = xs.length ? record[xKey] > xs[xs.length - 1] : true;
      if (after && Number.isFinite(value) && (!positive || value > 0)) {
        xs.push(record[xKey]);
        ys.push(value);
      }
    }
    if (xs.length > before) data[index] = { x: xs, y: ys };
  });
  if (!Object.keys(data).length) return false;
  moveTraces(plot, data).then(() => refitAxes(plot, "x"));
  plot.dataset.extended = String(Number(plot.dataset.extended || 0) + 1);
  return true;
}
