// The live pictures on <canvas>: the boundary's regions, and the diagram's edges, bias squares and
// neuron maps, painted with every frame. Plotly keeps the axes, the points, the hovers, the paused
// state and the downloads; a Plotly update costs 20–100 ms on this machine, a canvas paint about a
// millisecond, so only the canvas keeps up with 30 frames a second.
//
// Each plot gets one canvas the size of the whole figure, in its .svg-container: under Plotly's
// drawing for the boundary (the points and the title stay on top; the heatmap's own picture and
// the backgrounds are hidden while it paints), over it for the diagram (the maps cover the nodes'
// markers; Plotly's edges and bias squares are hidden while it paints). Positions come from the
// figure's own axes (`_fullLayout`), so a resized plot is painted where Plotly now draws.
import { colorMap, fillPixels, scratch } from "../heatmaps.js";

const canvases = new WeakMap(); // plot -> { below, above }: its canvases

function canvasOf(plot, below) {
  const container = plot.querySelector(".svg-container");
  if (!container) return null;
  if (!canvases.has(plot)) canvases.set(plot, {});
  const layer = below ? "below" : "above";
  let canvas = canvases.get(plot)[layer];
  if (!canvas || canvas.parentNode !== container) {
    canvas = document.createElement("canvas");
    canvas.className = "live-canvas";
    canvas.setAttribute("aria-hidden", "true");
    const first = container.querySelector(".main-svg");
    container.insertBefore(canvas, below ? first : first.nextSibling);
    canvases.get(plot)[layer] = canvas;
  }
  const { width, height } = plot._fullLayout;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio); // its CSS size is the figure's (.live-canvas)
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return context;
}

// Data coordinates -> the figure's pixels (axes "x", "y").
function pixels(plot) {
  const { xaxis, yaxis } = plot._fullLayout;
  return { x: (v) => xaxis._offset + xaxis.l2p(v), y: (v) => yaxis._offset + yaxis.l2p(v), xaxis, yaxis };
}

// A grid × grid picture (one byte per cell, rows upwards) on the reused scratch canvas of its size
// (heatmaps.js), to be drawn scaled at once: `colorOf(code)` -> [r, g, b].
function picture(codes, grid, colorOf) {
  const { canvas, context, image } = scratch(grid);
  fillPixels(image, codes, grid, colorOf);
  context.putImageData(image, 0, 0);
  return canvas;
}

// --- the boundary ---------------------------------------------------------------------------

// Paints a frame's boundary cells (`grid`: the frame's {n, x, y}, `codes`, `colorOf(code)`) under
// the plot's points. False when the plot is not drawn.
export function paintBoundary(plot, grid, codes, colorOf) {
  if (!plot._fullLayout || !plot._fullLayout.xaxis) return false;
  const context = canvasOf(plot, true);
  if (!context) return false;
  plot.classList.add("painting");
  const { x, y, xaxis, yaxis } = pixels(plot);
  const half = (ends) => (ends[1] - ends[0]) / (2 * (grid.n - 1));
  const [hx, hy] = [half(grid.x), half(grid.y)];
  const left = x(grid.x[0] - hx);
  const top = y(grid.y[1] + hy);
  context.save();
  context.beginPath();
  context.rect(xaxis._offset, yaxis._offset, xaxis._length, yaxis._length);
  context.clip();
  context.imageSmoothingEnabled = false;
  // The picture's first row is the bottom one (rows run along y upwards, as Plotly draws them).
  context.drawImage(picture(codes, grid.n, colorOf), left, top, x(grid.x[1] + hx) - left, y(grid.y[0] - hy) - top);
  context.restore();
  return true;
}

// The misclassified points' × markers ([x, y, …] each) over the points, `half` px from the centre
// to a corner, in the trace's colour.
export function paintCrosses(plot, wrong, color, half) {
  const context = canvasOf(plot, false);
  if (!context) return;
  const { x, y } = pixels(plot);
  context.strokeStyle = color;
  context.lineWidth = 2;
  context.beginPath();
  for (const [px, py] of wrong) {
    const [cx, cy] = [x(px), y(py)];
    context.moveTo(cx - half, cy - half);
    context.lineTo(cx + half, cy + half);
    context.moveTo(cx - half, cy + half);
    context.lineTo(cx + half, cy - half);
  }
  context.stroke();
}

// Back to Plotly's own drawing (paused: the figure is redrawn from the stored network).
export function stopPainting(plot) {
  plot.classList.remove("painting");
  for (const canvas of Object.values(canvases.get(plot) || {})) canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  for (const group of plot.querySelectorAll(".scatterlayer .trace[data-live-hidden]")) {
    group.style.visibility = "";
    delete group.dataset.liveHidden;
  }
}

// --- the diagram ----------------------------------------------------------------------------

// A node's map, in the diagram's units (layers 1 apart, units 1 apart): across the layers and
// along them. Drawn top to bottom (a phone: `data-upright`), the units take the width.
const THUMB = { across: 0.42, along: 0.86 };
export const thumbSize = (plot) => (plot.dataset.upright === "true"
  ? { sizex: 0.94, sizey: THUMB.across } : { sizex: THUMB.across, sizey: THUMB.along });

