/**
 * Fuzz-style: hostile `where` documents, field names, table names and options thrown at the
 * REST API (real server) and at the store. Every one must be a 400 with an E_ code, and the
 * tables must be exactly as before (same schema objects in SQLite, same records).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncTableStore } from '../../../engine/tables/async-adapter.ts';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';
import { startRestServer, type RestServer } from './helpers/rest-server.ts';

const HOSTILE_STRINGS = [
  "'; DROP TABLE t_victims; --",
  '" OR 1=1 --',
  'name") OR ("1"="1',
  '__proto__',
  'constructor',
  'prototype',
  'sqlite_master',
  '_seq',
  'rowid',
  't_victims',
  '$where',
  '$regex',
  '*/ DELETE FROM _cf_tables /*',
  '\u0000',
  'a'.repeat(5000),
  '🎉"\'`',
  'name.__proto__.x',
  'meta."; DROP',
  '../../etc/passwd',
  '%27%20OR%201%3D1',
];

/** A small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const OPERATORS = [
  '$eq',
  '$ne',
  '$lt',
  '$gte',
  '$contains',
  '$regex',
  '$in',
  '$nin',
  '$all',
  '$isnull',
  '$exists',
  '$has_key',
  '$like',
  '$where',
  '$expr',
  '__proto__',
];

/** A random where document that contains at least one hostile field name or operator. */
function hostileWhere(rand: () => number, depth = 0): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const value = (): unknown => {
    const r = rand();
    if (r < 0.2) return pick(HOSTILE_STRINGS);
    if (r < 0.3) return Array.from({ length: Math.floor(rand() * 5) }, () => pick(HOSTILE_STRINGS));
    if (r < 0.4) return { [pick(OPERATORS)]: pick(HOSTILE_STRINGS) };
    if (r < 0.5) return null;
    if (r < 0.6) return rand() * 1e9;
    return pick(HOSTILE_STRINGS);
  };
  const doc: Record<string, unknown> = {};
  const hostileKey = pick(HOSTILE_STRINGS.filter((s) => !s.startsWith('$')));
  if (depth < 6 && rand() < 0.5) {
    const subs = [hostileWhere(rand, depth + 1), { name: { $eq: 'x' } }];
    Object.defineProperty(doc, pick(['$and', '$or']), {
      value: rand() < 0.5 ? subs : subs.reverse(),
      enumerable: true,
    });
  } else {
    Object.defineProperty(doc, hostileKey, {
      value: { [pick(OPERATORS)]: value() },
      enumerable: true,
    });
  }
  return doc;
}

function snapshot(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const schema = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    const tables = db.prepare('SELECT id, name, fields FROM _cf_tables ORDER BY id').all();
    const records = db.prepare('SELECT * FROM "t_victims" ORDER BY "_seq"').all();
    return JSON.stringify({ schema, tables, records });
  } finally {
    db.close();
  }
}

