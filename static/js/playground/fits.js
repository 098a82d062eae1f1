// The Playground's figures fitted to their page before they are drawn: the first screen's to their
// boxes, the diagram turned upright on a phone and without its colour bars.
import { $, NARROW } from "../ui.js";
import { numbers } from "./traces.js";

export const PHONE = window.matchMedia("(max-width: 600px)"); // style.css's phone layout

// The first screen's figures fill their boxes (the page's CSS sizes them to the window): the
// height is the box's, the margins are small, and the boundary leaves its legend to the class
// picker under it (beside the plot it would take the width of the square plot area), except on a
// phone, where the plot has the width to itself and the legend goes under it.
const boxHeight = (id) => $(id).clientHeight || undefined;
export const FITS = {
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

export function followBox(node) {
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

const HEADINGS = 1.2; // of the diagram's units above the tallest layer: its headings' room
const UPRIGHT_TRIM = 0.2; // of the 0.7 units beside the widest layer

// The diagram top to bottom (a phone): each point (layer x, unit y) goes to (y, −x), the edges'
// ends as well, the axes trade places, and the labels beside the nodes go above or below them.
const LABEL_PLACES = { "middle left": "top center", "middle right": "bottom center" };

export function upright(figure) {
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

export function withoutColorBars(figure) {
  for (const trace of figure.data || []) {
    if (trace.marker && (trace.marker.showscale || trace.marker.colorbar)) trace.marker.showscale = false;
  }
  for (const key of Object.keys(figure.layout || {})) {
    if (/^coloraxis\d*$/.test(key)) figure.layout[key].showscale = false;
  }
}
