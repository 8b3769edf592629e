import { describe, expect, test } from 'vitest';
import { parseTriggerDefinition, TriggerInvalidError } from '../../../engine/triggers/index.ts';
import { catchError } from './catch-error.ts';

const options = { generateSecret: () => 'generated-secret-0123456789' };
const parse = (input: unknown) => parseTriggerDefinition(input, options);

const SPEC_EXAMPLE = {
  name: 'user_consume_card',
  type: 'wechat_message',
  enabled: true,
  condition: {
    appId: 'wx2c2769f8efd9abc2',
    match: 'all',
    rules: [{ field: 'Event', op: '=', value: 'user_consume_card' }],
  },
  actions: [{ type: 'function', function: 'user_consume_card' }],
};

const fn = [{ type: 'function', function: 'f' }];
const wechat = (extra: Record<string, unknown> = {}, condition: Record<string, unknown> = {}) => ({
  name: 't',
  type: 'wechat_message',
  condition: { appId: 'wx1', ...condition },
  actions: fn,
  ...extra,
});

/** The TriggerInvalidError thrown for input, with its code and faults. */
function refusal(input: unknown): {
  code: string;
  path: unknown;
  message: string;
  issues: Array<{ path: string; message: string; code: string }>;
} {
  const err = catchError(() => parse(input));
  expect(err).toBeInstanceOf(TriggerInvalidError);
  const e = err as TriggerInvalidError;
  expect(e.status).toBe(400);
  return { code: e.code, path: e.details?.['path'], message: e.message, issues: e.issues };
}

