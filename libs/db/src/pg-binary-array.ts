// One-dimensional Postgres arrays in the binary wire format (array_recv). node-pg sends a Buffer parameter
// as binary, so a batch's columns skip the array-literal text (quoting, escaping) on both sides: the ingest hot path.

const OID = { bool: 16, bytea: 17, int8: 20, text: 25, timestamptz: 1184, uuid: 2950, jsonb: 3802 } as const;
const HEADER = 20;
const TWO_32 = 4294967296;
/** Postgres timestamps count microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = 946_684_800_000;

function header(buf: Buffer, oid: number, n: number, hasNull: boolean): void {
  buf.writeInt32BE(1, 0); // dimensions
  buf.writeInt32BE(hasNull ? 1 : 0, 4);
  buf.writeInt32BE(oid, 8);
  buf.writeInt32BE(n, 12); // length of the dimension
  buf.writeInt32BE(1, 16); // lower bound
}

/** Writes an integer (|n| < 2^53) as a big-endian int64. */
function writeInt64(buf: Buffer, n: number, at: number): void {
  const hi = Math.floor(n / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(n - hi * TWO_32, at + 4);
}

function fixedWidth(oid: number, width: number, values: ArrayLike<number>, write: (buf: Buffer, v: number, at: number) => void): Buffer {
  const n = values.length;
  const buf = Buffer.allocUnsafe(HEADER + n * (4 + width));
  header(buf, oid, n, false);
  let at = HEADER;
  for (let i = 0; i < n; i++) {
    buf.writeInt32BE(width, at);
    write(buf, values[i], at + 4);
    at += 4 + width;
  }
  return buf;
}

/** int8[]: safe integers only (token counts are at most 10^12). */
export function int8Array(values: ArrayLike<number>): Buffer {
  return fixedWidth(OID.int8, 8, values, writeInt64);
}

/** timestamptz[] from epoch milliseconds. */
export function timestamptzArray(epochMs: ArrayLike<number>): Buffer {
  return fixedWidth(OID.timestamptz, 8, epochMs, (buf, ms, at) => writeInt64(buf, (ms - PG_EPOCH_MS) * 1000, at));
}

export function boolArray(values: ArrayLike<boolean>): Buffer {
  const n = values.length;
  const buf = Buffer.allocUnsafe(HEADER + n * 5);
  header(buf, OID.bool, n, false);
  for (let i = 0, at = HEADER; i < n; i++, at += 5) {
    buf.writeInt32BE(1, at);
    buf[at + 4] = values[i] ? 1 : 0;
  }
  return buf;
}

/** uuid[] from canonical 8-4-4-4-12 hex strings. */
export function uuidArray(values: ArrayLike<string>): Buffer {
  const n = values.length;
  const buf = Buffer.allocUnsafe(HEADER + n * 20);
  header(buf, OID.uuid, n, false);
  for (let i = 0, at = HEADER; i < n; i++, at += 20) {
    const u = values[i];
    if (u.length !== 36) throw new Error(`not a uuid: ${u}`);
    buf.writeInt32BE(16, at);
    buf.write(u.slice(0, 8) + u.slice(9, 13) + u.slice(14, 18) + u.slice(19, 23) + u.slice(24), at + 4, 16, 'hex');
  }
  return buf;
}

/** text[] (UTF-8), null elements allowed. The strings must not contain U+0000 (Postgres refuses it). */
export function textArray(values: ArrayLike<string | null>): Buffer {
  return variableWidth(OID.text, values, 0);
}

/** jsonb[] from JSON texts (jsonb's binary form is a version byte, then the text). */
export function jsonbArray(values: ArrayLike<string | null>): Buffer {
  return variableWidth(OID.jsonb, values, 1);
}

function variableWidth(oid: number, values: ArrayLike<string | null>, prefix: number): Buffer {
  const n = values.length;
  let size = HEADER;
  let hasNull = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) hasNull = true;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the buffer is cut to the bytes written
    size += 4 + (v === null ? 0 : prefix + v.length * 3);
  }
  const buf = Buffer.allocUnsafe(size);
  header(buf, oid, n, hasNull);
  let at = HEADER;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) {
      buf.writeInt32BE(-1, at);
      at += 4;
      continue;
    }
    if (prefix) buf[at + 4] = 1;
    const bytes = buf.write(v, at + 4 + prefix, 'utf8');
    buf.writeInt32BE(prefix + bytes, at);
    at += 4 + prefix + bytes;
  }
  return buf.subarray(0, at);
}

/** bytea[] */
export function byteaArray(values: ArrayLike<Buffer>): Buffer {
  const n = values.length;
  let size = HEADER;
  for (let i = 0; i < n; i++) size += 4 + values[i].length;
  const buf = Buffer.allocUnsafe(size);
  header(buf, OID.bytea, n, false);
  let at = HEADER;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    buf.writeInt32BE(v.length, at);
    v.copy(buf, at + 4);
    at += 4 + v.length;
  }
  return buf;
}
