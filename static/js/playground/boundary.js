// The live decision boundary: each frame's regions painted on the plot's canvas (or, before the
// plot holds the frames' grid, restyled into its heatmap), and at most every OVERLAY_MS the
// overlay: the title's new scores and the misclassified points' × markers.
import { decodeBoundary, wrongPoints } from "../live.js";
import { colorMap } from "../heatmaps.js";
import { paintBoundary as paintRegions, paintCrosses, stopPainting } from "./paint.js";
import { $, NARROW, narrowTitle } from "../ui.js";

const OVERLAY_MS = 250; // a relayout of the title and × markers: 20–50 ms each
const CROSS_PX = 4.5; // half a cross's width, as the trace's x-thin-open markers of size 11

// The regions of a frame are painted into the heatmap's picture when the plot holds the frame's
// grid (same cells, same bounds: from the first frame after a drawing on). A 1-D regression's
// grid has no y.
const gridKey = (grid) => [grid.kind, grid.n, ...grid.x, ...(grid.y || [])].join(" ");

// A decoded boundary frame's cells -> [r, g, b], through the colour scale of the plot's heatmap (trace 0).
export function regionColors(plot, boundary) {
  const trace = plot._fullData[0];
  const axis = trace.coloraxis ? plot._fullLayout[trace.coloraxis] : null;
  const scale = axis ? colorMap(axis.colorscale, axis.cmin, axis.cmax) : colorMap(trace.colorscale, trace.zmin, trace.zmax);
  return (code) => scale(boundary.value(code));
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

export class BoundaryFollower {
  // live: the plot holds a heatmap the frames can update; grid: the frames' grid the plot holds
  // (gridKey), once a frame restyled it; painted: the frames paint its regions on the canvas;
  // crossing: the × markers are painted (crosses); wrong: the × markers it shows (as JSON);
  // title: the drawn figure's title as the server wrote it (before any phone wrapping).
  #live = false;
  #grid = null;
  #painted = false;
  #crossing = false;
  #wrong = null;
  #title = null;
  #overlaidAt = 0;

  // tally(plot): counts one live update of the plot.
  constructor(tally) {
    this.tally = tally;
  }

  get live() {
    return this.#live;
  }

  // The plot was drawn from the stored network: the drawing holds the newest numbers.
  drawn(node, figure) {
    stopPainting(node);
    delete node.dataset.crosses;
    this.#live = figure.data.length > 0;
    this.#grid = null;
    this.#painted = false;
    this.#wrong = null;
    this.#crossing = false;
    this.#title = (figure.layout.title || {}).text;
  }

  async follow(frame) {
    if (!this.#live) return;
    const boundary = await decodeBoundary(frame.boundary);
    if (!this.#live) return; // redrawn while decoding
    const plot = $("#boundary");
    const now = performance.now();
    const overlay = frame.overlay && now - this.#overlaidAt >= OVERLAY_MS ? frame.overlay : null;
    if (overlay) this.#overlaidAt = now;
    if (this.#paint(plot, frame.boundary, boundary)) {
      const retitle = overlay ? this.#retitled(plot, overlay.score) : null;
      const marks = overlay && overlay.wrong ? this.#crosses(plot, wrongPoints(overlay.wrong)) : null;
      if (marks) {
        await window.Plotly.update(plot, marks.data, retitle || {}, [marks.index]);
      } else if (retitle) {
        await window.Plotly.relayout(plot, retitle);
      }
    } else {
      // 1-D regression: trace 0 is the fitted curve, whose values arrive as z.
      const update = boundary.kind === "regression-1d" ? { x: [boundary.x], y: [boundary.z] } : { x: [boundary.x], y: [boundary.y], z: [boundary.z] };
      const title = overlay ? this.#withScore(plot, overlay.score) : null;
      await window.Plotly.update(plot, update, title ? { "title.text": title } : {}, [0]);
      this.#grid = gridKey(frame.boundary);
      const marks = overlay && overlay.wrong && !this.#crossing ? this.#markers(plot, wrongPoints(overlay.wrong)) : null;
      if (marks) await window.Plotly.restyle(plot, marks.data, [marks.index]);
    }
    this.tally(plot);
    plot.dataset.made = String(frame.made);
  }

  // The frame's regions painted on the canvas; false when the plot does not hold the frame's grid.
  #paint(plot, grid, boundary) {
    if (boundary.kind === "regression-1d" || this.#grid !== gridKey(grid)) return false;
    if (!paintRegions(plot, grid, boundary.codes, regionColors(plot, boundary))) return false;
    plot.data[0].z = boundary.z;
    this.#painted = true;
    return true;
  }

  // The subtitle's scores (the server's own text, from the frame) in the figure's title, when they
  // changed; on a phone wrapped as the drawing's title was (the server's title, new scores, rewrapped).
  #withScore(plot, score) {
    if (!this.#title) return null;
    const text = this.#title.replace(/(<span[^>]*>)[^<]*(<\/span>)/, (_, open, close) => `${open}${score}${close}`);
    const width = plotWidth(plot);
    const shown = width > 0 && width < NARROW ? narrowTitle(text, width) : text;
    return shown === plot.layout.title.text ? null : shown;
  }

  // The title's new scores: written into the drawn title's last line when it has the lines the
  // text has (a relayout of the title redraws the whole figure's layout, 20–50 ms), and kept in the
  // layout for the next redraw; else -> the relayout to make. Null when nothing changed.
  #retitled(plot, score) {
    const shown = this.#withScore(plot, score);
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

  // The misclassified points' trace when they changed since the last drawn (and they are now the
  // drawn ones), else -1.
  #changedMisclassified(plot, wrong) {
    const index = plot.data.findIndex((trace) => trace.legendgroup === "misclassified");
    const key = JSON.stringify(wrong);
    if (index < 0 || this.#wrong === key) return -1;
    this.#wrong = key;
    return index;
  }

  // The × markers as their trace's own, when the misclassified points changed (the first frame
  // after a drawing, or a plot without a picture to paint): its restyle { data, index }, or null.
  #markers(plot, wrong) {
    const index = this.#changedMisclassified(plot, wrong);
    if (index < 0) return null;
    const data = { x: [wrong.map((w) => w[0])], y: [wrong.map((w) => w[1])], customdata: [wrong.map((w) => w[2])], name: `misclassified (${wrong.length})` };
    return { index, data };
  }

  // The × markers and their legend count while playing, when the misclassified points changed: the
  // crosses painted on the canvas over the points (a Plotly update would redraw every trace, 35–45
  // ms). The trace's own markers are emptied the first time (then -> { index, data }: that restyle),
  // and it keeps its legend entry, whose count is rewritten in place. Their hover labels come back
  // with the next drawing.
  #crosses(plot, wrong) {
    const index = this.#painted ? this.#changedMisclassified(plot, wrong) : -1;
    if (index < 0) return null;
    const trace = plot.data[index];
    const name = `misclassified (${wrong.length})`;
    paintCrosses(plot, wrong, (trace.marker && trace.marker.color) || "black", CROSS_PX);
    plot.dataset.crosses = String(wrong.length); // what the canvas shows, for tests to read
    if (!this.#crossing) {
      this.#crossing = true;
      // One point, at no place: a trace without any is left out of the legend.
      return { index, data: { x: [[null]], y: [[null]], customdata: [[null]], hoverinfo: "skip", name } };
    }
    const text = Array.from(plot.querySelectorAll(".legendtext")).find((node) => node.textContent === trace.name);
    if (text) text.textContent = name;
    trace.name = name; // for the next redraw
    return null;
  }
}
