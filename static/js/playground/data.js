// The Playground's data: the preview of the current data set, the data sets' thumbnails, and the
// points added by clicking the plot (ConvNetJS's trick), which training goes on with.
import { api } from "../api.js";
import { $, busy, el } from "../ui.js";
import { refreshFigures } from "./figures.js";
import { dataSpec, isUpload, session, settings, writeUrl } from "./settings.js";
import { showStatus, trainErrors } from "./status.js";
import { controller, play, stop, transportCount } from "./transport.js";

// The current data spec's preview (`session.data`); Play and Step wait for the network made for it.
export async function loadData() {
  $("#play").disabled = true;
  $("#step").disabled = true;
  session.data = await busy(api("POST", "/api/datasets/preview", { body: dataSpec(), label: "The data set (points)" }), { target: $("#boundary").closest(".card") });
  fillClassPicker();
  $("#boundary-title").textContent = session.data.task === "classification" ? "Decision boundary" : "The fitted function";
  if (isUpload()) drawThumb($(".dataset-thumb[data-name=upload] canvas"), session.data);
  writeUrl();
}

// A data set's thumbnail: its preview points on a small canvas, each class in its colour and
// marker shape as the figures draw it (the preview's `class_styles`); regression: colour = target.
export function drawThumb(canvas, preview) {
  const ctx = canvas.getContext("2d");
  const size = canvas.width;
  ctx.clearRect(0, 0, size, size);
  const points = [...preview.train.X.map((x, i) => [x, preview.train.y[i]]), ...preview.test.X.map((x, i) => [x, preview.test.y[i]])];
  const oneD = points.length > 0 && points[0][0].length === 1;
  const coords = points.map(([x, y]) => (oneD ? [x[0], y] : [x[0], x[1]]));
  const xs = coords.map((c) => c[0]);
  const ys = coords.map((c) => c[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const targets = points.map((p) => p[1]);
  const [t0, t1] = [Math.min(...targets), Math.max(...targets)];
  const styles = preview.class_styles;
  const pad = 4;
  coords.forEach(([x, y], i) => {
    const cx = pad + ((x - x0) / (x1 - x0 || 1)) * (size - 2 * pad);
    const cy = size - pad - ((y - y0) / (y1 - y0 || 1)) * (size - 2 * pad);
    if (styles.length) {
      const style = styles[targets[i] % styles.length];
      drawMarker(ctx, style.symbol, cx, cy, 2.4, style.color);
    } else {
      drawMarker(ctx, "circle", cx, cy, 1.8, oneD ? "#0072B2" : `hsl(${210 - 180 * ((targets[i] - t0) / (t1 - t0 || 1))}, 70%, 45%)`);
    }
  });
}

// Plotly's marker shapes (the names the server gives) on a canvas; r is about the shape's radius.
// A polygon: [corners, rotation, size against a circle's r, inner radius of every second corner].
const SHAPES = {
  square: [4, Math.PI / 4, 1.2], diamond: [4, 0, 1.3], "triangle-up": [3, 0, 1.3], "triangle-down": [3, Math.PI, 1.3],
  pentagon: [5, 0, 1.15], hexagon: [6, Math.PI / 6, 1.1], star: [10, 0, 1.4, 0.45],
};

function drawMarker(ctx, symbol, x, y, r, color) {
  ctx.fillStyle = color;
  ctx.beginPath();
  const shape = SHAPES[symbol];
  if (!shape) {
    ctx.arc(x, y, r, 0, 2 * Math.PI); // circle
  } else {
    const [corners, turn, scale, inner = 1] = shape;
    for (let k = 0; k < corners; k += 1) {
      const angle = turn + (2 * Math.PI * k) / corners;
      const radius = r * scale * (k % 2 ? inner : 1);
      ctx.lineTo(x + radius * Math.sin(angle), y - radius * Math.cos(angle));
    }
    ctx.closePath();
  }
  ctx.fill();
}

// A class's swatch: its marker shape in its colour, as in the figures' legends.
function swatch(style) {
  const canvas = el("canvas", { class: "swatch", width: 28, height: 28, "aria-hidden": "true", dataset: { symbol: style.symbol } });
  drawMarker(canvas.getContext("2d"), style.symbol, 14, 14, 9, style.color);
  return canvas;
}

// `choose(name)`: a generator's thumbnail was clicked; the upload thumbnail opens the file picker.
export async function buildThumbnails(datasets, choose) {
  const thumb = (name, title) => el("button", {
    type: "button", class: "dataset-thumb", dataset: { name }, "aria-pressed": "false", title,
    onclick: () => (name === "upload" ? $("#upload").click() : choose(name)),
  }, el("canvas", { width: 64, height: 64, "aria-hidden": "true" }), name);
  $("#datasets").replaceChildren(...datasets.map((d) => thumb(d.name, d.description)), thumb("upload", "Upload a CSV of x1, x2, label"));
  await Promise.all(datasets.map(async (d) => {
    const points = d.params.n_per_class ? { n_per_class: 30 } : { n_points: 80 };
    const preview = await api("POST", "/api/datasets/preview", { body: { name: d.name, ...points, seed: 0 } });
    drawThumb($(`.dataset-thumb[data-name="${d.name}"] canvas`), preview);
  }));
}

// --- added points ------------------------------------------------------------------------------

function fillClassPicker() {
  const { data } = session;
  const picker = $("#class-picker");
  if (data.task !== "classification" || data.train.X[0].length !== 2) {
    picker.replaceChildren();
    return;
  }
  const chosen = picker.querySelector("input:checked");
  const selected = chosen ? Number(chosen.value) : 0;
  const coordinate = (id, text) => el("label", { for: id }, text, el("input", { type: "number", id, step: "any", value: "0", class: "coordinate" }));
  picker.replaceChildren(el("span", { class: "label" }, "Click the plot to add a point:"),
    ...data.class_names.map((name, k) => el("label", {},
      el("input", { type: "radio", name: "add-class", value: String(k), checked: k === Math.min(selected, data.n_classes - 1) }),
      swatch(data.class_styles[k]), name)),
    el("form", { class: "add-point", onsubmit: typedPoint, "aria-label": "Add a point by its coordinates" },
      el("span", { class: "label" }, "or at"), coordinate("add-x1", "x1"), coordinate("add-x2", "x2"),
      el("button", { type: "submit", class: "small" }, "Add point")),
    el("button", { type: "button", class: "small", id: "clear-points", onclick: clearPoints }, "Remove added points"),
    el("span", { id: "added-count", "data-testid": "added-count" }, ""));
  showAddedCount();
}

export function showAddedCount() {
  const count = settings.points.length;
  const shown = $("#added-count");
  if (shown) shown.textContent = count ? `${count} added` : "";
  if ($("#clear-points")) $("#clear-points").hidden = count === 0;
}

// Plotly's click event on the boundary plot: the point under the pointer, in data units, from the
// plot area's box and the axes' ranges (the event's own points are the nearest cell or marker).
export function listenForClicks(plot) {
  if (!plot.on) return; // never drawn: nothing to click
  plot.on("plotly_click", (event) => {
    const area = plot.querySelector(".nsewdrag");
    const { xaxis, yaxis } = plot.layout;
    if (!area || !event.event || !xaxis.range || !yaxis.range) return;
    const box = area.getBoundingClientRect();
    const u = (event.event.clientX - box.left) / box.width;
    const v = (event.event.clientY - box.top) / box.height;
    if (u < 0 || u > 1 || v < 0 || v > 1) return;
    addPoint([xaxis.range[0] + u * (xaxis.range[1] - xaxis.range[0]), yaxis.range[1] - v * (yaxis.range[1] - yaxis.range[0])]);
  });
}

// The same from the keyboard: type the coordinates.
function typedPoint(event) {
  event.preventDefault();
  const point = [Number($("#add-x1").value), Number($("#add-x2").value)];
  if (point.every(Number.isFinite)) addPoint(point);
}

// A new point joins the data spec's list of added points (to a thousandth: finer than a pixel); the
// network keeps training on the new data, from where it is.
function addPoint(point) {
  if (session.locked.has("data.points")) return; // a class's assignment that locks the data
  const picker = $("#class-picker input:checked");
  if (!picker || !session.data || session.data.task !== "classification") return;
  const round = (value) => Math.round(value * 1000) / 1000;
  settings.points.push([round(point[0]), round(point[1]), Number(picker.value)]);
  pointsChanged();
}

function clearPoints() {
  settings.points = [];
  pointsChanged();
}

// Clicks come faster than the server answers: one update runs at a time and sends the whole list,
// and one more follows if points changed meanwhile, so no click is lost.
const pointUpdates = { running: null, again: false, accepted: [] };

function pointsChanged() {
  writeUrl();
  showAddedCount();
  if (pointUpdates.running) {
    pointUpdates.again = true;
    return pointUpdates.running;
  }
  pointUpdates.running = (async () => {
    do {
      pointUpdates.again = false;
      await applyPoints();
    } while (pointUpdates.again);
  })().finally(() => { pointUpdates.running = null; });
  return pointUpdates.running;
}

// The stored network takes the new data spec (training stops for that moment and then continues
// the same network), and the figures show the points.
async function applyPoints() {
  const { network } = session;
  if (!network) return; // the next Reset creates the network with them
  trainErrors.clear();
  const resume = controller.active;
  const transport = transportCount();
  const points = settings.points.map((point) => [...point]);
  let refused = null;
  try {
    await stop();
    await busy(api("PATCH", `/api/networks/${network.id}`, { body: { data: dataSpec() }, label: "Added points: the network's data spec with them" }));
    pointUpdates.accepted = points;
  } catch (error) {
    // A list the server refuses (too many points) goes back to the last one it took. A 409 means a
    // job started meanwhile (a Step): it sends the whole list too, so nothing is lost.
    if (error.status === 422) {
      settings.points = pointUpdates.accepted.map((point) => [...point]);
      writeUrl();
      showAddedCount();
    }
    if (error.status !== 409) refused = error;
  }
  await refreshFigures(true);
  if (resume && transport === transportCount()) {
    await play();
  } else if (!refused) {
    showStatus(`${points.length} added point${points.length === 1 ? "" : "s"}. Press Play or Step.`);
  }
  if (refused) trainErrors.show(refused);
}
