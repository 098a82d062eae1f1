// Classes: make one or import one (you lead it), and the list of those you lead or have joined.
import { api } from "./api.js";
import { $, busy, el, pageError } from "./ui.js";

const ROLES = { lecturer: "you lead it", member: "you are a member" };
const STATES = { open: "open to join", closed: "joining closed", ended: "ended" };

async function showList() {
  const classes = await busy(api("GET", "/api/classes", { label: "Your classes" }));
  const list = $("#class-list");
  list.replaceChildren(...classes.map((item) => el("li", {},
    el("a", { href: `/classes/${encodeURIComponent(item.id)}` }, item.title),
    " ", el("span", { class: "hint" }, `${ROLES[item.role]} · ${STATES[item.state]}${item.role === "lecturer" ? ` · code ${item.code}` : ""}`))));
  $("#class-list-empty").hidden = classes.length > 0;
}

async function makeClass(event) {
  event.preventDefault();
  pageError.clear();
  try {
    const made = await busy(api("POST", "/api/classes", { body: { title: $("#class-title").value }, label: "Make a class" }));
    window.location.assign(`/classes/${encodeURIComponent(made.id)}`);
  } catch (error) {
    pageError.show(error);
  }
}

// A class file (GET /api/classes/{id}/export, from this server or another) made a new class, then opened.
async function importClass(event) {
  const file = event.target.files[0];
  if (!file) return;
  pageError.clear();
  try {
    let exported;
    try {
      exported = JSON.parse(await file.text());
    } catch {
      throw new Error(`${file.name} is not a class file (JSON): import the file a class page's “the whole class (JSON)” saved.`);
    }
    const made = await busy(api("POST", "/api/classes/import", { body: exported, label: "Import a class" }));
    window.location.assign(`/classes/${encodeURIComponent(made.id)}`);
  } catch (error) {
    pageError.show(error);
  }
  event.target.value = "";
}

$("#new-class").addEventListener("submit", makeClass);
$("#import-class").addEventListener("change", importClass);
showList().catch((error) => pageError.show(error));
