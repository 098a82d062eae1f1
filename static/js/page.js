// What every page does once, loaded by base.html beside the page's own module: the keyboard
// shortcuts the page names, and the API-call panel (the latest curl command of each labelled call).
import { onCall } from "./api.js";
import { $$, el } from "./dom.js";

// Keyboard shortcuts the page names (aria-keyshortcuts="Alt+P"): the key presses the first enabled
// control that names it and moves the focus there.
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey || !/^Key[A-Z]$/.test(event.code)) return;
  const keys = `Alt+${event.shiftKey ? "Shift+" : ""}${event.code.slice(3)}`;
  const control = $$(`[aria-keyshortcuts~="${keys}"]`).find((node) => !node.disabled && !node.hidden);
  if (!control) return;
  event.preventDefault();
  control.focus();
  control.click();
});

// The API-call panel lists the latest curl command for each labelled call. A call seen before
// updates its item in place, so that a Copy button keeps its focus and its "Copied" while the
// page goes on calling (a playing Playground calls several times a second).
const calls = new Map(); // label -> the item's <code>
onCall((label, command) => {
  const list = document.getElementById("api-call-list");
  if (!list) return;
  const known = calls.get(label);
  if (known) {
    if (known.textContent !== command) known.textContent = command;
    return;
  }
  const code = el("code", {}, command);
  const copy = el("button", { type: "button", class: "small", "aria-label": `Copy the curl command: ${label}` }, "Copy");
  copy.addEventListener("click", () => copyText(code.textContent, copy));
  calls.set(label, code);
  list.append(el("div", { class: "api-call-item" }, el("div", { class: "api-call-label" }, label), el("pre", { tabindex: "0" }, code), copy)); // it scrolls: the keyboard reaches it
});

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    // No clipboard permission: select the text so that Ctrl+C copies it.
    const code = button.parentElement.querySelector("code");
    window.getSelection().selectAllChildren(code);
    button.textContent = "Selected — press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
}
