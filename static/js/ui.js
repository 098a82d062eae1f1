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

// The API-call panel lists the latest curl command for each labelled call.
const commands = new Map();
function renderCalls() {
  const list = document.getElementById("api-call-list");
  if (!list) return;
  list.replaceChildren(...Array.from(commands, ([label, command]) => {
    const code = el("code", {}, command);
    const copy = el("button", { type: "button", class: "small", "aria-label": `Copy the curl command: ${label}` }, "Copy");
    copy.addEventListener("click", () => copyText(command, copy));
    return el("div", { class: "api-call-item" }, el("div", { class: "api-call-label" }, label), el("pre", {}, code), copy);
  }));
}
onCall((label, command) => {
  commands.set(label, command);
  renderCalls();
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
  modeBarButtonsToRemove: ["select2d", "lasso2d"],
  modeBarButtonsToAdd: [svgButton],
  toImageButtonOptions: { format: "png", scale: 2 },
};

// Draw a Plotly figure (the API's JSON) into `node`; later calls update it in place.
export async function drawFigure(node, figure, config = {}) {
  const layout = { ...(figure.layout || {}), autosize: true };
  delete layout.width;
  if (!node.dataset.drawn) node.replaceChildren(); // a placeholder text, if any
  await window.Plotly.react(node, figure.data || [], layout, { ...PLOT_CONFIG, ...config });
  node.dataset.drawn = "true";
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
