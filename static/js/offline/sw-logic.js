// The service worker's decisions, apart from its event wiring so node's test runner can check
// them (ADR 0033). Only two kinds of thing are ever cached: the app's static files, and the
// two pages that hold nothing personal (My caseload's empty frame and "You are offline").
// Every other request goes to the network and is never stored.

export const CACHE = "smd-app-v1";

function pathOf(request) {
  return new URL(request.url).pathname;
}

// What to do with a request: "navigate" (a page), "static" (a static file), or null (the
// network's, untouched: JSON, htmx fragments, files, everything else).
export function routeFor(request, paths, origin) {
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== origin) return null;
  if (request.mode === "navigate") return "navigate";
  if (url.pathname.startsWith(paths.static)) return "static";
  return null;
}

// A page: from the network, always. Without one, My caseload's frame for My caseload (the
// page's script fills it from what the phone keeps), and "You are offline" for anything else.
// Going to the sign-in page means the session is gone (signed out, timed out, deactivated):
// `signedOut` drops everything kept for it before the page is fetched.
export async function answerNavigation(request, { paths, caches, fetch, signedOut }) {
  const path = pathOf(request);
  if (path === paths.signIn) await signedOut();
  try {
    return await fetch(request);
  } catch (error) {
    const kept = await caches.match(path === paths.caseload ? paths.shell : paths.offline);
    if (kept) return kept;
    throw error;
  }
}

// A static file: the kept copy when there is one, else the network's, kept for next time
// while someone is signed in (`keep`).
export async function answerStatic(request, { caches, fetch, keep = false }) {
  const kept = await caches.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (keep && response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

// After a full sign-in: keep the two frames and the static files the page was built from.
export async function prepare({ caches, paths, files }) {
  const cache = await caches.open(CACHE);
  const wanted = [paths.shell, paths.offline, ...files.filter((f) => pathOf({ url: f }).startsWith(paths.static))];
  await Promise.all(
    [...new Set(wanted)].map((url) =>
      cache.add(url).catch(() => null), // one missing file must not stop the rest
    ),
  );
}

export async function clearCaches(caches) {
  const names = await caches.keys();
  await Promise.all(names.map((name) => caches.delete(name)));
}
