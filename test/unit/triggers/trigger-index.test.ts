import { describe, expect, test } from 'vitest';
import {
  buildTriggerIndex,
  matchReplyTrigger,
  matchTriggers,
  parseTriggerDefinition,
  triggerSubject,
  explainMatch,
} from '../../../engine/triggers/index.ts';
import type {
  RuleCondition,
  TriggerDefinition,
  TriggerSource,
} from '../../../engine/triggers/index.ts';
import { CONSUME_CARD, MP_TEXT } from './push-samples.ts';

const define = (input: Record<string, unknown>): TriggerDefinition =>
  parseTriggerDefinition(
    { actions: [{ type: 'function', function: 'f' }], ...input },
    { generateSecret: () => 'secret-secret' },
  );

const wechat = (
  name: string,
  appId: string,
  rules: unknown[] = [],
  extra: Record<string, unknown> = {},
) => define({ name, type: 'wechat_message', condition: { appId, rules }, ...extra });

const names = (
  index: ReturnType<typeof buildTriggerIndex>,
  source: TriggerSource,
  data: unknown,
): string[] => [...new Set(matchTriggers(index, source, data).map((m) => m.trigger.name))];

const APP = { type: 'wechat_message', appId: 'wx2c2769f8efd9abc2' } as const;

describe('matchTriggers by source', () => {
  test('wechat_message: only the triggers of the push account', () => {
    const index = buildTriggerIndex([
      wechat('mine', 'wx2c2769f8efd9abc2', [
        { field: 'Event', op: '=', value: 'user_consume_card' },
      ]),
      wechat('other-account', 'wxother', [{ field: 'Event', op: '=', value: 'user_consume_card' }]),
      wechat('all-of-mine', 'wx2c2769f8efd9abc2'),
      wechat('text-only', 'wx2c2769f8efd9abc2', [{ field: 'MsgType', op: '=', value: 'text' }]),
    ]);
    expect(names(index, APP, CONSUME_CARD)).toEqual(['mine', 'all-of-mine']);
    expect(names(index, APP, MP_TEXT)).toEqual(['all-of-mine', 'text-only']);
    expect(names(index, { type: 'wechat_message', appId: 'wxnobody' }, CONSUME_CARD)).toEqual([]);
  });

  test('one entry per action, in trigger then action order', () => {
    const index = buildTriggerIndex([
      wechat('a', 'wx1', [], {
        actions: [
          { type: 'function', function: 'f1' },
          { type: 'webhook', url: 'https://example.com/' },
          { type: 'table', table: 'log', record: { who: '{{FromUserName}}' } },
        ],
      }),
      wechat('b', 'wx1'),
    ]);
    const matched = matchTriggers(index, { type: 'wechat_message', appId: 'wx1' }, MP_TEXT);
    expect(matched.map((m) => [m.trigger.name, m.actionIndex, m.action.type])).toEqual([
      ['a', 0, 'function'],
      ['a', 1, 'webhook'],
      ['a', 2, 'table'],
      ['b', 0, 'function'],
    ]);
    expect(matched[1]!.action).toBe(matched[1]!.trigger.actions[1]);
  });

  test('disabled triggers never match', () => {
    const index = buildTriggerIndex([
      wechat('off', 'wx1', [], { enabled: false }),
      wechat('off-reply', 'wx1', [], { enabled: false, reply: true }),
      define({
        name: 'off-timer',
        type: 'timer',
        enabled: false,
        condition: { cron: '* * * * *' },
      }),
      define({ name: 'off-hook', type: 'webhook', enabled: false }),
      define({
        name: 'off-table',
        type: 'table',
        enabled: false,
        condition: { table: 'orders', on: ['create'] },
      }),
    ]);
    expect(index.size).toBe(0);
    expect(names(index, { type: 'wechat_message', appId: 'wx1' }, MP_TEXT)).toEqual([]);
    expect(matchReplyTrigger(index, 'wx1', MP_TEXT)).toBeUndefined();
    expect(names(index, { type: 'timer', trigger: 'off-timer' }, {})).toEqual([]);
    expect(names(index, { type: 'webhook', trigger: 'off-hook' }, {})).toEqual([]);
    expect(
      names(
        index,
        { type: 'table', table: 'orders', event: 'create' },
        { event: 'create', after: {} },
      ),
    ).toEqual([]);
  });

  test('table: by table and event; rules see the row, $before and $after', () => {
    const index = buildTriggerIndex([
      define({ name: 'created', type: 'table', condition: { table: 'orders', on: ['create'] } }),
      define({
        name: 'became-paid',
        type: 'table',
        condition: {
          table: 'orders',
          on: ['update'],
          rules: [
            { field: 'status', op: '=', value: 'paid' },
            { field: '$before.status', op: '!=', value: 'paid' },
          ],
        },
      }),
      define({
        name: 'deleted-big',
        type: 'table',
        condition: {
          table: 'orders',
          on: ['delete'],
          rules: [{ field: 'total', op: '>', value: 100 }],
        },
      }),
      define({
        name: 'other-table',
        type: 'table',
        condition: { table: 'users', on: ['create', 'update', 'delete'] },
      }),
    ]);
    const src = (event: 'create' | 'update' | 'delete') =>
      ({ type: 'table', table: 'orders', event }) as const;
    const row = { id: 'a1', status: 'new', total: 150 };
    expect(
      names(index, src('create'), { event: 'create', before: null, after: row, table: 'orders' }),
    ).toEqual(['created']);
    const paid = {
      event: 'update',
      before: row,
      after: { ...row, status: 'paid' },
      table: 'orders',
    };
    expect(names(index, src('update'), paid)).toEqual(['became-paid']);
    const again = {
      event: 'update',
      before: { ...row, status: 'paid' },
      after: { ...row, status: 'paid' },
      table: 'orders',
    };
    expect(names(index, src('update'), again)).toEqual([]);
    // A delete has no after: the rules read the row as it was.
    expect(
      names(index, src('delete'), { event: 'delete', before: row, after: null, table: 'orders' }),
    ).toEqual(['deleted-big']);
    expect(
      names(index, src('delete'), {
        event: 'delete',
        before: { ...row, total: 5 },
        after: null,
        table: 'orders',
      }),
    ).toEqual([]);
  });

  test('triggerSubject: table sources read the row plus $-fields; others read data itself', () => {
    const data = { event: 'update', before: { a: 1 }, after: { a: 2 }, table: 'orders' };
    expect(triggerSubject({ type: 'table' }, data)).toEqual({
      a: 2,
      $event: 'update',
      $before: { a: 1 },
      $after: { a: 2 },
      $table: 'orders',
    });
    expect(triggerSubject({ type: 'table' }, { a: 3 })).toEqual({ a: 3 });
    expect(triggerSubject({ type: 'wechat_message' }, MP_TEXT)).toBe(MP_TEXT);
    expect(
      explainMatch(
        { rules: [{ field: '$after.a', op: '=', value: 2 }] },
        triggerSubject({ type: 'table' }, data),
      ).matched,
    ).toBe(true);
  });

  test('timer and webhook: by trigger name and type', () => {
    const index = buildTriggerIndex([
      define({ name: 'tick', type: 'timer', condition: { cron: '* * * * * *' } }),
      define({
        name: 'hook',
        type: 'webhook',
        condition: { rules: [{ field: 'action', op: '=', value: 'opened' }] },
      }),
      define({ name: 'any-hook', type: 'webhook' }),
    ]);
    expect(
      names(index, { type: 'timer', trigger: 'tick' }, { scheduledAt: 'x', firedAt: 'y' }),
    ).toEqual(['tick']);
    expect(names(index, { type: 'webhook', trigger: 'tick' }, {})).toEqual([]);
    expect(names(index, { type: 'timer', trigger: 'hook' }, {})).toEqual([]);
    expect(names(index, { type: 'webhook', trigger: 'hook' }, { action: 'opened' })).toEqual([
      'hook',
    ]);
    expect(names(index, { type: 'webhook', trigger: 'hook' }, { action: 'closed' })).toEqual([]);
    expect(names(index, { type: 'webhook', trigger: 'any-hook' }, 'not even an object')).toEqual([
      'any-hook',
    ]);
    expect(names(index, { type: 'webhook', trigger: 'missing' }, {})).toEqual([]);
  });
});

