// What the phone keeps is encrypted with AES-GCM under a data key made on the phone. The data
// key is stored only wrapped by the user's key from the server, which the page is handed after
// a full sign-in and never stores: without signing in, the phone cannot read what it holds
// (ADR 0033). Web Crypto only; nothing here is hand-made cryptography.

const AES_GCM = { name: "AES-GCM", length: 256 };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function nonce() {
  return crypto.getRandomValues(new Uint8Array(12));
}

export function fromBase64Url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

// The user's key from the server: it can only wrap and unwrap, and cannot be read back out.
export function importWrappingKey(raw) {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["wrapKey", "unwrapKey"]);
}

// A new data key, returned wrapped for storage and, unwrapped, as a key that cannot be read
// back out of memory.
export async function newDataKey(wrappingKey) {
  const fresh = await crypto.subtle.generateKey(AES_GCM, true, ["encrypt", "decrypt"]);
  const iv = nonce();
  const wrapped = await crypto.subtle.wrapKey("raw", fresh, wrappingKey, { name: "AES-GCM", iv });
  const box = { iv, wrapped: new Uint8Array(wrapped) };
  return { box, key: await unwrapDataKey(box, wrappingKey) };
}

// Throws when the wrapping key is not the one the data key was wrapped with (a destroyed or
// replaced device key): what it protected can no longer be read.
export function unwrapDataKey(box, wrappingKey) {
  return crypto.subtle.unwrapKey(
    "raw",
    box.wrapped,
    wrappingKey,
    { name: "AES-GCM", iv: box.iv },
    AES_GCM,
    false,
    ["encrypt", "decrypt"],
  );
}

export async function seal(key, value) {
  const iv = nonce();
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    key,
    encoder.encode(JSON.stringify(value)),
  );
  return { iv, data: new Uint8Array(data) };
}

export async function unseal(key, box) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.data);
  return JSON.parse(decoder.decode(plain));
}
