// The phone's own storage (IndexedDB), all of it per user and all of it encrypted except the
// few plain fields needed to find and expire records (ADR 0033):
//   keys      {user, box}                       the data key, wrapped by the user's key
//   caseload  {user, expires, box}              My caseload as last loaded
//   outbox    {id, user, state, created, box}   contacts waiting to send, or refused ("unsent")
// `id` is the contact's one-time submission key, so a resend can never record twice.
import { seal, unseal } from "./crypto.js";

const NAME = "smd-offline";
const HOUR = 60 * 60 * 1000;

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function openStore(factory = globalThis.indexedDB) {
  const request = factory.open(NAME, 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    db.createObjectStore("keys", { keyPath: "user" });
    db.createObjectStore("caseload", { keyPath: "user" });
    db.createObjectStore("outbox", { keyPath: "id" }).createIndex("user", "user");
  };
  return done(request);
}

async function run(db, storeName, mode, work) {
  const transaction = db.transaction(storeName, mode);
  const finished = new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  const result = await work(transaction.objectStore(storeName));
  await finished;
  return result;
}

export const getWrappedKey = (db, user) =>
  run(db, "keys", "readonly", (store) => done(store.get(user))).then((row) => row?.box ?? null);

export const putWrappedKey = (db, user, box) =>
  run(db, "keys", "readwrite", (store) => done(store.put({ user, box })));

// Everything a user left, for when it can never be read again (their key was replaced).
export async function forgetUser(db, user) {
  await run(db, "keys", "readwrite", (store) => done(store.delete(user)));
  await run(db, "caseload", "readwrite", (store) => done(store.delete(user)));
  const ids = await run(db, "outbox", "readonly", (store) =>
    done(store.index("user").getAllKeys(user)),
  );
  await run(db, "outbox", "readwrite", (store) => Promise.all(ids.map((id) => done(store.delete(id)))));
}

export async function saveCaseload(db, user, key, snapshot, { now = Date.now(), hours }) {
  if (!(hours > 0)) throw new RangeError("How long to keep the caseload must be given.");
  const box = await seal(key, snapshot);
  const row = { user, expires: now + hours * HOUR, box };
  await run(db, "caseload", "readwrite", (store) => done(store.put(row)));
  return row;
}

// My caseload as last loaded, or null: none kept, or kept longer than allowed (then deleted).
export async function loadCaseload(db, user, key, now = Date.now()) {
  const row = await run(db, "caseload", "readonly", (store) => done(store.get(user)));
  if (!row) return null;
  if (row.expires <= now) {
    await run(db, "caseload", "readwrite", (store) => done(store.delete(user)));
    return null;
  }
  return unseal(key, row.box);
}

// Signing out, or the session found gone: every kept caseload goes. The outbox stays.
export const clearCaseloads = (db) => run(db, "caseload", "readwrite", (store) => done(store.clear()));

export const deleteExpired = async (db, now = Date.now()) => {
  const rows = await run(db, "caseload", "readonly", (store) => done(store.getAll()));
  const old = rows.filter((row) => row.expires <= now).map((row) => row.user);
  await run(db, "caseload", "readwrite", (store) => Promise.all(old.map((u) => done(store.delete(u)))));
  return old.length;
};

// A contact to send: {id (its submission key), person, name, fields: [[name, value]...]}; an
// appointment's adds {kind: "attended" or "not-attended", appointment, when} (outbox.KINDS).
export async function queue(db, user, key, entry, now = Date.now()) {
  const { id, ...content } = entry;
  const row = { id, user, state: "waiting", created: now, box: await seal(key, content) };
  await run(db, "outbox", "readwrite", (store) => done(store.put(row)));
  return row;
}

// The server refused it: it stays, as "unsent", with the reason beside what was typed.
// (Decrypting between two transactions: IndexedDB closes one that waits on anything else.)
export async function markUnsent(db, key, id, refusal) {
  const row = await run(db, "outbox", "readonly", (store) => done(store.get(id)));
  if (!row) return;
  const content = await unseal(key, row.box);
  const box = await seal(key, { ...content, refusal });
  await run(db, "outbox", "readwrite", (store) => done(store.put({ ...row, state: "unsent", box })));
}

export const remove = (db, id) => run(db, "outbox", "readwrite", (store) => done(store.delete(id)));

// The user's entries, decrypted, oldest first.
export async function entries(db, user, key) {
  const rows = await run(db, "outbox", "readonly", (store) => done(store.index("user").getAll(user)));
  rows.sort((a, b) => a.created - b.created);
  return Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      state: row.state,
      created: row.created,
      ...(await unseal(key, row.box)),
    })),
  );
}

// How many entries wait or were refused, read without the key (for the sign-out warning).
export async function counts(db, user) {
  const rows = await run(db, "outbox", "readonly", (store) => done(store.index("user").getAll(user)));
  return {
    waiting: rows.filter((row) => row.state === "waiting").length,
    unsent: rows.filter((row) => row.state === "unsent").length,
  };
}
