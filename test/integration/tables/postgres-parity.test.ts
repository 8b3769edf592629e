/**
 * The same answers on both backends, beyond the contract's cases: the same records in a
 * SQLite and a PostgreSQL store, the same `where`s (JSON paths holding mixed types, untyped
 * arrays, geo circles, regions, polygons, NUL characters), the same records found, in the
 * same order. SQLite is the reference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresTableStore } from '../../../engine/tables/postgres/table-store.ts';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';
import type { FieldDef } from '../../../engine/tables/table-store.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();

const FIELDS: FieldDef[] = [
  { name: 'k', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'meta', type: 'object' },
  { name: 'any', type: 'array' },
  { name: 'flags', type: 'array', items: 'boolean' },
  { name: 'loc', type: 'geojson' },
];

const square = (lng: number, lat: number, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lng - d, lat - d],
      [lng + d, lat - d],
      [lng + d, lat + d],
      [lng - d, lat + d],
      [lng - d, lat - d],
    ],
  ],
});
const point = (lng: number, lat: number) => ({ type: 'Point', coordinates: [lng, lat] });

const RECORDS: Array<Record<string, unknown>> = [
  { name: 'a', meta: { v: 1, s: 'x' }, any: [1, 'a', true], flags: [true], loc: point(120, 30) },
  { name: 'b', meta: { v: '5', s: 10 }, any: ['1', 2.5], flags: [false], loc: point(120.01, 30) },
  { name: 'c', meta: { v: true, s: null }, any: [[1, 2], { k: 1 }], loc: point(120.5, 30.5) },
  { name: 'd', meta: { v: 2.5, s: { deep: 1 } }, any: [], flags: [], loc: square(120, 30, 0.1) },
  {
    name: 'e\u0000nul',
    meta: { v: null, s: 'y\u0000z' },
    any: [0, false],
    loc: point(-179.99, 89.9),
  },
  { name: 'f', meta: { s: 'x', list: [1, 2, 3] }, any: [1, 1.0, '1'], loc: point(0, 0) },
  { name: 'g', meta: {}, any: null, loc: null },
];

const WHERES: Array<Record<string, unknown>> = [
  { 'meta.v': { $gt: 1 } },
  { 'meta.v': { $gte: 1 } },
  { 'meta.v': { $lt: 3 } },
  { 'meta.v': { $lt: 'a' } },
  { 'meta.v': { $gt: '4' } },
  { 'meta.v': 1 },
  { 'meta.v': true },
  { 'meta.v': '5' },
  { 'meta.v': { $ne: 1 } },
  { 'meta.v': { $in: [1, '5'] } },
  { 'meta.v': { $nin: [true] } },
  { 'meta.s': { $contains: 'x' } },
  { 'meta.s': { $contains: '1' } },
  { 'meta.s': { $contains: 'y\u0000' } },
  { 'meta.s': { $regex: '^[xy]' } },
  { 'meta.s': { $exists: true } },
  { 'meta.s': { $isnull: true } },
  { 'meta.list': { $all: [1, 3] } },
  { 'meta.list': { $in: [3] } },
  { meta: { $has_key: 's' } },
  { 'meta.s': { $has_key: 'deep' } },
  { any: 1 },
  { any: true },
  { any: '1' },
  { any: { $in: [true] } },
  { any: { $in: ['a', 2.5] } },
  { any: { $all: [1, true] } },
  { any: { $all: [1] } },
  { any: { $nin: [1] } },
  { any: [] },
  { any: { $ne: 'a' } },
  { flags: true },
  { flags: { $in: [false] } },
  { flags: { $all: [true] } },
  { name: { $regex: 'nul$' } },
  { name: { $contains: '\u0000' } },
  { name: { $gt: 'b', $lt: 'f' } },
  { name: { $in: ['a', 'e\u0000nul'] } },
  { loc: { $center: { coordinates: [120, 30], radius: 2 } } },
  { loc: { $center: { coordinates: [120, 30], radius: 100 } } },
  { loc: { $nearsphere: { geometry: point(120, 30), max_distance: 80_000 } } },
  { loc: { $nearsphere: { geometry: point(120, 30), min_distance: 500 } } },
  { loc: { $within: square(120, 30, 0.05) } },
  { loc: { $within: square(0, 0, 1) } },
  { loc: { $intersects: point(120.05, 30.05) } },
  { loc: { $intersects: point(120, 30) } },
  { loc: { $center: { coordinates: [-179.9, 89.95], radius: 50 } } },
  { $or: [{ 'meta.v': { $gt: 2 } }, { name: { $regex: '^a' } }], loc: { $isnull: false } },
];

describe.skipIf(!pgUp)('PostgreSQL answers as SQLite does', () => {
  let dir: string;
  let schema: TestSchema;
  let sqlite: SqliteTableStore;
  let postgres: PostgresTableStore;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-parity-'));
    sqlite = new SqliteTableStore({ path: path.join(dir, 'tables.db') });
    schema = await createTestSchema('tables_parity');
    postgres = await PostgresTableStore.open({ url: schema.url, poolSize: 2 });
    const records = RECORDS.map((r, k) => ({ k, ...r }));
    sqlite.createTable({ name: 'things', fields: FIELDS });
    sqlite.createMany('things', records);
    await postgres.createTable({ name: 'things', fields: FIELDS });
    await postgres.createMany('things', records);
  });

  afterAll(async () => {
    sqlite?.close();
    await postgres?.close();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the same records', async () => {
    const strip = (list: { objects: Array<Record<string, unknown>> }) =>
      list.objects.map(({ id: _id, created_at: _c, updated_at: _u, ...rest }) => rest);
    expect(strip(await postgres.find('things', { limit: 100 }))).toEqual(
      strip(sqlite.find('things', { limit: 100 })),
    );
  });

  it.each(WHERES.map((w) => [JSON.stringify(w), w] as const))('%s', async (_label, where) => {
    const keys = (list: { objects: Array<Record<string, unknown>> }) =>
      list.objects.map((r) => r.k);
    const expected = keys(sqlite.find('things', { where, keys: ['k'], limit: 100 }));
    expect(keys(await postgres.find('things', { where, keys: ['k'], limit: 100 }))).toEqual(
      expected,
    );
    expect(await postgres.count('things', where)).toBe(sqlite.count('things', where));
  });
});
