// The Playground's figures: all drawn by the server from the stored network; the boundary also
// follows the live frames of a running job.
import { api } from "../api.js";
import { decodeBoundary } from "../live.js";
import { $, NARROW, busy, drawFigure, narrowTitle, options, placeholder } from "../ui.js";
import { session } from "./settings.js";
import { trainErrors } from "./status.js";

export const LIVE = { grid: 40, interval_ms: 50, nodes: 20 }; // nodes: each neuron's map, for the diagram
const STILL_GRID = 100; // the boundary at rest is drawn finer than the live grid

// Figures redrawn periodically while training (the boundary itself follows the events).
const FIGURES = [
  ["neurons", { grid: 24 }],
  ["topology", {}],
  ["training", { x_axis: "epoch" }],
  ["dead-units", {}],
  ["update-ratio", {}],
];
const NEEDS_HISTORY = ["training", "dead-units", "update-ratio"];

// boundary: the plot holds a heatmap restyle can update; wrong: the × markers it shows (as JSON);
// title: the drawn figure's title as the server wrote it (before any phone wrapping).
const live = { boundary: false, updates: 0, since: 0, wrong: null, overlaidAt: 0, title: null };
const OVERLAY_MS = 150;

// What other modules do when a figure is drawn (kind, node) or a live frame arrives (frame).
export const hooks = { drawn: new Set(), frame: new Set() };

// The hidden-space view needs a hidden layer and at most two inputs; it is drawn when training stops.
function hiddenSpaceQuery() {
  if (session.layers.length === 0 || session.data.train.X[0].length > 2) return null;
  return { layer: Number($("#hidden-layer").value) || 1 };
}

export function fillHiddenLayers() {
  const { layers } = session;
  const chosen = Math.min(Number($("#hidden-layer").value) || 1, Math.max(layers.length, 1));
  options($("#hidden-layer"), layers.map((_, i) => [i + 1, `h${i + 1}`]), chosen);
  $("#hidden-layer").disabled = layers.length === 0;
}

export async function drawHiddenSpace() {
  const query = hiddenSpaceQuery();
  if (!session.network || !query) return;
  try {
    const figure = await busy(api("GET", `/api/networks/${session.network.id}/figures/hidden-space`, { query, label: "Figure: hidden-space" }));
    await drawFigure($("#hidden-space"), figure);
  } catch (error) {
    trainErrors.show(error);
  }
}

// Figure refreshes run one after another; a periodic one is skipped while another is under way.
let refreshChain = Promise.resolve();
let refreshesPending = 0;

// `playing`: the boundary is drawn at the live grid, so that the frames can restyle it.
// `boundaryOnly`: that, and nothing else (before Play's first job: quick, so the job starts soon).
export function refreshFigures(withBoundary, { periodic = false, playing = false, boundaryOnly = false } = {}) {
  if (!session.network || (periodic && refreshesPending > 0)) return refreshChain;
  refreshesPending += 1;
  refreshChain = refreshChain.then(() => drawFigures(withBoundary, playing, boundaryOnly)).finally(() => { refreshesPending -= 1; });
  return refreshChain;
}

// Figure requests in flight; Pause aborts them so that its cancel request needs no free connection.
let figureRequests = new AbortController();

export function abortFigureRequests() {
  figureRequests.abort();
  figureRequests = new AbortController();
}

async function drawFigures(withBoundary, playing, boundaryOnly) {
  const { network } = session;
  if (!network) return;
  const id = network.id;
  const { signal } = figureRequests;
  const trained = network.steps_trained > 0 || playing;
  const hidden = withBoundary && !boundaryOnly ? hiddenSpaceQuery() : null;
  const wanted = [
    ...(withBoundary ? [["decision-boundary", { grid: playing ? LIVE.grid : STILL_GRID }]] : []),
    ...(boundaryOnly ? [] : FIGURES),
    ...(hidden ? [["hidden-space", hidden]] : []),
  ];
  if (withBoundary && !boundaryOnly && !hidden) placeholder($("#hidden-space"), "The hidden-space view needs a hidden layer.");
  try {
    await Promise.all(wanted.map(async ([kind, query]) => {
      const node = $(`#${kind === "decision-boundary" ? "boundary" : kind}`);
      if (!trained && NEEDS_HISTORY.includes(kind)) {
        placeholder(node, "The curves appear once the network has trained.");
        return;
      }
      const figure = await api("GET", `/api/networks/${id}/figures/${kind}`, { query, signal, label: `Figure: ${kind}` });
      if (!session.network || session.network.id !== id) return;
      await drawFigure(node, figure);
      if (kind === "decision-boundary") Object.assign(live, { boundary: figure.data.length > 0, wrong: null, title: (figure.layout.title || {}).text });
      for (const hook of hooks.drawn) hook(kind, node);
    }));
  } catch (error) {
    trainErrors.show(error);
  }
}

