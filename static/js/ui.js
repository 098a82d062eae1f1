// Shared page helpers: inline errors, the progress indicator, the API-call panel, Plotly drawing.
import { onCall } from "./api.js";

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

// Build an element: el("button", {class: "primary", onclick: fn}, "Play").
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// An inline error area: show(error) writes the message in plain words, clear() hides it.
export function errorArea(node) {
  return {
    show(error) {
      if (error && error.name === "AbortError") return;
      node.textContent = error instanceof Error ? error.message : String(error);
      node.hidden = false;
    },
    clear() {
      node.textContent = "";
      node.hidden = true;
    },
  };
}

export const pageError = errorArea(document.getElementById("page-error"));

// The header's progress indicator appears when some work has run for over 300 ms and stays until
// all work has finished; `target` (a card) is marked busy meanwhile.
let running = 0;
let showTimer = null;
export async function busy(promise, { target, text = "Working…" } = {}) {
  const indicator = document.getElementById("busy");
  running += 1;
  if (target) target.setAttribute("aria-busy", "true");
  if (!showTimer && indicator.hidden) {
    showTimer = setTimeout(() => {
      showTimer = null;
      if (running > 0) {
        indicator.querySelector(".busy-text").textContent = text;
        indicator.hidden = false;
      }
    }, 300);
  }
  try {
    return await promise;
  } finally {
    running -= 1;
    if (target) target.removeAttribute("aria-busy");
    if (running === 0) {
      clearTimeout(showTimer);
      showTimer = null;
      indicator.hidden = true;
    }
  }
}

// Keyboard shortcuts the page names (aria-keyshortcuts="Alt+P"): the key presses the first enabled
// control that names it and moves the focus there.
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey || !/^Key[A-Z]$/.test(event.code)) return;
  const keys = `Alt+${event.shiftKey ? "Shift+" : ""}${event.code.slice(3)}`;
  const control = $$(`[aria-keyshortcuts~="${keys}"]`).find((node) => !node.disabled && !node.hidden);
  if (!control) return;
  event.preventDefault();
  control.focus();
  control.click();
});

// The API-call panel lists the latest curl command for each labelled call. A call seen before
// updates its item in place, so that a Copy button keeps its focus and its "Copied" while the
// page goes on calling (a playing Playground calls several times a second).
const calls = new Map(); // label -> the item's <code>
onCall((label, command) => {
  const list = document.getElementById("api-call-list");
  if (!list) return;
  const known = calls.get(label);
  if (known) {
    if (known.textContent !== command) known.textContent = command;
    return;
  }
  const code = el("code", {}, command);
  const copy = el("button", { type: "button", class: "small", "aria-label": `Copy the curl command: ${label}` }, "Copy");
  copy.addEventListener("click", () => copyText(code.textContent, copy));
  calls.set(label, code);
  list.append(el("div", { class: "api-call-item" }, el("div", { class: "api-call-label" }, label), el("pre", { tabindex: "0" }, code), copy)); // it scrolls: the keyboard reaches it
});

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    // No clipboard permission: select the text so that Ctrl+C copies it.
    const code = button.parentElement.querySelector("code");
    window.getSelection().selectAllChildren(code);
    button.textContent = "Selected — press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
}

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
  let layout = { ...(figure.layout || {}), autosize: true };
  delete layout.width;
  if (!node.dataset.drawn) node.replaceChildren(); // a placeholder text, if any
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
const LINE_HEIGHT = 20; // px per line of a 14 px title
const TOOLBAR_STRIP = 44; // px at the top of a figure for Plotly's toolbar (25 px) and the title's first line to clear it
const LEGEND_ROW = 30; // px per row of the legend
const LEGEND_ITEM = 150; // px a legend entry takes across, on average
const BELOW_AXIS = 75; // px from the plot area's bottom to the legend: tick labels and the x-axis title

// A figure laid out for a phone: the legend goes under the plot (beside it, it leaves the plot a
// sliver), long titles wrap instead of running off the edge, and panels side by side are stacked
// (`stack`; small multiples such as the neuron maps keep their grid). The figure grows by what
// moved below, so that the plot keeps its size.
export function narrowLayout(layout, data, width, { stack = true } = {}) {
  const out = { ...layout, margin: { l: 60, r: 30, t: 60, b: 55, ...(layout.margin || {}) } }; // the theme's margins
  out.margin.r = Math.min(out.margin.r, 24);
  let height = layout.height || 450;
  if (stack) height += stackPanels(out, width);
  height += wrapTitle(out, width);
  height += legendBelow(out, data, width);
  out.height = Math.round(height);
  if (out.legend && out.legend.yref === "paper" && out.legend.y === "below") {
    out.legend.y = -BELOW_AXIS / (out.height - out.margin.t - out.margin.b);
  }
  wrapAxisTitles(out, width);
  narrowLabels(out);
  shortColorBars(out);
  return out;
}