describe('valid definitions', () => {
  test('the SPEC §4 example parses, with defaults applied', () => {
    expect(parse(SPEC_EXAMPLE)).toEqual({
      ...SPEC_EXAMPLE,
      actions: [{ type: 'function', function: 'user_consume_card', frequency: 'always' }],
      retry: { attempts: 3, backoff: '1s' },
    });
  });

  test('defaults: enabled, match, rules, retry, frequency', () => {
    const t = parse({
      name: 'a',
      type: 'wechat_message',
      condition: { appId: 'wx1' },
      actions: fn,
    });
    expect(t.enabled).toBe(true);
    expect(t.condition).toEqual({ appId: 'wx1', match: 'all', rules: [] });
    expect(t.retry).toEqual({ attempts: 3, backoff: '1s' });
    expect(t.actions[0]!.frequency).toBe('always');
  });

  test('a partial retry keeps the other default', () => {
    expect(parse(wechat({ retry: { attempts: 5 } })).retry).toEqual({ attempts: 5, backoff: '1s' });
    expect(parse(wechat({ retry: { backoff: '250ms' } })).retry).toEqual({
      attempts: 3,
      backoff: '250ms',
    });
  });

  test('a table trigger with a template action and all ops', () => {
    const t = parse({
      name: 'orders-paid',
      type: 'table',
      description: 'copy paid orders',
      condition: {
        table: 'orders',
        on: ['create', 'update'],
        match: 'any',
        rules: [
          { field: 'status', op: '=', value: 'paid' },
          { field: 'total', op: '>=', value: 100 },
          { field: 'tag', op: 'in', value: ['a', 'b'] },
          { field: 'tags', op: 'contains', value: 'vip' },
          { field: 'note', op: 'regex', value: '/urgent/i' },
          { field: 'coupon', op: 'exists' },
          { field: 'memo', op: 'isempty', value: false },
          { field: 'x', op: '!=', value: null },
          { field: 'd', op: '<', value: '2025-01-01' },
        ],
      },
      actions: [
        {
          type: 'table',
          table: 'paid_log',
          record: { order: '{{id}}', at: '{{ $after.updated_at }}', meta: { n: ['{{total}}'] } },
        },
        { type: 'function', function: 'notify', frequency: { atMostEvery: '10m' } },
        {
          type: 'webhook',
          url: 'https://example.com/hook',
          secret: 'my-own-secret',
          frequency: 'once',
        },
      ],
    });
    expect(t.type).toBe('table');
    expect(t.actions[2]).toEqual({
      type: 'webhook',
      url: 'https://example.com/hook',
      secret: 'my-own-secret',
      frequency: 'once',
    });
  });

  test('a webhook action without secret gets a generated one', () => {
    const t = parse(wechat({ actions: [{ type: 'webhook', url: 'http://example.com/x' }] }));
    expect(t.actions[0]).toMatchObject({ secret: 'generated-secret-0123456789' });
  });

  test('timer: 5 or 6 fields, nicknames, timezone', () => {
    for (const cron of ['* * * * * *', '*/5 * * * *', '0 0 9 * * MON-FRI', '@hourly']) {
      expect(
        parse({ name: 't', type: 'timer', condition: { cron }, actions: fn }).condition,
      ).toEqual({ cron });
    }
    const tz = parse({
      name: 't',
      type: 'timer',
      condition: { cron: '0 9 * * *', timezone: 'Asia/Shanghai' },
      actions: fn,
    });
    expect(tz.condition).toEqual({ cron: '0 9 * * *', timezone: 'Asia/Shanghai' });
  });

  test('webhook trigger: condition optional', () => {
    expect(parse({ name: 'w', type: 'webhook', actions: fn }).condition).toEqual({
      match: 'all',
      rules: [],
    });
    const t = parse({
      name: 'w',
      type: 'webhook',
      condition: { rules: [{ field: 'action', op: '=', value: 'opened' }] },
      actions: fn,
    });
    expect(t.condition).toEqual({
      match: 'all',
      rules: [{ field: 'action', op: '=', value: 'opened' }],
    });
  });

  test('reply trigger: one function action, budget defaults to 4000 ms', () => {
    const t = parse(wechat({ reply: true }));
    expect(t).toMatchObject({ reply: true, replyBudgetMs: 4000 });
    expect(parse(wechat({ reply: true, replyBudgetMs: 4500 }))).toMatchObject({
      replyBudgetMs: 4500,
    });
    expect(parse(wechat({ reply: false }))).not.toHaveProperty('replyBudgetMs');
  });

  test('the input is not mutated into the result', () => {
    const input = wechat({ actions: [{ type: 'webhook', url: 'https://example.com' }] });
    const before = JSON.stringify(input);
    parse(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});

// [description, input, code, path, message fragment]
const REFUSALS: Array<[string, unknown, string, string, RegExp]> = [
  ['not an object', 'trigger', 'E_TRIGGER_INVALID', '', /must be a JSON object/],
  ['an array', [SPEC_EXAMPLE], 'E_TRIGGER_INVALID', '', /must be a JSON object/],
  [
    'unknown type',
    { name: 'a', type: 'cron', actions: fn },
    'E_TRIGGER_INVALID',
    'type',
    /wechat_message, table, timer, webhook/,
  ],
  [
    'missing name',
    { type: 'timer', condition: { cron: '* * * * *' }, actions: fn },
    'E_TRIGGER_INVALID',
    'name',
    /name of 1 to 64/,
  ],
  ['bad name', wechat({ name: 'has space' }), 'E_TRIGGER_INVALID', 'name', /1 to 64 letters/],
  ['too long name', wechat({ name: 'x'.repeat(65) }), 'E_TRIGGER_INVALID', 'name', /1 to 64/],
  [
    'unknown top-level field',
    wechat({ colour: 'red' }),
    'E_TRIGGER_INVALID',
    'colour',
    /unknown field "colour"/,
  ],
  [
    'unknown condition field',
    wechat({}, { appid: 'x' }),
    'E_TRIGGER_INVALID',
    'condition.appid',
    /unknown field/,
  ],
  [
    'missing appId',
    { name: 't', type: 'wechat_message', condition: {}, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.appId',
    /appId/,
  ],
  [
    'bad match',
    wechat({}, { match: 'some' }),
    'E_TRIGGER_INVALID',
    'condition.match',
    /"all" or "any"/,
  ],
  [
    'unknown op',
    wechat(
      {},
      {
        rules: [
          { field: 'a', op: '=', value: 1 },
          { field: 'b', op: '~=', value: 1 },
        ],
      },
    ),
    'E_TRIGGER_INVALID',
    'condition.rules[1].op',
    /= != > >= < <= in contains regex exists isempty/,
  ],
  [
    'unknown rule key',
    wechat({}, { rules: [{ field: 'a', op: '=', value: 1, values: 2 }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].values',
    /unknown field/,
  ],
  [
    'empty field',
    wechat({}, { rules: [{ field: '', op: 'exists' }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].field',
    /.+/,
  ],
  [
    'malformed path',
    wechat({}, { rules: [{ field: 'a..b', op: 'exists' }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].field',
    /empty path segment/,
  ],
  [
    '= without value',
    wechat({}, { rules: [{ field: 'a', op: '=' }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].value',
    /needs a value/,
  ],
  [
    '> with boolean',
    wechat(
      {},
      {
        rules: [
          { field: 'a', op: 'exists' },
          { field: 'a', op: 'exists' },
          { field: 'a', op: '>', value: true },
        ],
      },
    ),
    'E_TRIGGER_INVALID',
    'condition.rules[2].value',
    /number.*or a string/,
  ],
  [
    '<= without value',
    wechat({}, { rules: [{ field: 'a', op: '<=' }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].value',
    /number/,
  ],
  [
    'in with text',
    wechat({}, { rules: [{ field: 'a', op: 'in', value: 'a,b' }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].value',
    /non-empty array/,
  ],
  [
    'in with empty list',
    wechat({}, { rules: [{ field: 'a', op: 'in', value: [] }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].value',
    /non-empty array/,
  ],
  [
    'contains without value',
    wechat({}, { rules: [{ field: 'a', op: 'contains' }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].value',
    /needs a value/,
  ],
  [
    'exists with text',
    wechat({}, { rules: [{ field: 'a', op: 'exists', value: 'yes' }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].value',
    /true\/false/,
  ],
  [
    'isempty with number',
    wechat({}, { rules: [{ field: 'a', op: 'isempty', value: 0 }] }),
    'E_TRIGGER_INVALID',
    'condition.rules[0].value',
    /true\/false/,
  ],
  [
    'bad regex',
    wechat(
      {},
      {
        rules: [
          { field: 'a', op: 'exists' },
          { field: 'a', op: 'exists' },
          { field: 'Content', op: 'regex', value: '([a-z]' },
        ],
      },
    ),
    'E_TRIGGER_BAD_REGEX',
    'condition.rules[2].value',
    /Unterminated|fix the pattern/,
  ],
  [
    'regex with g flag',
    wechat({}, { rules: [{ field: 'a', op: 'regex', value: '/a/g' }] }),
    'E_TRIGGER_BAD_REGEX',
    'condition.rules[0].value',
    /flags "g"/,
  ],
  [
    'regex with unknown flag',
    wechat({}, { rules: [{ field: 'a', op: 'regex', value: '/a/x' }] }),
    'E_TRIGGER_BAD_REGEX',
    'condition.rules[0].value',
    /flags/,
  ],
  [
    'regex not text',
    wechat({}, { rules: [{ field: 'a', op: 'regex', value: 5 }] }),
    'E_TRIGGER_BAD_REGEX',
    'condition.rules[0].value',
    /non-empty string/,
  ],
  [
    'regex empty',
    wechat({}, { rules: [{ field: 'a', op: 'regex', value: '' }] }),
    'E_TRIGGER_BAD_REGEX',
    'condition.rules[0].value',
    /non-empty string/,
  ],
  [
    'regex u and v',
    wechat({}, { rules: [{ field: 'a', op: 'regex', value: '/a/uv' }] }),
    'E_TRIGGER_BAD_REGEX',
    'condition.rules[0].value',
    /v is not supported/,
  ],
  ['no actions', wechat({ actions: [] }), 'E_TRIGGER_INVALID', 'actions', /at least one action/],
  [
    'unknown action type',
    wechat({ actions: [{ type: 'email', to: 'x' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].type',
    /function, table, webhook/,
  ],
  [
    'bad function name',
    wechat({ actions: [{ type: 'function', function: '1abc' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].function',
    /function name/,
  ],
  [
    'unknown action field',
    wechat({ actions: [{ type: 'function', function: 'f', fn: 'g' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].fn',
    /unknown field/,
  ],
  [
    'bad frequency',
    wechat({ actions: [{ type: 'function', function: 'f', frequency: 'daily' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].frequency',
    /"always", "once"/,
  ],
  [
    'bad atMostEvery',
    wechat({
      actions: [{ type: 'function', function: 'f', frequency: { atMostEvery: '10 minutes' } }],
    }),
    'E_TRIGGER_INVALID',
    'actions[0].frequency.atMostEvery',
    /ms, s, m, h or d/,
  ],
  [
    'zero atMostEvery',
    wechat({ actions: [{ type: 'function', function: 'f', frequency: { atMostEvery: '0s' } }] }),
    'E_TRIGGER_INVALID',
    'actions[0].frequency.atMostEvery',
    /between/,
  ],
  [
    'table action without record',
    wechat({ actions: [{ type: 'table', table: 'log' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].record',
    /object template/,
  ],
  [
    'table action empty record',
    wechat({ actions: [{ type: 'table', table: 'log', record: {} }] }),
    'E_TRIGGER_INVALID',
    'actions[0].record',
    /at least one field/,
  ],
  [
    'table action bad column',
    wechat({
      actions: [{ type: 'table', table: 'log', record: { 'open-id': '{{FromUserName}}' } }],
    }),
    'E_TRIGGER_INVALID',
    'actions[0].record.open-id',
    /not a field name/,
  ],
  [
    'template unclosed',
    wechat({
      actions: [fn[0], { type: 'table', table: 'log', record: { a: 'x {{FromUserName' } }],
    }),
    'E_TRIGGER_INVALID',
    'actions[1].record.a',
    /not closed/,
  ],
  [
    'template empty placeholder',
    wechat({ actions: [{ type: 'table', table: 'log', record: { a: { b: ['ok', '{{ }}'] } } }] }),
    'E_TRIGGER_INVALID',
    'actions[0].record.a.b[1]',
    /needs a field name/,
  ],
  [
    'webhook bad url',
    wechat({ actions: [{ type: 'webhook', url: 'example.com/hook' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].url',
    /absolute URL/,
  ],
  [
    'webhook ftp',
    wechat({ actions: [{ type: 'webhook', url: 'ftp://example.com/x' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].url',
    /scheme "ftp:"/,
  ],
  [
    'webhook file',
    wechat({ actions: [{ type: 'webhook', url: 'file:///etc/passwd' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].url',
    /scheme/,
  ],
  [
    'webhook credentials',
    wechat({ actions: [{ type: 'webhook', url: 'https://user:pw@example.com/' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].url',
    /credentials/,
  ],
  [
    'webhook short secret',
    wechat({ actions: [{ type: 'webhook', url: 'https://example.com/', secret: 'abc' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].secret',
    /at least 8/,
  ],
  [
    'retry attempts 0',
    wechat({ retry: { attempts: 0 } }),
    'E_TRIGGER_INVALID',
    'retry.attempts',
    /.+/,
  ],
  [
    'retry attempts 11',
    wechat({ retry: { attempts: 11 } }),
    'E_TRIGGER_INVALID',
    'retry.attempts',
    /10/,
  ],
  [
    'retry attempts fractional',
    wechat({ retry: { attempts: 2.5 } }),
    'E_TRIGGER_INVALID',
    'retry.attempts',
    /int/,
  ],
  [
    'retry backoff bad',
    wechat({ retry: { backoff: '1 second' } }),
    'E_TRIGGER_INVALID',
    'retry.backoff',
    /duration/,
  ],
  [
    'retry backoff too long',
    wechat({ retry: { backoff: '2h' } }),
    'E_TRIGGER_INVALID',
    'retry.backoff',
    /between/,
  ],
  ['enabled not boolean', wechat({ enabled: 'yes' }), 'E_TRIGGER_INVALID', 'enabled', /boolean/],
  [
    'reply with two actions',
    wechat({ reply: true, actions: [fn[0], fn[0]] }),
    'E_TRIGGER_INVALID',
    'actions',
    /exactly one action/,
  ],
  [
    'reply with table action',
    wechat({ reply: true, actions: [{ type: 'table', table: 't', record: { a: 1 } }] }),
    'E_TRIGGER_INVALID',
    'actions',
    /exactly one action/,
  ],
  [
    'reply with frequency',
    wechat({ reply: true, actions: [{ type: 'function', function: 'f', frequency: 'once' }] }),
    'E_TRIGGER_INVALID',
    'actions[0].frequency',
    /remove frequency/,
  ],
  [
    'reply budget too long',
    wechat({ reply: true, replyBudgetMs: 5000 }),
    'E_TRIGGER_INVALID',
    'replyBudgetMs',
    /4500/,
  ],
  [
    'reply budget without reply',
    wechat({ replyBudgetMs: 3000 }),
    'E_TRIGGER_INVALID',
    'replyBudgetMs',
    /reply": true/,
  ],
  [
    'reply on a table trigger',
    {
      name: 't',
      type: 'table',
      condition: { table: 'x', on: ['create'] },
      actions: fn,
      reply: true,
    },
    'E_TRIGGER_INVALID',
    'reply',
    /unknown field/,
  ],
  [
    'table trigger without on',
    { name: 't', type: 'table', condition: { table: 'x' }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.on',
    /.+/,
  ],
  [
    'table trigger empty on',
    { name: 't', type: 'table', condition: { table: 'x', on: [] }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.on',
    /at least one/,
  ],
  [
    'table trigger bad event',
    { name: 't', type: 'table', condition: { table: 'x', on: ['create', 'upsert'] }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.on[1]',
    /"create", "update" or "delete"/,
  ],
  [
    'table trigger bad table',
    { name: 't', type: 'table', condition: { table: '9x', on: ['create'] }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.table',
    /table name/,
  ],
  [
    'timer without cron',
    { name: 't', type: 'timer', condition: {}, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.cron',
    /cron pattern/,
  ],
  [
    'timer bad cron',
    { name: 't', type: 'timer', condition: { cron: 'every minute' }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.cron',
    /5 fields/,
  ],
  [
    'timer 61 seconds',
    { name: 't', type: 'timer', condition: { cron: '61 * * * * *' }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.cron',
    /second/,
  ],
  [
    'timer 7 fields',
    { name: 't', type: 'timer', condition: { cron: '* * * * * * 2030' }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.cron',
    /5 or 6/,
  ],
  [
    'timer never fires',
    { name: 't', type: 'timer', condition: { cron: '0 0 30 2 *' }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.cron',
    /never fires/,
  ],
  [
    'timer bad timezone',
    {
      name: 't',
      type: 'timer',
      condition: { cron: '* * * * *', timezone: 'Mars/Olympus' },
      actions: fn,
    },
    'E_TRIGGER_INVALID',
    'condition.timezone',
    /IANA/,
  ],
  [
    'timer with rules',
    { name: 't', type: 'timer', condition: { cron: '* * * * *', rules: [] }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.rules',
    /unknown field/,
  ],
  [
    'webhook trigger with appId',
    { name: 'w', type: 'webhook', condition: { appId: 'wx' }, actions: fn },
    'E_TRIGGER_INVALID',
    'condition.appId',
    /unknown field/,
  ],
];

describe('refusals name the path of the fault', () => {
  test.each(REFUSALS)('%s', (_name, input, code, path, message) => {
    const r = refusal(input);
    expect(r.code).toBe(code);
    expect(r.path).toBe(path);
    expect(r.issues[0]!.message).toMatch(message);
    expect(r.message).toContain(r.issues[0]!.message);
    if (path !== '') expect(r.message.startsWith(`${path}: `)).toBe(true);
  });

  test('a table trigger on create whose table action writes into the watched table is a loop', () => {
    const table = (on: string[], target: string) => ({
      name: 't',
      type: 'table',
      condition: { table: 'orders', on },
      actions: [{ type: 'table', table: target, record: { a: '{{a}}' } }],
    });
    const r = refusal(table(['create'], 'Orders'));
    expect(r.code).toBe('E_TRIGGER_INVALID');
    expect(r.path).toBe('actions[0].table');
    expect(r.message).toMatch(/fires this trigger again without end/);
    // Another table, or a trigger that does not fire on create, is fine.
    expect(parse(table(['create'], 'audit')).type).toBe('table');
    expect(parse(table(['update', 'delete'], 'orders')).type).toBe('table');
  });

  test('every fault is listed, not only the first', () => {
    const r = refusal(
      wechat(
        {},
        {
          rules: [
            { field: 'a', op: 'in', value: 'x' },
            { field: 'b', op: 'regex', value: '[' },
            { field: 'c', op: '>' },
          ],
        },
      ),
    );
    expect(r.issues.map((i) => [i.path, i.code])).toEqual([
      ['condition.rules[0].value', 'E_TRIGGER_INVALID'],
      ['condition.rules[1].value', 'E_TRIGGER_BAD_REGEX'],
      ['condition.rules[2].value', 'E_TRIGGER_INVALID'],
    ]);
    expect(r.message).toMatch(/and 2 more/);
  });

  test('the error serialises as SPEC §2 wants', () => {
    const err = catchError(() =>
      parse(wechat({}, { rules: [{ field: 'a', op: 'like', value: 'x' }] })),
    );
    expect((err as TriggerInvalidError).toJSON()).toEqual({
      error: {
        code: 'E_TRIGGER_INVALID',
        message: expect.stringMatching(
          /^condition\.rules\[0\]\.op: unknown op; use one of: = != > >= < <= in contains regex exists isempty$/,
        ),
        path: 'condition.rules[0].op',
        issues: [
          { path: 'condition.rules[0].op', message: expect.any(String), code: 'E_TRIGGER_INVALID' },
        ],
      },
    });
  });
});
