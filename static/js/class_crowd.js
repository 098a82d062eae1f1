// The class page's crowd experiment: every member's finished runs as one figure, the setting the
// room varies against train and test score, a mean in a min–max band over the students. The server
// builds the numbers and the figure; the page draws them, asks again every REFRESH_MS while it is
// visible (runs finish all the time, and a finished job sends the class's stream nothing), and
// gives the lecturer the choice of the setting from the choices the server names.
import { api } from "./api.js";
import { $, busy, drawFigure, el, pageError, placeholder, plotlyReady } from "./ui.js";

const REFRESH_MS = 5000;
let state = null; // { base, lecturing, ended, timer, shown: the crowd's JSON last drawn }

function describe(crowd) {
  if (!crowd.setting) return "The lecturer has not chosen a setting for the room to vary yet.";
  const values = crowd.values.length;
  return `${crowd.runs} run${crowd.runs === 1 ? "" : "s"} from ${crowd.members} student${crowd.members === 1 ? "" : "s"}`
    + ` at ${values} value${values === 1 ? "" : "s"} of ${crowd.label}: each student's latest finished run per value.`;
}

function showChoices(crowd) {
  const select = $("#crowd-setting");
  const options = [el("option", { value: "" }, "none"),
    ...crowd.choices.map((choice) => el("option", { value: choice.path }, choice.label))];
  if (crowd.setting && !crowd.choices.some((choice) => choice.path === crowd.setting)) {
    options.push(el("option", { value: crowd.setting }, crowd.label)); // chosen through the API
  }
  select.replaceChildren(...options);
  select.value = crowd.setting || "";
  select.disabled = state.ended;
}

async function refresh() {
  const crowd = await api("GET", `${state.base}/crowd`, { label: "The crowd experiment" });
  const text = JSON.stringify(crowd);
  if (text === state.shown) return;
  state.shown = text;
  $("#crowd-card").hidden = false;
  $("#crowd-summary").textContent = describe(crowd);
  $("#crowd-choose").hidden = !state.lecturing;
  if (state.lecturing) showChoices(crowd);
  const plot = $("#crowd-plot");
  if (!crowd.setting || crowd.runs === 0) {
    placeholder(plot, crowd.setting ? "No finished runs yet: they appear here as students train." : "Nothing to draw yet.");
    return;
  }
  const figure = await api("GET", `${state.base}/crowd/figure`, { label: "The crowd experiment's figure" });
  await plotlyReady();
  await drawFigure(plot, figure);
}

function tick() {
  if (document.hidden) return;
  refresh().catch((error) => {
    if (error.status === 404) window.clearInterval(state.timer); // removed from the class, or it is gone
    pageError.show(error);
  });
}

async function choose(event) {
  pageError.clear();
  try {
    await busy(api("PUT", `${state.base}/crowd`, { body: { setting: event.target.value || null }, label: "Choose the crowd's setting" }));
    state.shown = null;
    await refresh();
  } catch (error) {
    pageError.show(error);
  }
}

// Show the panel for the class (`view`: the class as GET /api/classes/{id} gives it) and keep it fresh.
export async function showCrowd(view, base) {
  if (view.assignment_version === 0) return;
  const first = state === null;
  state = { ...(state || {}), base, lecturing: view.role === "lecturer", ended: view.state === "ended", shown: null };
  if (first) {
    $("#crowd-setting").addEventListener("change", choose);
    state.timer = window.setInterval(tick, REFRESH_MS);
    document.addEventListener("visibilitychange", tick);
  }
  if (state.ended) window.clearInterval(state.timer); // an ended class's runs do not change
  await refresh();
}
