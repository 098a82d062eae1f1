// Inside the network diagram, as in TensorFlow Playground: each node shows its output over the
// plane (from the live frames while playing, else from GET …/node-maps), hovering a node shows
// its map large on the decision-boundary plot, and clicking an edge reads and edits its weight.
// Also the boundary plot's toggles: show the test points, discretize the output.
import { api } from "../api.js";
import { decodeMaps, mapImage } from "../thumbnails.js";
import { $, busy, el } from "../ui.js";
import { hooks, refreshFigures } from "./figures.js";
import { session } from "./settings.js";
import { showStatus, trainErrors } from "./status.js";
import { controller, stop } from "./transport.js";

const STILL_NODES = 24; // cells per side of a node's map at rest (live frames bring their own size)
const THUMB = { sizex: 0.34, sizey: 0.82 }; // in the diagram's units: layers 1 apart, units 1 apart
const NODE_MARKER = 40; // px: about a map's size

// The latest maps: { grid, bounds, layers, images: data URLs in the layers' order, networkId }.
let nodes = null;
let painting = Promise.resolve();

async function takeMaps(answer, networkId) {
  const codes = await decodeMaps(answer.maps, answer.grid);
  nodes = { ...answer, networkId, images: codes.map((map) => mapImage(map, answer.grid)) };
  paintNodes();
}

// The image of node (layer, unit), or null when the maps do not hold it (a summarised layer).
function imageOf(layer, unit) {
  if (!nodes || !session.network || nodes.networkId !== session.network.id || layer >= nodes.layers.length) return null;
  if (unit >= nodes.layers[layer].units) return null;
  const offset = nodes.layers.slice(0, layer).reduce((sum, entry) => sum + entry.units, 0);
  return nodes.images[offset + unit];
}

// Each drawn neuron of the diagram gets its map as a layout image on top of its marker.
function paintNodes() {
  const plot = $("#topology");
  if (!plot.dataset.drawn || !plot.data) return;
  const neurons = plot.data.find((trace) => trace.name === "neurons");
  if (!neurons || !neurons.customdata) return;
  const images = [];
  neurons.customdata.forEach(([layer, unit], k) => {
    const source = imageOf(layer, unit);
    if (source) {
      images.push({ source, xref: "x", yref: "y", x: neurons.x[k], y: neurons.y[k], ...THUMB, xanchor: "center", yanchor: "middle", sizing: "contain", layer: "above" });
    }
  });
  plot.dataset.thumbnails = String(images.length);
  // Larger markers under the maps move the nodes' labels (X₁², s1) out from under them; a marker
  // size is a full redraw of the trace, so it is set only when it changes, not with every frame.
  const index = plot.data.indexOf(neurons);
  const size = images.length ? NODE_MARKER : 20;
  painting = painting.then(() => (neurons.marker.size === size
    ? window.Plotly.relayout(plot, { images })
    : window.Plotly.update(plot, { "marker.size": size }, { images }, [index])));
}

async function fetchMaps() {
  const { network } = session;
  if (!network || session.data.train.X[0].length !== 2) return;
  try {
    const answer = await api("GET", `/api/networks/${network.id}/node-maps`, { query: { grid: STILL_NODES }, label: "Each neuron's output over the plane (the diagram's thumbnails)" });
    await takeMaps(answer, network.id);
  } catch (error) {
    trainErrors.show(error);
  }
}

// --- a node's map, large, on the boundary plot -------------------------------------------------

function preview(event) {
  const point = event.points[0];
  if (!point || point.data.name !== "neurons" || !nodes) return;
  const [layer, unit] = point.customdata;
  const source = imageOf(layer, unit);
  const plot = $("#boundary");
  if (!source || !plot.dataset.drawn || !plot.data.length || plot.data[0].type !== "heatmap") return;
  const [x0, x1, y0, y1] = nodes.bounds;
  plot.dataset.preview = `${layer},${unit}`;
  window.Plotly.restyle(plot, { opacity: 0 }, [0]);
  window.Plotly.relayout(plot, { images: [{ source, xref: "x", yref: "y", x: x0, y: y1, sizex: x1 - x0, sizey: y1 - y0, sizing: "stretch", layer: "below" }] });
}

function endPreview() {
  const plot = $("#boundary");
  if (!plot.dataset.preview) return;
  delete plot.dataset.preview;
  window.Plotly.restyle(plot, { opacity: 1 }, [0]);
  window.Plotly.relayout(plot, { images: [] });
}

