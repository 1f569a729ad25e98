// Autosave: a long form with sections (the screening tool) saves its draft as the
// user moves from one section to another, and says so in its status line
// ("Draft saved at 10:42", role="status": announced politely). An enhancement of
// the form's own "Save as draft" button, which does the same without this script.
//
// A section starts at one of the form's section headings (h2[id^="section-"]).
// Moving the focus to a field of another section, with something changed since
// the last save, POSTs the form to its data-autosave-url; one save at a time.
// Hidden fields the server changes with a save (a version) come back in the
// answer and are written into the form, so its next save is judged against this
// one.
import { changed, remember, snapshot, track } from "./form-snapshot.js";

const FIELDS = "input:not([type=hidden]), select, textarea";

export function initAutosave(form) {
  const url = form.dataset.autosaveUrl;
  const status = form.querySelector("[data-autosave-status]");
  const headings = [...form.querySelectorAll("h2[id^='section-']")];
  if (!url || !status || !headings.length || !window.fetch) return;
  track(form);
  let current = null;
  let saving = false;
  let again = false;
  // A button pressed while a save is in flight: the form is sent once that save
  // has come back with the new version, so the draft's own save is never taken
  // for someone else's.
  let waiting = null;

  function sectionOf(field) {
    let found = null;
    for (const heading of headings) {
      if (heading.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING) {
        found = heading;
      } else {
        break;
      }
    }
    return found;
  }

  function say(text) {
    status.textContent = text;
  }

  async function save() {
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    const sent = snapshot(form);
    try {
      const response = await fetch(url, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        redirect: "manual",
      });
      if (response.type === "opaqueredirect" || response.status === 401) {
        say("Draft not saved: you have been signed out. Select Save as draft to keep what you have entered.");
        return;
      }
      const answer = await response.json();
      if (!response.ok || !answer.saved) {
        say(answer.error || "Draft not saved automatically. Select Save as draft.");
        return;
      }
      for (const [name, value] of Object.entries(answer.hidden || {})) {
        const input = form.querySelector(`input[type=hidden][name="${CSS.escape(name)}"]`);
        if (input) input.value = value;
      }
      remember(form, sent);
      say(`Draft saved at ${answer.saved_at}`);
    } catch {
      say("Draft not saved automatically. Select Save as draft.");
    } finally {
      saving = false;
      if (waiting) {
        const submitter = waiting;
        waiting = null;
        again = false;
        form.requestSubmit(submitter === form ? undefined : submitter);
        return;
      }
      if (again) {
        again = false;
        if (changed(form)) save();
      }
    }
  }

  form.addEventListener("submit", (event) => {
    if (!saving) return;
    event.preventDefault();
    waiting = event.submitter || form;
  });

  form.addEventListener("focusin", (event) => {
    const field = event.target;
    if (!(field instanceof Element) || !field.matches(FIELDS)) return;
    const section = sectionOf(field);
    if (current !== null && section !== current && changed(form)) save();
    current = section;
  });
}
