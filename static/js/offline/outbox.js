// Sending the contacts (and appointments attended or not) queued on the phone. The page (on `online` and on opening) and the
// service worker (Background Sync) both call `flush`; a lock lets one run at a time, and each
// entry carries its one-time submission key, so even two sends of it record one contact.
import { entries, markUnsent, remove } from "./store.js";

export const SYNC_TAG = "smd-outbox";

// What an answer means for the entry: "recorded" (delete it), "refused" (keep it as unsent,
// with the reasons), "sign-in" (the session is gone: keep it, stop) or "later" (keep, stop).
export async function classify(response) {
  if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
    return { outcome: "sign-in" };
  }
  const json = (response.headers.get("Content-Type") || "").includes("application/json");
  const body = json ? await response.json().catch(() => null) : null;
  if (response.ok && body?.status === "recorded") return { outcome: "recorded" };
  if (body?.status === "refused") {
    return { outcome: "refused", refusal: { message: body.message, errors: body.errors || {} } };
  }
  // A refusal that is not the app's answer (an expired security token) asks for a new sign-in.
  if (response.status === 401 || response.status === 403) return { outcome: "sign-in" };
  return { outcome: "later" };
}

export function sendUrlFor(template, person) {
  return template.replace("00000000-0000-0000-0000-000000000000", person);
}

// Where an entry goes: a contact to its person's address; an appointment attended (with its
// contact) or not attended to the appointment's.
export const KINDS = { contact: "contact", attended: "attended", notAttended: "not-attended" };

// null when the address is not known (a service worker started before appointments were sent).
export function entryUrl(entry, { sendUrl, attendedUrl, notAttendedUrl }) {
  const [template, id] =
    entry.kind === KINDS.attended
      ? [attendedUrl, entry.appointment]
      : entry.kind === KINDS.notAttended
        ? [notAttendedUrl, entry.appointment]
        : [sendUrl, entry.person];
  return template && id ? sendUrlFor(template, id) : null;
}

// Send every waiting entry of `user`, oldest first. Returns {recorded, refused, stopped, people}: `stopped`
// says why sending stopped early ("offline", "sign-in", "later") or is null when all were
// tried; `people` are those a contact was recorded for.
export async function flush({
  db,
  user,
  key,
  csrf,
  sendUrl,
  attendedUrl,
  notAttendedUrl,
  fetch = globalThis.fetch,
  lock,
}) {
  const urls = { sendUrl, attendedUrl, notAttendedUrl };
  const work = async () => {
    const result = { recorded: 0, refused: 0, stopped: null, people: [] };
    for (const entry of await entries(db, user, key)) {
      if (entry.state !== "waiting") continue;
      const url = entryUrl(entry, urls);
      if (!url) {
        result.stopped = "later";
        break;
      }
      let response;
      try {
        response = await fetch(url, {
          method: "POST",
          body: new URLSearchParams(entry.fields),
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
          credentials: "same-origin",
          redirect: "manual",
        });
      } catch {
        result.stopped = "offline";
        break;
      }
      const { outcome, refusal } = await classify(response);
      if (outcome === "recorded") {
        await remove(db, entry.id);
        result.recorded += 1;
        result.people.push(entry.person);
      } else if (outcome === "refused") {
        await markUnsent(db, key, entry.id, refusal);
        result.refused += 1;
      } else {
        result.stopped = outcome;
        break;
      }
    }
    return result;
  };
  return lock ? lock(work) : work();
}

// One flush at a time across the page and the service worker, where the browser can.
export function webLock(locks = globalThis.navigator?.locks) {
  return locks ? (work) => locks.request(SYNC_TAG, work) : null;
}
