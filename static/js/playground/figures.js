// The Playground's figures: all drawn by the server from the stored network; the boundary also
// follows the live frames of a running job.
import { api } from "../api.js";
import { decodeBoundary } from "../live.js";
import { $, busy, drawFigure, options, placeholder } from "../ui.js";
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

// boundary: the plot holds a heatmap restyle can update; wrong: the × markers it shows (as JSON).
const live = { boundary: false, updates: 0, since: 0, wrong: null };

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
export function refreshFigures(withBoundary, { periodic = false, playing = false } = {}) {
  if (!session.network || (periodic && refreshesPending > 0)) return refreshChain;
  refreshesPending += 1;
  refreshChain = refreshChain.then(() => drawFigures(withBoundary, playing)).finally(() => { refreshesPending -= 1; });
  return refreshChain;
}

// Figure requests in flight; Pause aborts them so that its cancel request needs no free connection.
let figureRequests = new AbortController();

export function abortFigureRequests() {
  figureRequests.abort();
  figureRequests = new AbortController();
}

async function drawFigures(withBoundary, playing) {
  const { network } = session;
  if (!network) return;
  const id = network.id;
  const { signal } = figureRequests;
  const trained = network.steps_trained > 0 || playing;
  const hidden = withBoundary ? hiddenSpaceQuery() : null;
  const wanted = [
    ...(withBoundary ? [["decision-boundary", { grid: playing ? LIVE.grid : STILL_GRID }]] : []),
    ...FIGURES,
    ...(hidden ? [["hidden-space", hidden]] : []),
  ];
  if (withBoundary && !hidden) placeholder($("#hidden-space"), "The hidden-space view needs a hidden layer.");
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
      if (kind === "decision-boundary") Object.assign(live, { boundary: figure.data.length > 0, wrong: null });
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
  const title = frame.overlay ? withScore(plot.layout.title, frame.overlay.score) : null;
  await window.Plotly.update(plot, update, title ? { "title.text": title } : {}, [0]);
  if (frame.overlay && frame.overlay.wrong) drawMisclassified(plot, frame.overlay.wrong);
  live.updates += 1;
  const seconds = (performance.now() - live.since) / 1000;
  plot.dataset.updates = String(live.updates);
  plot.dataset.updatesPerSecond = (live.updates / seconds).toFixed(1);
}

// The subtitle's scores (the server's own text, from the frame) in the figure's title, when they changed.
function withScore(title, score) {
  const text = title && title.text;
  if (!text) return null;
  const updated = text.replace(/(<span[^>]*>)[^<]*(<\/span>)/, (_, open, close) => `${open}${score}${close}`);
  return updated === text ? null : updated;
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
