/**
 * The reference for the end-to-end bench: the tutorial's work with no sandbox, no inbox, no
 * queue. A koa server that reads the body, opens the push with the engine's own protocol
 * code (signature, timestamp window, AES, fast-xml-parser, normalisation: engine/wechat),
 * calls functions/user_consume_card.js as a plain in-process JavaScript function with a
 * tiny BaaS that inserts the row with better-sqlite3, and answers `success` once the row is
 * written. It is what a developer who "just handles it" builds, with the engine's protocol
 * code, and the floor cloudfn is measured against.
 *
 * Honest on durability: the row goes into a SQLite file with the engine inbox's settings
 * (WAL, synchronous=FULL), one transaction per push as a plain handler writes it, so a push
 * answered `success` is on disk here too. Run by bench/e2e; env: PORT, DATA_DIR,
 * REFERENCE_ACCOUNTS (JSON list of {appId, token, encodingAESKey?}).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import Database from 'better-sqlite3';
import {
  openPush,
  prepareAccount,
  MAX_PUSH_BYTES,
  type PreparedAccount,
} from '../../engine/wechat/index.ts';
import { readRawBody } from '../../engine/http/body.ts';
import { FUNCTION_FILE, TABLE_FIELDS, TABLE_NAME, type BenchAccount } from '../lib/tutorial.ts';

const dataDir = process.env.DATA_DIR ?? fs.mkdtempSync('/tmp/cloudfn-reference-');
const accounts = new Map<string, PreparedAccount>();
for (const a of JSON.parse(process.env.REFERENCE_ACCOUNTS ?? '[]') as BenchAccount[]) {
  const mode = a.encodingAESKey ? 'safe' : 'plain';
  accounts.set(
    a.appId,
    prepareAccount({
      appId: a.appId,
      token: a.token,
      mode,
      ...(a.encodingAESKey ? { encodingAESKey: a.encodingAESKey } : {}),
    }),
  );
}

// The same table shape as the engine's TableStore makes (STRICT, system columns, indexes).
const db = new Database(path.join(dataDir, 'reference.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const columns = TABLE_FIELDS.map((f) => `"${f.name}" ${f.type === 'integer' ? 'INTEGER' : 'TEXT'}`);
db.exec(`CREATE TABLE IF NOT EXISTS "t_${TABLE_NAME}" (_seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, created_by INTEGER, ${columns.join(', ')}) STRICT`);
for (const c of ['created_at', 'updated_at', 'created_by'])
  db.exec(`CREATE INDEX IF NOT EXISTS "i_${c}" ON "t_${TABLE_NAME}" ("${c}")`);
const insert =
  db.prepare(`INSERT INTO "t_${TABLE_NAME}" (id, created_at, updated_at, ${TABLE_FIELDS.map((f) => `"${f.name}"`).join(', ')})
  VALUES (@id, @created_at, @updated_at, ${TABLE_FIELDS.map((f) => `@${f.name}`).join(', ')})`);

/** Just enough of MinCloud's BaaS for the tutorial function: TableObject → create → set → save. */
const BaaS = {
  TableObject: class {
    create() {
      const values: Record<string, unknown> = {};
      return {
        set(key: string | Record<string, unknown>, value?: unknown) {
          if (typeof key === 'string') values[key] = value;
          else Object.assign(values, key);
        },
        save: async () => {
          const now = Math.floor(Date.now() / 1000);
          const row: Record<string, unknown> = {
            id: now.toString(16).padStart(8, '0') + randomBytes(8).toString('hex'),
            created_at: now,
            updated_at: now,
          };
          for (const f of TABLE_FIELDS) row[f.name] = values[f.name] ?? null;
          insert.run(row);
          return { data: row };
        },
      };
    }
  },
};
// A job's console is kept, as the engine keeps it; here in a bounded in-memory ring.
const logLines: string[] = [];
const guestConsole = {
  log: (...args: unknown[]) =>
    void (logLines.push(args.join(' ')) > 1000 && logLines.splice(0, 500)),
};

type Main = (event: { data: unknown }, callback: (err: unknown, result?: unknown) => void) => void;
const cjs = { exports: {} as { main?: Main } };
// The function's own file, evaluated once as CommonJS with BaaS and console in scope.
new Function('exports', 'module', 'BaaS', 'console', fs.readFileSync(FUNCTION_FILE, 'utf8'))(
  cjs.exports,
  cjs,
  BaaS,
  guestConsole,
);
const main = cjs.exports.main!;
const runFunction = (data: unknown) =>
  new Promise<unknown>((resolve, reject) =>
    main({ data }, (err, result) => (err ? reject(err) : resolve(result))),
  );

const app = new Koa();
const router = new Router();
router.get('/healthz', (ctx) => {
  ctx.body = { status: 'ok' };
});
router.post('/wechat/:appId', async (ctx) => {
  const account = accounts.get(ctx.params.appId!);
  if (!account) return void (ctx.status = 404);
  const body = await readRawBody(ctx, MAX_PUSH_BYTES);
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(ctx.query)) query[k] = Array.isArray(v) ? v[0] : v;
  let data: Record<string, unknown>;
  try {
    data = openPush(account, {
      query,
      body,
      contentType: ctx.get('content-type'),
      nowSeconds: Math.floor(Date.now() / 1000),
    }).data;
  } catch (err) {
    ctx.status = (err as { status?: number }).status ?? 400;
    return;
  }
  if (data.Event === 'user_consume_card') await runFunction(data);
  ctx.type = 'text/plain';
  ctx.body = 'success';
});
app.use(router.routes());

const server = http.createServer(app.callback());
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(
    `reference listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`,
  );
});
const stop = () =>
  server.close(() => {
    db.close();
    process.exit(0);
  });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
