/**
 * Where the CPU of opening one push goes, step by step (issue 19, the receiver's parsing). Run:
 *   npm exec -- node --no-node-snapshot bench/receiver/open-push-steps.ts   (BENCH_QUICK=1: shorter)
 * In process, no HTTP: the same unique text pushes as bench/receiver/index.ts (a safe-mode
 * account with the official sample key, a plaintext one), signed and encrypted as WeChat does,
 * then each step of `openPush` run over all of them in turn, and `openPush` itself. Steps are
 * timed by CPU (process.cpuUsage), rounds alternate the steps, medians are reported; the
 * machine is shared, so read the figures as ratios within one run. Also measured: what the
 * safe-mode envelope would cost through fast-xml-parser (the first idea) against the
 * byte scan that reads it now, and the message parse through the full parser against the
 * flat fast path. Add `--cpu-prof` to node to profile the lot. `--baseline DIR` also times
 * `openPush` of another checkout (e.g. `git archive <commit> engine | tar -x -C DIR`) in the
 * same rounds: a before/after of the whole open in one process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { XMLValidator } from 'fast-xml-parser';
import type * as wechat from '../../engine/wechat/index.ts';
import { prepareAccount, signPush, openPush } from '../../engine/wechat/index.ts';
import { decryptForAccount } from '../../engine/wechat/crypto.ts';
import { dedupKeyOf, messageIdOf } from '../../engine/wechat/dedup-key.ts';
import { readEncryptText, sniffFormat } from '../../engine/wechat/encrypt-envelope.ts';
import { normaliseMessage } from '../../engine/wechat/normalise.ts';
import { parseWechatXml, parseWechatXmlFully } from '../../engine/wechat/parse-xml.ts';
import { checkSignature, checkTimestamp } from '../../engine/wechat/query-check.ts';
import { readFlatXml } from '../../engine/wechat/read-flat-xml.ts';
import { median } from '../lib/latency.ts';

const { values: args } = parseArgs({ options: { baseline: { type: 'string' } } });
const QUICK = process.env.BENCH_QUICK === '1';
const PUSHES = QUICK ? 2_000 : 10_000;
const ROUNDS = QUICK ? 3 : 7;

const SAFE_ACCOUNT = {
  appId: 'wx2c2769f8efd9abc2',
  token: 'spamtest',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  mode: 'safe' as const,
};
const PLAIN_ACCOUNT = { appId: 'wxbenchreceiverpln', token: 'benchtoken', mode: 'plain' as const };
const SAFE = prepareAccount(SAFE_ACCOUNT);
const PLAIN = prepareAccount(PLAIN_ACCOUNT);

interface Push {
  query: Record<string, string>;
  body: Buffer;
  /** The message as the steps after it see it: decrypted (safe) or decoded (plain). */
  message: string;
  encrypt: string;
  parsed: Record<string, unknown>;
}

let nextMsgId = 6_000_000_000_000_000_000n;
const now = Math.floor(Date.now() / 1000);

function buildPushes(safe: boolean): Push[] {
  const account = safe ? SAFE : PLAIN;
  return Array.from({ length: PUSHES }, () => {
    const message = `<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好, cloudfn]]></Content><MsgId>${nextMsgId++}</MsgId></xml>`;
    const signed = signPush(account, { body: message, timestamp: now, encrypt: safe });
    const body = Buffer.from(signed.body);
    return {
      query: signed.query,
      body,
      message,
      encrypt: safe ? readEncryptText(body, 'xml') : '',
      parsed: parseWechatXml(message),
    };
  });
}

// A push the flat reader declines late (nested PicList after seven leaves): what a decline costs.
const PIC_LIST = fs.readFileSync(
  new URL('../../fixtures/wechat/pic_weixin_duplicate_piclist.xml', import.meta.url),
  'utf8',
);

// The card tutorial's push (the e2e bench's), laid out with blanks around each CDATA section.
const CARD = fs.readFileSync(
  new URL('../../fixtures/wechat/user_consume_card.xml', import.meta.url),
  'utf8',
);

