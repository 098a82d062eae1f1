// The notes' experiments: POST /api/experiments/{name} starts a job; its events say when it is done.
import { announce, api } from "./api.js";
import { $, busy, drawFigure, el, errorArea, formatNumber, plotlyReady } from "./ui.js";

// Resolves with the finished job: the stream's `done` event carries it.
function whenDone(jobId, onProgress) {
  return new Promise((resolve, reject) => {
    const url = `/api/jobs/${jobId}/events`;
    announce("Follow the job's progress (Server-Sent Events)", "GET", url);
    const source = new EventSource(url);
    source.addEventListener("progress", (event) => onProgress(JSON.parse(event.data)));
    source.addEventListener("done", (event) => {
      source.close();
      resolve(JSON.parse(event.data));
    });
    source.onerror = () => {
      source.close();
      // The stream broke: ask for the job itself.
      api("GET", `/api/jobs/${jobId}`).then(resolve, reject);
    };
  });
}

function renderTable(rows) {
  if (!rows || rows.length === 0) return null;
  const columns = Object.keys(rows[0]);
  const cell = (value) => (typeof value === "number" ? formatNumber(value, 4) : Array.isArray(value) ? value.map((v) => (typeof v === "number" ? formatNumber(v) : v)).join(", ") : String(value ?? "—"));
  return el("table", {},
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c.replaceAll("_", " "))))),
    el("tbody", {}, rows.map((row) => el("tr", {}, columns.map((c) => el("td", { class: typeof row[c] === "number" ? "num" : "" }, cell(row[c])))))));
}

async function run(button) {
  const name = button.dataset.experiment;
  const card = $(`#exp-${name}`);
  const status = $(".status-line", card);
  const errors = errorArea($(".error-box", card));
  const summary = $(".summary", card);
  const plot = $(".plot", card);
  errors.clear();
  button.disabled = true;
  status.textContent = "Starting…";
  const started = performance.now();
  try {
    const job = await busy((async () => {
      const queued = await api("POST", `/api/experiments/${name}`, { body: {}, label: `Run the “${name}” experiment` });
      return queued.status === "done" || queued.result ? queued : whenDone(queued.id, (progress) => {
        const total = progress.total_steps ? ` of ${progress.total_steps}` : "";
        status.textContent = `Training… step ${progress.step}${total}`;
      });
    })(), { target: card, text: "Running the experiment…" });
    if (job.status !== "done" || !job.result) {
      throw new Error(job.error ? `The experiment stopped (${job.status}): ${job.error}` : `The experiment ended with status “${job.status}”.`);
    }
    status.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
    summary.textContent = job.result.summary;
    summary.hidden = !job.result.summary;
    plot.hidden = false;
    await drawFigure(plot, job.result.figure);
    $(".table-wrap", card).replaceChildren(renderTable(job.result.table) || "");
  } catch (error) {
    status.textContent = "";
    errors.show(error);
  } finally {
    button.disabled = false;
    button.textContent = "Run again";
  }
}

async function main() {
  await plotlyReady();
  for (const button of document.querySelectorAll("[data-experiment]")) button.addEventListener("click", () => run(button));
}

main();
