// node --test: sending the queued contacts (static/js/offline/outbox.js) against a fake server
// that records a contact once per submission key, as the app does (ADR 0024).
import "fake-indexeddb/auto";

import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { importWrappingKey, newDataKey } from "../../static/js/offline/crypto.js";
import { classify, flush, sendUrlFor } from "../../static/js/offline/outbox.js";
import { entries, openStore, queue } from "../../static/js/offline/store.js";

const SEND = "/offline/people/00000000-0000-0000-0000-000000000000/contacts/";
let db;
let key;

beforeEach(async () => {
  db?.close();
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase("smd-offline");
    request.onsuccess = request.onerror = resolve;
  });
  db = await openStore();
  ({ key } = await newDataKey(await importWrappingKey(crypto.getRandomValues(new Uint8Array(32)))));
});

const json = (status, body) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

// Records one contact per key; refuses people listed in `gone`; counts every request.
function fakeServer({ gone = new Set() } = {}) {
  const recorded = new Map();
  const requests = [];
  const fetch = async (url, options) => {
    const body = new URLSearchParams(options.body);
    requests.push({ url, body, headers: options.headers });
    const person = url.split("/")[3];
    if (gone.has(person)) {
      return json(409, { status: "refused", message: "No longer on your caseload.", errors: {} });
    }
    if (!body.get("summary")) {
      return json(422, { status: "refused", message: "Put right what is listed.", errors: { summary: ["Write a few words."] } });
    }
    const repeat = recorded.has(body.get("submission_key"));
    recorded.set(body.get("submission_key"), body.get("summary"));
    return json(repeat ? 200 : 201, { status: "recorded", repeat });
  };
  return { fetch, recorded, requests };
}

const entry = (id, person = "p1", summary = "Met at the hostel") => ({
  id,
  person,
  name: "Margaret Kelly",
  fields: [["submission_key", id], ["summary", summary]],
});

test("waiting contacts are sent with their key and the security token, then deleted", async () => {
  const server = fakeServer();
  await queue(db, "u1", key, entry("k1"));
  await queue(db, "u1", key, entry("k2"));
  const result = await flush({ db, user: "u1", key, csrf: "tok", sendUrl: SEND, fetch: server.fetch });
  assert.deepEqual(result, { recorded: 2, refused: 0, stopped: null, people: ["p1", "p1"] });
  assert.deepEqual([...server.recorded.keys()], ["k1", "k2"]);
  assert.equal(server.requests[0].url, "/offline/people/p1/contacts/");
  assert.equal(server.requests[0].headers["X-CSRFToken"], "tok");
  assert.deepEqual(await entries(db, "u1", key), []);
});

test("two sends at once (page and service worker) record each contact once", async () => {
  const server = fakeServer();
  await queue(db, "u1", key, entry("k1"));
  let chain = Promise.resolve();
  const lock = (work) => (chain = chain.then(work));
  const args = { db, user: "u1", key, csrf: "t", sendUrl: SEND, fetch: server.fetch, lock };
  await Promise.all([flush(args), flush(args)]);
  assert.equal(server.requests.length, 1);
  assert.equal(server.recorded.size, 1);
});

test("a contact sent again after its answer was lost is recorded once", async () => {
  const server = fakeServer();
  let lose = true;
  const lossy = async (url, options) => {
    const response = await server.fetch(url, options);
    if (lose) {
      lose = false;
      throw new TypeError("Failed to fetch"); // recorded, but the answer never came back
    }
    return response;
  };
  await queue(db, "u1", key, entry("k1"));
  const first = await flush({ db, user: "u1", key, csrf: "t", sendUrl: SEND, fetch: lossy });
  assert.equal(first.stopped, "offline");
  assert.equal((await entries(db, "u1", key)).length, 1);
  const second = await flush({ db, user: "u1", key, csrf: "t", sendUrl: SEND, fetch: lossy });
  assert.equal(second.recorded, 1);
  assert.equal(server.recorded.size, 1);
  assert.equal(server.requests.length, 2);
});

test("a refused contact stays as unsent with the reason, and the rest are still sent", async () => {
  const server = fakeServer({ gone: new Set(["p2"]) });
  await queue(db, "u1", key, entry("k1", "p2", "Handed over meanwhile"), 1);
  await queue(db, "u1", key, entry("k2", "p1", ""), 2);
  await queue(db, "u1", key, entry("k3", "p1"), 3);
  const result = await flush({ db, user: "u1", key, csrf: "t", sendUrl: SEND, fetch: server.fetch });
  assert.deepEqual(result, { recorded: 1, refused: 2, stopped: null, people: ["p1"] });
  const [handedOver, empty] = await entries(db, "u1", key);
  assert.equal(handedOver.state, "unsent");
  assert.equal(handedOver.refusal.message, "No longer on your caseload.");
  assert.deepEqual(handedOver.fields[1], ["summary", "Handed over meanwhile"]);
  assert.deepEqual(empty.refusal.errors, { summary: ["Write a few words."] });
});

test("unsent entries are not sent again by themselves", async () => {
  const server = fakeServer({ gone: new Set(["p2"]) });
  await queue(db, "u1", key, entry("k1", "p2"));
  await flush({ db, user: "u1", key, csrf: "t", sendUrl: SEND, fetch: server.fetch });
  await flush({ db, user: "u1", key, csrf: "t", sendUrl: SEND, fetch: server.fetch });
  assert.equal(server.requests.length, 1);
});

test("no signal, a lost session or a server error keep the entry waiting", async () => {
  await queue(db, "u1", key, entry("k1"));
  const args = { db, user: "u1", key, csrf: "t", sendUrl: SEND };
  const offline = await flush({ ...args, fetch: async () => { throw new TypeError("offline"); } });
  assert.equal(offline.stopped, "offline");
  const signedOut = await flush({ ...args, fetch: async () => Response.redirect("http://x/accounts/login/", 302) });
  assert.equal(signedOut.stopped, "sign-in");
  const broken = await flush({ ...args, fetch: async () => new Response("oops", { status: 500 }) });
  assert.equal(broken.stopped, "later");
  const [still] = await entries(db, "u1", key);
  assert.equal(still.state, "waiting");
});

test("an answer is a refusal only when the app says so", async () => {
  assert.equal((await classify(new Response("<html>CSRF</html>", { status: 403 }))).outcome, "sign-in");
  assert.equal((await classify(json(403, { status: "refused", message: "No." }))).outcome, "refused");
  assert.equal((await classify(json(201, { status: "recorded" }))).outcome, "recorded");
  assert.equal((await classify(new Response("", { status: 502 }))).outcome, "later");
});

test("the address names the person", () => {
  assert.equal(sendUrlFor(SEND, "abc"), "/offline/people/abc/contacts/");
});
