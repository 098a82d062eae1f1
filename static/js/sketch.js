// A figure's picture before plotly.js has arrived: a page that must show its first figure at once
// (the lesson) paints the API's figure onto a canvas (heatmap cells, points, axes, title, legend)
// and draws the interactive Plotly figure over it once plotly.js (1.5 MB) is there. Only what a
// decision-boundary figure holds is painted: one heatmap with a colour scale and scatter markers,
// on one pair of axes of equal scale. No side effects on import.
import { colorMap } from "./heatmaps.js";
import { NARROW } from "./plots.js";

// Plotly's JSON sends arrays as {dtype, bdata} (base64, row-major when it has a shape); read
// either form as a flat list of numbers.
export function numbers(array) {
  if (Array.isArray(array)) return array.flat();
  const bytes = Uint8Array.from(atob(array.bdata), (c) => c.charCodeAt(0));
  const types = { f4: Float32Array, f8: Float64Array, i1: Int8Array, i2: Int16Array, i4: Int32Array, u1: Uint8Array };
  return Array.from(new types[array.dtype](bytes.buffer));
}

const FONT = "Inter, 'Segoe UI', system-ui, -apple-system, Helvetica, Arial, sans-serif";
const INK = "#1f2933";
const LEGEND_WIDTH = 150; // Plotly's legend on the right, beside the plot

// Whether the legend has a column beside the plot: not on a phone, where drawFigure's layout puts it
// below, which the sketch leaves out.
const withLegend = (layout, width) => layout.showlegend !== false && width >= NARROW;

// The plot area: the template's margins, the legend's column, then the axes' equal scale
// (scaleanchor) shrinking one side, centred as Plotly's constrain: "domain" does.
function plotArea(layout, width, height) {
  const margin = { l: 60, r: 30, t: 60, b: 55, ...(layout.template?.layout?.margin || {}), ...(layout.margin || {}) };
  const right = width - margin.r - (withLegend(layout, width) ? LEGEND_WIDTH : 0);
  const box = { left: margin.l, top: margin.t, width: Math.max(right - margin.l, 10), height: Math.max(height - margin.t - margin.b, 10) };
  const [x0, x1] = layout.xaxis.range;
  const [y0, y1] = layout.yaxis.range;
  if (layout.yaxis.scaleanchor === "x") {
    const scale = Math.min(box.width / (x1 - x0), box.height / (y1 - y0));
    const [w, h] = [scale * (x1 - x0), scale * (y1 - y0)];
    Object.assign(box, { left: box.left + (box.width - w) / 2, top: box.top + (box.height - h) / 2, width: w, height: h });
  }
  return { ...box, x: (v) => box.left + ((v - x0) / (x1 - x0)) * box.width, y: (v) => box.top + ((y1 - v) / (y1 - y0)) * box.height };
}

// A heatmap's cells (z: rows along y upwards) through its colour scale, one pixel per cell, drawn
// scaled unsmoothed over the cells' extent, as Plotly draws zsmooth: false.
function paintHeatmap(context, trace, area) {
  const [xs, ys, z] = [numbers(trace.x), numbers(trace.y), numbers(trace.z)];
  const [nx, ny] = [xs.length, ys.length];
  const colorOf = colorMap(trace.colorscale, trace.zmin, trace.zmax);
  const cells = new OffscreenCanvas(nx, ny);
  const cellsContext = cells.getContext("2d");
  const image = cellsContext.createImageData(nx, ny);
  for (let row = 0; row < ny; row += 1) {
    for (let col = 0; col < nx; col += 1) {
      const at = 4 * ((ny - 1 - row) * nx + col);
      image.data.set([...colorOf(z[row * nx + col]), 255], at);
    }
  }
  cellsContext.putImageData(image, 0, 0);
  const [hx, hy] = [(xs[nx - 1] - xs[0]) / (2 * (nx - 1)), (ys[ny - 1] - ys[0]) / (2 * (ny - 1))];
  const [left, top] = [area.x(xs[0] - hx), area.y(ys[ny - 1] + hy)];
  context.save();
  context.beginPath();
  context.rect(area.left, area.top, area.width, area.height);
  context.clip();
  context.imageSmoothingEnabled = false;
  context.drawImage(cells, left, top, area.x(xs[nx - 1] + hx) - left, area.y(ys[0] - hy) - top);
  context.restore();
}