// A node's map on the diagram, in the figure's pixels: {x, y, side} (its centre and its side).
export function nodeBox(plot, xValue, yValue) {
  const { x, y, xaxis, yaxis } = pixels(plot);
  const { sizex, sizey } = thumbSize(plot);
  const side = Math.min(sizex * Math.abs(xaxis._m), sizey * Math.abs(yaxis._m));
  return { x: x(xValue), y: y(yValue), side };
}

// Hides Plotly's own drawing of traces (by index) while the canvas paints them; the hovers stay
// (Plotly finds the point under the mouse from the data, not from what is drawn).
function hideTraces(plot, indices) {
  const groups = plot.querySelectorAll(".scatterlayer .trace");
  if (groups.length !== plot.data.length) return;
  for (const k of indices) {
    if (groups[k].dataset.liveHidden) continue;
    groups[k].style.visibility = "hidden";
    groups[k].dataset.liveHidden = "true";
  }
}

// Paints the diagram: `edges` {values, styles} (each drawn edge's weight and its line trace's
// meta.edge_style, in the order of the weights trace's meta.edge_ends), `biases` (each bias square's
// value, or null), and `maps`: for each node of the neurons trace (its index k), a canvas-ready
// picture or null. Plotly's lines and squares are hidden; its markers and labels stay under the maps.
export function paintDiagram(plot, { edges, biases, biasScale, maps }) {
  if (!plot._fullLayout || !plot._fullLayout.xaxis) return false;
  const context = canvasOf(plot, false);
  if (!context) return false;
  plot.classList.add("painting");
  const { x, y } = pixels(plot);
  const full = plot._fullData;
  const hidden = [];
  if (edges) {
    const points = plot.data.findIndex((trace) => trace.meta && trace.meta.edge_ends);
    const ends = plot.data[points].meta.edge_ends;
    const styles = new Map();
    plot.data.forEach((trace, k) => {
      if (!trace.meta || trace.meta.edge_style === undefined) return;
      styles.set(trace.meta.edge_style, full[k].line);
      hidden.push(k);
    });
    context.lineCap = "round";
    edges.styles.forEach((style, i) => {
      const line = styles.get(style);
      if (!line) return;
      const [x0, y0, x1, y1] = ends[i];
      context.strokeStyle = line.color;
      context.lineWidth = line.width;
      context.beginPath();
      context.moveTo(x(x0), y(y0));
      context.lineTo(x(x1), y(y1));
      context.stroke();
    });
    plot.data[points].marker.color = edges.values; // the numbers drawn, for the next redraw and for tests
  }
  const squares = plot.data.findIndex((trace) => /^biases/.test(trace.name || ""));
  if (biases && squares >= 0) {
    const trace = full[squares];
    const scale = colorMap(trace.marker.colorscale, -biasScale, biasScale);
    const side = trace.marker.size;
    trace.x.forEach((xValue, i) => {
      if (i >= biases.length) return;
      const [r, g, b] = scale(biases[i]);
      context.fillStyle = `rgb(${r},${g},${b})`;
      context.fillRect(x(xValue) - side / 2, y(trace.y[i]) - side / 2, side, side);
      context.strokeStyle = trace.marker.line ? trace.marker.line.color : "#52606d";
      context.lineWidth = 1;
      context.strokeRect(x(xValue) - side / 2, y(trace.y[i]) - side / 2, side, side);
    });
    hidden.push(squares);
    plot.data[squares].marker.color = biases;
  }
  if (maps) {
    const neurons = plot.data.find((trace) => trace.name === "neurons");
    context.imageSmoothingEnabled = false;
    maps.forEach((map, k) => {
      if (!map) return;
      const box = nodeBox(plot, neurons.x[k], neurons.y[k]);
      context.drawImage(map, box.x - box.side / 2, box.y - box.side / 2, box.side, box.side);
      context.strokeStyle = "#9aa5b1";
      context.lineWidth = 1;
      context.strokeRect(box.x - box.side / 2, box.y - box.side / 2, box.side, box.side);
    });
  }
  hideTraces(plot, hidden);
  return true;
}

// A node's map as a canvas of grid × grid pixels, which the preview and the diagram draw scaled.
// `canvas`: the node's canvas of the last frame, repainted (a new canvas and its context cost
// more than the painting).
export function mapCanvas(codes, grid, colorOf, canvas = null) {
  const reused = canvas && canvas.width === grid ? canvas : document.createElement("canvas");
  if (reused !== canvas) {
    reused.width = grid;
    reused.height = grid;
  }
  const context = reused.getContext("2d");
  const image = reusedImage(context, grid);
  fillPixels(image, codes, grid, colorOf);
  context.putImageData(image, 0, 0);
  return reused;
}

const images = new Map(); // grid -> ImageData: filled, then put, so one serves every map

function reusedImage(context, grid) {
  if (!images.has(grid)) images.set(grid, context.createImageData(grid, grid));
  return images.get(grid);
}
