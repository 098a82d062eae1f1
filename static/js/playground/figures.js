// The Playground's figures: all drawn by the server from the stored network; while a job runs,
// its live frames repaint the boundary's regions (every frame) and, about seven times a second,
// the neuron maps, the diagram's edges and the hidden-space view (each figure's trace meta say
// where the numbers go), and their records extend the curves. Heatmaps are painted into the
// pictures Plotly drew for them and points are moved, rather than figures redrawn: a redraw costs
// 20–100 ms, and the boundary alone comes 15–20 times a second.
import { api } from "../api.js";
import { decodeBoundary, decodeHidden, wrongPoints } from "../live.js";
import { codesPicture, colorMap, paintHeatmap } from "../heatmaps.js";
import { paintBoundary as paintRegions, paintCrosses, stopPainting } from "./paint.js";
import { decodeMaps, relative } from "../thumbnails.js";
import { $, NARROW, busy, drawFigure, narrowTitle, options, placeholder } from "../ui.js";
import { session } from "./settings.js";
import { trainErrors } from "./status.js";

// nodes: each neuron's map (the diagram's thumbnails and the neurons figure, drawn at the same
// grid); edges: the diagram's edges. The hidden-space layer is added by liveOptions.
// Node maps of 16 cells a side (TensorFlow Playground's have 10): a 40 px map shows no more, and a
// frame of 20 maps stays about 3 KB (docs/benchmarks.md).
const LIVE = { grid: 40, interval_ms: 33, nodes: 16, edges: true };
const STILL_GRID = 100; // the boundary at rest is drawn finer than the live grid
// Every click on the boundary plot adds a point, however quick the clicks: no two make a double
// click (which would add none and reset the axes).
const BOUNDARY_CONFIG = { doubleClickDelay: 0 };

// Figures redrawn with the boundary, and periodically while training unless frames carry them
// (FOLLOWED: the neuron maps of a 2-input network, the diagram, the curves).
const FIGURES = [
  ["neurons", { grid: LIVE.nodes }],
  ["topology", {}],
  ["training", { x_axis: "epoch" }],
  ["dead-units", {}],
  ["update-ratio", {}],
];
const NEEDS_HISTORY = ["training", "dead-units", "update-ratio"];
// The curves, once drawn with lines that records extend (a fresh network's have none until its
// first job's history is stored).
const extensible = (id) => () => Array.isArray($(`#${id}`).data) && $(`#${id}`).data.some((trace) => Array.isArray(trace.meta));
const FOLLOWED = {
  neurons: () => session.data.train.X[0].length === 2, topology: () => true,
  training: extensible("training"), "dead-units": extensible("dead-units"), "update-ratio": extensible("update-ratio"),
};

// boundary: the plot holds a heatmap the frames can update; wrong: the × markers it shows (as JSON);
// tallies: each plot's live updates since Play; generation: counts the jobs stopped;
// title: the drawn figure's title as the server wrote it (before any phone wrapping); grid: the
// frames' grid the boundary plot holds (gridKey), once a frame restyled it; painted: the frames paint
// its regions on the canvas; crossing: the × markers are painted (crosses);
// extendedAt, neuronAxesAt: when the curves took records, the neurons' colour bars were redrawn.
const live = {
  boundary: false, grid: null, painted: false, crossing: false, since: 0, wrong: null, overlaidAt: 0,
  tallies: new Map(), extendedAt: 0, neuronAxesAt: 0, generation: 0, title: null,
};
const OVERLAY_MS = 250; // a relayout of the title and × markers: 20–50 ms each
const CURVES_MS = 300; // the curves take the records at most this often (frames come every 33 ms or so)

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
// `only`: that figure alone (one scrolled into view while playing).
export function refreshFigures(withBoundary, { periodic = false, playing = false, boundaryOnly = false, only = null } = {}) {
  if (!session.network || (periodic && refreshesPending > 0)) return refreshChain;
  refreshesPending += 1;
  refreshChain = refreshChain.then(() => drawFigures(withBoundary, playing, boundaryOnly, periodic, only)).finally(() => { refreshesPending -= 1; });
  return refreshChain;
}

