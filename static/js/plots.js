// Plotly drawing: the toolbar (with an SVG download, and one tab stop per chart), the phone layout
// for narrow figures (phone.js), placeholders. No side effects on import.
import { el } from "./dom.js";
import { narrowLayout } from "./phone.js";

// Every figure downloads as PNG (Plotly's camera button) and as SVG, vectors a paper or a slide can
// take as they are. The icon is a download arrow in Plotly's 1000-unit icon box.
const SVG_ICON = { width: 1000, height: 1000, path: "M450 100h100v450l150-150 70 70-270 270-270-270 70-70 150 150zM150 800h700v100h-700z" };
const svgButton = {
  name: "Download plot as SVG",
  title: "Download plot as SVG",
  icon: SVG_ICON,
  click: (node) => window.Plotly.downloadImage(node, { format: "svg", filename: node.id || "figure" }),
};
export const PLOT_CONFIG = {
  responsive: true,
  displaylogo: false,
  // "sendChartToCloud" would upload the figure to Plotly's servers: nothing leaves this one.
  modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud"],
  modeBarButtonsToAdd: [svgButton],
  toImageButtonOptions: { format: "png", scale: 2 },
};

// Draw a Plotly figure (the API's JSON) into `node`; later calls update it in place. A node narrower
// than NARROW (a phone) gets the phone layout of `narrowLayout`; `fit(layout, width)`, when given,
// has the last word (a page fitting a figure into a box of its own).
export async function drawFigure(node, figure, config = {}, fit = null) {
  if (!window.Plotly) await plotlyReady(); // only then: a page's code may go on with the figure before the draw ends
  let layout = { ...(figure.layout || {}), autosize: true };
  delete layout.width;
  if (!node.dataset.drawn || node.dataset.sketch) node.replaceChildren(); // a placeholder text or a sketch (sketch.js), if any
  delete node.dataset.sketch;
  const keep = node.dataset.narrow === "keep";
  if (keep) node.style.minWidth = "";
  let width = node.clientWidth;
  if (keep && width > 0 && width < NARROW) {
    // Small multiples keep their grid, each at least THUMB px (or data-thumb) wide: the figure scrolls sideways
    // in its frame (.scroll-x) rather than shrinking its thumbnails and labels into each other.
    width = Math.max(width, (Number(node.dataset.thumb) || THUMB) * columnCount(layout) + 110);
    node.style.minWidth = `${width}px`;
  }
  if (width > 0 && width < NARROW) layout = narrowLayout(layout, figure.data || [], width, { stack: !keep });
  if (fit) layout = fit(layout, width);
  await window.Plotly.react(node, figure.data || [], layout, { ...PLOT_CONFIG, ...config });
  node.dataset.drawn = "true";
  toolbarKeys(node);
}

export const NARROW = 560;
const THUMB = 60;

function columnCount(layout) {
  const starts = Object.keys(layout).filter((key) => /^xaxis\d*$/.test(key) && Array.isArray(layout[key].domain))
    .map((key) => layout[key].domain[0].toFixed(4));
  return new Set(starts).size;
}
// Plotly's toolbar (PNG download, zoom, pan ...) is one tab stop per chart, not one per button:
// a roving tabindex, the arrow keys move between its buttons (the ARIA toolbar pattern).
function toolbarKeys(node) {
  const bar = node.querySelector(".modebar");
  if (!bar) return;
  const buttons = Array.from(bar.querySelectorAll("button, a.modebar-btn"));
  const label = node.getAttribute("aria-label");
  if (label) bar.setAttribute("aria-label", `Chart tools: ${label}`);
  const current = buttons.findIndex((button) => button.tabIndex === 0);
  buttons.forEach((button, i) => { button.tabIndex = i === Math.max(0, current) ? 0 : -1; });
  if (bar.dataset.keys) return;
  bar.dataset.keys = "true";
  bar.addEventListener("keydown", (event) => {
    const all = Array.from(bar.querySelectorAll("button, a.modebar-btn"));
    const at = all.indexOf(document.activeElement);
    const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 };
    if (at < 0 || !(event.key in moves)) return;
    event.preventDefault();
    const next = all[(moves[event.key] + all.length) % all.length];
    all.forEach((button) => { button.tabIndex = button === next ? 0 : -1; });
    next.focus();
  });
}

export function placeholder(node, text) {
  if (node.dataset.drawn && window.Plotly) window.Plotly.purge(node);
  delete node.dataset.drawn;
  node.replaceChildren(el("p", { class: "placeholder" }, text));
}

// plotly.js: base.html loads it with `defer`, before the page's module runs. A page that must not
// wait for it (the lesson, whose first figure is a sketch) names it in <meta name="plotly-js"> instead,
// and the first call here loads it; one script element, one promise.
let plotlyLoading = null;

export function plotlyReady() {
  if (window.Plotly) return Promise.resolve();
  if (!plotlyLoading) {
    const named = document.querySelector("meta[name=plotly-js]");
    plotlyLoading = !named
      ? new Promise((resolve) => window.addEventListener("load", resolve, { once: true }))
      : new Promise((resolve, reject) => {
        const script = el("script", { src: named.content });
        script.addEventListener("load", resolve, { once: true });
        script.addEventListener("error", () => reject(new Error("plotly.js could not be loaded: reload the page to draw the figures")), { once: true });
        document.head.append(script);
      });
  }
  return plotlyLoading;
}
