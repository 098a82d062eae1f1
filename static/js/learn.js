// The lesson: the notes' sections in order, each with a question asked before its live figure
// answers it. The questions come from GET /api/learn/questions; the person's progress (sections
// read, answers and whether they were right) is kept by /api/learn/progress. A section's figures
// are made when it first comes near the screen; goTo(section) scrolls to one (`/learn#neuron`).
// The sections live in learn/, one or two to a module, each with its judges and what it does when
// it first comes near the screen; learn/core.js holds what they share.
import * as activations from "./learn/activations.js";
import { loadLesson, markRead, resetProgress, useJudges } from "./learn/core.js";
import * as experiments from "./learn/experiments.js";
import * as layers from "./learn/layers.js";
import { loadMath } from "./learn/math.js";
import * as neuron from "./learn/neuron.js";
import * as nonlinearity from "./learn/nonlinearity.js";
import { withClass } from "./learn_class.js";
import { $, $$, errorArea } from "./ui.js";

const MODULES = [nonlinearity, neuron, activations, layers, experiments];
// Section id -> what it does when it first comes near the screen (and the controls it wires).
const SECTIONS = Object.assign({}, ...MODULES.map((module) => module.sections));

// The page's first figure (§1's) needs none of the lesson's questions, the person's progress or the
// catalog's names: it is asked for at once, beside them, rather than a round trip later.
const ON_ITS_OWN = new Set(["nonlinearity"]);

// The lesson's questions, the person's progress and the catalog's names: true once there (`loadLesson`).
let loaded = null;

const started = new Set();
function start(section) {
  if (started.has(section) || !SECTIONS[section]) return;
  started.add(section);
  const setUp = ON_ITS_OWN.has(section) ? SECTIONS[section]() : loaded.then((ok) => ok && SECTIONS[section]());
  Promise.resolve(setUp).catch((error) => errorArea($(`#${section}-error`)).show(error)).finally(loadMath);
}

// Scroll to a section (its id, as in /learn#neuron), start its figures and put the focus on its heading.
export function goTo(section) {
  const node = document.getElementById(section);
  if (!node || !node.classList.contains("lesson-section")) return false;
  start(section);
  node.scrollIntoView({ block: "start" });
  focusHeading(node);
  if (window.location.hash !== `#${section}`) history.replaceState(null, "", `#${section}`);
  return true;
}

function focusHeading(section) {
  const heading = $("h2", section);
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}

// A section named in the address is gone to at once; the browser's own move to the address's
// fragment can come later, up to the load event, and takes the focus away (a section cannot hold
// it): the heading gets it back then, unless the person has put it somewhere meanwhile.
function goToAddress() {
  const section = window.location.hash.slice(1);
  if (!section || !goTo(section)) return;
  window.addEventListener("load", () => {
    if (document.activeElement === document.body) focusHeading(document.getElementById(section));
  }, { once: true });
}

function watchSections() {
  const near = new IntersectionObserver((entries) => {
    for (const entry of entries) if (entry.isIntersecting) start(entry.target.id);
  }, { rootMargin: "300px 0px" });
  // A section counts as read once its end (the links to its full pages) has been on the screen.
  const ends = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      ends.unobserve(entry.target);
      loaded.then((ok) => ok && markRead(entry.target.closest(".lesson-section").id));
    }
  });
  for (const section of $$(".lesson-section")) {
    near.observe(section);
    ends.observe($(".open-links", section));
  }
}

async function main() {
  useJudges(Object.assign({}, ...MODULES.map((module) => module.judges)));
  loaded = loadLesson();
  window.addEventListener("hashchange", () => goTo(window.location.hash.slice(1)));
  watchSections();
  goToAddress();
  if (!(await loaded)) return;
  $("#reset-progress").addEventListener("click", resetProgress);
  withClass(goTo);
}

main();
