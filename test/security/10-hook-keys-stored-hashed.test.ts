/**
 * Attack class: hook keys read from a copy of the database, or guessed by timing an SQL `=`.
 * Keys are stored only as their SHA-256 (and a 4-character hint), looked up by that hash and
 * compared in constant time; databases from before are migrated (docs/security.md, "Hook keys").
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteEngineStore } from '../../engine/store/index.ts';
import { migrate } from '../../engine/store/sqlite/migrations.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** Every byte SQLite wrote for this database: the file and its write-ahead log. */
const onDisk = (file: string) =>
  [file, `${file}-wal`]
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('latin1'))
    .join('');

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('hook keys on a running engine', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine();
    expect(
      (await t.api('PUT', '/functions/f', { code: 'exports.main = async () => 1' })).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores no key in clear, only its SHA-256 and last 4 characters, before and after rotation', async () => {
    const created = await t.api('POST', '/triggers', {
      name: 'h',
      type: 'webhook',
      actions: [{ type: 'function', function: 'f' }],
    });
    const key = created.body.key as string;
    const rotated = (await t.api('POST', '/triggers/h/rotate-key')).body.key as string;
    expect(rotated).not.toBe(key);
    const file = path.join(t.dataDir, 'engine.db');
    const db = new Database(file, { readonly: true });
    try {
      const row = db
        .prepare(
          'SELECT webhook_key, webhook_key_hash, webhook_key_hint FROM triggers WHERE name = ?',
        )
        .get('h');
      expect(row).toEqual({
        webhook_key: null,
        webhook_key_hash: sha256(rotated),
        webhook_key_hint: rotated.slice(-4),
      });
    } finally {
      db.close();
    }
    const bytes = onDisk(file);
    expect(bytes).not.toContain(key);
    expect(bytes).not.toContain(rotated);
  });

  it('answers only the exact key: no case, prefix, suffix or hash variant', async () => {
    const created = await t.api('POST', '/triggers', {
      name: 'exact',
      type: 'webhook',
      actions: [{ type: 'function', function: 'f' }],
    });
    const key = created.body.key as string;
    const post = (k: string) =>
      fetch(`${t.engine.url}/hooks/${encodeURIComponent(k)}`, { method: 'POST', body: '{}' }).then(
        (r) => r.status,
      );
    expect(await post(key)).toBe(202);
    for (const wrong of [
      key.toUpperCase(),
      key.toLowerCase(),
      key.slice(0, -1),
      `${key} `,
      `${key}\u0000`,
      sha256(key),
      key.slice(-4),
      `…${key.slice(-4)}`,
      '',
      "' OR 1=1 --",
    ]) {
      if (wrong === key) continue;
      expect([wrong, await post(wrong)]).toEqual([wrong, 404]);
    }
  });
});

describe('migration of hook keys stored in clear', () => {
  it('moves every key to its hash and hint, empties the old column, and the keys keep working', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-sec-migrate-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'engine.db');
    // An engine.db as the first schema left it, with two webhook triggers and a timer.
    const old = new Database(file);
    migrate(old, 1);
    const insert = old.prepare(
      `INSERT INTO triggers (name, type, enabled, definition, webhook_key, created_at, updated_at)
       VALUES (?, ?, 1, ?, ?, 1, 1)`,
    );
    const definition = (name: string, type: string) =>
      JSON.stringify({ name, type, enabled: true, actions: [{ type: 'function', function: 'f' }] });
    insert.run('one', 'webhook', definition('one', 'webhook'), 'old-key-number-one-AAAA');
    insert.run('two', 'webhook', definition('two', 'webhook'), 'old-key-number-two-BBBB');
    insert.run('tick', 'timer', definition('tick', 'timer'), null);
    old.close();

    const store = openSqliteEngineStore(file);
    cleanups.push(() => store.close());
    expect((await store.triggers.getByWebhookKey('old-key-number-one-AAAA'))?.name).toBe('one');
    expect((await store.triggers.getByWebhookKey('old-key-number-two-BBBB'))?.name).toBe('two');
    expect(await store.triggers.getByWebhookKey('old-key-number-one-AAAa')).toBeUndefined();
    expect(await store.triggers.get('one')).toMatchObject({
      webhookKeyHash: sha256('old-key-number-one-AAAA'),
      webhookKeyHint: 'AAAA',
    });
    expect(await store.triggers.get('tick')).toMatchObject({
      webhookKeyHash: null,
      webhookKeyHint: null,
    });
    const raw = new Database(file, { readonly: true });
    try {
      expect(
        raw.prepare('SELECT COUNT(*) AS n FROM triggers WHERE webhook_key IS NOT NULL').get(),
      ).toEqual({ n: 0 });
    } finally {
      raw.close();
    }
  });
});
