// One class. Its lecturer sees the code (large), the join link and its QR code, the members (rename,
// remove), joining closed or reopened, the end of the class, and the assignment; a member sees the
// title, the assignment's prompt with a link that opens it in the Playground, and the members' names.
// A member's page follows the class's event stream and shows a new assignment as it arrives. Both
// show the crowd experiment (class_crowd.js).
import { announce, api } from "./api.js";
import { showCrowd } from "./class_crowd.js";
import { $, busy, el, pageError } from "./ui.js";

const classId = $("#class-title").dataset.classId;
const base = `/api/classes/${encodeURIComponent(classId)}`;
const STATES = { open: "Open: students may join with the code.", closed: "Joining is closed.", ended: "This class has ended: it is read-only." };
let current = null;
let stream = null;

function memberRow(member, lecturing) {
  const item = el("li", { class: "member", dataset: { testid: "member" } }, el("span", { class: "member-name" }, member.name));
  if (member.imported) item.append(" ", el("span", { class: "hint", title: "came with the imported class: nobody can act as them" }, "(imported)"));
  if (!lecturing) return item;
  const inputId = `rename-${member.id}`;
  const form = el("form", { class: "rename", "aria-label": `Rename ${member.name}` },
    el("label", { for: inputId, class: "visually-hidden" }, `new name for ${member.name}`),
    el("input", { type: "text", id: inputId, maxlength: "32", required: true, value: member.name }),
    el("button", { type: "submit", class: "small" }, "Rename"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act("PATCH", `/members/${encodeURIComponent(member.id)}`, { name: form.querySelector("input").value }, `Rename ${member.name}`);
  });
  const remove = el("button", { type: "button", class: "small", "aria-label": `Remove ${member.name}`,
    onclick: () => act("DELETE", `/members/${encodeURIComponent(member.id)}`, undefined, `Remove ${member.name}`) }, "Remove");
  item.append(" ", form, " ", remove);
  return item;
}

// A lecturer's action, then the class as it now stands.
async function act(method, path, body, label) {
  pageError.clear();
  try {
    await busy(api(method, `${base}${path}`, { body, label }));
    await load();
  } catch (error) {
    pageError.show(error);
  }
}

// The join link's QR code, drawn by the server (segno) as an SVG document: parsed as XML, an image
// (paths and a title), never as HTML; anything but an <svg> is left out.
function qrCode(svg) {
  const root = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
  return root.nodeName === "svg" ? document.importNode(root, true) : "";
}

function showLecturer(view) {
  const ended = view.state === "ended";
  $("#lecturer-join").hidden = false;
  $("#class-code").textContent = view.code;
  $("#join-url").textContent = view.join_url;
  $("#join-url").href = view.join_url;
  $("#qr").replaceChildren(qrCode(view.qr_svg));
  $("#toggle-joining").textContent = view.joining ? "Close joining" : "Reopen joining";
  $("#toggle-joining").disabled = ended;
  $("#end-class").disabled = ended;
  $("#send-hint").hidden = ended;
  $("#send-link").href = `/?send=${encodeURIComponent(view.id)}`;
  if (view.expires_at) $("#class-ttl").textContent = `on ${new Date(view.expires_at).toLocaleString()}`;
}

async function showAssignment(view) {
  $("#assignment").hidden = false;
  $("#prompt").textContent = view.prompt || "";
  $("#prompt").hidden = !view.prompt;
  $("#assignment-none").hidden = view.assignment_version > 0;
  $("#open-assignment").hidden = view.assignment_version === 0;
  $("#open-assignment").href = `/?class=${encodeURIComponent(view.id)}`;
  $("#open-assignment").textContent = view.role === "lecturer" ? "Open the assignment in the Playground" : "Open the assignment";
  if (view.assignment_version > 0) {
    const assignment = await api("GET", `${base}/assignment`, { label: "The assignment" });
    const free = assignment.settings.filter((setting) => !setting.locked).map((setting) => setting.label);
    $("#unlocked").textContent = free.length ? `You may change: ${free.join(", ")}; the rest is locked.` : "Every setting is locked.";
    $("#unlocked").hidden = false;
  }
}

const scoreText = (entry) => (entry.score === null ? "–" : entry.metric === "r2" ? `R² ${entry.score.toFixed(3)}` : `${(100 * entry.score).toFixed(1)} %`);

function leaderboardRow(entry, lecturing, ended) {
  const cells = [el("td", {}, String(entry.rank)), el("td", {}, entry.name), el("td", {}, scoreText(entry)),
    el("td", {}, String(entry.parameters)), el("td", {}, entry.pareto ? "★" : "")];
  if (lecturing) {
    const pin = el("button", { type: "button", class: "small", disabled: ended, "aria-label": `Pin ${entry.name}'s network to the gallery`,
      onclick: () => {
        const caption = window.prompt(`A caption for ${entry.name}'s network in the gallery:`);
        if (caption) act("PUT", `/gallery/${encodeURIComponent(entry.id)}`, { caption }, `Pin ${entry.name}'s network`);
      } }, "Pin");
    cells.push(el("td", {}, pin));
  }
  return el("tr", { dataset: { testid: "leaderboard-row" } }, ...cells);
}

