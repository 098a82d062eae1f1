// The Playground in a class. With ?class=ID the class's assignment fills the settings, its prompt
// shows above the plot, the settings it locks are disabled with a lock mark (for its students; its
// lecturer may change everything), and a new assignment from the lecturer is offered in a banner
// as soon as the class's event stream says so. A lecturer's "Send to a class" sends the page's
// setup as a class's assignment.
import { announce, api } from "../api.js";
import { loadCatalog } from "../catalog.js";
import { $, busy, el, pageError } from "../ui.js";
import { dataSpec, networkSpec, session, settings, trainingSpec } from "./settings.js";

// Where each lockable setting (GET /api/catalog: class_settings, the server's one list) is on this
// page: its controls, and the label or heading its lock mark joins (the first control's label if none).
const CONTROLS = {
  "data.name": { controls: ["#datasets", "#upload", "#upload-task"], mark: "#data-title" },
  "data.classes": { controls: ["#classes"] },
  "data.size": { controls: ["#points"] },
  "data.noise": { controls: ["#noise"] },
  "data.seed": { controls: ["#regenerate"], mark: "#regenerate" },
  "data.test_fraction": { controls: ["#test"] },
  "data.points": { controls: ["#class-picker"], mark: "#boundary-title" },
  "network.hidden": { controls: ["#layers", "#layer-tools", "#layer-count", "#all-activations", "#open-network"], mark: "#topology-title" },
  "network.features": { controls: ["#features"], mark: "#features-title" },
  "network.loss": { controls: ["#loss"] },
  "network.init": { controls: ["#init"] },
  seed: { controls: ["#seed"] },
  "training.optimizer": { controls: ["#optimizer"] },
  "training.learning_rate": { controls: ["#lr"] },
  "training.regularization": { controls: ["#reg"] },
  "training.reg_strength": { controls: ["#lam"] },
  "training.batch_size": { controls: ["#batch"] },
};

const base = (classId) => `/api/classes/${encodeURIComponent(classId)}`;

// The assignment's setup as the page's settings (the inverse of settings.js's spec builders).
function applySetup({ data, network, training }, given) {
  Object.assign(settings, {
    ds: data.name, noise: data.noise, dseed: data.seed, test: data.test_fraction, n: data.n_per_class ?? data.n_points,
    points: (data.points || []).map((point) => [...point]),
    layers: (network.hidden || []).map((layer) => `${layer.units}-${layer.activation}`).join(","),
    loss: network.loss, init: network.init, feat: (network.features || ["x1", "x2"]).join(","),
    seed: network.seed ?? training.seed, opt: training.optimizer, lr: training.learning_rate,
    reg: training.regularization, lam: training.reg_strength, batch: training.batch_size || 0,
  });
  if (data.classes) settings.classes = data.classes;
  for (const key of ["n", "noise", "classes"]) given.add(key);
}

// ?class=ID: the class and its assignment fill the settings. Returns a notice when the address
// names a class that is not there for this person (or has no assignment yet).
export async function openAssignment(given) {
  const classId = new URLSearchParams(window.location.search).get("class");
  if (!classId) return null;
  try {
    const [view, assignment] = await busy(Promise.all([
      api("GET", base(classId), { label: "The class" }),
      api("GET", `${base(classId)}/assignment`, { label: "The class's assignment" }),
    ]));
    session.classroom = { id: classId, view, assignment };
  } catch (error) {
    return `This address opens the assignment of class ${classId}, which is not there for you (you have not joined it, or it has no assignment yet): ${error.message}`;
  }
  applySetup(session.classroom.assignment.setup, given);
  return null;
}