// Figure requests in flight; Pause aborts them so that its cancel request needs no free connection.
let figureRequests = new AbortController();

export function abortFigureRequests() {
  figureRequests.abort();
  figureRequests = new AbortController();
  live.generation += 1; // and the live updates still waiting: they would draw over the redrawn figures
}

const followed = (kind) => FOLLOWED[kind] && FOLLOWED[kind]();
// A drawn figure out of view waits (one scrolled into view is redrawn at once); a first drawing
// does not: its card takes no room until it has something to show.
const outOfView = (kind) => BELOW.includes(kind) && !onScreen(kind) && Boolean($(`#${kind}`).dataset.drawn);

async function drawFigures(withBoundary, playing, boundaryOnly, periodic, only) {
  const { network } = session;
  if (!network) return;
  const id = network.id;
  const { signal } = figureRequests;
  const trained = network.steps_trained > 0 || playing;
  const hidden = (withBoundary && !boundaryOnly) || only === "hidden-space" ? hiddenSpaceQuery() : null;
  const everything = [
    ...(withBoundary ? [["decision-boundary", { grid: playing ? LIVE.grid : STILL_GRID }]] : []),
    ...(boundaryOnly ? [] : FIGURES.filter(([kind]) => !(periodic && (followed(kind) || outOfView(kind))))),
    ...(hidden ? [["hidden-space", hidden]] : []),
  ];
  const wanted = only ? [...FIGURES, ["hidden-space", hidden]].filter(([kind, query]) => kind === only && query) : everything;
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
      if (kind === "topology") {
        withoutColorBars(figure);
        node.dataset.upright = String(PHONE.matches);
        if (node.dataset.upright === "true") upright(figure);
      }
      await drawFigure(node, figure, kind === "decision-boundary" ? BOUNDARY_CONFIG : {}, FITS[kind]);
      if (FITS[kind] && !PHONE.matches) followBox(node);
      if (kind === "decision-boundary") {
        stopPainting(node); // the drawing holds the newest numbers
        delete node.dataset.crosses;
        Object.assign(live, {
          boundary: figure.data.length > 0, grid: null, painted: false, wrong: null, crossing: false,
          title: (figure.layout.title || {}).text,
        });
      }
      if (kind === "hidden-space") node.dataset.layer = String(query.layer);
      for (const hook of hooks.drawn) hook(kind, node);
    }));
  } catch (error) {
    trainErrors.show(error);
  }
}

// The first screen's figures fill their boxes (the page's CSS sizes them to the window): the
// height is the box's, the margins are small, and the boundary leaves its legend to the class
// picker under it (beside the plot it would take the width of the square plot area), except on a
// phone, where the plot has the width to itself and the legend goes under it.
const boxHeight = (id) => $(id).clientHeight || undefined;
const FITS = {
  "decision-boundary": (layout, width) => {
    const height = boxHeight("#boundary");
    if (!height || PHONE.matches) return layout;
    return { ...layout, height, showlegend: false, margin: { ...(layout.margin || {}), l: 48, r: 8, t: 46, b: 40 }, title: { ...(layout.title || {}), font: { size: 14 } } };
  },
  // The diagram's title, layer headings, legend and weight colour bar make way for the maps: the
  // card's heading, the tools over each column and the legend under it say the same.
  topology: (layout) => {
    const height = $("#topology").dataset.upright === "true" ? layout.height : boxHeight("#topology");
    if (!height) return layout;
    // Beside the first and last layers, room for their nodes' maps and names (x1, s1), which ran
    // out of the card with 4 px.
    const side = $("#topology").dataset.upright === "true" ? 4 : 24; // upright, the maps need the width
    const out = { ...layout, height, title: { text: "" }, annotations: [], showlegend: false, margin: { l: side, r: side, t: 4, b: 4 } };
    // The room the headings had above the tallest layer goes to the maps.
    // Upright (a phone), the units run across the width: less room beside them, so that each map is
    // at least 40 px wide.
    const upright = $("#topology").dataset.upright === "true";
    const axis = upright ? "xaxis" : "yaxis";
    const range = layout[axis] && layout[axis].range;
    const trim = upright ? UPRIGHT_TRIM : 0;
    if (range) out[axis] = { ...layout[axis], range: [range[0] + trim, range[1] - HEADINGS - trim] };
    return out;
  },
  // The curves in a narrow column: stacked (narrowLayout), the step axis's title left to the
  // panels' own titles, the legend in small print under them.
  training: (layout, width) => {
    const height = boxHeight("#training");
    if (!height || width >= NARROW) return layout;
    const out = { ...layout, height, title: { text: "" }, font: { size: 11 }, margin: { l: 60, r: 6, t: 20, b: 110 }, // l: the ticks and a two-line axis title
      legend: { ...(layout.legend || {}), orientation: "h", x: 0, xanchor: "left", y: -0.06, yanchor: "top", font: { size: 10 } } };
    for (const key of Object.keys(out)) if (/^xaxis\d*$/.test(key)) out[key] = { ...out[key], title: { text: "" } };
    return out;
  },
};