// --- one weight: click an edge -----------------------------------------------------------------

const editor = { form: null, where: null };

function weightEditor() {
  const input = el("input", { type: "number", step: "any", id: "weight-value", "aria-label": "weight value", required: true });
  const label = el("label", { for: "weight-value", id: "weight-name" });
  editor.form = el("form", { class: "weight-edit", id: "weight-edit", hidden: true, "aria-label": "Edit one weight" },
    label, input, el("button", { type: "submit", class: "small" }, "Set"),
    el("button", { type: "button", class: "small", onclick: () => { editor.form.hidden = true; } }, "Close"));
  editor.form.addEventListener("submit", setWeight);
  $("#topology").after(editor.form);
}

function editEdge(event) {
  const point = event.points[0];
  if (!point || point.data.name !== "weights" || !point.customdata) return;
  const [layer, i, j, value] = point.customdata;
  editor.where = { layer, i, j };
  $("#weight-name").textContent = `W${layer}[${i}, ${j}] (row ${i}: input ${i + 1} of the layer; column ${j}) =`;
  $("#weight-value").value = String(value);
  editor.form.hidden = false;
  $("#weight-value").focus();
}

async function setWeight(event) {
  event.preventDefault();
  const { network } = session;
  if (!network || !editor.where) return;
  trainErrors.clear();
  try {
    if (controller.active) await stop(); // a running job would write its own weights over the change
    const body = { ...editor.where, value: Number($("#weight-value").value) };
    const answer = await busy(api("PATCH", `/api/networks/${network.id}/weights`, { body, label: "Set one weight" }));
    showStatus(`${answer.parameter}[${answer.i}, ${answer.j}] is now ${answer.value} (was ${Number(answer.previous.toPrecision(3))}).`);
    await refreshFigures(true);
  } catch (error) {
    trainErrors.show(error);
  }
}

// --- the boundary plot's toggles ---------------------------------------------------------------

const toggles = { test: null, discrete: null };
const original = new WeakMap(); // the boundary trace 0's own colour scale, per drawing

function applyToggles() {
  const plot = $("#boundary");
  if (!plot.dataset.drawn || !plot.data.length) return;
  const tests = plot.data.flatMap((trace, k) => (/\(test\)$|^test /.test(trace.name || "") ? [k] : []));
  if (tests.length) window.Plotly.restyle(plot, { visible: toggles.test.checked }, tests);
  const heatmap = plot.data[0];
  const classes = heatmap.type === "heatmap" && Array.isArray(heatmap.colorscale) && heatmap.zmin === 0;
  toggles.discrete.disabled = !classes;
  if (!classes) return;
  if (!original.has(heatmap)) original.set(heatmap, heatmap.colorscale);
  const scale = original.get(heatmap);
  // Each class's band is one colour (its strongest) instead of a shade of confidence.
  const flat = scale.flatMap((stop, k) => (k % 2 === 0 ? [[stop[0], scale[k + 1][1]], [scale[k + 1][0], scale[k + 1][1]]] : []));
  window.Plotly.restyle(plot, { colorscale: [toggles.discrete.checked ? flat : scale] }, [0]);
}

function plotToggles() {
  const check = (id, text, checked) => {
    const input = el("input", { type: "checkbox", id, checked, onchange: applyToggles });
    return [input, el("label", { class: "check", for: id }, input, text)];
  };
  const [test, testLabel] = check("show-test", "Show test data", true);
  const [discrete, discreteLabel] = check("discretize", "Discretize output", false);
  Object.assign(toggles, { test, discrete });
  $("#plot-toggles").replaceChildren(testLabel, discreteLabel);
}

export function bindFigureTools() {
  plotToggles();
  weightEditor();
  hooks.drawn.add((kind, node) => {
    if (kind === "decision-boundary") {
      delete node.dataset.preview; // a new drawing has no preview in it
      applyToggles();
    } else if (kind === "topology") {
      if (!node.dataset.bound) {
        node.on("plotly_hover", preview);
        node.on("plotly_unhover", endPreview);
        node.on("plotly_click", editEdge);
        node.dataset.bound = "true";
      }
      if (controller.active) paintNodes();
      else fetchMaps();
    }
  });
  hooks.frame.add((frame) => {
    if (frame.nodes && session.network) takeMaps(frame.nodes, session.network.id);
  });
}