function galleryItem(entry, lecturing, ended) {
  const open = el("button", { type: "button", class: "small", dataset: { testid: "open-copy" }, onclick: () => openCopy(entry) },
    `Open a copy of ${entry.name}'s network`);
  const item = el("li", { class: "member", dataset: { testid: "gallery-item" } },
    el("strong", {}, entry.name), ` (${scoreText(entry)}, ${entry.parameters} parameters): `, el("span", {}, entry.caption), " ", open);
  if (lecturing && !ended) {
    item.append(" ", el("button", { type: "button", class: "small", onclick: () => act("DELETE", `/gallery/${encodeURIComponent(entry.id)}`, undefined, "Unpin") }, "Unpin"));
  }
  return item;
}

async function openCopy(entry) {
  pageError.clear();
  try {
    const copy = await busy(api("POST", `${base}/gallery/${encodeURIComponent(entry.id)}/copy`, { label: `A copy of ${entry.name}'s network` }));
    window.location.assign(`/?network=${encodeURIComponent(copy.network_id)}`);
  } catch (error) {
    pageError.show(error);
  }
}

// A member's newest network made for this class: their newest class job's.
async function submitNewest() {
  pageError.clear();
  try {
    const jobs = await api("GET", "/api/jobs", { query: { limit: 100 } });
    const job = jobs.find((candidate) => candidate.request && candidate.request.class_id === classId && candidate.network_id);
    if (!job) {
      $("#submit-status").textContent = "Train a network for this assignment first (Open the assignment, then Play).";
      return;
    }
    const entry = await busy(api("POST", `${base}/submissions`, { body: { network_id: job.network_id }, label: "Submit my network" }));
    $("#submit-status").textContent = `Submitted: ${scoreText(entry)} with ${entry.parameters} parameters.`;
    await showLeaderboard(current);
  } catch (error) {
    pageError.show(error);
  }
}

async function showLeaderboard(view) {
  if (view.assignment_version === 0) return;
  const lecturing = view.role === "lecturer";
  const ended = view.state === "ended";
  const [board, gallery] = await Promise.all([api("GET", `${base}/leaderboard`, { label: "The leaderboard" }),
    api("GET", `${base}/gallery`, { label: "The gallery" })]);
  $("#leaderboard-card").hidden = false;
  $("#submit-row").hidden = lecturing || ended;
  $("#pin-column").hidden = !lecturing;
  $("#leaderboard").replaceChildren(...board.entries.map((entry) => leaderboardRow(entry, lecturing, ended)));
  $("#lecturer-files").hidden = !lecturing;
  $("#leaderboard-csv").href = `${base}/leaderboard.csv`;
  $("#members-csv").href = `${base}/members.csv`;
  $("#class-export").href = `${base}/export`;
  $("#gallery-card").hidden = gallery.length === 0;
  $("#gallery").replaceChildren(...gallery.map((entry) => galleryItem(entry, lecturing, ended)));
}

async function load() {
  const view = await busy(api("GET", base, { label: "The class" }));
  current = view;
  document.title = `${view.title} · nnviz`;
  $("#class-title").textContent = view.title;
  $("#class-state").textContent = STATES[view.state];
  const lecturing = view.role === "lecturer";
  if (lecturing) showLecturer(view);
  $("#members-card").hidden = false;
  $("#member-count").textContent = `(${view.member_count})`;
  $("#you").hidden = !view.you;
  if (view.you) $("#you").textContent = `You joined as ${view.you.name}.`;
  $("#members").replaceChildren(...view.members.map((member) => memberRow(member, lecturing && view.state !== "ended")));
  await showAssignment(view);
  await showLeaderboard(view);
  await showCrowd(view, base);
  if (!lecturing && view.state !== "ended" && !stream) follow();
}

// One stream per page: each `assignment` event says the assignment's version and the class's state.
function follow() {
  const url = `${base}/events`;
  announce("The class's news (Server-Sent Events)", "GET", url);
  stream = new EventSource(url);
  stream.addEventListener("assignment", (event) => {
    const news = JSON.parse(event.data);
    if (!current || news.version !== current.assignment_version || news.state !== current.state) {
      load().catch((error) => pageError.show(error));
    }
    if (news.state === "ended") stream.close();
  });
}

$("#submit-network").addEventListener("click", submitNewest);
$("#toggle-joining").addEventListener("click", () => act("PATCH", "", { joining: !current.joining }, current.joining ? "Close joining" : "Reopen joining"));
$("#end-class").addEventListener("click", () => {
  if (window.confirm("End this class? It becomes read-only, and nobody can join it any more.")) act("POST", "/end", undefined, "End the class");
});

load().catch((error) => {
  $("#class-state").textContent = "";
  pageError.show(error);
});
