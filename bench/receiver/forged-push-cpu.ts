/**
 * What an unauthenticated sender costs the engine in safe mode (issue 12, item 6). Run:
 *   npm exec -- node --no-node-snapshot bench/receiver/forged-push-cpu.ts   (BENCH_QUICK=1: fewer)
 * A real engine (`cloudfn serve`, child process) with a safe-mode account takes, kind by kind,
 * a closed loop (4 in flight) of: valid signed and encrypted pushes, and forged 1 MiB bodies
 * with a made-up msg_signature (XML garbage, an envelope with a 1 MiB Encrypt, thousands of
 * CDATA sections, JSON). Reported: the engine process's CPU per request (user + system from
 * /proc), so the figure includes reading the 1 MiB from the socket. Figures go to
 * docs/performance.md ("Forged pushes") by hand.
 */
import os from 'node:os';
import { prepareAccount, signPush } from '../../engine/wechat/index.ts';
import { closedLoop, type LoadRequest } from '../lib/http-load.ts';
import { startEngineProcess } from './engine-process.ts';
import { cpuSeconds } from './cpu-time.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const COUNT = QUICK ? 40 : 200;
const MIB = 1024 * 1024;
const ACCOUNT = {
  appId: 'wx2c2769f8efd9abc2',
  token: 'spamtest',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  mode: 'safe' as const,
};

let msgId = 7_000_000_000_000_000_000n;
function validPushes(count: number): LoadRequest[] {
  const account = prepareAccount(ACCOUNT);
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, () => {
    const body = `<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好, cloudfn]]></Content><MsgId>${msgId++}</MsgId></xml>`;
    const signed = signPush(account, { body, timestamp: now, encrypt: true });
    return {
      path: `/wechat/${ACCOUNT.appId}?${new URLSearchParams(signed.query).toString()}`,
      body: Buffer.from(signed.body),
      contentType: signed.contentType,
    };
  });
}

/** Exactly `MIB - 64` bytes of the given shape (under the 1 MiB cap, so it is all read). */
function fill(head: string, unit: string, tail: string): Buffer {
  const room = MIB - 64 - head.length - tail.length;
  return Buffer.from(head + unit.repeat(Math.floor(room / unit.length)) + tail);
}

const FORGED: Record<string, () => Buffer> = {
  'XML, 1 MiB of nested elements': () =>
    fill('<xml>', '<a><b>x</b><c>y</c></a>', '<Encrypt>QUJD</Encrypt></xml>'),
  'XML envelope, 1 MiB Encrypt': () =>
    fill('<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[', 'QUJD', ']]></Encrypt></xml>'),
  'XML, 40,000 CDATA sections': () =>
    fill('<xml>', '<C><![CDATA[<Encrypt>]]></C>', '<Encrypt>QUJD</Encrypt></xml>'),
  'XML, 1 MiB of "<"': () => fill('<xml>', '<', '</xml>'),
  'JSON envelope, 1 MiB Encrypt': () => fill('{"ToUserName":"gh","Encrypt":"', 'QUJD', '"}'),
};

function forged(make: () => Buffer, count: number): LoadRequest[] {
  const body = make();
  const now = Math.floor(Date.now() / 1000);
  const query = new URLSearchParams({
    timestamp: String(now),
    nonce: '12345',
    encrypt_type: 'aes',
    msg_signature: '0'.repeat(40),
  });
  return Array.from({ length: count }, () => ({
    path: `/wechat/${ACCOUNT.appId}?${query.toString()}`,
    body,
    contentType: 'text/xml',
  }));
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`${cpus[0]?.model ?? 'unknown CPU'} ×${cpus.length}, node ${process.version}`);
  const engine = await startEngineProcess();
  try {
    await engine.api('PUT', `/wechat/accounts/${ACCOUNT.appId}`, {
      token: ACCOUNT.token,
      encodingAESKey: ACCOUNT.encodingAESKey,
      mode: 'safe',
    });
    const target = { host: engine.host, port: engine.port };
    /** `expect` 200: every answer is 200; 4xx: every answer is a 4xx refusal. */
    const measure = async (requests: LoadRequest[], expect: 200 | '4xx') => {
      const before = cpuSeconds(engine.pid);
      const result = await closedLoop(target, requests, {
        concurrency: 4,
        maxMs: 120_000,
        timeoutMs: 30_000,
      });
      const cpu = cpuSeconds(engine.pid) - before;
      const answered =
        expect === 200
          ? result.ok
          : Object.entries(result.failures)
              .filter(([status]) => Number(status) >= 400 && Number(status) < 500)
              .reduce((sum, [, n]) => sum + n, 0);
      if (answered !== requests.length)
        throw new Error(
          `expected ${requests.length} × ${expect}, got ok=${result.ok} ${JSON.stringify(result.failures)}`,
        );
      const statuses = Object.keys(result.failures).join(', ') || '200';
      return { micros: (cpu * 1e6) / requests.length, statuses };
    };
    await measure(validPushes(200), 200); // warm-up: JIT, sockets, SQLite pages
    const { micros: valid } = await measure(validPushes(COUNT * 5), 200);
    console.log(
      `\n| body | answer | engine CPU per request | × a valid push |\n| --- | --- | --- | --- |`,
    );
    console.log(
      `| valid safe-mode push (${validPushes(1)[0]!.body.length} B) | 200 | ${valid.toFixed(0)} µs | 1 |`,
    );
    for (const [name, make] of Object.entries(FORGED)) {
      const { micros, statuses } = await measure(forged(make, COUNT), '4xx');
      console.log(
        `| forged: ${name} | ${statuses} | ${micros.toFixed(0)} µs | ${(micros / valid).toFixed(1)} |`,
      );
    }
  } finally {
    await engine.stop();
  }
}

await main();
