// The phone app on the page (ADR 0033): registers the service worker; on My caseload keeps the
// caseload on the phone (encrypted) and sends contacts waiting there; without a signal draws
// My caseload from what the phone keeps and queues the contacts logged; and on signing out
// clears what the phone keeps, after saying what stays.
import { fromBase64Url, importWrappingKey, newDataKey, unwrapDataKey } from "./crypto.js";
import { flush, KINDS, SYNC_TAG, webLock } from "./outbox.js";
import {
  clearCaseloads,
  counts,
  deleteExpired,
  entries,
  forgetUser,
  getWrappedKey,
  loadCaseload,
  openStore,
  putWrappedKey,
  queue,
  remove,
  saveCaseload,
} from "./store.js";
import { appointmentsList, attendedAnswers, caseloadRow, contactForm, queueList } from "./view.js";

const meta = document.querySelector('meta[name="smd-offline"]');
const config = meta ? { ...meta.dataset } : null;
const CONTACT_NEW = /\/people\/([0-9a-f-]{36})\/contacts\/new\//;
const APPOINTMENT_ATTENDED = /\/appointments\/([0-9a-f-]{36})\/attended\//;

function worker() {
  return navigator.serviceWorker.controller;
}

// Ask the service worker something; null when there is none or it does not answer.
function askWorker(message, transfer = []) {
  const target = worker();
  if (!target) return Promise.resolve(null);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    target.postMessage(message, [channel.port2, ...transfer]);
    setTimeout(() => resolve(null), 3000);
  });
}

function staticFiles() {
  const urls = performance.getEntriesByType("resource").map((entry) => entry.name);
  for (const node of document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]")) {
    urls.push(node.href || node.src);
  }
  return [...new Set(urls)];
}

// The key to what the phone keeps: from the service worker's memory, or else (with a signal)
// by unwrapping the phone's data key with the user's key from the server. null when locked.
async function unlock(db) {
  const held = await askWorker({ type: "give", user: config.user });
  if (held) return held;
  if (!navigator.onLine) return null;
  let response;
  try {
    response = await fetch(config.key, { credentials: "same-origin", redirect: "manual" });
  } catch {
    return null;
  }
  if (!response.ok) {
    // Signed out, or the key refused: nothing of the caseload may stay.
    await clearCaseloads(db);
    return null;
  }
  const answer = await response.json();
  const wrappingKey = await importWrappingKey(fromBase64Url(answer.key));
  let key = null;
  const box = await getWrappedKey(db, answer.user);
  if (box) {
    // A data key wrapped by a key the server no longer has can never be opened: drop what it kept.
    key = await unwrapDataKey(box, wrappingKey).catch(() => null);
    if (!key) await forgetUser(db, answer.user);
  }
  if (!key) {
    const fresh = await newDataKey(wrappingKey);
    await putWrappedKey(db, answer.user, fresh.box);
    key = fresh.key;
  }
  const session = {
    user: answer.user,
    key,
    csrf: answer.csrf,
    sendUrl: answer.send_url,
    attendedUrl: answer.attended_url,
    notAttendedUrl: answer.not_attended_url,
    hours: answer.hours,
  };
  await askWorker({ type: "hold", ...session, files: staticFiles() });
  return session;
}

async function send(db, session) {
  if (!navigator.onLine) return null;
  return flush({ db, ...session, lock: webLock() });
}

async function askForSync() {
  const registration = await navigator.serviceWorker.ready;
  await registration.sync?.register(SYNC_TAG).catch(() => null);
}

function announce(text) {
  const status = document.getElementById("page-status") || document.getElementById("offline-live");
  if (status) status.textContent = text;
}

function formEntry(form, person) {
  const fields = [...new FormData(form)].filter(([name]) => name !== "csrfmiddlewaretoken");
  return {
    id: form.elements.submission_key.value,
    person: person.id,
    name: person.name,
    short_name: person.short_name,
    fields: fields.map(([name, value]) => [name, String(value)]),
  };
}

// --- My caseload with a signal ------------------------------------------------------------------