describe('hostile input', () => {
  let dir: string;
  let file: string;
  let store: SqliteTableStore;
  let rest: RestServer;
  let before: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cloudfn-hostile-'));
    file = path.join(dir, 'tables.db');
    store = new SqliteTableStore({ path: file });
    store.createTable({
      name: 'victims',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'n', type: 'integer' },
        { name: 'tags', type: 'array' },
        { name: 'meta', type: 'object' },
      ],
    });
    store.createMany('victims', [
      { name: 'a', n: 1, tags: ['x'], meta: { k: 1 } },
      { name: "b'; --", n: 2 },
    ]);
    rest = await startRestServer(asyncTableStore(store));
    before = snapshot(file);
  });

  afterAll(async () => {
    await rest.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function expect400(method: string, url: string, body?: unknown): Promise<void> {
    const res = await rest.request(method, url, body);
    expect(res.status, `${method} ${url.slice(0, 200)} → ${res.text.slice(0, 200)}`).toBe(400);
    expect((res.body as { error: { code: string } }).error.code).toMatch(/^E_[A-Z_]+$/);
  }

  const q = (where: unknown) =>
    `/tables/victims/records?where=${encodeURIComponent(typeof where === 'string' ? where : JSON.stringify(where))}`;

  it('hand-written hostile where documents each get a 400', async () => {
    const docs: unknown[] = [
      '{"name": ',
      '[]',
      '"name"',
      '123',
      'null',
      '{"__proto__": {"$eq": 1}}',
      '{"name": {"__proto__": "x"}}',
      // Patterns the linear-time matcher cannot run (it needs no shape check: see 05-regex-dos).
      { name: { $regex: '(a)\\1' } },
      { name: { $regex: '(?=x)y' } },
      // Sized to fit in a URL (Node answers 431 past 16 KiB of headers); bigger ones go through the store below.
      { n: { $in: Array.from({ length: 1001 }, () => 1) } },
      { $or: Array.from({ length: 1001 }, () => ({})) },
      { name: { $eq: { $ne: 1 } } },
      { "name' OR 1=1 --": 1 },
      { 'meta.a")) OR 1=1 --': 1 },
      { name: { $where: 'sleep(1000)' } },
      { n: { $gt: '1 OR 1=1' } },
      { tags: { $all: [{ $ne: null }] } },
      { meta: { $has_key: '' } },
    ];
    let deep: Record<string, unknown> = { name: 'a' };
    for (let i = 0; i < 200; i++) deep = { $and: [deep] };
    docs.push(deep);
    for (const doc of docs) await expect400('GET', q(doc));
    for (const doc of docs.slice(5)) await expect400('DELETE', q(doc));
    for (const doc of docs.slice(5)) await expect400('PUT', q(doc), { n: 1 });
  });

  it('huge lists and documents are refused by the store too', () => {
    const huge = [
      { n: { $in: Array.from({ length: 100_000 }, (_, i) => i) } },
      { $or: Array.from({ length: 50_000 }, () => ({ n: 1 })) },
    ];
    for (const where of huge)
      expect(() => store.find('victims', { where })).toThrow(
        expect.objectContaining({ code: 'E_TABLE_QUERY_TOO_COMPLEX', status: 400 }),
      );
    let deep: Record<string, unknown> = { n: 1 };
    for (let i = 0; i < 10_000; i++) deep = { $or: [deep] };
    expect(() => store.find('victims', { where: deep })).toThrow(
      expect.objectContaining({ code: 'E_TABLE_QUERY_TOO_COMPLEX' }),
    );
  });

  it('hostile names in tables, fields, records, order_by and keys each get a 400', async () => {
    // Some hostile-looking strings are fine names (`constructor` is a legal table and field
    // name, safely quoted); only the invalid and the reserved ones must be refused.
    const badTableNames = HOSTILE_STRINGS.filter((x) => !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(x));
    const badFieldNames = [
      ...HOSTILE_STRINGS.filter((x) => !/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(x)),
      '__proto__',
      '_seq',
      'rowid',
      'ID',
      'created_at',
    ];
    for (const name of badTableNames) await expect400('POST', '/tables', { name, fields: [] });
    for (const name of badFieldNames) {
      await expect400('POST', '/tables', { name: 'fresh', fields: [{ name, type: 'string' }] });
      await expect400('POST', '/tables/victims/fields', { fields: [{ name, type: 'string' }] });
    }
    for (const name of HOSTILE_STRINGS) {
      await expect400(
        'POST',
        '/tables/victims/records',
        JSON.parse(`{${JSON.stringify(name)}: 1}`),
      );
      await expect400('GET', `/tables/victims/records?order_by=${encodeURIComponent(name)}`);
      await expect400('GET', `/tables/victims/records?keys=${encodeURIComponent(name)}`);
    }
    await expect400('GET', '/tables/victims/records?limit=1;DROP');
    await expect400('GET', '/tables/victims/records?limit=100000');
    await expect400('GET', '/tables/victims/records?where=1&where=2');
  });

  it(`a thousand random hostile where documents through the store, and a hundred over HTTP`, async () => {
    const rand = prng(20240601);
    for (let i = 0; i < 1000; i++) {
      const doc = hostileWhere(rand);
      let err: { status?: number; code?: string } | undefined;
      try {
        store.find('victims', { where: doc });
      } catch (e) {
        err = e as { status?: number; code?: string };
      }
      expect(err?.status, JSON.stringify(doc).slice(0, 300)).toBe(400);
      expect(err?.code).toMatch(/^E_TABLE_/);
    }
    for (let i = 0; i < 100; i++) await expect400('GET', q(hostileWhere(rand)));
  });

  it('the tables are intact afterwards', () => {
    expect(snapshot(file)).toBe(before);
    expect(store.count('victims')).toBe(2);
  });
});
