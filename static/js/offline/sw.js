// The service worker (ADR 0033), started by /sw.js with the app's addresses. It holds the
// user's unwrapped data key in memory only, given by the page after a full sign-in, so it can
// send queued contacts when the signal returns (Background Sync); it forgets it when signed
// out, and loses it whenever the browser stops it (the app closed).
import { flush, SYNC_TAG, webLock } from "./outbox.js";
import { clearCaseloads, openStore } from "./store.js";
import { answerNavigation, answerStatic, clearCaches, prepare, routeFor } from "./sw-logic.js";

let held = null; // {user, key, csrf, sendUrl, attendedUrl, notAttendedUrl, hours}

export function start(paths) {
  // Static files are kept only while someone is signed in on this phone (a key is held).
  const deps = () => ({ paths, caches, fetch: (r) => fetch(r), keep: held !== null });

  async function signedOut() {
    held = null;
    await clearCaches(caches);
    await clearCaseloads(await openStore());
  }

  async function tellPages(message) {
    for (const client of await self.clients.matchAll()) client.postMessage(message);
  }

  async function send() {
    if (!held) throw new Error("No key in memory: the page sends these once signed in.");
    const db = await openStore();
    const result = await flush({ db, ...held, lock: webLock() });
    await tellPages({ type: "outbox", result });
    if (result.stopped === "offline" || result.stopped === "later") {
      throw new Error("Not sent yet: the browser tries again later.");
    }
  }

  const answers = {
    async hold(data) {
      const { user, key, csrf, sendUrl, attendedUrl, notAttendedUrl, hours } = data;
      held = { user, key, csrf, sendUrl, attendedUrl, notAttendedUrl, hours };
      await prepare({ caches, paths, files: data.files || [] });
      return true;
    },
    give(data) {
      return held && held.user === data.user ? held : null;
    },
    async forget() {
      await signedOut();
      return true;
    },
    ping() {
      return true;
    },
  };

  self.addEventListener("install", () => self.skipWaiting());
  self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
  self.addEventListener("message", (event) => {
    const answer = answers[event.data?.type];
    if (!answer) return;
    event.waitUntil(
      Promise.resolve(answer(event.data)).then((value) => event.ports[0]?.postMessage(value)),
    );
  });
  self.addEventListener("sync", (event) => {
    if (event.tag === SYNC_TAG) event.waitUntil(send());
  });
  self.addEventListener("fetch", (event) => {
    const route = routeFor(event.request, paths, self.location.origin);
    if (route === "navigate") {
      event.respondWith(answerNavigation(event.request, { ...deps(), signedOut }));
    } else if (route === "static") {
      event.respondWith(answerStatic(event.request, deps()));
    }
  });
}