async function onlineCaseload(db, session) {
  try {
    const response = await fetch(config.data, { credentials: "same-origin", redirect: "manual" });
    if (response.ok) {
      await saveCaseload(db, session.user, session.key, await response.json(), { hours: session.hours });
    }
  } catch {
    // No signal after all: the copy kept earlier stays as it was.
  }
  const showQueue = async () => {
    const list = await entries(db, session.user, session.key);
    let section = document.getElementById("offline-queue");
    if (!list.length) {
      section?.remove();
      return;
    }
    if (!section) {
      section = document.createElement("section");
      section.id = "offline-queue";
      section.setAttribute("aria-labelledby", "offline-queue-title");
      section.innerHTML = '<h2 class="h4" id="offline-queue-title">Not sent yet</h2><ul class="list-unstyled"></ul>';
      document.querySelector("main h1").after(section);
    }
    section.querySelector("ul").replaceChildren(
      ...queueList(list, {
        withWaiting: true,
        resend: async (entry) => {
          if (entry.kind !== KINDS.notAttended) {
            location.assign(`${config.shell}#resend-${entry.id}`);
            return;
          }
          const { state, created, refusal, ...content } = entry;
          await queue(db, session.user, session.key, content);
          await sendAndShow();
        },
        discard: async (entry) => {
          await remove(db, entry.id);
          await showQueue();
        },
      }),
    );
  };
  // The rows of people a contact was just recorded for, fetched again in place (htmx), unless
  // a contact is being typed in one.
  const refreshRows = (people = []) => {
    for (const id of new Set(people)) {
      const target = `#row-${id.replace(/-/g, "")}`;
      const row = document.querySelector(target);
      if (row && !row.querySelector("form.contact-form") && window.htmx) {
        window.htmx.ajax("GET", `${config.caseload}?row=${id}`, { target, swap: "outerHTML" });
      }
    }
  };
  const sendAndShow = async () => {
    const result = await send(db, session);
    await showQueue();
    refreshRows(result?.people);
    return result;
  };
  await sendAndShow();
  window.addEventListener("online", sendAndShow);
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type !== "outbox") return;
    showQueue();
    refreshRows(event.data.result?.people);
  });

  // No signal (or a request that never arrived): a contact typed is queued with its one-time
  // key, and My caseload is drawn from the phone.
  const takeOver = async (event) => {
    const { elt, requestConfig } = event.detail;
    const match = CONTACT_NEW.exec(requestConfig?.path || "");
    if (!match) return false;
    if (requestConfig.verb === "post" && elt.tagName === "FORM") {
      const snapshot = await loadCaseload(db, session.user, session.key);
      const person = snapshot?.people.find((p) => p.id === match[1]) || {
        id: match[1],
        name: elt.closest(".caseload-row")?.querySelector("h2")?.textContent.trim() || "",
      };
      await queue(db, session.user, session.key, formEntry(elt, person));
      await askForSync();
      location.hash = "";
    } else {
      location.hash = `log-${match[1]}`;
    }
    location.reload();
    return true;
  };
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (!navigator.onLine && CONTACT_NEW.test(event.detail.requestConfig?.path || "")) {
      event.preventDefault();
      takeOver(event);
    }
  });
  document.body.addEventListener("htmx:sendError", takeOver);
  // "It happened: log contact" without a signal: the appointment's form on the kept caseload.
  document.body.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href]");
    const match = link && APPOINTMENT_ATTENDED.exec(link.getAttribute("href"));
    if (!match || navigator.onLine) return;
    event.preventDefault();
    // Reloaded without a signal, My caseload is the kept frame, which opens this form.
    location.hash = `attend-${match[1]}`;
    location.reload();
  });
  // Say so when the signal goes, before anyone types something that cannot be sent.
  const banner = document.createElement("div");
  banner.className = "alert alert-warning";
  banner.id = "no-signal";
  banner.textContent =
    "No signal. Contacts you log now wait on this phone and are sent by themselves when it returns.";
  const signal = () => {
    if (navigator.onLine) banner.remove();
    else document.querySelector("main h1").after(banner);
  };
  window.addEventListener("offline", signal);
  window.addEventListener("online", signal);
  signal();
}

// --- My caseload without a signal ---------------------------------------------------------------

