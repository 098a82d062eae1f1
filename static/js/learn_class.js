// The lesson with a class (/learn?class=ID): the lecturer's "Follow me" moves every member's page to
// the section the lecturer is reading (PUT /api/classes/{id}/follow), and each member's page follows
// the class's event stream (its `follow` events) there. Without a class, nothing here runs.
import { announce, api } from "./api.js";
import { $, $$, pageError } from "./ui.js";

// The section nearest the top of the screen, as the lecturer scrolls.
function topSection() {
  const sections = $$(".lesson-section");
  const below = sections.find((node) => node.getBoundingClientRect().bottom > 120);
  return (below || sections[sections.length - 1]).id;
}

function lead(classId, title) {
  const box = $("#class-bar");
  box.hidden = false;
  $("#class-bar-text").textContent = `You teach ${title}. With "Follow me" on, your students' pages show the section you are reading.`;
  const toggle = $("#follow-me");
  toggle.hidden = false;
  $("label[for=follow-me]").hidden = false;
  // One PUT at a time, in order: the last section sent is the one the room sees.
  let sent = null;
  let queue = Promise.resolve();
  const send = (section) => {
    if (section === sent) return;
    sent = section;
    queue = queue.then(() => api("PUT", `/api/classes/${classId}/follow`, { body: { section }, label: "Follow me: the section your class sees" }))
      .then(() => { $("#follow-status").textContent = section ? `Your class follows you: ${$(`#${section} h2`).textContent}` : "Your students read on their own."; })
      .catch((error) => pageError.show(error));
  };
  let timer = null;
  window.addEventListener("scroll", () => {
    if (!toggle.checked) return;
    clearTimeout(timer);
    // once the scrolling settles, and only while Follow me is still on
    timer = setTimeout(() => { if (toggle.checked) send(topSection()); }, 250);
  }, { passive: true });
  window.addEventListener("hashchange", () => { if (toggle.checked) send(window.location.hash.slice(1) || topSection()); });
  toggle.addEventListener("change", () => {
    clearTimeout(timer);
    send(toggle.checked ? topSection() : null);
  });
}

function join(classId, title, goTo) {
  const box = $("#class-bar");
  box.hidden = false;
  $("#class-bar-text").textContent = `You are in ${title}.`;
  const url = `/api/classes/${classId}/events`;
  announce("The class's news (Server-Sent Events)", "GET", url);
  const stream = new EventSource(url);
  stream.addEventListener("follow", (event) => {
    const { section } = JSON.parse(event.data);
    if (section && goTo(section)) {
      $("#follow-status").textContent = `Following your lecturer: ${$(`#${section} h2`).textContent}`;
    } else if (!section) {
      $("#follow-status").textContent = "Your lecturer lets you read on your own.";
    }
  });
}

export async function withClass(goTo) {
  const classId = new URLSearchParams(window.location.search).get("class");
  if (!classId) return;
  try {
    const view = await api("GET", `/api/classes/${encodeURIComponent(classId)}`, { label: "The class you read the lesson with" });
    if (view.role === "lecturer") lead(view.id, view.title);
    else join(view.id, view.title, goTo);
  } catch (error) {
    pageError.show(error);
  }
}
