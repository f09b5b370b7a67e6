// node --test: the phone's encryption (static/js/offline/crypto.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  fromBase64Url,
  importWrappingKey,
  newDataKey,
  seal,
  unseal,
  unwrapDataKey,
} from "../../static/js/offline/crypto.js";

const serverKey = () => crypto.getRandomValues(new Uint8Array(32));

test("what is sealed opens again with the same data key", async () => {
  const { key } = await newDataKey(await importWrappingKey(serverKey()));
  const box = await seal(key, { name: "Margaret Kelly", flags: ["Visit in pairs"] });
  assert.deepEqual(await unseal(key, box), { name: "Margaret Kelly", flags: ["Visit in pairs"] });
});

test("the sealed bytes do not contain what was sealed", async () => {
  const { key } = await newDataKey(await importWrappingKey(serverKey()));
  const box = await seal(key, { name: "Margaret Kelly" });
  assert.ok(!Buffer.from(box.data).toString("latin1").includes("Margaret"));
});

test("the stored data key opens only with the user's key from the server", async () => {
  const raw = serverKey();
  const { box, key } = await newDataKey(await importWrappingKey(raw));
  const sealed = await seal(key, "typed on the phone");
  const again = await unwrapDataKey(box, await importWrappingKey(raw));
  assert.equal(await unseal(again, sealed), "typed on the phone");
  // A destroyed key replaced by a new one: what the phone holds can never be read.
  await assert.rejects(unwrapDataKey(box, await importWrappingKey(serverKey())));
});

test("the data key in memory cannot be read back out", async () => {
  const { key } = await newDataKey(await importWrappingKey(serverKey()));
  assert.equal(key.extractable, false);
  await assert.rejects(crypto.subtle.exportKey("raw", key));
});

test("the server's key arrives as unpadded base64url", () => {
  const bytes = Uint8Array.from({ length: 32 }, (_, i) => 250 - i);
  const text = Buffer.from(bytes).toString("base64url");
  assert.deepEqual(fromBase64Url(text), bytes);
});
