// node --test: what the phone keeps, in IndexedDB (static/js/offline/store.js), on
// fake-indexeddb's implementation of the standard.
import "fake-indexeddb/auto";

import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { importWrappingKey, newDataKey } from "../../static/js/offline/crypto.js";
import {
  clearCaseloads,
  counts,
  deleteExpired,
  entries,
  forgetUser,
  loadCaseload,
  markUnsent,
  openStore,
  queue,
  remove,
  saveCaseload,
} from "../../static/js/offline/store.js";

const HOUR = 3600 * 1000;
const snapshot = { saved_at: "2026-12-04T09:00:00Z", people: [{ id: "p1", name: "Margaret Kelly" }] };
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

function rawRows(storeName) {
  return new Promise((resolve) => {
    const request = db.transaction(storeName).objectStore(storeName).getAll();
    request.onsuccess = () => resolve(request.result);
  });
}

const entry = (id, summary = "Met at the hostel") => ({
  id,
  person: "p1",
  name: "Margaret Kelly",
  fields: [["submission_key", id], ["summary", summary]],
});

test("the caseload kept opens with the key, and is stored encrypted", async () => {
  await saveCaseload(db, "u1", key, snapshot, { now: 0, hours: 12 });
  assert.deepEqual(await loadCaseload(db, "u1", key, 1), snapshot);
  const stored = JSON.stringify(await rawRows("caseload"), (k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v));
  assert.ok(!stored.includes("Margaret"));
});

test("a caseload kept longer than the hours allowed is gone", async () => {
  await saveCaseload(db, "u1", key, snapshot, { now: 0, hours: 12 });
  assert.deepEqual(await loadCaseload(db, "u1", key, 12 * HOUR - 1), snapshot);
  assert.equal(await loadCaseload(db, "u1", key, 12 * HOUR), null);
  assert.equal((await rawRows("caseload")).length, 0);
});

test("expired caseloads of every user are deleted without a key", async () => {
  await saveCaseload(db, "u1", key, snapshot, { now: 0, hours: 1 });
  await saveCaseload(db, "u2", key, snapshot, { now: 0, hours: 12 });
  assert.equal(await deleteExpired(db, 2 * HOUR), 1);
  assert.deepEqual((await rawRows("caseload")).map((row) => row.user), ["u2"]);
});

test("signing out clears the caseloads and keeps the queued contacts", async () => {
  await saveCaseload(db, "u1", key, snapshot, { now: 0, hours: 12 });
  await queue(db, "u1", key, entry("k1"));
  await clearCaseloads(db);
  assert.equal((await rawRows("caseload")).length, 0);
  assert.deepEqual((await entries(db, "u1", key)).map((e) => e.id), ["k1"]);
});

test("a queued contact waits, encrypted, under its submission key", async () => {
  await queue(db, "u1", key, entry("k1", "Talked about her tenancy"), 5);
  const [row] = await rawRows("outbox");
  assert.equal(row.id, "k1");
  assert.equal(row.state, "waiting");
  assert.ok(!JSON.stringify(row).includes("tenancy"));
  const [back] = await entries(db, "u1", key);
  assert.equal(back.name, "Margaret Kelly");
  assert.deepEqual(back.fields, [["submission_key", "k1"], ["summary", "Talked about her tenancy"]]);
});

test("a refused contact keeps its text beside the reason, as unsent", async () => {
  await queue(db, "u1", key, entry("k1", "Talked about her tenancy"));
  await markUnsent(db, key, "k1", { message: "No longer on your caseload", errors: {} });
  const [back] = await entries(db, "u1", key);
  assert.equal(back.state, "unsent");
  assert.equal(back.refusal.message, "No longer on your caseload");
  assert.deepEqual(back.fields[1], ["summary", "Talked about her tenancy"]);
  assert.deepEqual(await counts(db, "u1"), { waiting: 0, unsent: 1 });
});

test("queueing the same key again replaces the entry (sent again after a change)", async () => {
  await queue(db, "u1", key, entry("k1", "First words"));
  await markUnsent(db, key, "k1", { message: "Invalid", errors: {} });
  await queue(db, "u1", key, entry("k1", "Corrected words"));
  const list = await entries(db, "u1", key);
  assert.equal(list.length, 1);
  assert.equal(list[0].state, "waiting");
});

test("each user sees only their own entries, oldest first; discard removes one", async () => {
  await queue(db, "u1", key, entry("k2"), 20);
  await queue(db, "u1", key, entry("k1"), 10);
  await queue(db, "u2", key, entry("k3"), 5);
  assert.deepEqual((await entries(db, "u1", key)).map((e) => e.id), ["k1", "k2"]);
  await remove(db, "k1");
  assert.deepEqual((await entries(db, "u1", key)).map((e) => e.id), ["k2"]);
});

test("forgetting a user drops their key, caseload and entries, nobody else's", async () => {
  await saveCaseload(db, "u1", key, snapshot, { now: 0, hours: 12 });
  await queue(db, "u1", key, entry("k1"));
  await queue(db, "u2", key, entry("k2"));
  await forgetUser(db, "u1");
  assert.equal((await rawRows("caseload")).length, 0);
  assert.deepEqual((await rawRows("outbox")).map((row) => row.id), ["k2"]);
});

test("a caseload is never kept without a limit", async () => {
  await assert.rejects(saveCaseload(db, "u1", key, snapshot, { now: 0 }), RangeError);
  assert.equal((await rawRows("caseload")).length, 0);
});
