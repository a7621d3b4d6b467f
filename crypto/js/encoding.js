// SP1 encodings: bytes helpers, unpadded base64url, domain-separation tags, big-endian
// integers, canonical JSON, the Emergency Kit text form of the Account Secret Key, and Padmé.
// Pure functions only: nothing here touches keys or WebCrypto (sp1.js is the only module that does).

import { FormatError } from "./errors.js";

const textEncoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a string. */
export function utf8(s) {
  return textEncoder.encode(s);
}

/** Decodes UTF-8, raising FormatError on invalid sequences. */
export function fromUtf8(bytes) {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw new FormatError("invalid UTF-8");
  }
}

/** Concatenates Uint8Arrays (or ArrayBuffers) into one new Uint8Array. */
export function concat(...parts) {
  return concatList(parts);
}

/** concat for a list of any length (no argument-count limit for long attachment digests). */
export function concatList(parts) {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let off = 0;
  for (const a of arrays) {
    out.set(a, off);
    off += a.length;
  }
  return out;
}

/** Equality of two byte strings. Only for public values (hashes, ids): not constant time. */
export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * DST(label) = ASCII("SP1/" + label) || 0x00. The NUL terminator makes sure no label is a
 * prefix of another, so two contexts can never produce the same tagged input.
 */
export function dst(label) {
  if (!/^[a-z0-9-]+$/.test(label)) throw new FormatError("bad DST label");
  return concat(utf8("SP1/" + label), new Uint8Array(1));
}

/** Big-endian unsigned integer of `width` bytes (width <= 8, value < 2^53). */
export function uintBE(value, width) {
  if (!Number.isSafeInteger(value) || value < 0) throw new FormatError("integer out of range");
  const out = new Uint8Array(width);
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  if (v !== 0) throw new FormatError("integer does not fit");
  return out;
}

/** Reads a big-endian unsigned integer (up to 6 bytes, so it stays exact). */
export function readUintBE(bytes) {
  if (bytes.length > 6) throw new FormatError("integer too wide");
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Unpadded base64url (RFC 4648 §5). Decoding is strict: no padding, no whitespace, no other
// alphabet, and the unused low bits of the last character must be zero, so every byte string
// has exactly one accepted text form (the canonical-JSON check relies on that).

const B64U = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64U_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64U.length; i++) B64U_INDEX[B64U.charCodeAt(i)] = i;

export function b64uEncode(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out += B64U[n >> 18] + B64U[(n >> 12) & 63] + B64U[(n >> 6) & 63] + B64U[n & 63];
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = b[i] << 16;
    out += B64U[n >> 18] + B64U[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (b[i] << 16) | (b[i + 1] << 8);
    out += B64U[n >> 18] + B64U[(n >> 12) & 63] + B64U[(n >> 6) & 63];
  }
  return out;
}

/**
 * Decodes unpadded base64url. With `length`, the decoded value must have exactly that many
 * bytes. Raises FormatError otherwise.
 */
