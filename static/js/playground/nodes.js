// Inside the network diagram, as in TensorFlow Playground: each node shows its output over the
// plane (from the live frames while playing, painted on a canvas with the edges and bias squares;
// at rest from GET …/node-maps, as the figure's layout images), hovering or focusing a node shows
// its map large beside it, and clicking an edge or bias (or choosing it in the form under the
// diagram, from the keyboard) reads and edits it. A node's colours are its layer's colour axis, the
// one the neurons figure draws the same maps with, and the legend under the diagram states it.
// Also the boundary plot's toggles: show the test points, discretize the output.
import { api } from "../api.js";
import { decodeBiases, decodeEdges } from "../live.js";
import { codesPicture, colorMap } from "../heatmaps.js";
import { decodeMaps, relative } from "../thumbnails.js";
import { $, busy, el, formatNumber, options } from "../ui.js";
import { hooks, refreshFigures } from "./figures.js";
import { mapCanvas, nodeBox, paintDiagram, stopPainting, thumbSize } from "./paint.js";
import { session, settings, writeUrl } from "./settings.js";
import { showStatus, trainErrors } from "./status.js";
import { controller, stop } from "./transport.js";

const STILL_NODES = 24; // cells per side of a node's map at rest (live frames bring their own size)
// Until the neurons figure names its layers' colour scales: Plotly's RdBu and Viridis ends.
const FALLBACK_SCALES = { signed: [[0, "rgb(103,0,31)"], [0.5, "rgb(247,247,247)"], [1, "rgb(5,48,97)"]], unsigned: [[0, "#440154"], [1, "#fde725"]] };

// The latest maps: { grid, bounds, layers, codes (one Uint8Array per node, the layers' order),
// colors (per node: code -> [r, g, b]), networkId }.
let nodes = null;
let painting = Promise.resolve();

function colorscales() {
  const plot = $("#neurons");
  return (plot.layout && plot.layout.meta && plot.layout.meta.colorscales) || FALLBACK_SCALES;
}

// Per node, its colour for each code: the value relative(code) · its limit, on its layer's
// colour axis (as the neurons figure and the frames state it).
function nodeColors(answer) {
  const scales = colorscales();
  return answer.layers.flatMap((layer) => {
    const scale = colorMap(layer.signed ? scales.signed : scales.unsigned, layer.scale[0], layer.scale[1]);
    return Array.from({ length: layer.units }, () => scale);
  }).map((scale, k) => (code) => scale(relative(code, answer.maps.levels) * answer.maps.limits[k]));
}

async function takeMaps(answer, networkId, live) {
  const codes = await decodeMaps(answer.maps, answer.grid);
  const colors = nodeColors(answer);
  const previous = nodes && nodes.networkId === networkId ? nodes : null;
  const kept = previous ? previous.canvases : [];
  nodes = { ...answer, networkId, codes, colors, canvases: codes.map((map, k) => mapCanvas(map, answer.grid, colors[k], kept[k])) };
  countChanges(previous, nodes);
  showLegend();
  if (live) return;
  nodes.images = codes.map((map, k) => codesPicture(map, answer.grid, colors[k]));
  paintNodes();
  showPreview();
}

// Each node's map changes counted (`data-map-changes` of the diagram, one count per node), for
// the benchmark to read how often each picture changes: its codes, its limit (the codes are relative
// to it) or its layer's colour axis.
function countChanges(previous, current) {
  const plot = $("#topology");
  const counts = (plot.dataset.mapChanges || "").split(",").map(Number);
  const scaleOf = (answer) => answer.layers.flatMap((layer) => Array.from({ length: layer.units }, () => layer.scale.join(",")));
  const [scalesBefore, scalesNow] = [previous ? scaleOf(previous) : [], scaleOf(current)];
  const changed = current.codes.map((map, k) => {
    const before = previous && previous.codes[k];
    const [limitBefore, limitNow] = [previous && previous.maps.limits[k], current.maps.limits[k]];
    // a map that is 0 everywhere (a dead unit) keeps its one colour whatever its layer's axis does
    const flat = limitBefore === 0 && limitNow === 0;
    const differs = !before || before.length !== map.length || before.some((code, i) => code !== map[i])
      || (!flat && (limitBefore !== limitNow || scalesBefore[k] !== scalesNow[k]));
    return (counts[k] || 0) + (differs ? 1 : 0);
  });
  plot.dataset.mapChanges = changed.join(",");
}

