// The Playground's figures: all drawn by the server from the stored network; while a job runs,
// its live frames repaint the boundary's regions (every frame) and, about seven times a second,
// the neuron maps, the diagram's edges and the hidden-space view (each figure's trace meta say
// where the numbers go), and their records extend the curves. Heatmaps are painted into the
// pictures Plotly drew for them and points are moved, rather than figures redrawn: a redraw costs
// 20–100 ms, and the boundary alone comes 15–20 times a second.
//
// This module draws the figures (FigureRefresher) and wires the objects that follow the frames:
// the boundary (boundary.js), the neuron maps and hidden-space view (follow.js), the curves
// (curves.js).
import { api } from "../api.js";
import { $, busy, drawFigure, options, placeholder } from "../ui.js";
import { BoundaryFollower } from "./boundary.js";
import { CurveFeed } from "./curves.js";
import { FITS, PHONE, followBox, upright, withoutColorBars } from "./fits.js";
import { LiveFollower, LiveTally, Visibility } from "./follow.js";
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
const followed = (kind) => FOLLOWED[kind] && FOLLOWED[kind]();
// The figures below the first screen: they follow the frames only while in view (follow.js).
const BELOW = ["hidden-space", "neurons", "dead-units", "update-ratio"];

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

// The figures drawn from the stored network. Refreshes run one after another; a periodic one is
// skipped while another is under way. Figure requests in flight can be aborted (Pause: so that its
// cancel request needs no free connection).
class FigureRefresher {
  #chain = Promise.resolve();
  #pending = 0;
  #requests = new AbortController();

  // visibility: the Visibility; boundary: the BoundaryFollower, told of each boundary drawn.
  constructor({ visibility, boundary }) {
    this.visibility = visibility;
    this.boundary = boundary;
  }

  refresh(withBoundary, { periodic = false, playing = false, boundaryOnly = false, only = null } = {}) {
    if (!session.network || (periodic && this.#pending > 0)) return this.#chain;
    this.#pending += 1;
    this.#chain = this.#chain.then(() => this.#draw(withBoundary, playing, boundaryOnly, periodic, only)).finally(() => { this.#pending -= 1; });
    return this.#chain;
  }

  abort() {
    this.#requests.abort();
    this.#requests = new AbortController();
  }

  // A drawn figure out of view waits (one scrolled into view is redrawn at once); a first drawing
  // does not: its card takes no room until it has something to show.
  #outOfView(kind) {
    return this.visibility.hidden(kind) && Boolean($(`#${kind}`).dataset.drawn);
  }

  async #draw(withBoundary, playing, boundaryOnly, periodic, only) {
    const { network } = session;
    if (!network) return;
    const id = network.id;
    const { signal } = this.#requests;
    const trained = network.steps_trained > 0 || playing;
    const hidden = (withBoundary && !boundaryOnly) || only === "hidden-space" ? hiddenSpaceQuery() : null;
    const everything = [
      ...(withBoundary ? [["decision-boundary", { grid: playing ? LIVE.grid : STILL_GRID }]] : []),
      ...(boundaryOnly ? [] : FIGURES.filter(([kind]) => !(periodic && (followed(kind) || this.#outOfView(kind))))),
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
        if (kind === "decision-boundary") this.boundary.drawn(node, figure);
        if (kind === "hidden-space") node.dataset.layer = String(query.layer);
        for (const hook of hooks.drawn) hook(kind, node);
      }));
    } catch (error) {
      trainErrors.show(error);
    }
  }
}

// The page's figures and their followers, one of each.
const tally = new LiveTally();
const count = (plot) => tally.count(plot);
const visibility = new Visibility(BELOW, (id) => refresher.refresh(false, { playing: true, only: id }));
const boundary = new BoundaryFollower(count);
const follower = new LiveFollower({ boundary, visibility, tally: count });
const curves = new CurveFeed({ hidden: (id) => visibility.hidden(id), tally: count });
const refresher = new FigureRefresher({ visibility, boundary });

// `playing`: the boundary is drawn at the live grid, so that the frames can restyle it.
// `boundaryOnly`: that, and nothing else (before Play's first job: quick, so the job starts soon).
// `only`: that figure alone (one scrolled into view while playing).
export const refreshFigures = (withBoundary, how) => refresher.refresh(withBoundary, how);

export function abortFigureRequests() {
  refresher.abort();
  follower.drop(); // and the live updates still waiting: they would draw over the redrawn figures
}

export const boundaryIsLive = () => boundary.live;

export const countLiveUpdates = () => tally.restart();

// A live frame: the boundary grid restyles the plot's first trace; what else it carries restyles
// the other figures.
export function drawLiveBoundary(frame) {
  for (const hook of hooks.frame) hook(frame);
  follower.frame(frame);
}

export const keepRecord = (record) => curves.keep(record);