// Keep a control (or every control inside a container, as the page rebuilds them) disabled.
function keepDisabled(node) {
  const controls = () => (node.matches("button, input, select") ? [node] : [...node.querySelectorAll("button, input, select")]);
  const disable = () => {
    for (const control of controls()) if (!control.disabled) control.disabled = true;
  };
  disable();
  new MutationObserver(disable).observe(node, { childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"] });
}

function markLocked(target) {
  if (!target || target.querySelector(".lock")) return;
  // The padlock is the stylesheet's picture (an emoji needs a font not every machine has); the words are for screen readers.
  target.append(el("span", { class: "lock", title: "locked by your lecturer" }, el("span", { class: "visually-hidden" }, " (locked by your lecturer)")));
}

function lock(settingsLocked) {
  session.locked = new Set(settingsLocked);
  for (const name of settingsLocked) {
    const place = CONTROLS[name];
    if (!place) continue;
    for (const selector of place.controls) {
      const node = $(selector);
      if (node) keepDisabled(node);
    }
    markLocked($(place.mark || `label[for="${place.controls[0].slice(1)}"]`));
  }
}

// One stream per page: a new version of the assignment shows the banner; an ended class says so.
function follow(classroom) {
  const url = `${base(classroom.id)}/events`;
  announce("The class's news (Server-Sent Events)", "GET", url);
  const stream = new EventSource(url);
  stream.addEventListener("assignment", (event) => {
    const news = JSON.parse(event.data);
    if (news.version !== classroom.assignment.version) $("#class-news").hidden = false;
    if (news.state === "ended") {
      $("#class-ended").hidden = false;
      stream.close();
    }
  });
}

// Once the page is built: the prompt above the plot, the locks, the stream.
export function startClass() {
  const { classroom } = session;
  if (!classroom) return;
  $("#class-title").textContent = classroom.view.title;
  $("#class-link").href = `/classes/${encodeURIComponent(classroom.id)}`;
  $("#class-prompt-text").textContent = classroom.assignment.prompt;
  $("#class-prompt").hidden = false;
  $("#load-assignment").addEventListener("click", () => window.location.assign(`/?class=${encodeURIComponent(classroom.id)}`));
  if (classroom.view.role === "member") {
    lock(classroom.assignment.settings.filter((setting) => setting.locked).map((setting) => setting.name));
    if (classroom.view.state !== "ended") follow(classroom);
  }
}

// "Send to a class", for whoever leads a class that has not ended.
export async function sendForm() {
  const [classes, catalog] = await Promise.all([api("GET", "/api/classes"), loadCatalog()]);
  const led = classes.filter((item) => item.role === "lecturer" && item.state !== "ended");
  if (!led.length) return;
  const wanted = new URLSearchParams(window.location.search).get("send") || session.classroom?.id;
  const select = $("#send-class-id");
  select.replaceChildren(...led.map((item) => el("option", { value: item.id, selected: item.id === wanted }, item.title)));
  const unlocked = new Set(session.classroom?.view.role === "lecturer" ? session.classroom.assignment.unlocked : []);
  $("#send-unlocked").replaceChildren(...catalog.class_settings.map((setting) => el("label", { class: "check" },
    el("input", { type: "checkbox", value: setting.name, checked: unlocked.has(setting.name) }), setting.label)));
  if (session.classroom?.view.role === "lecturer") $("#send-prompt").value = session.classroom.assignment.prompt;
  $("#send-class").hidden = false;
  $("#send-button").addEventListener("click", send);
}

async function send() {
  const status = $("#send-status");
  status.textContent = "";
  pageError.clear();
  const body = {
    setup: { data: dataSpec(), network: { ...networkSpec(session.data), seed: settings.seed }, training: trainingSpec({}) },
    prompt: $("#send-prompt").value,
    unlocked: [...document.querySelectorAll("#send-unlocked input:checked")].map((box) => box.value),
  };
  const select = $("#send-class-id");
  try {
    const sent = await busy(api("PUT", `${base(select.value)}/assignment`, { body, label: "Send this setup to the class" }));
    status.textContent = `Sent to ${select.selectedOptions[0].textContent} (version ${sent.version}).`;
  } catch (error) {
    pageError.show(error);
  }
}