describe('passive-reply triggers', () => {
  const index = buildTriggerIndex([
    wechat('normal', 'wx1', [{ field: 'MsgType', op: '=', value: 'text' }]),
    wechat('reply-event', 'wx1', [{ field: 'MsgType', op: '=', value: 'event' }], { reply: true }),
    wechat('reply-text', 'wx1', [{ field: 'Content', op: 'contains', value: 'test' }], {
      reply: true,
    }),
    wechat('reply-any-text', 'wx1', [{ field: 'MsgType', op: '=', value: 'text' }], {
      reply: true,
    }),
    wechat('reply-other', 'wx2', [], { reply: true }),
  ]);

  test('are excluded from matchTriggers', () => {
    expect(names(index, { type: 'wechat_message', appId: 'wx1' }, MP_TEXT)).toEqual(['normal']);
    expect(names(index, { type: 'wechat_message', appId: 'wx2' }, MP_TEXT)).toEqual([]);
  });

  test('matchReplyTrigger gives the first matching one of the account', () => {
    expect(matchReplyTrigger(index, 'wx1', MP_TEXT)?.name).toBe('reply-text');
    expect(matchReplyTrigger(index, 'wx1', CONSUME_CARD)?.name).toBe('reply-event');
    expect(matchReplyTrigger(index, 'wx1', { MsgType: 'voice' })).toBeUndefined();
    expect(matchReplyTrigger(index, 'wx2', {})?.name).toBe('reply-other');
    expect(matchReplyTrigger(index, 'wx3', {})).toBeUndefined();
  });
});

