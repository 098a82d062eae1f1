// The live frames followed by the figures: which of them are in view, one update at a time per
// figure, and each update counted. The boundary's own update is BoundaryFollower's (boundary.js).
import { decodeHidden } from "../live.js";
import { codesPicture, colorMap, paintHeatmap } from "../heatmaps.js";
import { decodeMaps, relative } from "../thumbnails.js";
import { $ } from "../ui.js";
import { moveTraces, refitAxes } from "./traces.js";

// The figures below the first screen follow the frames only while some of them is in view: the
// frames come 30 times a second, and their updates (Plotly's, 20–100 ms) would take the time the
// first screen's pictures need. One scrolled into view again is redrawn from the stored network at
// once (`returned(id)`). The watcher starts with the first question.
export class Visibility {
  #visible = new Set();
  #seen = new WeakSet();
  #watcher = null;

  constructor(below, returned) {
    this.below = below;
    this.returned = returned;
  }

  onScreen(id) {
    if (!this.#watcher) {
      this.#watcher = new IntersectionObserver((entries) => this.#observed(entries));
      for (const node of document.querySelectorAll(".playground .plot")) this.#watcher.observe(node);
    }
    return this.#visible.has(id);
  }

  // A figure below the first screen, out of view.
  hidden(id) {
    return this.below.includes(id) && !this.onScreen(id);
  }

  #observed(entries) {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        const first = !this.#seen.has(entry.target);
        this.#seen.add(entry.target);
        this.#visible.add(entry.target.id);
        if (!first && this.below.includes(entry.target.id)) this.returned(entry.target.id);
      } else {
        this.#visible.delete(entry.target.id);
      }
    }
  }
}

// Each plot's live updates since Play: its count and rate, for people and tests to read.
export class LiveTally {
  #since = 0;
  #counts = new Map();

  restart() {
    this.#since = performance.now();
    this.#counts.clear();
  }

  count(plot) {
    const updates = (this.#counts.get(plot.id) || 0) + 1;
    this.#counts.set(plot.id, updates);
    plot.dataset.updates = String(updates);
    plot.dataset.updatesPerSecond = (updates / ((performance.now() - this.#since) / 1000)).toFixed(1);
  }
}

// One live update at a time per figure: what arrives meanwhile waits, only the latest (a busy
// page skips frames rather than falling behind them). The boundary comes first: the other charts
// draw when the page is idle (or after IDLE_WAIT_MS), so the frames' events, which paint the
// boundary, go before them; on a page with no time to spare they slow down, not it.
const IDLE_WAIT_MS = 100;
// The neuron maps' colour bars (a full redraw) follow at most every NEURON_AXES_MS.
const NEURON_AXES_MS = 2000;
// Whether a colour bar's scale moved by more than BARS_MOVED of its span: else its redraw would
// show nothing new.
const BARS_MOVED = 0.05;

const drawnPlot = (id) => {
  const plot = $(id);
  return plot.dataset.drawn && Array.isArray(plot.data) ? plot : null;
};

export class LiveFollower {
  #following = new Map(); // figure -> { next: the frame part waiting, or null } while one is drawn
  #generation = 0; // counts the jobs stopped
  #neuronAxesAt = 0; // when the neurons' colour bars were last redrawn

  // boundary: the BoundaryFollower; visibility: the Visibility; tally(plot): counts one live update.
  constructor({ boundary, visibility, tally }) {
    this.boundary = boundary;
    this.visibility = visibility;
    this.tally = tally;
  }

  frame(frame) {
    if (frame.boundary) this.#follow("boundary", (part) => this.boundary.follow(part), frame);
    if (frame.nodes && this.visibility.onScreen("neurons")) this.#follow("neurons", (nodes) => this.#neurons(nodes), frame.nodes);
    if (frame.hidden && this.visibility.onScreen("hidden-space")) this.#follow("hidden-space", (hidden) => this.#hidden(hidden), frame.hidden);
  }

  // The job stopped: the updates still waiting are dropped, they would draw over the redrawn figures.
  drop() {
    this.#generation += 1;
  }

  async #follow(id, draw, part) {
    const state = this.#following.get(id);
    const waiting = { part, generation: this.#generation };
    if (state) {
      state.next = waiting;
      return;
    }
    const current = { next: null };
    this.#following.set(id, current);
    try {
      for (let next = waiting; next; next = current.next, current.next = null) {
        if (id !== "boundary") await new Promise((resolve) => requestIdleCallback(resolve, { timeout: IDLE_WAIT_MS }));
        if (next.generation === this.#generation) await draw(next.part); // else the job stopped: the figures are redrawn
      }
    } finally {
      this.#following.delete(id);
    }
  }

  // The neuron maps: each heatmap's meta.node = [layer, unit] of the frame's node maps, painted into
  // its picture on the layer's colour axis (its scale from the frame, the figure's signed or unsigned
  // colour scale).
  async #neurons(nodes) {
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
    if (now - this.#neuronAxesAt >= NEURON_AXES_MS && barsMoved(plot.layout, axes)) {
      this.#neuronAxesAt = now;
      // Redrawn from the traces' z: the frame's numbers.
      for (const [trace, codes, value] of painted) {
        trace.z = Array.from({ length: grid }, (_, row) => Array.from(codes.subarray(row * grid, (row + 1) * grid), value));
      }
      await window.Plotly.relayout(plot, axes);
    }
    this.tally(plot);
  }

  // The hidden-space view's right panel: each trace's meta.hidden_rows = [start, stop, break after
  // every so many rows] of the frame's rows.
  async #hidden(hidden) {
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
    this.tally(plot);
  }
}

// Whether a colour bar's scale ("coloraxis2.cmin": value, ...) moved by more than BARS_MOVED of its
// span, or changed colours.
function barsMoved(layout, axes) {
  return Object.entries(axes).some(([path, value]) => {
    const [axis, key] = path.split(".");
    const now = layout[axis] || {};
    if (key === "colorscale") return JSON.stringify(now.colorscale) !== JSON.stringify(value);
    const span = Math.abs((now.cmax ?? 0) - (now.cmin ?? 0)) || 1;
    return !Number.isFinite(now[key]) || Math.abs(now[key] - value) > BARS_MOVED * span;
  });
}
