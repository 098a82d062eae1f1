// Join a class: the code (from a join link, or typed) and a name. A refusal is shown under the
// field it names (the server's `field`: code or name), in the server's words.
import { api } from "./api.js";
import { $, busy, pageError } from "./ui.js";

const FIELDS = { code: "#join-code", name: "#join-name" };

function clearErrors() {
  for (const selector of Object.values(FIELDS)) {
    const input = $(selector);
    input.removeAttribute("aria-invalid");
    const note = $(`${selector}-error`);
    note.textContent = "";
    note.hidden = true;
  }
  pageError.clear();
}

function showError(error) {
  const placed = (error.problems || []).filter((problem) => FIELDS[problem.field]);
  if (!placed.length) {
    pageError.show(error);
    return;
  }
  for (const problem of placed) {
    const input = $(FIELDS[problem.field]);
    input.setAttribute("aria-invalid", "true");
    const note = $(`${FIELDS[problem.field]}-error`);
    note.textContent = problem.msg;
    note.hidden = false;
  }
  $(FIELDS[placed[0].field]).focus();
}

async function join(event) {
  event.preventDefault();
  clearErrors();
  const button = $("#join-button");
  button.disabled = true;
  try {
    const body = { code: $("#join-code").value, name: $("#join-name").value };
    const joined = await busy(api("POST", "/api/classes/join", { body, label: "Join the class" }));
    window.location.assign(`/classes/${encodeURIComponent(joined.id)}`);
  } catch (error) {
    showError(error);
    button.disabled = false;
  }
}

$("#join").addEventListener("submit", join);
($("#join-code").value ? $("#join-name") : $("#join-code")).focus();