describe('the pre-filter never changes a result', () => {
  // Triggers the index files under a field value, mixed with ones it cannot file; the
  // answer must equal a plain scan evaluating every trigger.
  const defs = [
    wechat('eq-text', 'wx1', [{ field: 'Event', op: '=', value: 'subscribe' }]),
    wechat('eq-lower-field', 'wx1', [{ field: 'event', op: '=', value: 'subscribe' }]),
    wechat('in-texts', 'wx1', [{ field: 'Event', op: 'in', value: ['subscribe', 'SCAN', 'SCAN'] }]),
    wechat('eq-numeric-text', 'wx1', [{ field: 'Count', op: '=', value: '2' }]),
    wechat('eq-number', 'wx1', [{ field: 'Count', op: '=', value: 2 }]),
    wechat('eq-bool-text', 'wx1', [{ field: 'Flag', op: '=', value: 'true' }]),
    define({
      name: 'any-two',
      type: 'wechat_message',
      condition: {
        appId: 'wx1',
        match: 'any',
        rules: [
          { field: 'Event', op: '=', value: 'subscribe' },
          { field: 'MsgType', op: '=', value: 'text' },
        ],
      },
    }),
    wechat('all-two', 'wx1', [
      { field: 'MsgType', op: 'exists' },
      { field: 'Event', op: '=', value: 'SCAN' },
    ]),
    wechat('nested', 'wx1', [{ field: 'Info.Kind', op: '=', value: 'x' }]),
    // Several filable rules: filed under the rarer EventKey, still checked on both.
    wechat('scan-k1', 'wx1', [
      { field: 'Event', op: '=', value: 'SCAN' },
      { field: 'EventKey', op: '=', value: 'k1' },
    ]),
    wechat('scan-k2', 'wx1', [
      { field: 'Event', op: '=', value: 'SCAN' },
      { field: 'EventKey', op: 'in', value: ['k2', 'k3'] },
    ]),
    wechat('click-k1', 'wx1', [
      { field: 'Event', op: '=', value: 'CLICK' },
      { field: 'EventKey', op: '=', value: 'k1' },
    ]),
    wechat('no-rules', 'wx1'),
  ];
  const index = buildTriggerIndex(defs);
  const events: unknown[] = [
    { Event: 'subscribe', MsgType: 'event' },
    { event: 'subscribe' },
    { Event: 'SCAN', MsgType: 'event' },
    { Event: 'SCAN' },
    { Event: 'SCAN', EventKey: 'k1' },
    { Event: 'SCAN', EventKey: 'k3' },
    { Event: 'CLICK', EventKey: 'k1' },
    { Event: 'CLICK', eventkey: 'k1' },
    { Event: 'VIEW', EventKey: 'k1' },
    { EventKey: 'k2' },
    { Count: '2' },
    { Count: 2 },
    { Count: '2.0' },
    { Flag: true },
    { Flag: 'true' },
    { MsgType: 'text' },
    { Event: 5 },
    { Event: null },
    { Info: { Kind: 'x' } },
    { info: { kind: 'x' } },
    {},
    null,
  ];
  test.each(events.map((e) => [JSON.stringify(e), e]))('%s', (_label, event) => {
    const scan = defs
      .filter((d) => explainMatch(d.condition as RuleCondition, event).matched)
      .map((d) => d.name);
    expect(names(index, { type: 'wechat_message', appId: 'wx1' }, event)).toEqual(scan);
  });
});

