// A shared network, read-only: its figures from /api/shared/{token}, and a copy to open as one's own.
import { api } from "./api.js";
import { $, NARROW, busy, drawFigure, pageError, placeholder, plotlyReady } from "./ui.js";

const token = $("#summary").dataset.token;
const base = `/api/shared/${encodeURIComponent(token)}`;

// The boundary's plot area is square: at Plotly's default height it would be a small square under a
// two-line title, whose box then met the y axis's title. Taller, the title has the top margin to itself.
const FITS = { "decision-boundary": (layout, width) => (width < NARROW ? layout : { ...layout, height: BOUNDARY_HEIGHT }) };
const BOUNDARY_HEIGHT = 600; // px

async function figure(kind, label) {
  const node = $(`#${kind}`);
  try {
    await drawFigure(node, await api("GET", `${base}/figures/${kind}`, { label }), {}, FITS[kind]);
  } catch (error) {
    placeholder(node, error.message);
  }
}

async function openCopy() {
  $("#copy").disabled = true;
  try {
    const copy = await busy(api("POST", `${base}/copy`, { label: "A copy of the shared network, as your own" }));
    window.location.assign(`/?network=${encodeURIComponent(copy.id)}`);
  } catch (error) {
    pageError.show(error);
    $("#copy").disabled = false;
  }
}

async function main() {
  await plotlyReady();
  let network;
  try {
    network = await busy(api("GET", base, { label: "The shared network" }));
  } catch (error) {
    $("#summary").textContent = "";
    pageError.show(error);
    return;
  }
  const sizes = [network.spec.input_dim, ...network.spec.hidden.map((h) => `${h.units} ${h.activation}`), network.spec.output_dim];
  const data = network.data ? (network.data.name || "uploaded data") : "no data yet";
  $("#summary").textContent = `Layers ${sizes.join(" → ")}, ${network.counts.parameters} parameters, trained ${network.steps_trained} steps on ${data}.`;
  $("#copy").disabled = false;
  $("#copy").addEventListener("click", openCopy);
  await Promise.all([
    network.data ? figure("decision-boundary", "Decision boundary") : placeholder($("#decision-boundary"), "Not trained on any data yet."),
    figure("training", "Training curves"),
    figure("topology", "Topology with the trained weights"),
  ]);
}

main();
