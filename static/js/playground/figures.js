// The Playground's figures: all drawn by the server from the stored network; while a job runs,
// its live frames restyle the boundary (every frame) and, five times a second, the neuron maps,
// the diagram's edges and the hidden-space view (each figure's trace meta say where the numbers
// go), and their records extend the curves.
import { api } from "../api.js";
import { decodeBoundary, decodeEdges, decodeHidden } from "../live.js";
import { decodeMaps, scaledImage } from "../thumbnails.js";
import { $, NARROW, busy, drawFigure, narrowTitle, options, placeholder } from "../ui.js";
import { session } from "./settings.js";
import { trainErrors } from "./status.js";

// nodes: each neuron's map (the diagram's thumbnails and the neurons figure, drawn at the same
// grid); edges: the diagram's edges. The hidden-space layer is added by liveOptions.
const LIVE = { grid: 40, interval_ms: 50, nodes: 20, edges: true };
const STILL_GRID = 100; // the boundary at rest is drawn finer than the live grid

// Figures redrawn with the boundary, and periodically while training unless frames carry them
// (FOLLOWED: the neuron maps of a 2-input network, the diagram).
const FIGURES = [
  ["neurons", { grid: LIVE.nodes }],
  ["topology", {}],
  ["training", { x_axis: "epoch" }],
  ["dead-units", {}],
  ["update-ratio", {}],
];
const NEEDS_HISTORY = ["training", "dead-units", "update-ratio"];
const FOLLOWED = { neurons: () => session.data.train.X[0].length === 2, topology: () => true };

// boundary: the plot holds a heatmap restyle can update; wrong: the × markers it shows (as JSON);
// tallies: each plot's live updates since Play; generation: counts the jobs stopped;
// title: the drawn figure's title as the server wrote it (before any phone wrapping).
const live = { boundary: false, since: 0, wrong: null, overlaidAt: 0, tallies: new Map(), extendedAt: 0, generation: 0, title: null };
const OVERLAY_MS = 150;
const CURVES_MS = 150; // the curves take the records at most this often (frames come every 50 ms or so)

// What the job's frames should carry for this page.
export function liveOptions() {
  const hidden = hiddenSpaceQuery();
  return { ...LIVE, hidden: hidden && { layer: hidden.layer } };
}

// What other modules do when a figure is drawn (kind, node) or a live frame arrives (frame).
export const hooks = { drawn: new Set(), frame: new Set() };

// The hidden-space view needs a hidden layer and at most two inputs; while playing, the frames move it.
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
    $("#hidden-space").dataset.layer = String(query.layer);
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
  refreshChain = refreshChain.then(() => drawFigures(withBoundary, playing, boundaryOnly, periodic)).finally(() => { refreshesPending -= 1; });
  return refreshChain;
}

// Figure requests in flight; Pause aborts them so that its cancel request needs no free connection.
let figureRequests = new AbortController();

export function abortFigureRequests() {
  figureRequests.abort();
  figureRequests = new AbortController();
  live.generation += 1; // and the live updates still waiting: they would draw over the redrawn figures
}

async function drawFigures(withBoundary, playing, boundaryOnly, periodic) {
  const { network } = session;
  if (!network) return;
  const id = network.id;
  const { signal } = figureRequests;
  const trained = network.steps_trained > 0 || playing;
  const hidden = withBoundary && !boundaryOnly ? hiddenSpaceQuery() : null;
  const wanted = [
    ...(withBoundary ? [["decision-boundary", { grid: playing ? LIVE.grid : STILL_GRID }]] : []),
    ...(boundaryOnly ? [] : FIGURES.filter(([kind]) => !(periodic && FOLLOWED[kind] && FOLLOWED[kind]()))),
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
      if (kind === "hidden-space") node.dataset.layer = String(query.layer);
      for (const hook of hooks.drawn) hook(kind, node);
    }));
  } catch (error) {
    trainErrors.show(error);
  }
}

export const boundaryIsLive = () => live.boundary;

export function countLiveUpdates() {
  live.since = performance.now();
  live.tallies.clear();
}

// One more live update of `plot`: its count and rate since Play, for people and tests to read.
function tally(plot) {
  const updates = (live.tallies.get(plot.id) || 0) + 1;
  live.tallies.set(plot.id, updates);
  plot.dataset.updates = String(updates);
  plot.dataset.updatesPerSecond = (updates / ((performance.now() - live.since) / 1000)).toFixed(1);
}

