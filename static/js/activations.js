// The activation gallery: one card per activation, figures from /api/activations/{name}/figure.
import { api } from "./api.js";
import { $, busy, debounce, drawFigure, el, errorArea, pageError, plotlyReady } from "./ui.js";

const DEFAULT_PIECES = [[1, 0], [-0.5, 0]];
const labels = new Map(); // name -> label, from /api/activations

const cards = new Map();

function figureQuery(name) {
  const range = Number($("#range").value);
  const query = { start: -range, stop: range };
  if (name === "leaky_relu") query.slope = $("#slope").value;
  if (name === "tanh" && $("#identity").checked) {
    query.compare = "sigmoid";
    query.tanh_identity = true;
  }
  if (name === "maxout") query.pieces = cards.get(name).pieces.flat().join(",");
  return query;
}

async function drawCard(name) {
  const card = cards.get(name);
  if (!card) return;
  card.errors.clear();
  try {
    const figure = await busy(api("GET", `/api/activations/${name}/figure`, { query: figureQuery(name), label: `${labels.get(name)}: f and f′` }), { target: card.node });
    // The card's heading names the function; the plot needs no title of its own.
    await drawFigure(card.plot, { ...figure, layout: { ...figure.layout, title: undefined, margin: { ...figure.layout.margin, t: 20 } } });
  } catch (error) {
    card.errors.show(error);
  }
}

function piecesEditor(card) {
  const grid = el("div", { class: "pieces", role: "group", "aria-label": "Maxout pieces" });
  const redraw = debounce(() => drawCard("maxout"), 300);
  const render = () => {
    grid.replaceChildren(el("span"), el("span", { class: "label" }, "weight w"), el("span", { class: "label" }, "bias b"), el("span"));
    card.pieces.forEach((piece, i) => {
      const input = (j, what) => el("input", {
        type: "number", step: "any", value: String(piece[j]), "aria-label": `piece ${i + 1} ${what}`,
        oninput: (event) => {
          const value = Number(event.target.value);
          if (event.target.value !== "" && Number.isFinite(value)) {
            piece[j] = value;
            redraw();
          }
        },
      });
      const remove = el("button", {
        type: "button", class: "small", disabled: card.pieces.length <= 2, "aria-label": `remove piece ${i + 1}`,
        onclick: () => { card.pieces.splice(i, 1); render(); drawCard("maxout"); },
      }, "Remove");
      grid.append(el("span", {}, `piece ${i + 1}: max(…, w·x + b)`), input(0, "weight"), input(1, "bias"), remove);
    });
    const add = el("button", {
      type: "button", class: "small", disabled: card.pieces.length >= 5,
      onclick: () => { card.pieces.push([0, 0]); render(); drawCard("maxout"); },
    }, "Add a piece");
    grid.append(add);
  };
  render();
  return el("div", {}, el("p", { class: "hint" }, "Maxout takes the largest of its linear pieces. Edit them: with pieces (1, 0) and (0, 0) it is a ReLU; with (1, 0) and (0.01, 0) a leaky ReLU."), grid);
}

function makeCard(activation) {
  const { name, label } = activation;
  const plot = el("div", { class: "plot", id: `plot-${name}`, role: "figure", "aria-label": `${label} and its derivative` });
  const errorNode = el("div", { class: "error-box", role: "alert", hidden: true });
  const node = el("section", { class: "card", id: `card-${name}`, "aria-labelledby": `title-${name}` },
    el("h2", { id: `title-${name}` }, label),
    el("p", { class: "verdict" }, el("strong", {}, "Verdict: "), activation.verdict || activation.description),
    activation.verdict ? el("p", { class: "hint" }, activation.description) : null,
    errorNode, plot);
  const card = { node, plot, errors: errorArea(errorNode), pieces: DEFAULT_PIECES.map((p) => [...p]) };
  cards.set(name, card);
  if (name === "maxout") node.append(piecesEditor(card));
  return node;
}

async function main() {
  await plotlyReady();
  let activations;
  try {
    activations = await busy(api("GET", "/api/activations", { label: "The activations and the notes' verdicts" }));
  } catch (error) {
    pageError.show(error);
    return;
  }
  // The notes' six come first; within each group, the server's order.
  activations = [...activations.filter((a) => a.in_notes), ...activations.filter((a) => !a.in_notes)];
  activations.forEach((a) => labels.set(a.name, a.label));
  $("#gallery").replaceChildren(...activations.map(makeCard));
  const redrawAll = debounce(() => cards.forEach((_, name) => drawCard(name)), 250);
  $("#range").addEventListener("input", (event) => { $("#range-value").textContent = event.target.value; redrawAll(); });
  const redrawLeaky = debounce(() => drawCard("leaky_relu"), 200);
  $("#slope").addEventListener("input", (event) => { $("#slope-value").textContent = event.target.value; redrawLeaky(); });
  $("#identity").addEventListener("change", () => drawCard("tanh"));
  await Promise.all(Array.from(cards.keys(), drawCard));
}

main();
