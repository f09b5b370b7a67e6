// node --test: what the service worker answers (static/js/offline/sw-logic.js), with a small
// stand-in for the browser's Cache Storage.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  answerNavigation,
  answerStatic,
  CACHE,
  clearCaches,
  prepare,
  routeFor,
} from "../../static/js/offline/sw-logic.js";

const ORIGIN = "https://smd.example";
const paths = {
  caseload: "/people/caseload/",
  signIn: "/accounts/login/",
  shell: "/offline/caseload/",
  offline: "/offline/",
  static: "/static/",
};

function fakeCaches() {
  const stores = new Map();
  const keyOf = (request) => new URL(typeof request === "string" ? request : request.url, ORIGIN).href;
  const open = async (name) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name);
    return {
      put: async (request, response) => store.set(keyOf(request), response),
      add: async (url) => store.set(keyOf(url), new Response(`kept ${url}`)),
    };
  };
  return {
    stores,
    open,
    keys: async () => [...stores.keys()],
    delete: async (name) => stores.delete(name),
    match: async (request) => {
      for (const store of stores.values()) {
        const hit = store.get(keyOf(request));
        if (hit) return hit.clone();
      }
      return undefined;
    },
  };
}

const page = (path) => ({ url: ORIGIN + path, method: "GET", mode: "navigate" });
const noNetwork = async () => {
  throw new TypeError("Failed to fetch");
};

test("pages, static files and nothing else are the worker's", () => {
  assert.equal(routeFor(page("/people/123/"), paths, ORIGIN), "navigate");
  assert.equal(routeFor({ url: `${ORIGIN}/static/css/smd.css`, method: "GET", mode: "cors" }, paths, ORIGIN), "static");
  // Data, fragments and posts always go to the network, never a cache.
  assert.equal(routeFor({ url: `${ORIGIN}/offline/caseload.json`, method: "GET", mode: "cors" }, paths, ORIGIN), null);
  assert.equal(routeFor({ url: `${ORIGIN}/people/1/contacts/new/`, method: "POST", mode: "navigate" }, paths, ORIGIN), null);
  assert.equal(routeFor({ url: "https://elsewhere.example/static/x.js", method: "GET", mode: "cors" }, paths, ORIGIN), null);
});

test("with a signal a page comes from the network and nothing is kept", async () => {
  const caches = fakeCaches();
  const response = await answerNavigation(page("/people/123/"), {
    paths,
    caches,
    fetch: async () => new Response("the person page"),
    signedOut: async () => assert.fail("not signed out"),
  });
  assert.equal(await response.text(), "the person page");
  assert.deepEqual(await caches.keys(), []);
});

test("without a signal My caseload is its kept frame and other pages say offline", async () => {
  const caches = fakeCaches();
  await prepare({ caches, paths, files: [] });
  const deps = { paths, caches, fetch: noNetwork, signedOut: async () => {} };
  const caseload = await answerNavigation(page("/people/caseload/"), deps);
  assert.equal(await caseload.text(), "kept /offline/caseload/");
  const person = await answerNavigation(page("/people/123/"), deps);
  assert.equal(await person.text(), "kept /offline/");
});

test("without a signal and nothing kept, the browser's own error stands", async () => {
  const deps = { paths, caches: fakeCaches(), fetch: noNetwork, signedOut: async () => {} };
  await assert.rejects(answerNavigation(page("/people/caseload/"), deps), TypeError);
});

test("going to the sign-in page (signed out or timed out) drops what is kept first", async () => {
  const caches = fakeCaches();
  await prepare({ caches, paths, files: [] });
  const order = [];
  await answerNavigation(page("/accounts/login/"), {
    paths,
    caches,
    fetch: async () => {
      order.push("fetched");
      return new Response("sign in");
    },
    signedOut: async () => {
      order.push("dropped");
      await clearCaches(caches);
    },
  });
  assert.deepEqual(order, ["dropped", "fetched"]);
  assert.deepEqual(await caches.keys(), []);
});

test("static files are kept only while someone is signed in", async () => {
  const caches = fakeCaches();
  const request = { url: `${ORIGIN}/static/css/smd.css` };
  const fetch = async () => new Response("css");
  await answerStatic(request, { caches, fetch, keep: false });
  assert.equal(await caches.match(request), undefined);
  await answerStatic(request, { caches, fetch, keep: true });
  assert.equal(await (await caches.match(request)).text(), "css");
  // Then served from the phone, without a signal.
  const again = await answerStatic(request, { caches, fetch: noNetwork, keep: true });
  assert.equal(await again.text(), "css");
});

test("preparing keeps the two frames and only static files", async () => {
  const caches = fakeCaches();
  await prepare({
    caches,
    paths,
    files: [`${ORIGIN}/static/js/offline/page.js`, `${ORIGIN}/offline/caseload.json`],
  });
  const kept = [...caches.stores.get(CACHE).keys()].map((url) => new URL(url).pathname);
  assert.deepEqual(kept.sort(), ["/offline/", "/offline/caseload/", "/static/js/offline/page.js"]);
});