// One marker of a scatter trace (circle, square or a thin x, Plotly's sizes in pixels across).
function marker(context, style, cx, cy) {
  const r = (style.size || 6) / 2;
  context.beginPath();
  if (style.symbol === "square") context.rect(cx - r, cy - r, 2 * r, 2 * r);
  else if (String(style.symbol).startsWith("x")) {
    context.moveTo(cx - r, cy - r); context.lineTo(cx + r, cy + r);
    context.moveTo(cx + r, cy - r); context.lineTo(cx - r, cy + r);
  } else context.arc(cx, cy, r, 0, 2 * Math.PI);
  const open = String(style.symbol).includes("open") || String(style.symbol).startsWith("x");
  if (!open) {
    context.fillStyle = style.color;
    context.fill();
  }
  const line = style.line || {};
  if (open || line.width) {
    context.strokeStyle = line.color || style.color;
    context.lineWidth = line.width || 1;
    context.stroke();
  }
}

function paintScatter(context, trace, area) {
  const [xs, ys] = [numbers(trace.x), numbers(trace.y)];
  xs.forEach((x, i) => marker(context, trace.marker || {}, area.x(x), area.y(ys[i])));
}

const plainText = (html) => String(html || "").replace(/<[^>]*>/g, "");

function paintFrame(context, layout, area) {
  context.strokeStyle = "#9aa5b1";
  context.lineWidth = 1;
  context.strokeRect(area.left, area.top, area.width, area.height);
  context.fillStyle = INK;
  context.font = `13px ${FONT}`;
  context.textAlign = "center";
  context.fillText(plainText(layout.xaxis.title?.text), area.left + area.width / 2, area.top + area.height + 30);
  context.save();
  context.translate(area.left - 30, area.top + area.height / 2);
  context.rotate(-Math.PI / 2);
  context.fillText(plainText(layout.yaxis.title?.text), 0, 0);
  context.restore();
  context.textAlign = "left";
  String(layout.title?.text || "").split(/<br\s*\/?>/i).forEach((line, i) => {
    context.font = `${i ? 13 : 16}px ${FONT}`;
    context.fillText(plainText(line), 12, 24 + 20 * i);
  });
}

function paintLegend(context, traces, area) {
  const left = area.left + area.width + 20;
  context.font = `12px ${FONT}`;
  context.textAlign = "left";
  traces.filter((trace) => trace.type === "scatter" && trace.showlegend !== false).forEach((trace, i) => {
    const y = area.top + 12 + 20 * i;
    marker(context, { ...trace.marker, size: Math.min(trace.marker?.size || 6, 10) }, left + 8, y);
    context.fillStyle = INK;
    context.fillText(trace.name || "", left + 20, y + 4);
  });
}

// Paint `figure` (the API's JSON: a heatmap and scatter traces) as a canvas filling `node`, marked
// data-sketch; drawFigure replaces it with the Plotly figure. The node counts as drawn.
export function sketchFigure(node, figure) {
  const layout = figure.layout || {};
  const width = node.clientWidth;
  const height = layout.height || 360;
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.className = "sketch";
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.setAttribute("aria-hidden", "true");
  const context = canvas.getContext("2d");
  context.scale(ratio, ratio);
  context.fillStyle = "white";
  context.fillRect(0, 0, width, height);
  const area = plotArea(layout, width, height);
  const traces = figure.data || [];
  for (const trace of traces) {
    if (trace.type === "heatmap") paintHeatmap(context, trace, area);
    else if (trace.type === "scatter" && trace.visible !== false) paintScatter(context, trace, area);
  }
  paintFrame(context, layout, area);
  if (withLegend(layout, width)) paintLegend(context, traces, area);
  node.replaceChildren(canvas);
  node.dataset.sketch = "true";
  node.dataset.drawn = "true";
}
