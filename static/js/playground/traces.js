// A drawn figure's traces moved by live numbers without a redraw, and its axes refitted to them.
// refitAxes remembers, per plot, when it last refitted and which growing axes it gave a range:
// state of the plot's own, kept beside it in WeakMaps.

// A trace's numbers: a list, or the server's typed array ({dtype: "f8", bdata: base64}) decoded.
const TYPED = { f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array, u4: Uint32Array, u2: Uint16Array, u1: Uint8Array };
export function numbers(values) {
  if (!values || !values.bdata) return Array.from(values || []);
  const text = atob(values.bdata);
  const bytes = Uint8Array.from(text, (char) => char.charCodeAt(0));
  return Array.from(new TYPED[values.dtype](bytes.buffer));
}

// Moved points keep the axes' ranges: the axes the figure lets fit their data fit it again (a full
// redraw) when the data left the range or shrank to under SHRUNK of it, at most every RANGES_MS.
// A growing axis (the curves' steps) is given a range HEADROOM beyond its data instead, so that it
// is refitted ever more rarely.
const RANGES_MS = 1000; // axes fit the points live frames moved this often
const refitted = new WeakMap(); // plot -> when
const ranged = new WeakMap(); // a drawing's layout -> the growing axes given a range here
const SHRUNK = 0.5;
const HEADROOM = 0.5;

export function refitAxes(plot, growing = "") {
  const now = performance.now();
  if (now - (refitted.get(plot) || 0) < RANGES_MS) return Promise.resolve();
  refitted.set(plot, now);
  if (!ranged.has(plot.layout)) ranged.set(plot.layout, new Set());
  const ours = ranged.get(plot.layout);
  const update = {};
  for (const key of Object.keys(plot.layout)) {
    if (!/^[xy]axis\d*$/.test(key) || !(plot.layout[key].autorange === true || ours.has(key))) continue;
    const span = extent(plot, key);
    if (!outgrown(plot.layout[key], span)) continue;
    if (growing.includes(key[0])) {
      update[`${key}.range`] = [span[0], span[1] + (span[1] - span[0]) * HEADROOM];
      ours.add(key);
    } else {
      update[`${key}.autorange`] = true;
    }
  }
  return Object.keys(update).length ? window.Plotly.relayout(plot, update) : Promise.resolve();
}

// The smallest and largest number the traces put on layout axis `key` ("xaxis2": the traces whose
// xaxis is "x2"), on the axis's own scale (log10 on a log axis); null when there are none.
function extent(plot, key) {
  const letter = key[0];
  const id = `${letter}${key.slice(5)}`;
  const log = plot.layout[key].type === "log";
  let lo = Infinity;
  let hi = -Infinity;
  for (const trace of plot.data) {
    if ((trace[`${letter}axis`] || letter) !== id || trace.type === "heatmap") continue;
    for (const value of numbers(trace[letter])) {
      const v = log ? Math.log10(value) : value;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

function outgrown(axis, span) {
  if (!span || !Array.isArray(axis.range)) return false;
  const [a, b] = axis.range.map(Number);
  const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
  return span[0] < lo || span[1] > hi || span[1] - span[0] < SHRUNK * (hi - lo);
}

// New numbers for some traces of a figure of scatter traces only, without redrawing it: an
// animation of no duration only moves the traces' points and lines (a restyle would redraw every
// trace and axis, several times the work); the axes keep their ranges. A subplot none of whose
// traces take part would lose its drawing, so one trace of each other subplot goes in unchanged
// (a trace of another type, a heatmap, loses its drawing anyway). `data`: { trace index: its new
// numbers }. The animation runs at the browser's next frame; a newer one replaces it if it has
// not run yet.
export function moveTraces(plot, data) {
  const subplot = (trace) => `${trace.xaxis || "x"}${trace.yaxis || "y"}`;
  const moved = new Set(Object.keys(data).map((k) => subplot(plot.data[k])));
  const kept = new Map();
  plot.data.forEach((trace, k) => {
    if (!moved.has(subplot(trace)) && !kept.has(subplot(trace))) kept.set(subplot(trace), k);
  });
  const traces = [...Object.keys(data).map(Number), ...kept.values()];
  return window.Plotly.animate(plot, { data: traces.map((k) => data[k] || {}), traces },
    { mode: "immediate", transition: { duration: 0 }, frame: { duration: 0, redraw: false } });
}