async function offlineCaseload(app, db, session) {
  const status = document.getElementById("offline-status");
  const rows = document.getElementById("offline-rows");
  const queueSection = document.getElementById("offline-queue");
  const unsentList = document.getElementById("offline-unsent");
  const template = document.getElementById("offline-contact-form");
  const appointmentsSection = document.getElementById("offline-appointments");
  const appointmentsBody = document.getElementById("offline-appointments-list");
  if (!session) {
    const { waiting, unsent } = await counts(db, config.user);
    status.textContent =
      "Your caseload is locked on this phone: it opens again once you have a signal and sign in." +
      (waiting + unsent ? ` ${waiting + unsent} contact(s) wait on this phone, encrypted, to be sent then.` : "");
    // With the signal back, My caseload from the server opens it again and sends what waits.
    const again = document.createElement("a");
    again.href = config.caseload;
    again.className = "alert-link d-block mt-2";
    again.textContent = "Open My caseload again";
    status.append(again);
    return;
  }
  const snapshot = await loadCaseload(db, session.user, session.key);
  let open = null; // the form being typed in, if any

  const closeForm = () => {
    open?.remove();
    open = null;
  };
  // `appointment`: the form logs that appointment, attended, as the contact.
  const showForm = (person, container, entry = null, appointment = null) => {
    closeForm();
    const extra = appointment
      ? { kind: KINDS.attended, appointment: appointment.id, when: appointment.starts_at }
      : entry?.kind === KINDS.attended
        ? { kind: entry.kind, appointment: entry.appointment, when: entry.when }
        : {};
    open = contactForm(template, person, {
      entry,
      prefill: appointment ? attendedAnswers(appointment) : null,
      when: extra.when || null,
      submit: async (form) => {
        const sending = { ...formEntry(form, person), ...extra };
        await queue(db, session.user, session.key, sending);
        closeForm();
        await askForSync();
        await render();
        announce(`Contact with ${person.name} waiting to send.`);
        await send(db, session);
        // Sent (here, or by the service worker's sync, which may win the lock) and opened from
        // the unsent list: back to My caseload, where it shows on its row.
        const sent = !(await entries(db, session.user, session.key)).some((e) => e.id === sending.id);
        if (sent && navigator.onLine && location.pathname !== config.caseload) {
          location.assign(config.caseload);
          return;
        }
        await render();
      },
      cancel: async () => {
        closeForm();
        await render();
      },
    });
    open.dataset.place = entry
      ? `entry-${entry.id}`
      : appointment
        ? `appointment-${appointment.id}`
        : `person-${person.id}`;
    container.append(open);
    (open.querySelector(".alert") || open.querySelector("input[name=kind]"))?.focus();
  };
  // Where an open form sits once the lists are drawn again (it is moved, never redrawn).
  const placeOf = (place) => {
    const [kind, id] = [place.slice(0, place.indexOf("-")), place.slice(place.indexOf("-") + 1)];
    if (kind === "person") return document.getElementById(`row-${id.replace(/-/g, "")}`)?.querySelector(".card-body");
    if (kind === "appointment") return document.getElementById(`appointment-${id.replace(/-/g, "")}`);
    return unsentList.querySelector(`[data-entry="${id}"] .card-body`);
  };

  // "Did not attend", queued with a one-time key of its own (the server answers a repeat as
  // recorded).
  const missed = async (appointment, person) => {
    await queue(db, session.user, session.key, {
      id: crypto.randomUUID(),
      kind: KINDS.notAttended,
      appointment: appointment.id,
      when: appointment.starts_at,
      person: appointment.person,
      name: person?.name || "",
      short_name: person?.short_name || "",
      fields: [],
    });
    await askForSync();
    await render();
    announce(`“Did not attend” for ${person?.name || "the appointment"} waiting to send.`);
    await send(db, session);
    await render();
  };
  const sendAgain = async (entry) => {
    const { state, created, refusal, ...content } = entry;
    await queue(db, session.user, session.key, content);
    await askForSync();
    await render();
    await send(db, session);
    await render();
  };

  async function render() {
    open?.remove(); // kept as it is, typing and all, and put back below
    const list = await entries(db, session.user, session.key);
    const unsent = list.filter((entry) => entry.state === "unsent");
    queueSection.hidden = unsent.length === 0;
    unsentList.replaceChildren(
      ...queueList(unsent, {
        withWaiting: false,
        resend: (entry, container) =>
          entry.kind === KINDS.notAttended
            ? sendAgain(entry)
            : showForm({ id: entry.person, name: entry.name, short_name: entry.short_name }, container, entry),
        discard: async (entry) => {
          await remove(db, entry.id);
          await render();
          announce(`Contact with ${entry.name} discarded.`);
        },
      }),
    );
    if (!snapshot) {
      status.textContent = `No caseload is kept on this phone: it is kept for ${session.hours} hours after it was last loaded with a signal.`;
      rows.replaceChildren();
      appointmentsSection.hidden = true;
      if (open) placeOf(open.dataset.place)?.append(open);
      return;
    }
    const waitingFor = (id) =>
      list.filter((entry) => entry.state === "waiting" && !entry.kind && entry.person === id);
    const waitingAppointment = (id) =>
      list.find((entry) => entry.state === "waiting" && entry.appointment === id);
    const personOf = (appointment) => snapshot.people.find((p) => p.id === appointment.person);
    appointmentsSection.hidden = false;
    appointmentsBody.replaceChildren(
      ...appointmentsList(snapshot.appointments || [], snapshot.people, waitingAppointment, {
        onAttend: (appointment, line) => showForm(personOf(appointment), line, null, appointment),
        onMissed: (appointment) => missed(appointment, personOf(appointment)),
      }),
    );
    rows.replaceChildren(
      ...snapshot.people.map((person) =>
        caseloadRow(person, waitingFor(person.id), { onLog: (p, row) => showForm(p, row.querySelector(".card-body")) }),
      ),
    );
    const saved = new Date(snapshot.saved_at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
    status.textContent = navigator.onLine
      ? `Your caseload as kept on this phone (loaded ${saved}).`
      : `You are offline. Your caseload as last loaded (${saved}). Contacts you log wait on this phone and are sent by themselves when the signal returns.`;
    if (open) {
      const place = placeOf(open.dataset.place);
      if (place) place.append(open);
      else open = null; // its person or entry is gone
    }
  }

  await render();
  const wanted = /^#(log|resend|attend)-([0-9a-f-]{36})$/.exec(location.hash);
  // Asked for once: a reload shows the caseload, not the form again.
  if (wanted) history.replaceState(null, "", location.pathname + location.search);
  if (wanted && wanted[1] === "attend" && snapshot) {
    const appointment = (snapshot.appointments || []).find((a) => a.id === wanted[2]);
    const line = appointment && document.getElementById(`appointment-${appointment.id.replace(/-/g, "")}`);
    const person = appointment && snapshot.people.find((p) => p.id === appointment.person);
    if (line && person) showForm(person, line, null, appointment);
  } else if (wanted && wanted[1] === "log" && snapshot) {
    const person = snapshot.people.find((p) => p.id === wanted[2]);
    const row = person && document.getElementById(`row-${person.id.replace(/-/g, "")}`);
    if (row) showForm(person, row.querySelector(".card-body"));
  } else if (wanted) {
    const entry = (await entries(db, session.user, session.key)).find((e) => e.id === wanted[2]);
    const item = entry && unsentList.querySelector(`[data-entry="${entry.id}"] .card-body`);
    if (item && entry.kind !== KINDS.notAttended) {
      showForm({ id: entry.person, name: entry.name, short_name: entry.short_name }, item, entry);
    }
  }
  const back = async () => {
    const result = await send(db, session);
    // The signal is back: the real page, with what was just recorded on its rows.
    if (result && !open && result.stopped === null && location.pathname === config.caseload) {
      location.replace(config.caseload);
      return;
    }
    await render();
  };
  window.addEventListener("online", back);
  // Kept past its hours while the app stays open: gone from the phone and from the screen
  // (once no contact is being typed, whose words a reload would lose).
  if (snapshot) {
    setInterval(async () => {
      if (!open && !(await loadCaseload(db, session.user, session.key))) location.reload();
    }, 60_000);
  }
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "outbox") render();
  });
}