// A first-screen figure follows its box's height (the window resized, a legend or a form grew
// beside it): a relayout of the height, once the box has settled.
const resizing = new WeakMap();

function followBox(node) {
  if (resizing.has(node)) return;
  let timer = null;
  const observer = new ResizeObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const height = node.clientHeight;
      if (node.dataset.drawn && node.layout && height > 0 && Math.abs((node.layout.height || 0) - height) > 2) {
        window.Plotly.relayout(node, { height });
      }
    }, 150);
  });
  observer.observe(node);
  resizing.set(node, observer);
}

const PHONE = window.matchMedia("(max-width: 600px)"); // style.css's phone layout
const HEADINGS = 1.2; // of the diagram's units above the tallest layer: its headings' room
const UPRIGHT_TRIM = 0.2; // of the 0.7 units beside the widest layer

// The diagram top to bottom (a phone): each point (layer x, unit y) goes to (y, −x), the edges'
// ends as well, the axes trade places, and the labels beside the nodes go above or below them.
const LABEL_PLACES = { "middle left": "top center", "middle right": "bottom center" };

function upright(figure) {
  for (const trace of figure.data || []) {
    [trace.x, trace.y] = [trace.y, trace.x];
    if (Array.isArray(trace.y)) trace.y = trace.y.map((v) => (v === null ? null : -v));
    else if (trace.y && trace.y.bdata) trace.y = numbers(trace.y).map((v) => -v);
    if (trace.meta && trace.meta.edge_ends) trace.meta.edge_ends = trace.meta.edge_ends.map(([x0, y0, x1, y1]) => [y0, -x0, y1, -x1]);
    if (typeof trace.textposition === "string") trace.textposition = LABEL_PLACES[trace.textposition] || trace.textposition;
    else if (Array.isArray(trace.textposition)) trace.textposition = trace.textposition.map((place) => LABEL_PLACES[place] || place);
  }
  const { xaxis = {}, yaxis = {} } = figure.layout;
  figure.layout.xaxis = { ...yaxis };
  figure.layout.yaxis = { ...xaxis, range: xaxis.range ? [-xaxis.range[1], -xaxis.range[0]] : undefined };
  figure.layout.height = 110 * (figure.layout.yaxis.range ? Math.abs(xaxis.range[1] - xaxis.range[0]) : 4);
}

function withoutColorBars(figure) {
  for (const trace of figure.data || []) {
    if (trace.marker && (trace.marker.showscale || trace.marker.colorbar)) trace.marker.showscale = false;
  }
  for (const key of Object.keys(figure.layout || {})) {
    if (/^coloraxis\d*$/.test(key)) figure.layout[key].showscale = false;
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
  if (frame.nodes && onScreen("neurons")) follow("neurons", followNeurons, frame.nodes);
  if (frame.hidden && onScreen("hidden-space")) follow("hidden-space", followHidden, frame.hidden);
}

// The figures below the first screen follow the frames only while some of them is in view: the
// frames come 30 times a second, and their updates (Plotly's, 20–100 ms) would take the time the
// first screen's pictures need. One scrolled into view is redrawn from the stored network at once.
const visible = new Set();
const seen = new WeakSet();
const BELOW = ["hidden-space", "neurons", "dead-units", "update-ratio"];
let watcher = null;

function onScreen(id) {
  if (!watcher) {
    watcher = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          const first = !seen.has(entry.target);
          seen.add(entry.target);
          visible.add(entry.target.id);
          if (!first && BELOW.includes(entry.target.id)) refreshFigures(false, { playing: true, only: entry.target.id });
        } else {
          visible.delete(entry.target.id);
        }
      }
    });
    for (const node of document.querySelectorAll(".playground .plot")) watcher.observe(node);
  }
  return visible.has(id);
}

