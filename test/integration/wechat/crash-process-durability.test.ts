import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, wechatFixture, wechatVectors } from '../../helpers/fixtures.ts';
import { startServe, type ServeProcess } from '../../helpers/serve-process.ts';
import { nowSeconds, post, signed, type TestAccount } from './helpers/pushes.ts';

// CLOUDFN_DURABILITY=process on a real `cloudfn serve` process: a push is answered once
// committed to the log, without waiting for the disk. That must survive a crash of the
// engine (the log is in the OS's page cache, not in the process): SIGKILL right after the
// answers, start again, and every answered push is processed. (A power loss is what this
// mode gives up; no test can pull the plug here.)
const B = wechatVectors().B_wxbizmsgcrypt_sample;
const ACCOUNT: TestAccount = {
  appId: B.appid,
  token: B.token,
  encodingAESKey: B.encodingAESKey,
  mode: 'safe',
};
const CARD = wechatFixture('user_consume_card.xml');
const BURST = 40;
const TOKEN = 'process-durability-admin-token';

// Idempotent (actions run at least once): it looks for its row before writing.
const SAVE_CARD = `exports.main = async (event) => {
  const cards = new BaaS.TableObject('cards');
  const query = new BaaS.Query();
  query.compare('UserCardCode', '=', event.data.UserCardCode);
  const found = await cards.setQuery(query).find();
  if (found.data.objects.length > 0) return { saved: false };
  const record = cards.create();
  record.set({ UserCardCode: event.data.UserCardCode });
  await record.save();
  return { saved: true };
};`;

let dataDir: string;
let engine: ServeProcess | undefined;

/** The engine at `process` durability, once by the flag and once by the environment. */
function spawn(how: 'flag' | 'env'): Promise<ServeProcess> {
  return startServe({
    cwd: repoRoot,
    env: {
      CLOUDFN_ADMIN_TOKEN: TOKEN,
      ...(how === 'env' ? { CLOUDFN_DURABILITY: 'process' } : {}),
    },
    args: [
      '--port',
      '0',
      '--data-dir',
      dataDir,
      ...(how === 'flag' ? ['--durability', 'process'] : []),
    ],
  });
}

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-crash-process-'));
});

afterAll(async () => {
  if (engine && engine.child.exitCode === null && engine.child.signalCode === null) {
    engine.child.kill('SIGKILL');
    await engine.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const count = (sql: string): number => {
  const db = new Database(path.join(dataDir, 'engine.db'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('a real engine at CLOUDFN_DURABILITY=process', () => {
  it('processes every push answered `success` after a SIGKILL right after the answers', async () => {
    engine = await spawn('flag');
    const started = engine.lines.map((l) => JSON.parse(l) as { url?: string; durability?: string });
    expect(started.find((l) => l.url)?.durability).toBe('process');
    const api = async (method: string, route: string, body: unknown, status: number) =>
      expect((await engine!.api(TOKEN, method, route, body)).status).toBe(status);
    await api(
      'PUT',
      `/wechat/accounts/${ACCOUNT.appId}`,
      { token: ACCOUNT.token, encodingAESKey: ACCOUNT.encodingAESKey },
      200,
    );
    await api(
      'POST',
      '/tables',
      { name: 'cards', fields: [{ name: 'UserCardCode', type: 'string' }] },
      201,
    );
    await api('PUT', '/functions/save_card', { code: SAVE_CARD }, 201);
    await api(
      'POST',
      '/triggers',
      {
        name: 'save_card',
        type: 'wechat_message',
        condition: {
          appId: ACCOUNT.appId,
          match: 'all',
          rules: [{ field: 'Event', op: '=', value: 'user_consume_card' }],
        },
        actions: [{ type: 'function', function: 'save_card' }],
      },
      201,
    );

    const codes = Array.from({ length: BURST }, (_, i) => `07${String(i).padStart(10, '0')}`);
    const answers = await Promise.all(
      codes.map((code) =>
        post(
          engine!.url,
          ACCOUNT.appId,
          signed(ACCOUNT, CARD.replace('452998530302', code), { timestamp: nowSeconds() }),
        ),
      ),
    );
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, text: 'success' });
    engine.child.kill('SIGKILL');
    expect(await engine.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // Every answered push survived the crash: in the inbox, once.
    expect(count("SELECT count(*) AS n FROM inbox WHERE source = 'wechat_message'")).toBe(BURST);

    engine = await spawn('env');
    await expect
      .poll(
        async () => {
          const rows = await engine!.api(TOKEN, 'GET', '/tables/cards/records?limit=1000');
          return (rows.body.objects as Array<{ UserCardCode: string }>)
            .map((r) => r.UserCardCode)
            .sort();
        },
        { timeout: 30_000, interval: 200 },
      )
      .toEqual(codes);
    engine.child.kill('SIGTERM');
    expect(await engine.exited).toEqual({ code: 0, signal: null });
  });
});
