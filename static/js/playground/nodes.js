// Inside the network diagram, as in TensorFlow Playground: each node shows its output over the
// plane (from the live frames while playing, else from GET …/node-maps), hovering a node shows
// its map large on the decision-boundary plot, and clicking an edge or bias (or choosing it in the
// form under the diagram, from the keyboard) reads and edits it.
// Also the boundary plot's toggles: show the test points, discretize the output.
import { api } from "../api.js";
import { decodeMaps, mapImage } from "../thumbnails.js";
import { $, busy, el, options } from "../ui.js";
import { hooks, refreshFigures } from "./figures.js";
import { session, settings, writeUrl } from "./settings.js";
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
  painting = painting.then(() => {
    if (neurons.marker.size !== size) return window.Plotly.update(plot, { "marker.size": size }, { images }, [index]);
    return repaint(plot, images) ? null : window.Plotly.relayout(plot, { images });
  });
}

// New sources for the layout images the plot shows, in the same places: each picture Plotly drew
// for them takes its new source (a relayout of the images costs 3–5 ms more with every frame), and
// the layout keeps the sources for the next redraw. False when they are not the same images.
function repaint(plot, images) {
  const shown = plot.layout.images || [];
  const pictures = plot.querySelectorAll(".layer-above image");
  const same = (a, b) => a.x === b.x && a.y === b.y && a.xref === b.xref && a.yref === b.yref;
  if (shown.length !== images.length || pictures.length !== images.length || !images.every((image, k) => same(image, shown[k]))) return false;
  images.forEach((image, k) => {
    pictures[k].setAttribute("href", image.source);
    shown[k].source = image.source;
  });
  return true;
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

// --- one weight or bias: click an edge, or choose it in the form ------------------------------

// The form names every weight and bias by its layer, row (from) and column (to); the values come
// from the export, fetched when the form needs one and again after the diagram was redrawn.
// asked: counts the value requests, so that only the latest fills the field; typed: the person typed
// a value since, which no answer arriving later may overwrite.
const editor = { form: null, values: null, shapes: [], networkId: null, asked: 0, typed: false };

// The parameters of `spec` as the export holds them: W{layer} (rows × columns) and b{layer}.
function parameterShapes(spec) {
  const inputs = spec.features && spec.features.length ? spec.features : Array.from({ length: spec.input_dim }, (_, i) => `x${i + 1}`);
  const layers = [...spec.hidden.map((h, k) => ({ name: `h${k + 1}`, units: h.units, pieces: h.activation === "maxout" ? h.pieces || 2 : 1 })),
    { name: "output", units: spec.output_dim, pieces: 1 }];
  const unitNames = (layer) => Array.from({ length: layer.units * layer.pieces }, (_, j) => {
    const unit = `${layer.name} unit ${(j % layer.units) + 1}`;
    return layer.pieces > 1 ? `${unit} piece ${Math.floor(j / layer.units) + 1}` : unit;
  });
  return layers.flatMap((layer, k) => {
    const rows = k === 0 ? inputs : unitNames({ ...layers[k - 1], pieces: 1 }); // a maxout unit has one output
    const columns = unitNames(layer);
    return [
      { name: `W${k + 1}`, kind: "weight", layer: k + 1, rows, columns, label: `W${k + 1}: ${k === 0 ? "inputs" : layers[k - 1].name} → ${layer.name}` },
      { name: `b${k + 1}`, kind: "bias", layer: k + 1, rows: null, columns, label: `b${k + 1}: biases of ${layer.name}` },
    ];
  });
}

function weightEditor() {
  const field = (id, text, control) => el("div", { class: "field" }, el("label", { for: id }, text), control);
  const select = (id, onchange) => el("select", { id, onchange });
  editor.form = el("form", { class: "weight-edit", id: "weight-edit", hidden: true, "aria-label": "Edit a weight or bias" },
    field("edit-parameter", "edit a weight or bias", select("edit-parameter", () => { fillUnits(); showValue(); })),
    field("edit-from", "from", select("edit-from", showValue)),
    field("edit-to", "to", select("edit-to", showValue)),
    field("weight-value", "value", el("input", { type: "number", step: "any", id: "weight-value", required: true })),
    el("button", { type: "submit", class: "small" }, "Set"));
  editor.form.addEventListener("submit", setWeight);
  $("#weight-value", editor.form).addEventListener("input", () => { editor.typed = true; });
  editor.form.addEventListener("focusin", () => { if (!$("#weight-value").value) showValue(); }); // first use
  $("#topology").after(editor.form);
}

const chosen = () => editor.shapes.find((shape) => shape.name === $("#edit-parameter").value);

// The form's choices for the current network (kept as they were when it is the same network).
function fillEditor() {
  const { network } = session;
  editor.form.hidden = !network;
  if (!network || editor.networkId === network.id) return;
  editor.networkId = network.id;
  editor.values = null;
  editor.shapes = parameterShapes(network.spec);
  options($("#edit-parameter"), editor.shapes.map((shape) => [shape.name, shape.label]), editor.shapes[0].name);
  fillUnits();
  $("#weight-value").value = "";
}

function fillUnits() {
  const shape = chosen();
  const from = $("#edit-from");
  from.closest(".field").hidden = !shape.rows;
  options(from, (shape.rows || []).map((name, i) => [i, name]), Math.min(Number(from.value) || 0, (shape.rows || [""]).length - 1));
  options($("#edit-to"), shape.columns.map((name, j) => [j, name]), Math.min(Number($("#edit-to").value) || 0, shape.columns.length - 1));
}

// The chosen parameter's current value, in the value field.
async function showValue() {
  const { network } = session;
  if (!network) return;
  const asked = ++editor.asked;
  editor.typed = false;
  try {
    if (!editor.values) {
      const exported = await busy(api("GET", `/api/networks/${network.id}/export`, { label: "The network's weights and biases (to edit one)" }));
      if (session.network !== network) return;
      editor.values = exported.weights;
    }
    if (asked !== editor.asked || editor.typed) return;
    const shape = chosen();
    const values = editor.values[shape.name];
    const j = Number($("#edit-to").value);
    $("#weight-value").value = String(shape.rows ? values[Number($("#edit-from").value)][j] : values[j]);
  } catch (error) {
    trainErrors.show(error);
  }
}

// A click on an edge (customdata [layer, i, j, value]) or a bias square ([layer, j, value]) of the
// diagram chooses it in the form.
function editEdge(event) {
  const point = event.points[0];
  if (!point || !point.customdata || !(point.data.name === "weights" || /^biases/.test(point.data.name || ""))) return;
  const bias = point.data.name !== "weights";
  const [layer, ...where] = point.customdata;
  $("#edit-parameter").value = `${bias ? "b" : "W"}${layer}`;
  fillUnits();
  if (!bias) $("#edit-from").value = String(where.shift());
  $("#edit-to").value = String(where[0]);
  $("#weight-value").value = String(where[1]);
  editor.asked += 1; // a value still on its way is older than this one
  $("#weight-value").focus();
}

async function setWeight(event) {
  event.preventDefault();
  const { network } = session;
  if (!network) return;
  trainErrors.clear();
  try {
    if (controller.active) await stop(); // a running job would write its own weights over the change
    const shape = chosen();
    const body = { kind: shape.kind, layer: shape.layer, j: Number($("#edit-to").value), value: Number($("#weight-value").value) };
    if (shape.rows) body.i = Number($("#edit-from").value);
    const answer = await busy(api("PATCH", `/api/networks/${network.id}/weights`, { body, label: `Set one ${shape.kind}` }));
    const where = answer.i === null ? `[${answer.j}]` : `[${answer.i}, ${answer.j}]`;
    showStatus(`${answer.parameter}${where} is now ${answer.value} (was ${Number(answer.previous.toPrecision(3))}).`);
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

// Their states are settings, kept in the address (`showtest`, `discrete`) like the others.
function plotToggles() {
  const check = (id, text, key) => {
    const changed = (event) => {
      settings[key] = Number(event.target.checked);
      writeUrl();
      applyToggles();
    };
    const input = el("input", { type: "checkbox", id, checked: Boolean(settings[key]), onchange: changed });
    return [input, el("label", { class: "check", for: id }, input, text)];
  };
  const [test, testLabel] = check("show-test", "Show test data", "showtest");
  const [discrete, discreteLabel] = check("discretize", "Discretize output", "discrete");
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
      fillEditor();
      editor.values = null; // redrawn: the weights may have changed
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