async function followBoundary(frame) {
  if (!live.boundary) return;
  const boundary = await decodeBoundary(frame.boundary);
  if (!live.boundary) return; // redrawn while decoding
  const plot = $("#boundary");
  // The overlay (title, × markers) at most OVERLAY_MS apart.
  const now = performance.now();
  const overlay = frame.overlay && now - live.overlaidAt >= OVERLAY_MS ? frame.overlay : null;
  if (overlay) live.overlaidAt = now;
  if (paintBoundary(plot, frame.boundary, boundary)) {
    const retitle = overlay ? retitled(plot, overlay.score) : null;
    const marks = overlay && overlay.wrong ? crosses(plot, wrongPoints(overlay.wrong)) : null;
    if (marks) {
      await window.Plotly.update(plot, marks.data, retitle || {}, [marks.index]);
    } else if (retitle) {
      await window.Plotly.relayout(plot, retitle);
    }
  } else {
    // 1-D regression: trace 0 is the fitted curve, whose values arrive as z.
    const update = boundary.kind === "regression-1d" ? { x: [boundary.x], y: [boundary.z] } : { x: [boundary.x], y: [boundary.y], z: [boundary.z] };
    const title = overlay ? withScore(plot, overlay.score) : null;
    await window.Plotly.update(plot, update, title ? { "title.text": title } : {}, [0]);
    live.grid = gridKey(frame.boundary);
    const marks = overlay && overlay.wrong && !live.crossing ? markers(plot, wrongPoints(overlay.wrong)) : null;
    if (marks) await window.Plotly.restyle(plot, marks.data, [marks.index]);
  }
  tally(plot);
  plot.dataset.made = String(frame.made);
}

// The regions of a frame, painted into the heatmap's picture when the plot holds the frame's grid
// (same cells, same bounds: from the first frame after a drawing on); false when it cannot. A 1-D
// regression's grid has no y.
const gridKey = (grid) => [grid.kind, grid.n, ...grid.x, ...(grid.y || [])].join(" ");

function paintBoundary(plot, grid, boundary) {
  if (boundary.kind === "regression-1d" || live.grid !== gridKey(grid)) return false;
  if (!paintRegions(plot, grid, boundary.codes, regionColors(plot, boundary))) return false;
  plot.data[0].z = boundary.z;
  live.painted = true;
  return true;
}

// A decoded boundary frame's cells -> [r, g, b], through the colour scale of the plot's heatmap (trace 0).
export function regionColors(plot, boundary) {
  const trace = plot._fullData[0];
  const axis = trace.coloraxis ? plot._fullLayout[trace.coloraxis] : null;
  const scale = axis ? colorMap(axis.colorscale, axis.cmin, axis.cmax) : colorMap(trace.colorscale, trace.zmin, trace.zmax);
  return (code) => scale(boundary.value(code));
}

// One live update at a time per figure: what arrives meanwhile waits, only the latest (a busy
// page skips frames rather than falling behind them). The boundary comes first: the other charts
// draw when the page is idle (or after IDLE_WAIT_MS), so the frames' events, which paint the
// boundary, go before them; on a page with no time to spare they slow down, not it.
const IDLE_WAIT_MS = 100;
const following = new Map(); // figure -> { next: the frame part waiting, or null } while one is drawn

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
      if (id !== "boundary") await new Promise((resolve) => requestIdleCallback(resolve, { timeout: IDLE_WAIT_MS }));
      if (next.generation === live.generation) await draw(next.part); // else the job stopped: the figures are redrawn
    }
  } finally {
    following.delete(id);
  }
}

const drawnPlot = (id) => {
  const plot = $(id);
  return plot.dataset.drawn && Array.isArray(plot.data) ? plot : null;
};