// --- signing out --------------------------------------------------------------------------------

function watchSignOut() {
  const form = document.getElementById("sign-out");
  if (!form) return;
  let warned = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const db = await openStore();
    const { waiting, unsent } = await counts(db, config.user);
    if (waiting + unsent > 0 && !warned) {
      warned = true;
      const warning = document.createElement("div");
      warning.className = "alert alert-warning";
      warning.setAttribute("role", "alert");
      warning.id = "sign-out-warning";
      const text = document.createElement("p");
      text.textContent =
        `${waiting + unsent} contact(s) you logged have not been sent. They stay on this phone, ` +
        "encrypted, until you sign in again here and they are sent or you discard them. Nobody " +
        "can read them without signing in as you.";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-warning";
      button.textContent = "Sign out anyway";
      button.addEventListener("click", () => form.requestSubmit());
      warning.append(text, button);
      document.querySelector("main").prepend(warning);
      button.focus();
      return;
    }
    await clearCaseloads(db);
    await askWorker({ type: "forget" });
    for (const name of await caches.keys()) await caches.delete(name);
    form.submit();
  });
}

async function start() {
  await navigator.serviceWorker.register("/sw.js", { type: "module", updateViaCache: "none" });
  watchSignOut();
  const app = document.getElementById("offline-app");
  if (!app && location.pathname !== config.caseload) return;
  if (!worker()) {
    // The first visit: the worker takes over once active (clients.claim).
    await new Promise((resolve) => {
      navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true });
      setTimeout(resolve, 5000);
    });
  }
  const db = await openStore();
  await deleteExpired(db);
  const session = await unlock(db);
  if (app) await offlineCaseload(app, db, session);
  else if (session) await onlineCaseload(db, session);
  if (session) setInterval(() => askWorker({ type: "ping" }), 20000); // keeps the worker, and its key, while open
  document.documentElement.dataset.offlineReady = "true";
}

if (config && "serviceWorker" in navigator && window.isSecureContext) {
  start();
}
