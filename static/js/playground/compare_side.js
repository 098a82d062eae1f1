// One side of Compare on the page: its part cloned from the template (#compare-side), its readouts
// and its two figures, small versions of the single view's boundary and loss curve.
import { api } from "../api.js";
import { $, drawFigure, formatNumber, placeholder } from "../ui.js";
import { stopPainting } from "./paint.js";

const BOUNDARY_CONFIG = { doubleClickDelay: 0 };

// A side's node, its boundary's and its curve's, named for the role ("original" or "copy").
export function sideNode(role, network, text) {
  const node = $("#compare-side").content.firstElementChild.cloneNode(true);
  const heading = node.querySelector(".compare-caption");
  heading.id = `compare-caption-${role}`;
  heading.textContent = text;
  node.setAttribute("aria-labelledby", heading.id);
  node.dataset.side = role;
  node.dataset.network = network.id;
  node.dataset.testid = `compare-${role}`;
  const boundary = node.querySelector(".compare-boundary");
  const curve = node.querySelector(".compare-curve");
  boundary.setAttribute("aria-label", `Decision regions of the ${role === "original" ? "network" : "copy"} (${text})`);
  curve.setAttribute("aria-label", `Loss curves of the ${role === "original" ? "network" : "copy"} (${text})`);
  return { node, boundary, curve };
}

// A record's or a job's numbers as the readouts name them (accuracy, or R² for regression).
export function metricsOf(numbers) {
  const metric = "train_accuracy" in numbers ? "accuracy" : "r2";
  return {
    train_loss: numbers.train_loss, test_loss: numbers.test_loss,
    train_metric: numbers[`train_${metric}`], test_metric: numbers[`test_${metric}`], metric,
  };
}

export function readouts(side, values) {
  Object.assign(side.shown, values);
  for (const [key, value] of Object.entries(values)) {
    const node = side.node.querySelector(`[data-show="${key}"]`);
    if (!node || value === undefined) continue;
    if (key === "step") node.textContent = String(value);
    else if (key === "epoch") node.textContent = Number.isInteger(value) ? String(value) : value.toFixed(1);
    else if (key.endsWith("_metric")) node.textContent = values.metric === "accuracy" && Number.isFinite(value) ? `${(100 * value).toFixed(1)} %` : formatNumber(value);
    else node.textContent = formatNumber(value);
  }
  if (values.metric) {
    for (const label of side.node.querySelectorAll("[data-metric]")) label.textContent = `${label.dataset.metric} ${values.metric === "accuracy" ? "accuracy" : "R²"}`;
  }
}

// Small versions of the single view's boundary and loss curve: the box's height, small margins, no
// title (the caption and the readouts above say it); the × markers are left out, as the painted
// regions move under them while playing.
function fitBoundary(node) {
  return (layout) => ({
    ...layout, height: node.clientHeight || layout.height, showlegend: false, title: { text: "" },
    margin: { l: 58, r: 6, t: 8, b: 40 },
  });
}

function fitCurve(node) {
  return (layout) => ({
    ...layout, height: node.clientHeight || layout.height, title: { text: "" }, font: { size: 11 },
    margin: { l: 52, r: 6, t: 48, b: 40 },
    legend: { orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom", font: { size: 10 } },
  });
}

// The loss panel alone of the server's training figure (the accuracy is in the readouts, the
// panel's title in the y axis's).
function lossOnly(figure) {
  figure.data = (figure.data || []).filter((trace) => (trace.xaxis || "x") === "x" && (trace.yaxis || "y") === "y");
  for (const key of Object.keys(figure.layout)) if (/^[xy]axis\d+$/.test(key)) delete figure.layout[key];
  figure.layout.xaxis = { ...(figure.layout.xaxis || {}), domain: [0, 1] };
  figure.layout.annotations = [];
  return figure;
}

export async function drawBoundary(side) {
  const { id } = side.network;
  const boundary = await api("GET", `/api/networks/${id}/figures/decision-boundary`, { query: { grid: 60 }, label: `Compare: the boundary of ${side.text}` });
  for (const trace of boundary.data) if (trace.legendgroup === "misclassified") trace.visible = false;
  stopPainting(side.boundary);
  await drawFigure(side.boundary, boundary, BOUNDARY_CONFIG, fitBoundary(side.boundary));
}

export async function drawCurve(side) {
  const { id } = side.network;
  const curve = side.network.steps_trained > 0
    ? await api("GET", `/api/networks/${id}/figures/training`, { query: { x_axis: "step" }, label: `Compare: the loss of ${side.text}` })
    : null;
  if (curve && curve.data.length) await drawFigure(side.curve, lossOnly(curve), {}, fitCurve(side.curve));
  else placeholder(side.curve, "The loss curve appears once this network has trained.");
}