// The neuron maps: each heatmap's meta.node = [layer, unit] of the frame's node maps, painted into
// its picture on the layer's colour axis (its scale from the frame, the figure's signed or unsigned
// colour scale). The colour bars (a full redraw) follow at most every NEURON_AXES_MS.
const NEURON_AXES_MS = 2000;
const RANGES_MS = 1000; // axes fit the points live frames moved this often

async function followNeurons(nodes) {
  const plot = drawnPlot("#neurons");
  const scales = plot && plot.layout.meta && plot.layout.meta.colorscales;
  if (!scales) return;
  const maps = await decodeMaps(nodes.maps, nodes.grid);
  if (plot !== drawnPlot("#neurons")) return;
  const { grid } = nodes;
  const first = nodes.layers.map((_, r) => nodes.layers.slice(0, r).reduce((sum, layer) => sum + layer.units, 0));
  // Each layer's colour scale and colour axis.
  const colors = nodes.layers.map((layer) => {
    const colorscale = layer.signed ? scales.signed : scales.unsigned;
    return { colorscale, scale: colorMap(colorscale, layer.scale[0], layer.scale[1]) };
  });
  const axes = {};
  const painted = [];
  plot.data.forEach((trace, index) => {
    const node = trace.meta && trace.meta.node;
    if (!node || node[0] >= nodes.layers.length || node[1] >= nodes.layers[node[0]].units) return;
    const [r, c] = node;
    const k = first[r] + c;
    const layer = nodes.layers[r];
    const { colorscale, scale } = colors[r];
    const value = (code) => relative(code, nodes.maps.levels) * nodes.maps.limits[k];
    if (paintHeatmap(plot, index, codesPicture(maps[k], grid, (code) => scale(value(code))))) painted.push([trace, maps[k], value]);
    Object.assign(axes, { [`${trace.coloraxis}.cmin`]: layer.scale[0], [`${trace.coloraxis}.cmax`]: layer.scale[1], [`${trace.coloraxis}.colorscale`]: colorscale });
  });
  if (!painted.length) return;
  const now = performance.now();
  if (now - live.neuronAxesAt >= NEURON_AXES_MS && barsMoved(plot.layout, axes)) {
    live.neuronAxesAt = now;
    // Redrawn from the traces' z: the frame's numbers.
    for (const [trace, codes, value] of painted) {
      trace.z = Array.from({ length: grid }, (_, row) => Array.from(codes.subarray(row * grid, (row + 1) * grid), value));
    }
    await window.Plotly.relayout(plot, axes);
  }
  tally(plot);
}

// Whether a colour bar's scale ("coloraxis2.cmin": value, ...) moved by more than BARS_MOVED of
// its span, or changed colours: else its redraw would show nothing new.
const BARS_MOVED = 0.05;

function barsMoved(layout, axes) {
  return Object.entries(axes).some(([path, value]) => {
    const [axis, key] = path.split(".");
    const now = layout[axis] || {};
    if (key === "colorscale") return JSON.stringify(now.colorscale) !== JSON.stringify(value);
    const span = Math.abs((now.cmax ?? 0) - (now.cmin ?? 0)) || 1;
    return !Number.isFinite(now[key]) || Math.abs(now[key] - value) > BARS_MOVED * span;
  });
}

// The hidden-space view's right panel: each trace's meta.hidden_rows = [start, stop, break after
// every so many rows] of the frame's rows.
async function followHidden(hidden) {
  const plot = drawnPlot("#hidden-space");
  if (!plot || plot.dataset.layer !== String(hidden.layer)) return;
  const rows = await decodeHidden(hidden);
  const data = {};
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
    data[index] = { x: xs, y: ys };
  });
  if (!Object.keys(data).length) return;
  moveTraces(plot, data).then(() => refitAxes(plot));
  tally(plot);
}

// Moved points keep the axes' ranges: the axes the figure lets fit their data fit it again (a full
// redraw) when the data left the range or shrank to under SHRUNK of it, at most every RANGES_MS.
// A growing axis (the curves' steps) is given a range HEADROOM beyond its data instead, so that it
// is refitted ever more rarely.
const refitted = new WeakMap(); // plot -> when
const ranged = new WeakMap(); // a drawing's layout -> the growing axes given a range here
const SHRUNK = 0.5;
const HEADROOM = 0.5;

