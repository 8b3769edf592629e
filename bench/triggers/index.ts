/**
 * Rule-matching rate with 10,000 triggers (issue 6). Run:
 *   npm exec -- node bench/triggers/index.ts
 * Prints events matched per second for four shapes of trigger set, and the ratio of the
 * index to a plain scan of every trigger. Figures go to docs/triggers.md by hand; the
 * machine is shared, so compare ratios rather than absolute numbers.
 */
import {
  buildTriggerIndex,
  matchRules,
  matchTriggers,
  parseTriggerDefinition,
} from '../../engine/triggers/index.ts';
import type { TriggerDefinition } from '../../engine/triggers/index.ts';

interface Push {
  appId: string;
  data: Record<string, unknown>;
}

const N = 10_000;
const EVENTS = [
  'subscribe',
  'unsubscribe',
  'SCAN',
  'CLICK',
  'VIEW',
  'LOCATION',
  'user_consume_card',
  'user_del_card',
];
const appIdOf = (i: number, accounts: number): string =>
  `wx${String(i % accounts).padStart(16, '0')}`;

// The realistic shape: each trigger keys on Event and EventKey.
const keyedRules = (i: number): unknown[] => [
  { field: 'Event', op: '=', value: EVENTS[i % EVENTS.length] },
  { field: 'EventKey', op: '=', value: `key${i % 500}` },
];
// Nothing to file under: every trigger of the account is evaluated for every push.
const unkeyedRules = (i: number): unknown[] => [
  { field: 'Content', op: 'contains', value: `word${i % 1000}` },
  { field: 'CreateTime', op: '>', value: i },
  { field: 'FromUserName', op: 'regex', value: `^o${i % 10}` },
];

const SETS = [
  { name: '10,000 keyed triggers over 50 accounts', accounts: 50, rules: keyedRules },
  { name: '10,000 keyed triggers on one account', accounts: 1, rules: keyedRules },
  { name: '10,000 unkeyed triggers over 50 accounts', accounts: 50, rules: unkeyedRules },
  { name: '10,000 unkeyed triggers on one account (worst case)', accounts: 1, rules: unkeyedRules },
];

function definitions(accounts: number, rules: (i: number) => unknown[]): TriggerDefinition[] {
  const defs: TriggerDefinition[] = [];
  for (let i = 0; i < N; i++) {
    const input = {
      name: `t${i}`,
      type: 'wechat_message',
      condition: { appId: appIdOf(i, accounts), match: 'all', rules: rules(i) },
      actions: [{ type: 'function', function: 'f' }],
    };
    defs.push(parseTriggerDefinition(input, { generateSecret: () => 'bench-secret' }));
  }
  return defs;
}

function pushes(accounts: number): Push[] {
  const out: Push[] = [];
  for (let i = 0; i < 1000; i++) {
    out.push({
      appId: appIdOf(i, accounts),
      data: {
        ToUserName: 'gh_fc0a06a20993',
        FromUserName: `o${i % 10}ZI8Fj040-be6rlDohc6gkoPOQTQ`,
        CreateTime: 1472549042 + i,
        MsgType: i % 3 === 0 ? 'text' : 'event',
        Event: EVENTS[i % EVENTS.length],
        EventKey: `key${(i * 7) % 500}`,
        Content: `hello word${i % 1000}`,
      },
    });
  }
  return out;
}

/** Events per second of fn over the pushes: best of 5 runs of at least 300 ms each. */
function rate(fn: (p: Push) => number, input: Push[]): number {
  let best = 0;
  for (let run = 0; run < 5; run++) {
    let events = 0;
    let sink = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 300) {
      for (const p of input) sink += fn(p);
      events += input.length;
      elapsed = performance.now() - start;
    }
    if (sink < 0) console.log(sink); // keeps the work observable
    best = Math.max(best, (events / elapsed) * 1000);
  }
  return best;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log(`node ${process.version}, ${fmt(N)} triggers per set, 1,000 distinct pushes`);
for (const set of SETS) {
  const defs = definitions(set.accounts, set.rules);
  const buildStart = performance.now();
  const index = buildTriggerIndex(defs);
  const buildMs = performance.now() - buildStart;
  const input = pushes(set.accounts);

  const viaIndex = (p: Push): number =>
    matchTriggers(index, { type: 'wechat_message', appId: p.appId }, p.data).length;
  // The baseline: every trigger evaluated for every push, as without an index.
  const viaScan = (p: Push): number => {
    let n = 0;
    for (const d of defs) {
      if (
        d.type === 'wechat_message' &&
        d.condition.appId === p.appId &&
        matchRules(d.condition, p.data)
      )
        n++;
    }
    return n;
  };
  const indexedMatches = input.reduce((n, p) => n + viaIndex(p), 0);
  const scannedMatches = input.reduce((n, p) => n + viaScan(p), 0);
  if (indexedMatches !== scannedMatches)
    throw new Error(`index found ${indexedMatches}, scan ${scannedMatches}`);

  const indexed = rate(viaIndex, input);
  const scan = rate(viaScan, input);
  console.log(`\n${set.name}`);
  console.log(`  index build:       ${buildMs.toFixed(1)} ms`);
  console.log(`  matchTriggers:     ${fmt(indexed)} events/s`);
  console.log(`  plain scan:        ${fmt(scan)} events/s`);
  console.log(`  index / scan:      ${(indexed / scan).toFixed(1)}×`);
  console.log(
    `  matches per event: ${(indexedMatches / input.length).toFixed(2)} (index and scan agree)`,
  );
}
