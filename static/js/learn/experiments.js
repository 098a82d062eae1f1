// §7 Layer sizes, from the experiments this server keeps, and §8 the spiral, the case study trained
// in front of the reader.
import { api } from "../api.js";
import { renderTable, whenDone } from "../results.js";
import { $, drawFigure, el, formatCell } from "../ui.js";
import { guarded, judge, judgeAll, percent, questionOf } from "./core.js";

export const judges = {};

// --- §7 Layer sizes: the experiments this server keeps ------------------------------------------------

const sizes = { capacity: null, regularization: null };

async function kept(name) {
  let job = await api("GET", `/api/experiments/${name}`, { label: `§7: the ${name} experiment's kept result` });
  while (job.status === "queued" || job.status === "running") {
    $("#sizes-status").textContent = "This server is computing its first result with the default options…";
    job = await api("GET", `/api/experiments/${name}`, { query: { wait: true } });
  }
  if (job.status !== "done" || !job.result) throw new Error(job.error || `the ${name} experiment ended with status “${job.status}”`);
  return job.result;
}

const best = (rows, key) => rows.reduce((a, b) => (b[key] > a[key] ? b : a));

async function showSizes() {
  const [capacity, regularization] = await Promise.all([kept("capacity"), kept("regularization")]);
  $("#sizes-results").hidden = false;
  for (const [key, result] of [["capacity", capacity], ["lambda", regularization]]) {
    $(`#sizes-${key}-summary`).textContent = result.summary;
    await drawFigure($(`#sizes-${key}-plot`), result.figure);
    // The spread over the seeds, as the Experiments page draws it.
    $(`#sizes-${key}-bands`).hidden = !result.bands;
    if (result.bands) await drawFigure($(`#sizes-${key}-bands`), result.bands);
    $(`#sizes-${key}-table`).replaceChildren(renderTable(result) || "");
  }
  sizes.capacity = capacity;
  sizes.regularization = regularization;
  $("#sizes-status").textContent = `Means over ${capacity.seeds} seeds, computed once by this server.`;
  $("#sizes-differs").replaceChildren(...differences(capacity.table, regularization.table));
  $("#sizes-differs").hidden = !$("#sizes-differs").textContent;
  judgeAll("sizes-capacity", "sizes-lambda");
}

// Where these runs and the notes part ways, said from the numbers.
function differences(capacityRows, lambdaRows) {
  const notes = [];
  const widest = capacityRows[capacityRows.length - 1];
  const bestTest = best(capacityRows, "test_accuracy");
  if (bestTest.hidden_units === widest.hidden_units) {
    notes.push(`Unlike the notes' hint that 3 units may generalise better, here ${widest.hidden_units} units also do best on held-out points (${percent(bestTest.test_accuracy)} against ${percent(capacityRows[0].test_accuracy)} with ${capacityRows[0].hidden_units}). `);
  }
  const bestLambda = best(lambdaRows, "test_accuracy");
  if (bestLambda.reg_strength === lambdaRows[0].reg_strength) {
    notes.push(`The notes show stronger λ giving smoother regions; here the weakest, λ = ${bestLambda.reg_strength}, scores best on held-out points (${percent(bestLambda.test_accuracy)}): the stronger ones smooth away part of the real boundary.`);
  }
  return notes.length ? [el("strong", {}, "Where our measurement differs: "), ...notes] : [];
}

judges["sizes-capacity"] = (answer) => {
  if (!sizes.capacity) return { waiting: "Press “Show the measured results” to find out." };
  const top = best(sizes.capacity.table, "train_accuracy");
  return { correct: answer === String(top.hidden_units), text: `${top.hidden_units} units get ${percent(top.train_accuracy)} of the training points right (the mean over ${sizes.capacity.seeds} seeds): more units can bend the boundary around more points.` };
};

judges["sizes-lambda"] = (answer) => {
  if (!sizes.regularization) return { waiting: "Press “Show the measured results” to find out." };
  const top = best(sizes.regularization.table, "test_accuracy");
  return { correct: answer === String(top.reg_strength), text: `λ = ${top.reg_strength} gets ${percent(top.test_accuracy)} of the held-out points right (the mean over ${sizes.regularization.seeds} seeds).` };
};

// --- §8 The spiral: the case study, trained in front of the reader ----------------------------------

const spiral = { linear: null, network: null };

async function runSpiral() {
  const button = $("#spiral-run");
  button.disabled = true;
  const status = $("#spiral-status");
  status.textContent = "Starting…";
  try {
    let job = await api("POST", "/api/experiments/case-study", { body: {}, label: "§8: train the case study's two models" });
    if (job.status === "queued" || job.status === "running") {
      job = await whenDone(job.id, (event) => {
        status.textContent = `Training… step ${formatCell(event.step, "count")} of ${formatCell(event.total_steps, "count")} over both models`;
      });
    }
    if (job.status !== "done" || !job.result) throw new Error(job.error || `the case study ended with status “${job.status}”`);
    const { result } = job;
    $("#spiral-summary").textContent = result.summary;
    $("#spiral-summary").hidden = false;
    $("#spiral-plot").hidden = false;
    await drawFigure($("#spiral-plot"), result.figure);
    $("#spiral-table").replaceChildren(renderTable(result) || "");
    spiral.linear = result.table.find((row) => row.model === "linear").train_accuracy;
    spiral.network = result.table.find((row) => row.model !== "linear").train_accuracy;
    status.textContent = "Done: both trained on this server just now.";
    judge("spiral-linear");
  } finally {
    button.disabled = false;
  }
}

judges["spiral-linear"] = (answer) => {
  if (spiral.linear === null) return { waiting: "Press “Train both on the spiral” to find out." };
  const choices = questionOf("spiral-linear").choices.map((choice) => Number(choice.value));
  const nearest = choices.reduce((a, b) => (Math.abs(b - 100 * spiral.linear) < Math.abs(a - 100 * spiral.linear) ? b : a));
  return { correct: answer === String(nearest), text: `the linear classifier reached ${percent(spiral.linear)} (the notes: 49 %), the 2-layer network ${percent(spiral.network)} (the notes: 98 %): three straight boundaries cut each arm in pieces.` };
};

// What each section does when it first comes near the screen, and the controls it wires.
export const sections = {
  sizes() {
    $("#sizes-show").addEventListener("click", guarded($("#sizes-error"), $("#sizes"), showSizes));
  },
  spiral() {
    $("#spiral-run").addEventListener("click", guarded($("#spiral-error"), $("#spiral"), runSpiral));
  },
};