// Node k of the maps for node (layer, unit), or -1 when the maps do not hold it (a summarised layer).
function indexOf(layer, unit) {
  if (!nodes || !session.network || nodes.networkId !== session.network.id || layer >= nodes.layers.length) return -1;
  if (unit >= nodes.layers[layer].units) return -1;
  return nodes.layers.slice(0, layer).reduce((sum, entry) => sum + entry.units, 0) + unit;
}

// At rest: each drawn neuron of the diagram gets its map as a layout image on top of its marker
// (what the figure's downloads show).
function paintNodes() {
  const plot = $("#topology");
  if (!plot.dataset.drawn || !plot.data || !nodes.images) return;
  const neurons = plot.data.find((trace) => trace.name === "neurons");
  if (!neurons || !neurons.customdata) return;
  const images = [];
  neurons.customdata.forEach(([layer, unit], k) => {
    const at = indexOf(layer, unit);
    if (at >= 0) {
      images.push({ source: nodes.images[at], xref: "x", yref: "y", x: neurons.x[k], y: neurons.y[k], ...thumbSize(plot), xanchor: "center", yanchor: "middle", sizing: "contain", layer: "above" });
    }
  });
  plot.dataset.thumbnails = String(images.length);
  // Larger markers under the maps move the nodes' labels (X₁², s1) out from under them; a marker
  // size is a full redraw of the trace, so it is set only when it changes, not with every frame.
  const index = plot.data.indexOf(neurons);
  const size = images.length ? Math.round(nodeBox(plot, neurons.x[0], neurons.y[0]).side) + 2 : 20;
  painting = painting.then(() => {
    if (neurons.marker.size !== size) return window.Plotly.update(plot, { "marker.size": size }, { images }, [index]);
    return window.Plotly.relayout(plot, { images });
  });
}

async function fetchMaps() {
  const { network } = session;
  if (!network || session.data.train.X[0].length !== 2) return;
  try {
    const answer = await api("GET", `/api/networks/${network.id}/node-maps`, { query: { grid: STILL_NODES }, label: "Each neuron's output over the plane (the diagram's thumbnails)" });
    await takeMaps(answer, network.id, false);
  } catch (error) {
    trainErrors.show(error);
  }
}

// --- while playing: the diagram painted on its canvas, once per animation frame ---------------

// The newest of each part a frame brought (maps, edges, biases) waits for the next animation frame.
const diagram = { edges: null, biases: null, biasScale: null, scheduled: false, made: null, paints: 0 };

async function takeFrame(frame) {
  if (!session.network) return;
  const id = session.network.id;
  const [maps, edges, biases] = await Promise.all([
    frame.nodes ? takeMaps(frame.nodes, id, true) : null,
    frame.edges ? decodeEdges(frame.edges) : null,
    frame.edges && frame.edges.biases ? decodeBiases(frame.edges.biases) : null,
  ]);
  if (!controller.active || !session.network || session.network.id !== id) return;
  if (edges) diagram.edges = edges;
  if (biases) Object.assign(diagram, { biases, biasScale: frame.edges.biases.scale });
  if (maps !== null || edges) diagram.made = frame.made;
  if (!diagram.scheduled) {
    diagram.scheduled = true;
    requestAnimationFrame(paintLive);
  }
}

function paintLive() {
  diagram.scheduled = false;
  const plot = $("#topology");
  if (!controller.active || !plot.dataset.drawn || !Array.isArray(plot.data)) return;
  const neurons = plot.data.find((trace) => trace.name === "neurons");
  const points = plot.data.find((trace) => trace.meta && trace.meta.edge_ends);
  const edges = diagram.edges && points && points.meta.edge_ends.length === diagram.edges.values.length ? diagram.edges : null;
  const maps = nodes && neurons && neurons.customdata ? neurons.customdata.map(([layer, unit]) => {
    const at = indexOf(layer, unit);
    return at >= 0 ? nodes.canvases[at] : null;
  }) : null;
  if (!paintDiagram(plot, { edges, biases: diagram.biases, biasScale: diagram.biasScale, maps })) return;
  diagram.paints += 1;
  plot.dataset.paints = String(diagram.paints);
  plot.dataset.updates = String(diagram.paints); // as the other charts count their live updates
  if (diagram.made) plot.dataset.made = String(diagram.made);
  showPreview();
  relabel();
}

// A weight's or bias's hover label while playing: the figure's hover text holds the value the diagram
// was drawn with, so its first line is rewritten with the newest frame's value (≈: a frame carries
// each to 1/127 of the largest), once when it appears and with every paint after.
let hovered = null; // { kind: "weights" | "biases", index: its point in that trace }