function refitAxes(plot, growing = "") {
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
function moveTraces(plot, data) {
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

// The subtitle's scores (the server's own text, from the frame) in the figure's title, when they
// changed; on a phone wrapped as the drawing's title was (the server's title, new scores, rewrapped).
function withScore(plot, score) {
  if (!live.title) return null;
  const text = live.title.replace(/(<span[^>]*>)[^<]*(<\/span>)/, (_, open, close) => `${open}${score}${close}`);
  const width = plotWidth(plot);
  const shown = width > 0 && width < NARROW ? narrowTitle(text, width) : text;
  return shown === plot.layout.title.text ? null : shown;
}

// The plot's width, kept by a ResizeObserver: reading it from the page with every frame would lay
// the page out again each time.
const widths = new WeakMap();

function plotWidth(plot) {
  if (!widths.has(plot)) {
    widths.set(plot, plot.clientWidth);
    new ResizeObserver(() => widths.set(plot, plot.clientWidth)).observe(plot);
  }
  return widths.get(plot);
}

// The misclassified points' trace when they changed since the last drawn (and they are now the
// drawn ones), else -1.
function changedMisclassified(plot, wrong) {
  const index = plot.data.findIndex((trace) => trace.legendgroup === "misclassified");
  const key = JSON.stringify(wrong);
  if (index < 0 || live.wrong === key) return -1;
  live.wrong = key;
  return index;
}

// The × markers as their trace's own, when the misclassified points changed (the first frame
// after a drawing, or a plot without a picture to paint): its restyle { data, index }, or null.
function markers(plot, wrong) {
  const index = changedMisclassified(plot, wrong);
  if (index < 0) return null;
  const data = { x: [wrong.map((w) => w[0])], y: [wrong.map((w) => w[1])], customdata: [wrong.map((w) => w[2])], name: `misclassified (${wrong.length})` };
  return { index, data };
}

// The × markers and their legend count while playing, when the misclassified points changed: the
// crosses painted on the canvas over the points (a Plotly update would redraw every trace, 35–45
// ms). The trace's own markers are emptied the first time (then -> { index, data }: that restyle),
// and it keeps its legend entry, whose count is rewritten in place. Their hover labels come back
// with the next drawing.
const CROSS_PX = 4.5; // half a cross's width, as the trace's x-thin-open markers of size 11

function crosses(plot, wrong) {
  const index = live.painted ? changedMisclassified(plot, wrong) : -1;
  if (index < 0) return null;
  const trace = plot.data[index];
  const name = `misclassified (${wrong.length})`;
  paintCrosses(plot, wrong, (trace.marker && trace.marker.color) || "black", CROSS_PX);
  plot.dataset.crosses = String(wrong.length); // what the canvas shows, for tests to read
  if (!live.crossing) {
    live.crossing = true;
    // One point, at no place: a trace without any is left out of the legend.
    return { index, data: { x: [[null]], y: [[null]], customdata: [[null]], hoverinfo: "skip", name } };
  }
  const text = Array.from(plot.querySelectorAll(".legendtext")).find((node) => node.textContent === trace.name);
  if (text) text.textContent = name;
  trace.name = name; // for the next redraw
  return null;
}

// The title's new scores: written into the drawn title's last line when it has the lines the
// text has (a relayout of the title redraws the whole figure's layout, 20–50 ms), and kept in the
// layout for the next redraw; else -> the relayout to make. Null when nothing changed.
function retitled(plot, score) {
  const shown = withScore(plot, score);
  if (!shown) return null;
  const lines = plot.querySelectorAll(".gtitle tspan.line");
  const texts = shown.split("<br>");
  if (lines.length === 2 && texts.length === 2) {
    const last = lines[1].querySelector("tspan") || lines[1];
    last.textContent = texts[1].replace(/<[^>]+>/g, "");
    plot.layout.title.text = shown;
    return null;
  }
  return { "title.text": shown };
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
    if (BELOW.includes(id) && !onScreen(id)) continue;
    if (extendCurve(plot, records, xKey, id === "update-ratio")) tally(plot);
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
