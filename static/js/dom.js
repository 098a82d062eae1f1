// DOM helpers every page uses: building elements, inline errors, the progress indicator, selects
// and numbers as people read them. No side effects on import.

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

export function debounce(fn, ms = 250) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
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