function hoverValue(event) {
  const point = event.points[0];
  const kind = point && (point.data.name === "weights" ? "weights" : /^biases/.test(point.data.name || "") ? "biases" : null);
  hovered = kind ? { kind, index: point.pointNumber } : null;
  relabel();
}

function relabel() {
  if (!hovered || !controller.active) return;
  const values = hovered.kind === "weights" ? diagram.edges && diagram.edges.values : diagram.biases;
  const value = values ? values[hovered.index] : undefined;
  const label = $("#topology .hoverlayer .hovertext text.nums");
  if (!Number.isFinite(value) || !label) return;
  const line = label.querySelector("tspan.line") || label;
  // "W1[2,1] = 0.31", "W2[1–5,3]: 40 weights", "b1[3] (not trained)", or as rewritten: "W1[2,1] ≈ 0.3"
  const [name] = line.textContent.split(/ = | ≈ | mean ≈ |: | \(/);
  const mean = /^[^ ]+(: | mean ≈ )/.test(line.textContent) ? " mean" : "";
  line.textContent = `${name}${mean} ≈ ${formatNumber(value)}`;
  // The point and value the label shows, for tests to read.
  Object.assign($("#topology").dataset, { hoverPoint: `${hovered.kind},${hovered.index}`, hoverValue: String(value) });
}

// --- a node's map, large, beside it -------------------------------------------------------------

const PREVIEW_PX = 160;
let previewed = null; // [layer, unit] of the node whose map is shown large, or null

function preview(event) {
  const point = event.points[0];
  if (!point || point.data.name !== "neurons") return;
  previewed = point.customdata;
  showPreview();
}

function endPreview() {
  previewed = null;
  $("#node-preview").hidden = true;
  delete $("#topology").dataset.preview;
}

// The previewed node's map, beside the node (on the side with room), with its layer's range.
function showPreview() {
  const figure = $("#node-preview");
  const plot = $("#topology");
  if (!previewed || !plot._fullLayout) return;
  const [layer, unit] = previewed;
  const at = indexOf(layer, unit);
  const neurons = plot.data.find((trace) => trace.name === "neurons");
  const k = neurons ? neurons.customdata.findIndex(([l, u]) => l === layer && u === unit) : -1;
  if (at < 0 || k < 0) return;
  const canvas = $("canvas", figure);
  if (canvas.width !== PREVIEW_PX) {
    canvas.width = PREVIEW_PX;
    canvas.height = PREVIEW_PX;
  }
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = false;
  context.drawImage(nodes.canvases[at], 0, 0, PREVIEW_PX, PREVIEW_PX);
  const box = nodeBox(plot, neurons.x[k], neurons.y[k]);
  const { scale } = nodes.layers[layer];
  const name = nodeName(layer, unit, nodes.layers.length - 1);
  $("figcaption", figure).textContent = `${name}: ${formatNumber(scale[0])} to ${formatNumber(scale[1])}`;
  const width = PREVIEW_PX + 12;
  const right = box.x + box.side / 2 + 8;
  const left = right + width <= plot.clientWidth ? right : Math.max(0, box.x - box.side / 2 - 8 - width);
  figure.style.left = `${left}px`;
  figure.style.top = `${Math.max(0, Math.min(plot.clientHeight - PREVIEW_PX - 30, box.y - PREVIEW_PX / 2))}px`;
  figure.hidden = false;
  plot.dataset.preview = `${layer},${unit}`;
}

// A node by its layer (0: the inputs, `last`: the outputs) and unit, as the preview and the keyboard name it.
function nodeName(layer, unit, last) {
  if (layer === 0) return `input ${unit + 1}`;
  return layer === last ? `output ${unit + 1}` : `hidden ${layer} unit ${unit + 1}`;
}

// The neurons from the keyboard: a button over each drawn node, named as the preview names it, in one
// group that is one tab stop (the arrow keys go from node to node: a roving tabindex); focusing one
// shows its map large, as hovering does. The buttons let the mouse through to Plotly's hovers.
const spots = { group: null, key: "" };

function placeSpots() {
  const plot = $("#topology");
  const neurons = plot.dataset.drawn && Array.isArray(plot.data) ? plot.data.find((trace) => trace.name === "neurons") : null;
  if (!neurons || !neurons.customdata || !plot._fullLayout) {
    spots.group.replaceChildren();
    spots.key = "";
    return;
  }
  const key = JSON.stringify(neurons.customdata);
  if (key !== spots.key) { // other nodes: new buttons (the same ones stay, and keep the focus)
    spots.key = key;
    const last = Math.max(...neurons.customdata.map(([layer]) => layer));
    spots.group.replaceChildren(...neurons.customdata.map(([layer, unit], k) => {
      const button = el("button", { type: "button", class: "node-spot", "aria-label": `${nodeName(layer, unit, last)}: its output over the plane`, "data-node": `${layer},${unit}` });
      button.tabIndex = k === 0 ? 0 : -1;
      button.addEventListener("focus", () => {
        previewed = [layer, unit];
        showPreview();
      });
      button.addEventListener("blur", endPreview);
      return button;
    }));
  }
  Array.from(spots.group.children).forEach((button, k) => {
    const box = nodeBox(plot, neurons.x[k], neurons.y[k]);
    Object.assign(button.style, { left: `${box.x - box.side / 2}px`, top: `${box.y - box.side / 2}px`, width: `${box.side}px`, height: `${box.side}px` });
  });
}

const SPOT_MOVES = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

function moveSpot(event) {
  const all = Array.from(spots.group.children);
  const at = all.indexOf(document.activeElement);
  if (at < 0) return;
  let next = null;
  if (event.key in SPOT_MOVES) next = all[(at + SPOT_MOVES[event.key] + all.length) % all.length];
  else if (event.key === "Home") next = all[0];
  else if (event.key === "End") next = all[all.length - 1];
  if (!next) return;
  event.preventDefault();
  all.forEach((button) => { button.tabIndex = button === next ? 0 : -1; });
  next.focus();
}

function nodeSpots() {
  spots.group = el("div", { class: "node-spots", id: "node-spots", role: "group", "aria-label": "The neurons: focus one to see its output over the plane (arrow keys: the next one)" });
  spots.group.addEventListener("keydown", moveSpot);
  $("#topology").after(spots.group);
}

// The colour legend of the neurons' maps: each layer's range on its scale, as the neurons figure's
// colour bars state them; rewritten at most every LEGEND_MS, and only when it changed (a change
// of the page's text lays the page out again).
const LEGEND_MS = 300;
const legend = { at: 0, key: "" };

function showLegend() {
  const now = performance.now();
  const key = JSON.stringify(nodes.layers.map((layer) => [layer.signed, layer.scale.map((v) => formatNumber(v))]));
  if (key === legend.key || now - legend.at < LEGEND_MS) return;
  Object.assign(legend, { at: now, key });
  const scales = colorscales();
  const gradient = (colorscale) => `linear-gradient(90deg, ${colorscale.map(([at, color]) => `${color} ${Number(at) * 100}%`).join(", ")})`;
  const names = nodes.layers.map((layer, r) => (r === 0 ? "inputs" : r === nodes.layers.length - 1 ? "outputs" : `h${r}`));
  $("#map-legend").replaceChildren(...nodes.layers.map((layer, r) => {
    const bar = el("span", { class: "legend-bar" });
    bar.style.background = gradient(layer.signed ? scales.signed : scales.unsigned); // CSSOM: the CSP allows no style attributes
    return el("div", { class: "legend-row" }, el("span", { class: "legend-name" }, names[r]),
      el("span", { class: "legend-end" }, formatNumber(layer.scale[0])), bar, el("span", { class: "legend-end" }, formatNumber(layer.scale[1])));
  }), el("div", { class: "legend-row" }, el("span", { class: "legend-name" }, "weights"), "red < 0 < blue, width |w|"));
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
  $(".status-area .status-line").after(editor.form); // on the first screen, under the transport, one line
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
  nodeSpots();
  hooks.drawn.add((kind, node) => {
    if (kind === "decision-boundary") {
      applyToggles();
    } else if (kind === "neurons" && nodes && !controller.active) {
      fetchMaps(); // the layers' colour scales are known now
    } else if (kind === "topology") {
      fillEditor();
      editor.values = null; // redrawn: the weights may have changed
      if (!node.dataset.bound) {
        node.on("plotly_hover", (event) => {
          preview(event);
          hoverValue(event);
        });
        node.on("plotly_unhover", () => {
          endPreview();
          hovered = null;
        });
        node.on("plotly_click", editEdge);
        node.on("plotly_afterplot", placeSpots); // a resized diagram moves its nodes
        node.dataset.bound = "true";
      }
      placeSpots();
      if (controller.active) requestAnimationFrame(paintLive);
      else {
        stopPainting(node);
        fetchMaps();
      }
    }
  });
  hooks.frame.add(takeFrame);
}