describe('10,000 triggers', () => {
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
  const defs: TriggerDefinition[] = [];
  for (let i = 0; i < 10_000; i++) {
    const app = `wx${String(i % 50).padStart(4, '0')}`;
    const kind = i % 4;
    const rules =
      kind === 0
        ? [
            { field: 'Event', op: '=', value: EVENTS[i % EVENTS.length] },
            { field: 'EventKey', op: '=', value: `key${i}` },
          ]
        : kind === 1
          ? [{ field: 'Content', op: 'contains', value: `word${i % 100}` }]
          : kind === 2
            ? [
                {
                  field: 'Event',
                  op: 'in',
                  value: [EVENTS[i % EVENTS.length], EVENTS[(i + 1) % EVENTS.length]],
                },
              ]
            : [{ field: 'CreateTime', op: '>', value: i }];
    defs.push(wechat(`t${i}`, app, rules, i % 97 === 0 ? { enabled: false } : {}));
  }
  const index = buildTriggerIndex(defs);

  /** The answer of a plain scan: every enabled trigger of the account whose rules hold. */
  const scan = (appId: string, event: unknown): string[] =>
    defs
      .filter((d) => d.enabled && d.type === 'wechat_message' && d.condition.appId === appId)
      .filter((d) => explainMatch(d.condition as RuleCondition, event).matched)
      .map((d) => d.name);

  test.each([
    ['wx0000', { MsgType: 'event', Event: 'subscribe', EventKey: 'key0', CreateTime: 5000 }],
    ['wx0008', { MsgType: 'event', Event: 'subscribe', EventKey: 'key8', CreateTime: 1 }],
    ['wx0013', { MsgType: 'text', Content: 'say word13 and word63', CreateTime: 9_000 }],
    ['wx0002', { MsgType: 'event', Event: 'SCAN', EventKey: 'nothing', CreateTime: 0 }],
    ['wx0049', { MsgType: 'event', event: 'click' }],
    ['wx9999', { MsgType: 'event', Event: 'subscribe' }],
  ])('%s %j gives exactly the scan answer', (appId, event) => {
    const expected = scan(appId, event);
    expect(names(index, { type: 'wechat_message', appId }, event)).toEqual(expected);
  });

  test('a specific trigger among 10,000 is found, and only it', () => {
    // t8 is on wx0008 with Event subscribe and EventKey key8.
    const found = names(
      index,
      { type: 'wechat_message', appId: 'wx0008' },
      { Event: 'subscribe', EventKey: 'key8' },
    );
    expect(found).toContain('t8');
    expect(found.filter((n) => Number(n.slice(1)) % 4 === 0)).toEqual(['t8']);
  });

  test('disabled ones among them are left out', () => {
    expect(index.size).toBe(10_000 - Math.ceil(10_000 / 97));
    // t0 is disabled (0 % 97 === 0), though its rules match.
    expect(
      names(
        index,
        { type: 'wechat_message', appId: 'wx0000' },
        { Event: 'subscribe', EventKey: 'key0' },
      ),
    ).not.toContain('t0');
  });
});

describe('stored triggers whose rules no longer compile', () => {
  test('are left out of the index (listed in skipped); the others still match', () => {
    const good = wechat('good', 'wx2c2769f8efd9abc2', [
      { field: 'Event', op: '=', value: 'user_consume_card' },
    ]);
    const valid = wechat('old', 'wx2c2769f8efd9abc2', [
      { field: 'Event', op: 'regex', value: '^user_' },
    ]);
    // As an older version stored it: a lookahead, which the linear-time matcher refuses.
    const old: TriggerDefinition = {
      ...valid,
      condition: {
        ...(valid.condition as RuleCondition & { appId: string }),
        rules: [{ field: 'Event', op: 'regex', value: '(?=user)user_' }],
      },
    } as TriggerDefinition;
    const index = buildTriggerIndex([old, good]);
    expect(index.skipped).toEqual([
      { name: 'old', reason: expect.stringMatching(/lookahead and lookbehind/) },
    ]);
    expect(names(index, APP, CONSUME_CARD)).toEqual(['good']);
  });
});
