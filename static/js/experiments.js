// The notes' experiments. Each card shows the result this server keeps (GET, computed once per
// server with the defaults); Run redoes it as the person's own job (POST), followed by its events.
import { api } from "./api.js";
import { renderTable, whenDone } from "./results.js";
import { $, busy, drawFigure, errorArea, formatCell, plotlyReady } from "./ui.js";

const count = (value) => formatCell(value, "count");

// The experiments whose claim compares settings, on the Sweeps page ("and in between?"): the
// hidden layer of the base setup, the setting varied and its values, from the experiment's options.
const AS_SWEEP = {
  capacity: (o) => [`${Math.max(...o.units)}-${o.activation}`, "network.hidden[0].units", o.units],
  regularization: (o) => [`${o.units}-${o.activation}`, "training.reg_strength", o.reg_strengths],
  activations: (o) => [`${o.units}-relu`, "network.hidden[*].activation", o.activations],
};

// The Sweeps page's address for an experiment's setup: the Playground's keys, then the sweep's.
function sweepUrl(name, options) {
  if (!AS_SWEEP[name] || !options) return null;
  const [layers, path, values] = AS_SWEEP[name](options);
  const data = options.data;
  const params = new URLSearchParams({
    ds: data.name, n: data.n_per_class ?? data.n_points, noise: data.noise, test: data.test_fraction, dseed: data.seed,
    layers, loss: "softmax", init: options.init, seed: options.seed, opt: options.optimizer, lr: options.learning_rate,
    batch: 0, reg: options.reg_strength ? "l2" : "none", lam: options.reg_strength || 0, steps: options.steps,
    seeds: options.seeds,
  });
  if (data.classes) params.set("classes", data.classes);
  params.append("vary", `${path}:${values.join(",")}`);
  return `/sweeps?${params}`;
}

function card(name) {
  const root = $(`#exp-${name}`);
  return {
    root,
    button: $("[data-experiment]", root),
    status: $(".status-line", root),
    errors: errorArea($(".error-box", root)),
    async show(job, note) {
      if (job.status !== "done" || !job.result) {
        throw new Error(job.error ? `The experiment stopped (${job.status}): ${job.error}` : `The experiment ended with status “${job.status}”.`);
      }
      const summary = $(".summary", root);
      summary.textContent = job.result.summary;
      summary.hidden = !job.result.summary;
      const plot = $(".plot", root);
      plot.hidden = false;
      await drawFigure(plot, job.result.figure);
      const bands = $(".plot.bands", root);
      bands.hidden = !job.result.bands;
      if (job.result.bands) await drawFigure(bands, job.result.bands);
      $(".table-wrap", root).replaceChildren(renderTable(job.result) || "");
      const link = sweepUrl(name, job.request && job.request.options);
      $(".sweep-link", root).hidden = !link;
      if (link) $(".sweep-link a", root).href = link;
      this.status.textContent = note;
    },
  };
}

const finishedAt = (job) => new Date(job.finished_at).toLocaleString();

// The kept result: at once if this server has it, else wait for the server's own run of it.
async function showKept(name) {
  const view = card(name);
  const label = `The “${name}” experiment's kept result`;
  try {
    let job = await api("GET", `/api/experiments/${name}`, { label });
    while (job.status === "queued" || job.status === "running") {
      view.status.textContent = "This server is computing its first result with the default options…";
      job = await api("GET", `/api/experiments/${name}`, { query: { wait: true } });
    }
    if (view.root.dataset.ran) return; // the person's own run came first: keep it
    await view.show(job, `The result this server keeps (default options, finished ${finishedAt(job)}). Run redoes it.`);
  } catch (error) {
    if (!view.root.dataset.ran) {
      view.status.textContent = "";
      view.errors.show(error);
    }
  }
}

async function run(name) {
  const view = card(name);
  view.errors.clear();
  view.button.disabled = true;
  view.root.dataset.ran = "true";
  view.status.textContent = "Starting…";
  const started = performance.now();
  try {
    const job = await busy((async () => {
      const queued = await api("POST", `/api/experiments/${name}`, { body: {}, label: `Run the “${name}” experiment` });
      if (queued.status !== "queued" && queued.status !== "running") return queued;
      return whenDone(queued.id, (progress) => {
        const total = progress.total_steps ? ` of ${count(progress.total_steps)}` : "";
        view.status.textContent = `Training… step ${count(progress.step)}${total}`;
      });
    })(), { target: view.root, text: "Running the experiment…" });
    await view.show(job, `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } catch (error) {
    view.status.textContent = "";
    view.errors.show(error);
  } finally {
    view.button.disabled = false;
    view.button.textContent = "Run again";
  }
}

async function main() {
  await plotlyReady();
  const buttons = Array.from(document.querySelectorAll("[data-experiment]"));
  for (const button of buttons) button.addEventListener("click", () => run(button.dataset.experiment));
  await Promise.all(buttons.map((button) => showKept(button.dataset.experiment)));
}

main();
