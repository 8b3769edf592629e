/**
 * The bench's DIY column: what a developer writes without cloudfn, with the most used koa
 * middleware for WeChat pushes (co-wechat 2.4.0: signature, AES, xml2js) and a plain handler
 * running the tutorial function in-process (tutorial-handler.ts), one transaction per push at
 * REFERENCE_SYNCHRONOUS (full: fsynced before the answer; normal: committed to the log).
 * It answers '' (co-wechat's "no reply", which WeChat takes as `success`) once the row is
 * written. No timestamp window and no dedup: co-wechat has neither, and a DIY handler
 * usually does not add them. Env as server.ts: PORT, DATA_DIR, REFERENCE_ACCOUNTS,
 * REFERENCE_SYNCHRONOUS.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import wechat from 'co-wechat';
import type { BenchAccount } from '../lib/tutorial.ts';
import { openTutorialHandler, synchronousFromEnv } from './tutorial-handler.ts';

const dataDir = process.env.DATA_DIR ?? fs.mkdtempSync('/tmp/cloudfn-diy-');
const synchronous = synchronousFromEnv(process.env);
const handler = openTutorialHandler(dataDir, synchronous);

const app = new Koa();
const router = new Router();
router.get('/healthz', (ctx) => {
  ctx.body = { status: 'ok' };
});
for (const a of JSON.parse(process.env.REFERENCE_ACCOUNTS ?? '[]') as BenchAccount[]) {
  const config = {
    token: a.token,
    appid: a.appId,
    ...(a.encodingAESKey ? { encodingAESKey: a.encodingAESKey } : {}),
  };
  router.all(
    `/wechat/${a.appId}`,
    wechat(config).middleware(async (message) => {
      // The row the engine writes: CreateTime a number, the account's appId beside the push.
      if (message.Event === 'user_consume_card')
        await handler.run({ ...message, CreateTime: Number(message.CreateTime), _AppId: a.appId });
      return '';
    }),
  );
}
app.use(router.routes());

const server = http.createServer(app.callback());
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(
    `co-wechat listening on http://127.0.0.1:${(server.address() as AddressInfo).port} (synchronous=${synchronous})\n`,
  );
});
const stop = () =>
  server.close(() => {
    handler.close();
    process.exit(0);
  });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