export const boundaryIsLive = () => live.boundary;

export function countLiveUpdates() {
  live.updates = 0;
  live.since = performance.now();
}

// A live frame's boundary grid restyles the plot's first trace.
export async function drawLiveBoundary(frame) {
  for (const hook of hooks.frame) hook(frame);
  if (!frame.boundary || !live.boundary) return;
  const boundary = await decodeBoundary(frame.boundary);
  if (!live.boundary) return; // redrawn while decoding
  const plot = $("#boundary");
  // 1-D regression: trace 0 is the fitted curve, whose values arrive as z.
  const update = boundary.kind === "regression-1d" ? { x: [boundary.x], y: [boundary.z] } : { x: [boundary.x], y: [boundary.y], z: [boundary.z] };
  // The overlay (title, × markers) at most OVERLAY_MS apart: redrawing the markers recomputes every
  // trace, the heatmap's restyle only its own.
  const now = performance.now();
  const overlay = frame.overlay && now - live.overlaidAt >= OVERLAY_MS ? frame.overlay : null;
  const title = overlay ? withScore(plot, overlay.score) : null;
  await window.Plotly.update(plot, update, title ? { "title.text": title } : {}, [0]);
  if (overlay) {
    live.overlaidAt = now;
    if (overlay.wrong) drawMisclassified(plot, overlay.wrong);
  }
  live.updates += 1;
  const seconds = (performance.now() - live.since) / 1000;
  plot.dataset.updates = String(live.updates);
  plot.dataset.updatesPerSecond = (live.updates / seconds).toFixed(1);
}

// The subtitle's scores (the server's own text, from the frame) in the figure's title, when they
// changed; on a phone wrapped as the drawing's title was (the server's title, new scores, rewrapped).
function withScore(plot, score) {
  if (!live.title) return null;
  const text = live.title.replace(/(<span[^>]*>)[^<]*(<\/span>)/, (_, open, close) => `${open}${score}${close}`);
  const width = plot.clientWidth;
  const shown = width > 0 && width < NARROW ? narrowTitle(text, width) : text;
  return shown === plot.layout.title.text ? null : shown;
}

// The × markers and their legend count, when the misclassified points changed.
function drawMisclassified(plot, wrong) {
  const index = plot.data.findIndex((trace) => trace.legendgroup === "misclassified");
  if (index < 0) return;
  const key = JSON.stringify(wrong);
  if (live.wrong === key) return;
  live.wrong = key;
  window.Plotly.restyle(plot, {
    x: [wrong.map((w) => w[0])], y: [wrong.map((w) => w[1])], customdata: [wrong.map((w) => w[2])],
    name: `misclassified (${wrong.length})`,
  }, [index]);
}

// The history curves between two redraws: each line of the training, dead-units and update-ratio
// figures names the history value it draws (its `meta`: [key] or [key, layer]), so the records
// that frames bring extend it; the next redraw replaces them with the stored history.
const CURVES = { training: "epoch", "dead-units": "step", "update-ratio": "step" };
const newRecords = [];

export function keepRecord(record) {
  newRecords.push(record);
}

// A trace's numbers: a list, or the server's typed array ({dtype: "f8", bdata: base64}) decoded.
const TYPED = { f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array, u4: Uint32Array, u2: Uint16Array, u1: Uint8Array };
function numbers(values) {
  if (!values || !values.bdata) return Array.from(values || []);
  const text = atob(values.bdata);
  const bytes = Uint8Array.from(text, (char) => char.charCodeAt(0));
  return Array.from(new TYPED[values.dtype](bytes.buffer));
}

export function extendCurves() {
  const records = newRecords.splice(0);
  if (!records.length) return;
  for (const [id, xKey] of Object.entries(CURVES)) {
    const plot = $(`#${id}`);
    if (!plot.dataset.drawn || !Array.isArray(plot.data)) continue;
    const update = { x: [], y: [] };
    const traces = [];
    plot.data.forEach((trace, index) => {
      if (!Array.isArray(trace.meta)) return;
      const [key, layer] = trace.meta;
      const xs = numbers(trace.x);
      const ys = numbers(trace.y);
      const before = xs.length;
      for (const record of records) {
        const value = layer === undefined ? record[key] : (record[key] || [])[layer];
        const after = xs.length ? record[xKey] > xs[xs.length - 1] : true;
        if (after && Number.isFinite(value) && (id !== "update-ratio" || value > 0)) {
          xs.push(record[xKey]);
          ys.push(value);
        }
      }
      if (xs.length > before) {
        traces.push(index);
        update.x.push(xs);
        update.y.push(ys);
      }
    });
    if (traces.length) {
      window.Plotly.restyle(plot, update, traces);
      plot.dataset.extended = String(Number(plot.dataset.extended || 0) + 1);
    }
  }
}
