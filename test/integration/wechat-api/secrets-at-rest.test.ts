// Secrets at rest on a real engine: the AppSecret, push token and EncodingAESKeys are sealed
// in engine.db with a key kept outside it (secrets.key, mode 0600, or CLOUDFN_SECRETS_KEY);
// databases written before are sealed at start; a key rotation with CLOUDFN_SECRETS_KEY_OLD
// re-encrypts every row; a wrong key stops the engine with E_SECRETS_KEY_MISMATCH.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine } from '../../helpers/engine.ts';

const APP_ID = 'wx2c2769f8efd9abc2';
const SECRETS = {
  token: 'spamtest',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appSecret: 'c1d9bbf0e7c64f7e8e6f9a0b1c2d3e4f',
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-secrets-'));
  dirs.push(dir);
  return dir;
}

/** The account row as stored, read past the engine. */
function rawRow(dir: string): Record<string, string | null> {
  const db = new Database(path.join(dir, 'engine.db'), { readonly: true });
  try {
    return db.prepare('SELECT * FROM accounts WHERE app_id = ?').get(APP_ID) as Record<
      string,
      string | null
    >;
  } finally {
    db.close();
  }
}

function expectSealed(row: Record<string, string | null>, keyId?: string): void {
  for (const column of ['token', 'aes_key', 'app_secret']) {
    expect(row[column]).toMatch(keyId ? new RegExp(`^v1\\.${keyId}\\.`) : /^v1\.[0-9a-f]{8}\./);
  }
  const text = JSON.stringify(row);
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
}

describe('secrets at rest', () => {
  it('are sealed in engine.db; the key file is generated with mode 0600; the API still works', async () => {
    const dir = dataDir();
    const t = await startTestEngine({ dataDir: dir });
    try {
      expect((await t.api('PUT', `/wechat/accounts/${APP_ID}`, SECRETS)).status).toBe(200);
      // The signing route needs the token and the key: they open again.
      const signed = await t.api('POST', `/wechat/accounts/${APP_ID}/sign`, {
        body: '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><MsgType><![CDATA[text]]></MsgType></xml>',
        encrypt: true,
      });
      expect(signed.status).toBe(200);
    } finally {
      await t.close();
    }
    expect(fs.statSync(path.join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
    expectSealed(rawRow(dir));
  });

  it('a database written before encryption is sealed at the next start', async () => {
    const dir = dataDir();
    const first = await startTestEngine({ dataDir: dir });
    await first.api('PUT', `/wechat/accounts/${APP_ID}`, {
      token: 'x',
      encodingAESKey: SECRETS.encodingAESKey,
    });
    await first.close();
    // Turn it into what the previous version left: schema 2, plaintext columns.
    const db = new Database(path.join(dir, 'engine.db'));
    db.exec(
      'DROP TABLE wechat_tokens; DROP TABLE wechat_token_fetches; ALTER TABLE accounts DROP COLUMN app_secret',
    );
    // …without migration 5 (one copy of each event)…
    db.exec(
      `ALTER TABLE trigger_logs DROP COLUMN event_type; ALTER TABLE trigger_logs DROP COLUMN lane;
       ALTER TABLE jobs DROP COLUMN inbox_id; DROP TABLE queue;
       CREATE TABLE queue (
         id TEXT PRIMARY KEY, trigger_log_id TEXT NOT NULL, trigger TEXT NOT NULL,
         action_index INTEGER NOT NULL, action TEXT NOT NULL, event TEXT, event_type TEXT NOT NULL,
         attempts INTEGER NOT NULL DEFAULT 0, run_at INTEGER NOT NULL, claimed INTEGER NOT NULL DEFAULT 0)`,
    );
    // …and without migration 4 (hook keys hashed), which comes after.
    db.exec(
      'DROP INDEX triggers_by_key_hash; ALTER TABLE triggers DROP COLUMN webhook_key_hash; ALTER TABLE triggers DROP COLUMN webhook_key_hint',
    );
    db.prepare('UPDATE accounts SET token = ?, aes_key = ?').run(
      SECRETS.token,
      SECRETS.encodingAESKey,
    );
    db.pragma('user_version = 2');
    db.close();

    const second = await startTestEngine({ dataDir: dir });
    try {
      const row = rawRow(dir);
      expect(row.token).toMatch(/^v1\./);
      expect(row.aes_key).toMatch(/^v1\./);
      expect(JSON.stringify(row)).not.toContain(SECRETS.encodingAESKey);
      const account = await second.api('GET', `/wechat/accounts/${APP_ID}`);
      expect(account.body).toMatchObject({ hasEncodingAESKey: true, hasAppSecret: false });
    } finally {
      await second.close();
    }
  });

  it('rotation: a new key alone refuses to start; with CLOUDFN_SECRETS_KEY_OLD every row is re-sealed', async () => {
    const dir = dataDir();
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const first = await startTestEngine({ dataDir: dir, env: { CLOUDFN_SECRETS_KEY: oldKey } });
    await first.api('PUT', `/wechat/accounts/${APP_ID}`, SECRETS);
    await first.close();
    expect(fs.existsSync(path.join(dir, 'secrets.key'))).toBe(false);
    const oldId = rawRow(dir).app_secret!.split('.')[1];

    await expect(
      startTestEngine({ dataDir: dir, env: { CLOUDFN_SECRETS_KEY: newKey } }),
    ).rejects.toMatchObject({
      code: 'E_SECRETS_KEY_MISMATCH',
    });
    const rotated = await startTestEngine({
      dataDir: dir,
      env: { CLOUDFN_SECRETS_KEY: newKey, CLOUDFN_SECRETS_KEY_OLD: oldKey },
    });
    await rotated.close();
    const row = rawRow(dir);
    expectSealed(row);
    expect(row.app_secret!.split('.')[1]).not.toBe(oldId);

    const after = await startTestEngine({ dataDir: dir, env: { CLOUDFN_SECRETS_KEY: newKey } });
    try {
      expect((await after.api('GET', `/wechat/accounts/${APP_ID}`)).body).toMatchObject({
        hasAppSecret: true,
        hasEncodingAESKey: true,
      });
    } finally {
      await after.close();
    }
  });
});