export function b64uDecode(text, length = undefined) {
  if (typeof text !== "string") throw new FormatError("base64url value must be a string");
  if (text.length % 4 === 1) throw new FormatError("bad base64url length");
  const vals = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64U_INDEX[c] : -1;
    if (v < 0) throw new FormatError("bad base64url character");
    vals[i] = v;
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < vals.length; i += 4) {
    const n = (vals[i] << 18) | (vals[i + 1] << 12) | (vals[i + 2] << 6) | vals[i + 3];
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = vals.length - i;
  if (rest === 2) {
    if (vals[i + 1] & 15) throw new FormatError("non-canonical base64url");
    out[o++] = (vals[i] << 2) | (vals[i + 1] >> 4);
  } else if (rest === 3) {
    if (vals[i + 2] & 3) throw new FormatError("non-canonical base64url");
    const n = (vals[i] << 12) | (vals[i + 1] << 6) | vals[i + 2];
    out[o++] = n >> 10;
    out[o++] = (n >> 2) & 255;
  }
  if (length !== undefined && out.length !== length) {
    throw new FormatError(`expected ${length} bytes`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Canonical JSON (headers, bundles, receipt payloads). Keys sorted by UTF-16 code unit, no
// whitespace, ASCII only; values are integers 0..2^53-1, strings over [A-Za-z0-9_.:-], lists
// and objects. No floats, booleans, null or escapes, so serialisation is trivially identical in
// Python and JavaScript. Verifiers parse, re-serialise and require byte equality with what was
// received: that rejects whitespace, key order, duplicate keys, escapes, floats and non-ASCII.

const SAFE_STRING = /^[A-Za-z0-9_.:-]*$/;

function encodeValue(v, depth) {
  if (depth > 8) throw new FormatError("canonical JSON nested too deeply");
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0 || Object.is(v, -0)) {
      throw new FormatError("canonical JSON integers are 0..2^53-1");
    }
    return String(v);
  }
  if (typeof v === "string") {
    if (!SAFE_STRING.test(v)) throw new FormatError("canonical JSON string has a forbidden character");
    return '"' + v + '"';
  }
  if (Array.isArray(v)) return "[" + v.map((x) => encodeValue(x, depth + 1)).join(",") + "]";
  if (v !== null && typeof v === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
    const keys = Object.keys(v).sort();
    return "{" + keys.map((k) => {
      if (!SAFE_STRING.test(k) || k === "") throw new FormatError("canonical JSON key has a forbidden character");
      return '"' + k + '":' + encodeValue(v[k], depth + 1);
    }).join(",") + "}";
  }
  throw new FormatError("canonical JSON allows only integers, strings, lists and objects");
}

/** Serialises a value as canonical JSON text (ASCII, so its UTF-8 bytes are its char codes). */
export function canonicalEncode(value) {
  return encodeValue(value, 0);
}

function asText(input) {
  if (typeof input === "string") return input;
  if (input instanceof Uint8Array) return fromUtf8(input);
  throw new FormatError("JSON text must be a string");
}

const STRING_TOKEN = /"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
const NUMBER_TOKEN = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

/** Marks a JSON number written with a fraction or exponent (body mode only). */
export class JsonFloat {
  constructor(value) {
    this.value = value;
  }
}

/**
 * Step 1 of every SP1 JSON check (SPEC §2.1, §6.2): parses ASCII JSON text while rejecting
 * duplicate keys, floats, exponents and non-ASCII. Whitespace, escapes, negative integers and
 * literals are still accepted here: the canonical check (requireCanonical) rejects them later,
 * after the version check, so that the error class follows the spec's order.
 * With {body: true} (record bodies, I-JSON): non-ASCII is allowed and floats are returned as
 * JsonFloat markers, so a checker can tell `1.0` from `1`; duplicates are still rejected.
 */
export function strictParse(input, { body = false } = {}) {
  const text = asText(input);
  for (let i = 0; i < text.length && !body; i++) {
    if (text.charCodeAt(i) > 0x7f) throw new FormatError("JSON must be ASCII");
  }
  let pos = 0;
  const fail = () => {
    throw new FormatError("invalid JSON");
  };
  const ws = () => {
    while (pos < text.length && " \t\n\r".includes(text[pos])) pos++;
  };
  const string = () => {
    if (text[pos] !== '"') fail();
    STRING_TOKEN.lastIndex = pos;
    const m = STRING_TOKEN.exec(text);
    if (!m) fail();
    pos += m[0].length;
    return JSON.parse(m[0]);
  };
  const value = (depth) => {
    if (depth > (body ? 64 : 16)) throw new FormatError("JSON nested too deeply");
    ws();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const obj = Object.create(null);
      ws();
      if (text[pos] === "}") {
        pos++;
        return obj;
      }
      for (;;) {
        ws();
        const k = string();
        if (Object.prototype.hasOwnProperty.call(obj, k)) throw new FormatError("duplicate JSON key");
        ws();
        if (text[pos++] !== ":") fail();
        obj[k] = value(depth + 1);
        ws();
        const d = text[pos++];
        if (d === "}") return obj;
        if (d !== ",") fail();
      }
    }
    if (c === "[") {
      pos++;
      const arr = [];
      ws();
      if (text[pos] === "]") {
        pos++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        const d = text[pos++];
        if (d === "]") return arr;
        if (d !== ",") fail();
      }
    }
    if (c === '"') return string();
    for (const [lit, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(lit, pos)) {
        pos += lit.length;
        return v;
      }
    }
    NUMBER_TOKEN.lastIndex = pos;
    const m = NUMBER_TOKEN.exec(text);
    if (!m) fail();
    pos += m[0].length;
    if (m[1] || m[2]) {
      if (!body) throw new FormatError("JSON floats are not allowed");
      return new JsonFloat(Number(m[0]));
    }
    return Number(m[0]);
  };
  const v = value(0);
  ws();
  if (pos !== text.length) fail();
  return v;
}

