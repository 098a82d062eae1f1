// The lesson's math: TeX strings in the page, typeset by the KaTeX the app serves.
import { $$, el, pageError } from "../ui.js";

// Until KaTeX is there the template's formulas show their plain-text form, a computed one its TeX
// source; loadMath typesets every one once KaTeX has arrived.
export function typeset(node, source = node.dataset.tex) {
  node.dataset.tex = source;
  if (window.katex) window.katex.render(source, node, { throwOnError: false, displayMode: node.classList.contains("display") });
  else node.textContent = source;
}

// KaTeX (its script 270 kB, style sheet and fonts) is asked for after the first figure, which
// needs none of it. Its files sit in this module's version of the static files.
let mathLoading = null;
export function loadMath() {
  if (mathLoading) return mathLoading;
  const file = (name) => new URL(`../../vendor/katex/${name}`, import.meta.url).href;
  const loaded = (node) => new Promise((resolve, reject) => {
    node.addEventListener("load", resolve, { once: true });
    node.addEventListener("error", () => reject(new Error("KaTeX could not be loaded: the formulas stay as plain text")), { once: true });
    document.head.append(node);
  });
  mathLoading = Promise.all([
    loaded(el("link", { rel: "stylesheet", href: file("katex.min.css") })),
    loaded(el("script", { src: file("katex.min.js") })),
  ]).then(() => { for (const node of $$(".tex[data-tex]")) typeset(node); })
    .catch((error) => pageError.show(error));
  return mathLoading;
}
