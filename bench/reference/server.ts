/**
 * The reference for the end-to-end bench: the tutorial's work with no sandbox, no inbox, no
 * queue. A koa server that reads the body, opens the push with the engine's own protocol
 * code (signature, timestamp window, AES, fast-xml-parser, normalisation: engine/wechat),
 * runs functions/user_consume_card.js as a plain in-process function (tutorial-handler.ts)
 * and answers `success` once the row is written. It is what a developer who "just handles
 * it" builds, with the engine's protocol code, and the floor cloudfn is measured against.
 *
 * Durability as a plain handler has it: one transaction per push, WAL, at
 * REFERENCE_SYNCHRONOUS=full (default: each push fsynced before `success`, as cloudfn's
 * `fsync`) or normal (as cloudfn's `process`). Run by bench/e2e; env: PORT, DATA_DIR,
 * REFERENCE_ACCOUNTS (JSON list of {appId, token, encodingAESKey?}), REFERENCE_SYNCHRONOUS.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import {
  openPush,
  prepareAccount,
  MAX_PUSH_BYTES,
  type PreparedAccount,
} from '../../engine/wechat/index.ts';
import { readRawBody } from '../../engine/http/body.ts';
import type { BenchAccount } from '../lib/tutorial.ts';
import { openTutorialHandler, synchronousFromEnv } from './tutorial-handler.ts';

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
const synchronous = synchronousFromEnv(process.env);
const handler = openTutorialHandler(dataDir, synchronous);

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
  if (data.Event === 'user_consume_card') await handler.run(data);
  ctx.type = 'text/plain';
  ctx.body = 'success';
});
app.use(router.routes());

const server = http.createServer(app.callback());
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(
    `reference listening on http://127.0.0.1:${(server.address() as AddressInfo).port} (synchronous=${synchronous})\n`,
  );
});
const stop = () =>
  server.close(() => {
    handler.close();
    process.exit(0);
  });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