/** Step 3: the received text must be exactly the canonical serialisation of its value. */
export function requireCanonical(value, input) {
  if (encodeValue(value, 0) !== asText(input)) throw new FormatError("JSON is not in canonical form");
  return value;
}

/** strictParse + requireCanonical, for objects without a version rule in between. */
export function canonicalParse(input) {
  const value = strictParse(input);
  return requireCanonical(value, input);
}

// ---------------------------------------------------------------------------------------------
// Account Secret Key text form: "SP1-" + RFC 4648 base32 (uppercase, unpadded) of the 16
// bytes = 26 characters, grouped for reading aloud. Parsing ignores case, spaces and dashes.

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const ASK_GROUPS = [5, 5, 5, 5, 6];

export function base32Encode(bytes) {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text, length) {
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    const v = B32.indexOf(ch);
    if (v < 0) throw new FormatError("bad base32 character");
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((acc >> (bits - 8)) & 255);
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0 || bits >= 5) throw new FormatError("non-canonical base32");
  if (out.length !== length) throw new FormatError(`expected ${length} bytes`);
  return new Uint8Array(out);
}

/** Emergency Kit text of a 16-byte Account Secret Key. */
export function formatAsk(ask) {
  if (!(ask instanceof Uint8Array) || ask.length !== 16) throw new FormatError("ASK must be 16 bytes");
  const b32 = base32Encode(ask);
  const groups = [];
  let off = 0;
  for (const n of ASK_GROUPS) {
    groups.push(b32.slice(off, off + n));
    off += n;
  }
  return "SP1-" + groups.join("-");
}

/** Parses Emergency Kit text back to the 16-byte ASK (case, spaces and dashes ignored). */
export function parseAsk(text) {
  if (typeof text !== "string" || !/^[\x00-\x7f]*$/.test(text)) throw new FormatError("ASK must be ASCII text");
  const compact = text.replace(/[ \t\r\n-]/g, "").toUpperCase();
  if (!compact.startsWith("SP1")) throw new FormatError("ASK must start with SP1-");
  return base32Decode(compact.slice(3), 16);
}

// ---------------------------------------------------------------------------------------------
// Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication with
// PURBs", PETS 2019): rounds L up so that only O(log log L) bits of the length remain, with at
// most 12 % overhead. Uses arithmetic instead of bit masks so it is exact up to 2^53.

export function padme(length) {
  if (!Number.isSafeInteger(length) || length < 0) throw new FormatError("length out of range");
  if (length < 2) return length;
  const e = Math.floor(Math.log2(length));
  // Math.log2 may be off by one near powers of two; correct it exactly.
  const exp = 2 ** e > length ? e - 1 : 2 ** (e + 1) <= length ? e + 1 : e;
  const s = 32 - Math.clz32(exp); // bit length of the exponent
  const lastBits = exp - s;
  const unit = 2 ** lastBits;
  return Math.ceil(length / unit) * unit;
}
