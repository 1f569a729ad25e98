// What a form holds, to tell whether it has changed since it was last saved.
// Shared by the autosave and the timeout warning (which keeps a changed form
// when the session ends). The CSRF token is not part of what the user typed.
const saved = new WeakMap();

export function snapshot(form) {
  const pairs = [];
  for (const [name, value] of new FormData(form)) {
    if (name !== "csrfmiddlewaretoken") pairs.push([name, String(value)]);
  }
  return JSON.stringify(pairs);
}

export function remember(form, state = snapshot(form)) {
  saved.set(form, state);
}

// Start tracking a form as it was when the page loaded (once: a second call
// keeps what the first remembered).
export function track(form) {
  if (!saved.has(form)) remember(form);
}

export function changed(form) {
  track(form);
  return saved.get(form) !== snapshot(form);
}