// A shared colour bar keeps a readable length at the top of a tall phone figure: as a fraction of the
// height, it stretched down the whole of a stacked figure.
function shortColorBars(layout) {
  for (const key of Object.keys(layout).filter((name) => /^coloraxis\d*$/.test(name))) {
    const bar = layout[key].colorbar;
    if (!bar || layout.height < 700) continue;
    layout[key] = { ...layout[key], colorbar: { ...bar, lenmode: "pixels", len: 280, y: 1, yanchor: "top" } };
  }
}

// Labels placed at data points (a network's layer names) sit closer together on a phone: a smaller
// font, and a long line broken in two.
function narrowLabels(layout) {
  layout.annotations = (layout.annotations || []).map((note) => {
    if ((note.xref || "x") === "paper" || !note.text) return note;
    const text = note.text.split(/<br\s*\/?>/i).flatMap((line) => (/[<>]/.test(line) ? [line] : wrapWords(line, 11))).join("<br>");
    return { ...note, text, font: { ...(note.font || {}), size: Math.min(11, (note.font || {}).size || 11) } };
  });
}

// An axis title longer than its axis wraps (13 px characters, about 7.5 px each).
function wrapAxisTitles(layout, width) {
  const across = width - layout.margin.l - layout.margin.r;
  const down = layout.height - layout.margin.t - layout.margin.b;
  for (const key of Object.keys(layout).filter((name) => /^[xy]axis\d*$/.test(name))) {
    const axis = layout[key];
    const title = typeof axis.title === "string" ? { text: axis.title } : axis.title;
    if (!title || !title.text || /[<>]/.test(title.text)) continue;
    const [start, end] = axis.domain || [0, 1];
    const length = (key[0] === "x" ? across : down) * (end - start);
    const lines = wrapWords(title.text, Math.max(12, Math.floor(length / 7.5)));
    layout[key] = { ...axis, title: { ...title, text: lines.join("<br>") } };
    // A log axis's ticks (10⁻³) are wider than a linear one's: more room beside them for the title.
    const ticks = axis.type === "log" ? 74 : 60;
    if (key[0] === "y") layout.margin.l = Math.max(layout.margin.l, ticks + 18 * (lines.length - 1));
  }
  // The y axes keep to that margin: with their automatic margins, an axis whose scale is tied to
  // the other's (a square plane) makes Plotly redraw the figure over and over on a narrow screen.
  for (const key of Object.keys(layout).filter((name) => /^yaxis\d*$/.test(name))) {
    layout[key] = { ...layout[key], automargin: false };
  }
}

function wrapTitle(layout, width) {
  const title = typeof layout.title === "string" ? { text: layout.title } : layout.title;
  if (!title || !title.text) return 0;
  // Over the plot area (right of the y axis's title, which a tall plot's reaches up beside it), and
  // under the toolbar's strip: a phone shows the toolbar all the time (nothing hovers), over the top
  // right of the figure, where a title that fills the width would end.
  const text = narrowTitle(title.text, width - layout.margin.l + 20);
  layout.title = { ...title, text, x: 0, xanchor: "left", xref: "paper", yref: "container", y: 1,
    yanchor: "top", pad: { t: TOOLBAR_STRIP }, font: { ...(title.font || {}), size: 14 } };
  const lines = text.split(/<br\s*\/?>/i).length;
  const wrapped = (lines - title.text.split(/<br\s*\/?>/i).length) * LINE_HEIGHT;
  layout.margin.t += wrapped;
  // Plotly centres a title in the top margin; anchored under the strip, its middle moves down by
  // `shift`, and the plot and the panels' own titles with it, so that the gap between them stays.
  // And the plot starts at least a line under the title's last line.
  const shift = Math.max(0, Math.round(TOOLBAR_STRIP + (lines * LINE_HEIGHT) / 2 - layout.margin.t / 2),
    TOOLBAR_STRIP + (lines + 1) * LINE_HEIGHT - layout.margin.t);
  layout.margin.t += shift;
  return wrapped + shift;
}

// A title's text as a figure `width` px wide shows it on a phone: each line wrapped at the words (14 px
// characters), a line in one <span> (the scores' smaller subtitle) wrapped inside it, one span a line.
// A live update of the title wraps its new text the same way.
export function narrowTitle(text, width) {
  const perLine = Math.max(16, Math.floor((width - 20) / 7.5));
  return text.split(/<br\s*\/?>/i).flatMap((line) => {
    const span = line.match(/^(<span[^>]*>)([^<]*)<\/span>$/);
    if (span) return wrapWords(span[2], perLine).map((part) => `${span[1]}${part}</span>`);
    return /[<>]/.test(line) ? [line] : wrapWords(line, perLine);
  }).join("<br>");
}