const safePushes = buildPushes(true);
const plainPushes = buildPushes(false);
const utf8 = new TextDecoder('utf-8', { fatal: true });
// Results go here so the compiler cannot drop a step's work.
let sink = 0;
const keep = (value: unknown): void => {
  sink += typeof value === 'object' && value !== null ? 1 : String(value).length;
};

type Step = { name: string; pushes: Push[]; run: (push: Push) => void };

const STEPS: Step[] = [
  // Safe mode, in openPush's order.
  {
    name: 'safe: envelope, byte scan (sniff + Encrypt)',
    pushes: safePushes,
    run: (p) => keep(readEncryptText(p.body, sniffFormat(p.body, 'text/xml'))),
  },
  {
    name: 'safe: envelope through fast-xml-parser instead',
    pushes: safePushes,
    run: (p) => keep(parseWechatXmlFully(utf8.decode(p.body))),
  },
  {
    name: 'safe: msg_signature (SHA-1)',
    pushes: safePushes,
    run: (p) =>
      checkSignature(SAFE, 'msg_signature', p.query.msg_signature, [
        p.query.timestamp!,
        p.query.nonce!,
        p.encrypt,
      ]),
  },
  {
    name: 'safe: timestamp window',
    pushes: safePushes,
    run: (p) => checkTimestamp(p.query.timestamp!, now),
  },
  {
    name: 'safe: decrypt (base64, AES, split, AppID)',
    pushes: safePushes,
    run: (p) => keep(decryptForAccount(SAFE, p.encrypt)),
  },
  // The message parse, shared by both modes (the same message text).
  {
    name: 'message: fast-xml-parser, validator only',
    pushes: safePushes,
    run: (p) => keep(XMLValidator.validate(p.message)),
  },
  {
    name: 'message: fast-xml-parser, full (DTD check, validate, parse)',
    pushes: safePushes,
    run: (p) => keep(parseWechatXmlFully(p.message)),
  },
  {
    name: 'message: flat reader alone',
    pushes: safePushes,
    run: (p) => keep(readFlatXml(p.message)),
  },
  {
    name: 'message: parseWechatXml (DTD check + flat reader)',
    pushes: safePushes,
    run: (p) => keep(parseWechatXml(p.message)),
  },
  {
    name: 'message: normalise + dedup key + MsgId',
    pushes: safePushes,
    // normaliseMessage mutates its input, so each pass gets a shallow copy (a few tenths of a µs).
    run: (p) => {
      const data = normaliseMessage({ ...p.parsed }, SAFE.appId);
      keep(dedupKeyOf(data) + (messageIdOf(data) ?? ''));
    },
  },
  {
    name: 'card message (blanks around CDATA): full parser',
    pushes: safePushes,
    run: () => keep(parseWechatXmlFully(CARD)),
  },
  {
    name: 'card message (blanks around CDATA): parseWechatXml',
    pushes: safePushes,
    run: () => keep(parseWechatXml(CARD)),
  },
  {
    name: 'declined message (PicList): full parser',
    pushes: safePushes,
    run: () => keep(parseWechatXmlFully(PIC_LIST)),
  },
  {
    name: 'declined message (PicList): parseWechatXml (flat reader, then full parser)',
    pushes: safePushes,
    run: () => keep(parseWechatXml(PIC_LIST)),
  },
  // Plaintext mode.
  {
    name: 'plain: signature (SHA-1)',
    pushes: plainPushes,
    run: (p) =>
      checkSignature(PLAIN, 'signature', p.query.signature, [p.query.timestamp!, p.query.nonce!]),
  },
  {
    name: 'plain: UTF-8 decode of the body',
    pushes: plainPushes,
    run: (p) => keep(utf8.decode(p.body)),
  },
  // Whole opens.
  {
    name: 'openPush, safe',
    pushes: safePushes,
    run: (p) =>
      keep(
        openPush(SAFE, { query: p.query, body: p.body, contentType: 'text/xml', nowSeconds: now }),
      ),
  },
  {
    name: 'openPush, plain',
    pushes: plainPushes,
    run: (p) =>
      keep(
        openPush(PLAIN, { query: p.query, body: p.body, contentType: 'text/xml', nowSeconds: now }),
      ),
  },
];

