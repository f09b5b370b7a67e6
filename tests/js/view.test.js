// node --test: the words My caseload uses for dates without a signal (static/js/offline/view.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { daysAgo, dueWords } from "../../static/js/offline/view.js";

const today = new Date(2026, 11, 4, 15, 30);

test("last contact is said as the page with a signal says it", () => {
  assert.equal(daysAgo("2026-12-04", today), "today");
  assert.equal(daysAgo("2026-12-03", today), "yesterday");
  assert.equal(daysAgo("2026-11-20", today), "14 days ago");
  assert.equal(daysAgo(null, today), "");
});

test("a next action's due date says when it is overdue or due today", () => {
  assert.deepEqual(dueWords("2026-12-01", today), { label: "1 Dec", state: "overdue" });
  assert.deepEqual(dueWords("2026-12-04", today), { label: "4 Dec", state: "due today" });
  assert.deepEqual(dueWords("2026-12-25", today), { label: "25 Dec", state: "" });
});
