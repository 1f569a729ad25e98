// The timeout warning: the GOV.UK / HMRC pattern, as an enhancement of
// templates/includes/timeout_warning.html (a closed <dialog>, so without this
// script nothing shows and the session simply ends at the idle limit).
//
// The server is the only clock that counts. The page says how long its session
// had left when it was served; before this tab warns, and again before it signs
// out, it asks the server (GET /session/, which is not activity) how long is
// really left, so a "Stay signed in" or a page loaded in another tab is never
// undone by this tab's timer. Tabs also tell each other when one extends the
// session (BroadcastChannel), so an open warning closes everywhere at once.
//
// "Stay signed in", or Escape, extends the session (POST /session/keep-alive/).
// When the session has ended: a form marked data-keep-work that has unsaved
// changes is posted with its data-keep-work-submit button, and the server keeps
// it for the user until they sign in again (cse/kept_work.py); any other page is
// loaded again, which leads to the sign-in page and back here afterwards. Either
// way, no personal data stays on the screen of someone who has walked away.
import { changed, track } from "./form-snapshot.js";

const RECHECK_WHILE_OPEN_MS = 20_000;
const RETRY_MS = 30_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

// What a screen reader hears changes once a minute, then every 20 seconds in the
// last minute: often enough to be useful, not chatty. Each announcement gives the
// time left at that moment.
function announcementStep(seconds) {
  return seconds > 60 ? `m${Math.ceil(seconds / 60)}` : `s${Math.ceil(seconds / 20)}`;
}

function visibleTime(seconds) {
  if (seconds > 60) return `${Math.ceil(seconds / 60)} minutes`;
  if (seconds === 60) return "1 minute";
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

export function initTimeoutWarning(dialog) {
  if (typeof dialog.showModal !== "function" || !window.fetch) return;
  const statusUrl = dialog.dataset.statusUrl;
  const keepAliveForm = dialog.querySelector("[data-keep-alive-form]");
  const stayButton = dialog.querySelector("[data-keep-alive]");
  const heading = dialog.querySelector("h2");
  const countdown = dialog.querySelector("[data-countdown]");
  const spoken = dialog.querySelector("[data-countdown-spoken]");
  const finalNote = dialog.querySelector("[data-final-note]");
  const keptForm = document.querySelector("form[data-keep-work]");
  if (keptForm) {
    track(keptForm);
    dialog.querySelector("[data-keep-work-note]").hidden = false;
  }
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("cse-session") : null;

  let deadline = 0;
  let warnMs = Number(dialog.dataset.warnSeconds) * 1000;
  let canExtend = true;
  let timer = null;
  let ticker = null;
  let lastStep = "";
  let returnFocus = null;
  let ending = false;
  let dismissed = false;

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function wait(ms, then) {
    clearTimeout(timer);
    timer = setTimeout(then, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
  }

  function tick() {
    const left = secondsLeft();
    countdown.textContent = visibleTime(left);
    const step = announcementStep(left);
    if (step !== lastStep) {
      spoken.textContent = `For your security, we will sign you out in ${visibleTime(left)}.`;
      lastStep = step;
    }
  }

  function open() {
    if (canExtend) dismissed = false;
    if (dismissed) return;
    stayButton.hidden = !canExtend;
    finalNote.hidden = canExtend;
    if (!dialog.open) {
      returnFocus = document.activeElement;
      lastStep = "";
      tick();
      dialog.showModal();
      (canExtend ? stayButton : heading).focus();
      clearInterval(ticker);
      ticker = setInterval(tick, 1000);
    }
  }

  function close() {
    clearInterval(ticker);
    if (!dialog.open) return;
    dialog.close();
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
  }

  function signedOut() {
    if (ending) return;
    ending = true;
    clearTimeout(timer);
    clearInterval(ticker);
    const button = keptForm && keptForm.querySelector("[data-keep-work-submit]");
    if (keptForm && button && changed(keptForm)) {
      keptForm.requestSubmit(button);
      return;
    }
    const here = new URL(window.location.href);
    here.hash = "";
    window.location.assign(here.href);
  }

  function follow(status) {
    if (!status.signed_in) {
      signedOut();
      return;
    }
    deadline = Date.now() + status.seconds_left * 1000;
    warnMs = (status.warn_seconds ?? warnMs / 1000) * 1000;
    canExtend = status.can_extend !== false;
    const untilWarning = deadline - warnMs - Date.now();
    if (untilWarning > 0) {
      close();
      wait(untilWarning, check);
      return;
    }
    open();
    wait(Math.min(RECHECK_WHILE_OPEN_MS, deadline - Date.now()), check);
  }

  async function check() {
    try {
      const response = await fetch(statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.redirected) {
        // Sent on to sign in (the absolute limit ended the session on the way).
        signedOut();
        return;
      }
      if (!response.ok) throw new Error(`status ${response.status}`);
      follow(await response.json());
    } catch {
      // The server could not be asked: never sign out on a guess; ask again soon.
      wait(Math.min(RETRY_MS, Math.max(1000, deadline - Date.now())), check);
    }
  }

  async function stay() {
    try {
      const response = await fetch(keepAliveForm.action, {
        method: "POST",
        body: new FormData(keepAliveForm),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.status === 401) {
        signedOut();
        return;
      }
      if (!response.ok) throw new Error(`status ${response.status}`);
      const status = await response.json();
      close();
      follow(status);
      if (channel) channel.postMessage("extended");
    } catch {
      // Without an answer, the plain form does the same (and comes back here).
      keepAliveForm.submit();
    }
  }

  keepAliveForm.addEventListener("submit", (event) => {
    event.preventDefault();
    stay();
  });
  dialog.addEventListener("cancel", (event) => {
    // Escape: as "Stay signed in" (or, when that is no longer possible, just close).
    event.preventDefault();
    if (canExtend) {
      stay();
    } else {
      dismissed = true;
      close();
    }
  });
  if (channel) channel.addEventListener("message", () => check());
  document.addEventListener("visibilitychange", () => {
    // Timers in hidden tabs run late: catch up with the server on coming back.
    if (document.visibilityState === "visible") check();
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) check();
  });

  follow({
    signed_in: true,
    seconds_left: Number(dialog.dataset.secondsLeft),
    warn_seconds: Number(dialog.dataset.warnSeconds),
  });
}