function wrapWords(text, perLine) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > perLine) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

function legendBelow(layout, data, width) {
  const entries = data.filter((trace) => trace.showlegend !== false && trace.name && !(trace.type === "heatmap" && trace.showlegend === undefined));
  if (layout.showlegend === false || entries.length === 0) return 0;
  const rows = Math.ceil(entries.length / Math.max(1, Math.floor((width - 20) / LEGEND_ITEM)));
  // Under the plot area and its x-axis title (y in plot heights, set once the height is known), with
  // the bottom margin grown to hold it beforehand: a legend that had to push the margins itself would
  // make Plotly redraw the figure again and again, and on every update.
  layout.legend = { ...(layout.legend || {}), orientation: "h", x: 0, xanchor: "left", xref: "paper", y: "below", yanchor: "top", yref: "paper" };
  const extra = rows * LEGEND_ROW + 50;
  layout.margin.b += extra;
  return extra;
}

// Panels in one row (make_subplots(rows=1, cols=n)) become one column, each as wide as the figure;
// subplot titles and other annotations placed on the paper move with their panel.
function stackPanels(layout, width) {
  const xs = Object.keys(layout).filter((key) => /^xaxis\d*$/.test(key) && Array.isArray(layout[key].domain));
  const ys = Object.keys(layout).filter((key) => /^yaxis\d*$/.test(key) && Array.isArray(layout[key].domain));
  if (xs.length < 2 || xs.length > 6 || ys.length !== xs.length) return 0;
  const same = (a, b) => Math.abs(a[0] - b[0]) < 1e-6 && Math.abs(a[1] - b[1]) < 1e-6;
  const row = layout[ys[0]].domain;
  if (!ys.every((key) => same(layout[key].domain, row))) return 0;
  const columns = xs.map((key) => ({ key, domain: layout[key].domain, y: `yaxis${key.slice(5)}` })).sort((a, b) => a.domain[0] - b.domain[0]);
  const n = columns.length;
  const panel = Math.min(300, width - 60);
  const gap = 110; // px between panels: the x-axis title of one and the subplot title of the next
  const plotHeight = n * panel + (n - 1) * gap;
  const oldHeight = (layout.height || 450) - layout.margin.t - layout.margin.b;
  const fraction = (px) => px / plotHeight;
  const perLine = Math.max(16, Math.floor((width - 20) / 7.5));
  const mapped = columns.map((column, i) => {
    const top = 1 - i * fraction(panel + gap);
    return { ...column, newY: [Math.max(0, top - fraction(panel)), top] };
  });
  for (const column of mapped) {
    layout[column.key] = { ...layout[column.key], domain: [0, 1] };
    layout[column.y] = { ...layout[column.y], domain: column.newY };
  }
  const scale = (value, from, to) => to[0] + ((value - from[0]) / (from[1] - from[0] || 1)) * (to[1] - to[0]);
  layout.annotations = (layout.annotations || []).map((note) => {
    if ((note.xref || "x") !== "paper" || (note.yref || "y") !== "paper") return note;
    const column = mapped.find((c) => note.x >= c.domain[0] - 1e-6 && note.x <= c.domain[1] + 1e-6);
    if (!column) return note;
    const text = /[<>]/.test(note.text || "") ? note.text : wrapWords(note.text || "", perLine).join("<br>");
    return { ...note, text, x: scale(note.x, column.domain, [0, 1]), y: scale(note.y, row, column.newY) };
  });

  return plotHeight - oldHeight;
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

export function debounce(fn, ms = 250) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// Plotly is loaded with `defer`; modules also run after parsing, but wait for it to be safe.
export function plotlyReady() {
  if (window.Plotly) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener("load", resolve, { once: true }));
}

// Numbers as people read them: 3 significant digits, "—" for missing.
export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (value !== 0 && (Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3)) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toString();
}

// A labelled <select> from [[value, text], ...].
export function options(select, pairs, selected) {
  select.replaceChildren(...pairs.map(([value, text]) => el("option", { value, selected: String(value) === String(selected) }, text)));
}

// A table cell by its column's format (the API says which): percent "85.7 %", count "10,000",
// ratio "1.03×", setting as given ("0.001"), number 3 significant digits, text as it is.
export function formatCell(value, format) {
  if (Array.isArray(value)) return value.map((v) => formatCell(v, format)).join(", ");
  if (value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))) return "—";
  if (typeof value !== "number") return String(value);
  if (format === "percent") return `${(100 * value).toFixed(1)} %`;
  if (format === "count") return Math.round(value).toLocaleString("en-US");
  if (format === "ratio") return `${value.toFixed(2)}×`;
  if (format === "setting") return String(value);
  return formatNumber(value);
}
