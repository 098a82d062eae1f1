// A class's wall, its lecturer's view of the room: a tile per member (the name, a small decision
// boundary, epoch, accuracies, parameters, flags), kept live by the class's event stream (`tiles`:
// only the tiles that changed). Sort and filter work on the tiles at hand; a click on a tile opens
// that student's live view, read-only: a large boundary following their job's own events.
import { announce, api } from "./api.js";
import { decodeBoundary } from "./live.js";
import { mapCanvas } from "./playground/paint.js";
import { $, busy, el, pageError } from "./ui.js";

const classId = $("#wall-title").dataset.classId;
const base = `/api/classes/${encodeURIComponent(classId)}`;
const FLAG_LABELS = { not_started: "not started", diverged: "diverged", dead_layer: "dead layer", idle: "idle" };
const tiles = new Map(); // member id -> { tile, item }
let classColors = [];
let focus = null; // { memberId, stream }

function hexRgb(color) {
  return [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16));
}

// A boundary's byte per cell -> its colour: the class's colour, paler where the network is less sure
// (as the Playground paints it); regression from white to ink.
function colorOf(boundary) {
  if (boundary.kind !== "classification") {
    return (code) => [255, 255, 255].map((white, i) => Math.round(white - (code / 255) * (white - [40, 70, 120][i])));
  }
  const levels = boundary.levels || Math.floor(256 / boundary.classes);
  return (code) => {
    const color = hexRgb(classColors[Math.floor(code / levels) % classColors.length] || "#888888");
    const sure = 0.25 + (0.65 * (code % levels)) / (levels - 1);
    return color.map((c) => Math.round(255 - sure * (255 - c)));
  };
}

async function paint(canvas, boundary) {
  if (!boundary || boundary.kind === "regression-1d") return canvas;
  const decoded = await decodeBoundary(boundary);
  return mapCanvas(decoded.codes, boundary.n, colorOf(boundary), canvas);
}

const percent = (value) => (value === null || value === undefined ? "–" : `${(100 * value).toFixed(0)} %`);
const score = (tile, value) => (tile.metric === "r2" ? (value === null ? "–" : value.toFixed(2)) : percent(value));

function numbers(tile) {
  const label = tile.metric === "r2" ? "R²" : "acc.";
  return `epoch ${tile.epoch === null ? "–" : tile.epoch.toFixed(1)} · ${label} ${score(tile, tile.train)} / ${score(tile, tile.test)} · ${tile.parameters ?? "–"} params`;
}

async function tileItem(tile, previous) {
  const canvas = previous ? previous.querySelector("canvas") : el("canvas", { class: "wall-boundary", width: "16", height: "16" });
  const painted = await paint(canvas, tile.boundary);
  const badges = tile.flags.map((flag) => el("span", { class: `badge flag-${flag}`, dataset: { testid: "flag" } }, FLAG_LABELS[flag]));
  const button = el("button", { type: "button", class: "wall-tile", dataset: { testid: "wall-tile", member: tile.member_id },
    disabled: !tile.job, onclick: () => openFocus(tile.member_id) },
    el("span", { class: "wall-name", dataset: { testid: "wall-name" } }, tile.name), painted,
    el("span", { class: "wall-numbers" }, tile.job ? `${numbers(tile)} · ${tile.job.status}` : "no job yet"),
    el("span", { class: "wall-flags" }, ...badges),
    tile.job ? el("span", { class: "visually-hidden" }, "(open the live view)") : null);
  return previous ? (previous.replaceChildren(button), previous) : el("li", {}, button);
}

const SORTS = {
  name: (a, b) => a.name.localeCompare(b.name),
  test: (a, b) => (b.test ?? -Infinity) - (a.test ?? -Infinity),
  train: (a, b) => (b.train ?? -Infinity) - (a.train ?? -Infinity),
  parameters: (a, b) => (a.parameters ?? Infinity) - (b.parameters ?? Infinity),
  epoch: (a, b) => (b.epoch ?? -Infinity) - (a.epoch ?? -Infinity),
};

