// A job followed to its end, and an experiment's table: shared by the Experiments page and the lesson.
import { announce, api } from "./api.js";
import { el, formatCell } from "./ui.js";

// Resolves with the finished job: the stream's `done` event carries it.
export function whenDone(jobId, onProgress) {
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

// Each number is the mean over the seeds; with several seeds its range (min–max) sits under it.
export function renderTable(result) {
  const rows = result.table;
  if (!rows || rows.length === 0) return null;
  const columns = result.columns;
  const numeric = (format) => format !== "text";
  const cell = (row, c) => {
    const range = row.spread && row.spread[c.key];
    const [low, high] = range ? range.map((value) => formatCell(value, c.format)) : [];
    return el("td", { class: numeric(c.format) ? "num" : "" }, formatCell(row[c.key], c.format),
      range ? el("span", { class: "range" }, low === high ? "every seed" : `${low} – ${high}`) : null);
  };
  const caption = result.seeds > 1 ? el("caption", {}, `Means over ${result.seeds} seeds; under each, its range over the seeds (“every seed”: all the same).`) : null;
  return el("table", {}, caption,
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col", class: numeric(c.format) ? "num" : "" }, c.label)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, columns.map((c) => cell(row, c))))));
}
