import { withAdminClient } from '@tollgate/testing';
import { boolArray, byteaArray, int8Array, jsonbArray, textArray, timestamptzArray, uuidArray } from './pg-binary-array';

// The binary arrays as Postgres reads them (array_recv): what ingest stores is what was sent.

const roundTrip = (sql: string, param: Buffer) =>
  withAdminClient(async (c) => (await c.query({ text: sql, values: [param], rowMode: 'array' })).rows[0][0]);

describe('binary array parameters', () => {
  it('keeps text exact: Unicode, quotes, backslashes, braces, commas, empty strings and nulls', async () => {
    const values = ['plain', '日本語-🚀', 'a "quoted" \\ back,slash {x}', '', null, 'NULL', ' spaced '];
    expect(await roundTrip('SELECT $1::text[]', textArray(values))).toEqual(values);
    expect(await roundTrip('SELECT array_length($1::text[], 1)', textArray([]))).toBeNull();
  });

  it('keeps int8 exact up to 10^12 and beyond 2^32, negatives included', async () => {
    const values = [0, 1, 4294967295, 4294967296, 1_000_000_000_000, Number.MAX_SAFE_INTEGER, -1, -4294967297];
    expect(await roundTrip('SELECT $1::int8[]::text[]', int8Array(values))).toEqual(values.map(String));
  });

  it('sends timestamps to the millisecond, before and after 2000', async () => {
    const ms = [Date.parse('2026-11-22T08:30:00.123Z'), Date.parse('1999-12-31T23:59:59.999Z'), 0];
    const got = await roundTrip(
      "SELECT array_agg(to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS')) FROM unnest($1::timestamptz[]) t",
      timestamptzArray(ms),
    );
    expect(got).toEqual(['2026-11-22T08:30:00.123', '1999-12-31T23:59:59.999', '1970-01-01T00:00:00.000']);
  });

  it('sends booleans, uuids, bytea and jsonb', async () => {
    expect(await roundTrip('SELECT $1::bool[]', boolArray([true, false]))).toEqual([true, false]);
    const ids = ['0190f0e2-4d7a-7c3e-9b1a-2f6d8e4c1a00', 'ffffffff-0000-4000-8000-000000000001'];
    expect(await roundTrip('SELECT $1::uuid[]::text[]', uuidArray(ids))).toEqual(ids);
    const hashes = [Buffer.from('00ff10', 'hex'), Buffer.alloc(0)];
    expect(await roundTrip('SELECT $1::bytea[]', byteaArray(hashes))).toEqual(hashes);
    const json = [JSON.stringify({ team: 'growth', note: 'é "q"' }), null];
    expect(await roundTrip("SELECT array_agg(j->>'note') FROM unnest($1::jsonb[]) j", jsonbArray(json))).toEqual(['é "q"', null]);
  });
});