if (args.baseline !== undefined) {
  const entry = path.resolve(args.baseline, 'engine/wechat/index.ts');
  const base = (await import(entry)) as typeof wechat;
  for (const [mode, pushes, account] of [
    ['safe', safePushes, SAFE_ACCOUNT],
    ['plain', plainPushes, PLAIN_ACCOUNT],
  ] as const) {
    const prepared = base.prepareAccount(account);
    STEPS.push({
      name: `openPush, ${mode}, baseline`,
      pushes,
      run: (p) =>
        keep(
          base.openPush(prepared, {
            query: p.query,
            body: p.body,
            contentType: 'text/xml',
            nowSeconds: now,
          }),
        ),
    });
  }
}

/** CPU µs per push of one pass of `step` over its pushes. */
function timeStep(step: Step): number {
  const before = process.cpuUsage();
  for (const push of step.pushes) step.run(push);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / step.pushes.length;
}

function main(): void {
  const cpus = os.cpus();
  console.log(
    `${cpus[0]?.model ?? 'unknown CPU'} ×${cpus.length}, node ${process.version}, ${PUSHES} pushes per step, ${ROUNDS} rounds (median), load ${os.loadavg()[0]!.toFixed(1)}\n`,
  );
  for (const step of STEPS) timeStep(step); // warm-up: JIT, caches
  const samples = new Map<string, number[]>(STEPS.map((s) => [s.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so drift in the machine's load does not favour one end of the list.
    const order = round % 2 === 0 ? STEPS : [...STEPS].reverse();
    for (const step of order) samples.get(step.name)!.push(timeStep(step));
  }
  const med = (name: string): number => median(samples.get(name)!);
  const safeTotal = med('openPush, safe');
  const plainTotal = med('openPush, plain');
  console.log('| step | CPU per push | share of openPush |\n| --- | --- | --- |');
  for (const step of STEPS) {
    const total = /\bplain\b/.test(step.name) ? plainTotal : safeTotal;
    const us = med(step.name);
    console.log(`| ${step.name} | ${us.toFixed(2)} µs | ${((100 * us) / total).toFixed(0)} % |`);
  }
  const full = med('message: fast-xml-parser, full (DTD check, validate, parse)');
  const fast = med('message: parseWechatXml (DTD check + flat reader)');
  const envFull = med('safe: envelope through fast-xml-parser instead');
  const envScan = med('safe: envelope, byte scan (sniff + Encrypt)');
  console.log(`\nmessage parse, full / flat: ${(full / fast).toFixed(1)}×`);
  const cardFull = med('card message (blanks around CDATA): full parser');
  const cardFast = med('card message (blanks around CDATA): parseWechatXml');
  console.log(`card message parse, full / flat: ${(cardFull / cardFast).toFixed(1)}×`);
  const declinedFull = med('declined message (PicList): full parser');
  const declinedBoth = med(
    'declined message (PicList): parseWechatXml (flat reader, then full parser)',
  );
  console.log(
    `declined message, flat reader + full / full alone: ${(declinedBoth / declinedFull).toFixed(2)}×`,
  );
  console.log(`safe envelope, fast-xml-parser / byte scan: ${(envFull / envScan).toFixed(1)}×`);
  // openPush before the flat reader = openPush now, with the full parse in place of the flat one.
  for (const [mode, total] of [
    ['safe', safeTotal],
    ['plain', plainTotal],
  ] as const) {
    const before = total - fast + full;
    console.log(
      `openPush ${mode}: ${total.toFixed(1)} µs, estimated with the full parser ${before.toFixed(1)} µs (${(before / total).toFixed(2)}×)`,
    );
  }
  if (args.baseline !== undefined) {
    for (const [mode, total] of [
      ['safe', safeTotal],
      ['plain', plainTotal],
    ] as const) {
      const before = med(`openPush, ${mode}, baseline`);
      console.log(
        `openPush ${mode}, measured: baseline ${before.toFixed(1)} µs, this checkout ${total.toFixed(1)} µs (${(before / total).toFixed(2)}×)`,
      );
    }
  }
  if (sink === 0) console.log('(sink)');
}

main();
