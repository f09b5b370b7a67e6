// node --test: appointments on the phone without a signal (static/js/offline/): what the kept
// caseload shows of them, and "attended" (with its contact) and "did not attend" queued and
// sent to their own addresses, each recorded once, refusals kept with their reasons.
import "fake-indexeddb/auto";

import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { importWrappingKey, newDataKey } from "../../static/js/offline/crypto.js";
import { entryUrl, flush, KINDS } from "../../static/js/offline/outbox.js";
import { entries, openStore, queue } from "../../static/js/offline/store.js";
import { appointmentWeek, appointmentWhen, attendedAnswers, hasStarted } from "../../static/js/offline/view.js";

const ZERO = "00000000-0000-0000-0000-000000000000";
const URLS = {
  sendUrl: `/offline/people/${ZERO}/contacts/`,
  attendedUrl: `/offline/appointments/${ZERO}/attended/`,
  notAttendedUrl: `/offline/appointments/${ZERO}/not-attended/`,
};
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

// As the app answers: an attended appointment records one contact per key and marks the
// appointment; "did not attend" is idempotent; appointments in `cancelled` are refused.
function fakeServer({ cancelled = new Set() } = {}) {
  const contacts = new Map();
  const outcomes = new Map();
  const requests = [];
  const fetch = async (url, options) => {
    const body = new URLSearchParams(options.body);
    requests.push({ url, body, headers: options.headers });
    const [, , kind, id, action] = url.split("/");
    if (kind === "appointments" && cancelled.has(id)) {
      return json(409, { status: "refused", message: "The appointment was cancelled meanwhile.", errors: {} });
    }
    if (action === "not-attended") {
      const repeat = outcomes.get(id) === "not-attended";
      if (outcomes.has(id) && !repeat) return json(409, { status: "refused", message: "Already recorded as attended.", errors: {} });
      outcomes.set(id, "not-attended");
      return json(repeat ? 200 : 201, { status: "recorded", repeat });
    }
    const repeat = contacts.has(body.get("submission_key"));
    contacts.set(body.get("submission_key"), body.get("summary"));
    if (action === "attended") outcomes.set(id, "attended");
    return json(repeat ? 200 : 201, { status: "recorded", repeat });
  };
  return { fetch, contacts, outcomes, requests };
}

const attended = (id, appointment = "a1") => ({
  id,
  kind: KINDS.attended,
  appointment,
  when: "2026-12-04T10:00:00+00:00",
  person: "p1",
  name: "Margaret Kelly",
  fields: [["submission_key", id], ["kind", "face_to_face"], ["summary", "Appointment at the library. Went well."]],
});

const missed = (id, appointment = "a2") => ({
  id,
  kind: KINDS.notAttended,
  appointment,
  when: "2026-12-04T09:00:00+00:00",
  person: "p1",
  name: "Margaret Kelly",
  fields: [],
});

const contact = (id) => ({ id, person: "p1", name: "Margaret Kelly", fields: [["submission_key", id], ["summary", "Phoned"]] });

test("each kind of entry goes to its own address", () => {
  assert.equal(entryUrl(contact("k"), URLS), "/offline/people/p1/contacts/");
  assert.equal(entryUrl(attended("k"), URLS), "/offline/appointments/a1/attended/");
  assert.equal(entryUrl(missed("k"), URLS), "/offline/appointments/a2/not-attended/");
  assert.equal(entryUrl(attended("k"), { sendUrl: URLS.sendUrl }), null);
});

test("an attended appointment and a missed one are sent with the contacts, each once", async () => {
  const server = fakeServer();
  await queue(db, "u1", key, contact("k1"), 1);
  await queue(db, "u1", key, attended("k2"), 2);
  await queue(db, "u1", key, missed("k3"), 3);
  const result = await flush({ db, user: "u1", key, csrf: "tok", ...URLS, fetch: server.fetch });
  assert.deepEqual(result, { recorded: 3, refused: 0, stopped: null, people: ["p1", "p1", "p1"] });
  assert.deepEqual(
    server.requests.map((r) => r.url),
    ["/offline/people/p1/contacts/", "/offline/appointments/a1/attended/", "/offline/appointments/a2/not-attended/"],
  );
  assert.equal(server.requests[1].body.get("submission_key"), "k2");
  assert.equal(server.requests[2].headers["X-CSRFToken"], "tok");
  assert.deepEqual(Object.fromEntries(server.outcomes), { a1: "attended", a2: "not-attended" });
  assert.equal(server.contacts.size, 2);
  assert.deepEqual(await entries(db, "u1", key), []);
});