// A live frame: the boundary grid restyles the plot's first trace; what else it carries restyles
// the other figures.
export function drawLiveBoundary(frame) {
  for (const hook of hooks.frame) hook(frame);
  if (frame.boundary) follow("boundary", followBoundary, frame);
  if (frame.nodes) follow("neurons", followNeurons, frame.nodes);
  if (frame.edges) follow("topology", followEdges, frame.edges);
  if (frame.hidden) follow("hidden-space", followHidden, frame.hidden);
}

async function followBoundary(frame) {
  if (!live.boundary) return;
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
  tally(plot);
}

// One live update at a time per figure: what arrives meanwhile waits, only the latest (a busy
// page skips frames rather than falling behind them). The boundary comes first: the other charts
// draw when it is not drawing and the page is idle (or after IDLE_WAIT_MS), so on a page with no
// time to spare they slow down, not it.
const IDLE_WAIT_MS = 100;
const following = new Map(); // figure -> { next: the frame part waiting, or null } while one is drawn
let boundaryIdle = [];  // what waits for the boundary's current drawing to end

async function follow(id, draw, part) {
  const state = following.get(id);
  const waiting = { part, generation: live.generation };
  if (state) {
    state.next = waiting;
    return;
  }
  const current = { next: null };
  following.set(id, current);
  try {
    for (let next = waiting; next; next = current.next, current.next = null) {
      if (id !== "boundary") {
        while (following.has("boundary")) await new Promise((resolve) => boundaryIdle.push(resolve));
        await new Promise((resolve) => requestIdleCallback(resolve, { timeout: IDLE_WAIT_MS }));
      }
      if (next.generation === live.generation) await draw(next.part); // else the job stopped: the figures are redrawn
    }
  } finally {
    following.delete(id);
    if (id === "boundary") {
      const waiting = boundaryIdle;
      boundaryIdle = [];
      for (const resolve of waiting) resolve();
    }
  }
}

const drawnPlot = (id) => {
  const plot = $(id);
  return plot.dataset.drawn && Array.isArray(plot.data) ? plot : null;
};

// The neuron maps: each heatmap's meta.node = [layer, unit] of the frame's node maps, painted on
// the layer's colour axis (its scale from the frame, the figure's signed or unsigned colour scale)
// as a layout image over the heatmap: images are redrawn alone, a heatmap's restyle redraws the
// whole figure. The colour bars (a full redraw) follow every NEURON_AXES_MS.
const NEURON_AXES_MS = 2000;
const RANGES_MS = 1000; // axes fit the points live frames moved this often

async function followNeurons(nodes) {
  const plot = drawnPlot("#neurons");
  const scales = plot && plot.layout.meta && plot.layout.meta.colorscales;
  if (!scales) return;
  const maps = await decodeMaps(nodes.maps, nodes.grid);
  const first = nodes.layers.map((_, r) => nodes.layers.slice(0, r).reduce((sum, layer) => sum + layer.units, 0));
  const [x0, x1, y0, y1] = nodes.bounds;
  const cell = [(x1 - x0) / (nodes.grid - 1), (y1 - y0) / (nodes.grid - 1)]; // heatmap cells centre on the grid
  const images = [];
  const axes = {};
  for (const trace of plot.data) {
    const node = trace.meta && trace.meta.node;
    if (!node || node[0] >= nodes.layers.length || node[1] >= nodes.layers[node[0]].units) continue;
    const [r, c] = node;
    const k = first[r] + c;
    const layer = nodes.layers[r];
    const colorscale = layer.signed ? scales.signed : scales.unsigned;
    const source = scaledImage(maps[k], nodes.maps.limits[k], nodes.grid, { colorscale, cmin: layer.scale[0], cmax: layer.scale[1] });
    images.push({
      source, xref: trace.xaxis, yref: trace.yaxis, x: x0 - cell[0] / 2, y: y1 + cell[1] / 2, sizex: x1 - x0 + cell[0],
      sizey: y1 - y0 + cell[1], xanchor: "left", yanchor: "top", sizing: "stretch", layer: "above",
    });
    Object.assign(axes, { [`${trace.coloraxis}.cmin`]: layer.scale[0], [`${trace.coloraxis}.cmax`]: layer.scale[1], [`${trace.coloraxis}.colorscale`]: colorscale });
  }
  if (!images.length || plot !== drawnPlot("#neurons")) return;
  const now = performance.now();
  const bars = now - (live.neuronAxesAt || 0) >= NEURON_AXES_MS;
  if (bars) live.neuronAxesAt = now;
  await window.Plotly.relayout(plot, bars ? { images, ...axes } : { images });
  tally(plot);
}

