// The lesson's shared state and helpers: the questions (each asked before its section's live result
// answers it, judged by the section's own judge), the person's progress, and what every section
// uses to train, draw and report errors.
import { api } from "../api.js";
import { loadCatalog } from "../catalog.js";
import { $, $$, busy, el, errorArea, formatCell, pageError } from "../ui.js";

export const percent = (value) => formatCell(value, "percent");

// --- Questions: asked first, judged against the section's live result ---------------------------

// Per question: (answer) => {correct, text} once its section has a live result, else {waiting}.
// Each section's module has its own; the page hands them all over (`useJudges`).
const judges = {};
const pending = new Map(); // question id -> the answer waiting for its live result
const boxes = new Map(); // question id -> {verdict node}
let progress = null;
let questions = [];
export const questionOf = (id) => questions.find((q) => q.id === id);
// The accuracy or R² a question's answer turns on: the server's (GET /api/learn/questions), stated in its text.
export const thresholdOf = (id) => questionOf(id).threshold;

export function useJudges(table) {
  Object.assign(judges, table);
}

function questionBox(node, question) {
  const name = `q-${question.id}`;
  const verdict = el("p", { class: "verdict", role: "status", "aria-live": "polite", "data-testid": `verdict-${question.id}` });
  const inputs = question.kind === "number"
    ? [el("div", { class: "field" }, el("label", { for: `${name}-value` }, "your answer"),
      el("input", { type: "number", id: `${name}-value`, name, step: "1", required: true }))]
    : question.choices.map((choice) => el("label", { class: "choice", for: `${name}-${choice.value}` },
      el("input", { type: "radio", id: `${name}-${choice.value}`, name, value: choice.value, required: true }), choice.label));
  const form = el("form", { class: "question-form", "data-testid": `question-${question.id}` },
    el("fieldset", {}, el("legend", {}, `Your guess first: ${question.text}`), ...inputs,
      el("button", { type: "submit", class: "small" }, "Answer")),
    verdict);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const raw = data.get(name);
    if (raw === null || raw === "") return;
    pending.set(question.id, question.kind === "number" ? Number(raw) : String(raw));
    judge(question.id);
  });
  node.replaceChildren(form);
  boxes.set(question.id, { verdict });
}

// Judge the waiting answer to `id` if its live result is there; record it with its verdict.
export async function judge(id) {
  if (!pending.has(id)) return;
  const answer = pending.get(id);
  const { verdict } = boxes.get(id);
  const outcome = await judges[id](answer);
  if (pending.get(id) !== answer) return; // answered again meanwhile
  if (outcome.waiting) {
    verdict.className = "verdict";
    verdict.textContent = `Answer noted. ${outcome.waiting}`;
    return;
  }
  pending.delete(id);
  verdict.className = `verdict ${outcome.correct ? "right" : "wrong"}`;
  verdict.textContent = `${outcome.correct ? "Right" : "Not this time"}: ${outcome.text}`;
  await saveProgress(() => api("POST", "/api/learn/answers", { body: { question: id, answer, correct: outcome.correct }, label: "Record your answer" }));
}

export const judgeAll = (...ids) => ids.forEach((id) => judge(id));

// --- Progress ---------------------------------------------------------------------------------------

function renderProgress() {
  const answers = new Map(progress.answers.map((a) => [a.question, a]));
  const read = progress.sections.filter((s) => s.read).length;
  const right = progress.answers.filter((a) => a.correct).length;
  $("#progress-summary").textContent = `${read} of ${progress.sections.length} sections read; ${progress.answers.length} of ${questions.length} questions answered, ${right} right.`;
  $("#progress-list").replaceChildren(...progress.sections.map((section) => {
    const asked = questions.filter((q) => q.section === section.id).map((q) => answers.get(q.id)).filter(Boolean);
    const state = [section.read ? "read" : "not read yet",
      ...asked.map((a) => (a.correct ? "answered right" : "answered, not right"))].join(" · ");
    return el("li", { "data-section": section.id, class: section.read ? "read" : "" },
      el("a", { href: `#${section.id}` }, `§${section.number} ${section.title}`), el("span", { class: "state" }, state));
  }));
}

// Each change answers the whole progress: one at a time, so that an older answer never
// overwrites a newer one.
let saving = Promise.resolve();
function saveProgress(request) {
  saving = saving.then(request).then((answer) => {
    progress = answer;
    renderProgress();
  }).catch((error) => pageError.show(error));
  return saving;
}

export function markRead(section) {
  if (progress.sections.find((s) => s.id === section)?.read) return;
  saveProgress(() => api("PUT", `/api/learn/progress/${section}`, { label: "Mark a section as read" }));
}

export function resetProgress() {
  pending.clear();
  for (const { verdict } of boxes.values()) { verdict.textContent = ""; verdict.className = "verdict"; }
  for (const form of $$(".question-form")) form.reset();
  return saveProgress(async () => {
    await api("DELETE", "/api/learn/progress", { label: "Start the lesson again" });
    return api("GET", "/api/learn/progress");
  });
}

// The lesson's questions (their forms built), the person's progress and the catalog's names; resolves
// to true once there, false when they could not be had (the page's error says why).
export function loadLesson() {
  return Promise.all([
    api("GET", "/api/learn/questions", { label: "The lesson's questions" }),
    api("GET", "/api/learn/progress", { label: "Your progress through the lesson" }),
    loadCatalog(),
  ]).then(([asked, answered]) => {
    [questions, progress] = [asked, answered];
    for (const question of questions) {
      const node = $(`.question[data-question="${question.id}"]`);
      if (node) questionBox(node, question);
    }
    renderProgress();
    return true;
  }, (error) => {
    pageError.show(error);
    return false;
  });
}

// --- Shared pieces ----------------------------------------------------------------------------------

// A training job waited for; its network is the caller's to delete (`forget`) once read.
export async function train(body, label) {
  const job = await api("POST", "/api/jobs", { query: { wait: true }, body, label });
  if (job.status !== "done") {
    forget(job.network_id);
    throw new Error(job.error || `training ended with status “${job.status}”`);
  }
  return job;
}

export function forget(networkId) {
  if (networkId) api("DELETE", `/api/networks/${networkId}`, { label: "Delete a trained network (its figures are on the page)" }).catch(() => {});
}

export const boundary = (networkId, label) => api("GET", `/api/networks/${networkId}/figures/decision-boundary`, { label });
export const playground = (params) => `/?${new URLSearchParams(params)}`;
export const sized = (figure, height = 360) => ({ ...figure, layout: { ...figure.layout, height } });
// Resolves once what the page holds now has been painted (the frame after it is drawn): plotly.js
// from the cache compiles for a good part of a second, which must not come before the sketch's paint.
export const shown = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

// A section's part that can fail shows its own error; the rest of the page goes on.
export function guarded(errorNode, target, work) {
  const errors = errorArea(errorNode);
  return async (...args) => {
    errors.clear();
    try {
      await busy(work(...args), { target });
    } catch (error) {
      errors.show(error);
    }
  };
}