function arrange() {
  const sort = SORTS[$("#wall-sort").value];
  const flag = $("#wall-filter").value;
  const shown = [...tiles.values()].filter(({ tile }) => !flag || tile.flags.includes(flag));
  shown.sort((a, b) => sort(a.tile, b.tile) || a.tile.name.localeCompare(b.tile.name));
  $("#wall").replaceChildren(...shown.map(({ item }) => item));
  $("#wall-count").textContent = `${shown.length} of ${tiles.size}`;
}

async function update(changed) {
  for (const tile of changed) {
    const known = tiles.get(tile.member_id);
    tiles.set(tile.member_id, { tile, item: await tileItem(tile, known && known.item) });
  }
  arrange();
  if (focus) {
    const known = tiles.get(focus.memberId);
    if (known && known.tile.job && known.tile.job.id !== focus.jobId) openFocus(focus.memberId);
  }
}

// One student's live view: their newest class job's frames, its boundary drawn large.
function openFocus(memberId) {
  const { tile } = tiles.get(memberId);
  closeFocus();
  if (!tile.job) return;
  $("#focus").hidden = false;
  $("#focus-name").textContent = tile.name;
  $("#focus-numbers").textContent = numbers(tile);
  paint($("#focus-canvas"), tile.boundary);
  const url = `/api/jobs/${encodeURIComponent(tile.job.id)}/events`;
  announce(`${tile.name}'s job (Server-Sent Events)`, "GET", url);
  const stream = new EventSource(url);
  focus = { memberId, jobId: tile.job.id, stream };
  stream.addEventListener("progress", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.boundary) paint($("#focus-canvas"), frame.boundary);
    const record = frame.record;
    const accuracy = record ? ` · acc. ${percent(record.train_accuracy ?? null)} / ${percent(record.test_accuracy ?? null)}` : "";
    $("#focus-numbers").textContent = `step ${frame.step} · epoch ${Number(frame.epoch).toFixed(1)}${accuracy}`;
  });
  stream.addEventListener("done", (event) => {
    const job = JSON.parse(event.data);
    $("#focus-numbers").textContent = `${numbers(tile)} · ${job.status}`;
    stream.close();
  });
  $("#focus-close").focus();
}

function closeFocus() {
  if (focus) focus.stream.close();
  focus = null;
  $("#focus").hidden = true;
}

function follow() {
  const url = `${base}/events`;
  announce("The wall (Server-Sent Events)", "GET", url);
  const stream = new EventSource(url);
  stream.addEventListener("tiles", (event) => update(JSON.parse(event.data)).catch((error) => pageError.show(error)));
  stream.addEventListener("assignment", (event) => {
    const news = JSON.parse(event.data);
    $("#wall-state").textContent = news.state === "ended" ? "This class has ended: the wall shows where everyone stopped." : "Live.";
  });
}

async function load() {
  const view = await busy(api("GET", base, { label: "The class" }));
  document.title = `${view.title}: the wall · nnviz`;
  $("#wall-title").textContent = `${view.title}: the wall`;
  if (view.role !== "lecturer") {
    $("#wall-state").textContent = "Only the class's lecturer sees its wall.";
    return;
  }
  const wall = await busy(api("GET", `${base}/wall`, { label: "The wall" }));
  classColors = wall.class_colors;
  $("#wall-controls").hidden = false;
  $("#wall-state").textContent = "Live.";
  await update(wall.tiles);
  follow();
  roomAnswers();
}

// The room's answers to the lesson's questions (counts, never names), every ANSWERS_MS.
const ANSWERS_MS = 5000;
async function roomAnswers() {
  try {
    const room = await api("GET", `${base}/answers`, { label: "How the room answered the lesson's questions" });
    $("#room-answers").hidden = false;
    $("#room-answers-rows").replaceChildren(...room.questions.map((q) => el("tr", { "data-question": q.id },
      el("td", {}, q.text), el("td", { class: "num" }, String(q.right)), el("td", { class: "num" }, String(q.wrong)))));
  } catch (error) {
    pageError.show(error);
    return;
  }
  setTimeout(roomAnswers, ANSWERS_MS);
}

$("#wall-sort").addEventListener("change", arrange);
$("#wall-filter").addEventListener("change", arrange);
$("#focus-close").addEventListener("click", closeFocus);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && focus) closeFocus();
});

load().catch((error) => {
  $("#wall-state").textContent = error.status === 404 ? "No such class, or you are not in it." : "";
  pageError.show(error);
});