// The diagram's edges: the weights trace's meta.edge_ends are the drawn edges, in the frame's
// order; each edge goes to the line trace of its style (meta.edge_style), the hover points take
// its value on the frame's colour scale.
async function followEdges(edges) {
  const plot = drawnPlot("#topology");
  if (!plot) return;
  const points = plot.data.findIndex((trace) => trace.meta && trace.meta.edge_ends);
  if (points < 0 || plot.data[points].meta.edge_ends.length !== edges.count) return;
  const { values, styles } = await decodeEdges(edges);
  const ends = plot.data[points].meta.edge_ends;
  const lines = { x: [], y: [] };
  const traces = [];
  plot.data.forEach((trace, index) => {
    if (!trace.meta || trace.meta.edge_style === undefined) return;
    const xs = [];
    const ys = [];
    styles.forEach((style, i) => {
      if (style !== trace.meta.edge_style) return;
      xs.push(ends[i][0], ends[i][2], null);
      ys.push(ends[i][1], ends[i][3], null);
    });
    traces.push(index);
    lines.x.push(xs);
    lines.y.push(ys);
  });
  const data = [
    ...traces.map((_, k) => ({ x: lines.x[k], y: lines.y[k] })),
    { marker: { color: values, cmin: -edges.scale, cmax: edges.scale } },
  ];
  await moveTraces(plot, data, [...traces, points]);
  tally(plot);
}

// The hidden-space view's right panel: each trace's meta.hidden_rows = [start, stop, break after
// every so many rows] of the frame's rows.
async function followHidden(hidden) {
  const plot = drawnPlot("#hidden-space");
  if (!plot || plot.dataset.layer !== String(hidden.layer)) return;
  const rows = await decodeHidden(hidden);
  const update = { x: [], y: [] };
  const traces = [];
  plot.data.forEach((trace, index) => {
    const where = trace.meta && trace.meta.hidden_rows;
    if (!where) return;
    const [start, stop, every] = where;
    const xs = [];
    const ys = [];
    for (let i = start; i < stop; i += 1) {
      xs.push(rows.x[i]);
      ys.push(rows.y[i]);
      if (every && (i - start + 1) % every === 0) {
        xs.push(null);
        ys.push(null);
      }
    }
    traces.push(index);
    update.x.push(xs);
    update.y.push(ys);
  });
  if (!traces.length) return;
  await moveTraces(plot, traces.map((_, k) => ({ x: update.x[k], y: update.y[k] })), traces);
  await refitAxes(plot);
  tally(plot);
}

// Moved points keep the axes' ranges: the axes the figure lets fit their data fit it again, at most
// every RANGES_MS (a full redraw).
const refitted = new WeakMap();

function refitAxes(plot) {
  const now = performance.now();
  if (now - (refitted.get(plot) || 0) < RANGES_MS) return Promise.resolve();
  refitted.set(plot, now);
  const axes = Object.keys(plot.layout).filter((key) => /^[xy]axis\d*$/.test(key) && plot.layout[key].autorange === true);
  return window.Plotly.relayout(plot, Object.fromEntries(axes.map((key) => [`${key}.autorange`, true])));
}

// New numbers for some scatter traces without redrawing the figure: an animation of no duration
// only moves the traces' points and lines (a restyle would redraw every trace and axis, several
// times the work); the axes keep their ranges.
function moveTraces(plot, data, traces) {
  return window.Plotly.animate(plot, { data, traces }, { transition: { duration: 0 }, frame: { duration: 0, redraw: false } });
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
  const now = performance.now();
  if (now - live.extendedAt >= CURVES_MS) {
    live.extendedAt = now;
    extendCurves();
  }
}

// A trace's numbers: a list, or the server's typed array ({dtype: "f8", bdata: base64}) decoded.
const TYPED = { f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array, u4: Uint32Array, u2: Uint16Array, u1: Uint8Array };
function numbers(values) {
  if (!values || !values.bdata) return Array.from(values || []);
  const text = atob(values.bdata);
  const bytes = Uint8Array.from(text, (char) => char.charCodeAt(0));
  return Array.from(new TYPED[values.dtype](bytes.buffer));
}

function extendCurves() {
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
      moveTraces(plot, traces.map((_, k) => ({ x: update.x[k], y: update.y[k] })), traces).then(() => refitAxes(plot));
      plot.dataset.extended = String(Number(plot.dataset.extended || 0) + 1);
      tally(plot);
    }
  }
}