test("an attended appointment sent again after its answer was lost logs one contact", async () => {
  const server = fakeServer();
  let lose = true;
  const lossy = async (url, options) => {
    const response = await server.fetch(url, options);
    if (lose) {
      lose = false;
      throw new TypeError("Failed to fetch");
    }
    return response;
  };
  await queue(db, "u1", key, attended("k1"));
  await queue(db, "u1", key, missed("k2"));
  assert.equal((await flush({ db, user: "u1", key, csrf: "t", ...URLS, fetch: lossy })).stopped, "offline");
  const second = await flush({ db, user: "u1", key, csrf: "t", ...URLS, fetch: lossy });
  assert.equal(second.recorded, 2);
  assert.equal(server.contacts.size, 1);
  assert.equal(server.requests.length, 3);
});

test("a refused appointment stays unsent with the reason and what was typed", async () => {
  const server = fakeServer({ cancelled: new Set(["a1", "a2"]) });
  await queue(db, "u1", key, attended("k1"), 1);
  await queue(db, "u1", key, missed("k2"), 2);
  const result = await flush({ db, user: "u1", key, csrf: "t", ...URLS, fetch: server.fetch });
  assert.equal(result.refused, 2);
  const [contactRefused, missedRefused] = await entries(db, "u1", key);
  assert.equal(contactRefused.state, "unsent");
  assert.equal(contactRefused.kind, KINDS.attended);
  assert.equal(contactRefused.refusal.message, "The appointment was cancelled meanwhile.");
  assert.deepEqual(contactRefused.fields[2], ["summary", "Appointment at the library. Went well."]);
  assert.equal(missedRefused.state, "unsent");
  assert.equal(missedRefused.appointment, "a2");
});

test("without the appointments' addresses (an older worker) they wait, never sent astray", async () => {
  const server = fakeServer();
  await queue(db, "u1", key, missed("k1"));
  const result = await flush({ db, user: "u1", key, csrf: "t", sendUrl: URLS.sendUrl, fetch: server.fetch });
  assert.equal(result.stopped, "later");
  assert.equal(server.requests.length, 0);
  assert.equal((await entries(db, "u1", key))[0].state, "waiting");
});

test("appointments are shown as My caseload shows them, today's and the rest of the week", () => {
  const today = new Date(2026, 11, 4, 15, 30);
  const kept = [
    { id: "b", starts_at: "2026-12-06T09:30:00+00:00" },
    { id: "a", starts_at: "2026-12-04T14:00:00+00:00" },
    { id: "old", starts_at: "2026-12-03T14:00:00+00:00" },
  ];
  const week = appointmentWeek(kept, today);
  assert.deepEqual(week.today.map((a) => a.id), ["a"]);
  assert.deepEqual(week.later.map((a) => a.id), ["b"]);
  assert.equal(appointmentWhen("2026-12-04T14:00:00+00:00"), "Fri 4 Dec, 14:00");
  assert.equal(appointmentWhen("2026-06-01T09:05:00+01:00"), "Mon 1 Jun, 09:05");
});

test("the contact form for an attended appointment is filled in as its page fills it", () => {
  const appointment = {
    kind: "phone",
    place: "By phone",
    starts_at: "2026-12-04T10:00:00+00:00",
    ends_at: "2026-12-04T10:45:00+00:00",
  };
  assert.deepEqual(attendedAnswers(appointment, "2026-12-04T15:30"), [
    ["kind", "phone"],
    ["occurred_at", "2026-12-04T10:00"],
    ["summary", "Appointment at By phone. "],
    ["duration_minutes", "45"],
  ]);
  // Not yet over: when it is logged, not a time still to come.
  assert.equal(attendedAnswers(appointment, "2026-12-04T09:50")[1][1], "2026-12-04T09:50");
  assert.equal(hasStarted(appointment, new Date("2026-12-04T09:59:00Z")), false);
  assert.equal(hasStarted(appointment, new Date("2026-12-04T10:00:00Z")), true);
});
