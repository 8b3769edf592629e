import { z } from 'zod';
import { parseDuration } from './duration.ts';
import { RULE_OPS, TABLE_EVENTS } from './types.ts';

/**
 * The zod strict schemas of SPEC §4: shapes, bounds and defaults. Checks that need more
 * than a shape (regexes, cron, templates, URLs, reply rules) are in parse-definition.ts.
 */

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
// Mirrors engine/functions' FUNCTION_NAME: an action may name a function deployed later.
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const MIN_BACKOFF_MS = 10;
export const MAX_BACKOFF_MS = 3_600_000;
export const DEFAULT_REPLY_BUDGET_MS = 4000;
export const MAX_REPLY_BUDGET_MS = 4500;

/** A duration string ("10m") whose milliseconds lie in [min, max]. */
function duration(min: number, max: number) {
  return z.string().superRefine((value, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must lie between ${min} ms and ${max / 1000} s, got ${ms} ms`,
      });
    }
  });
}

const frequency = z.union(
  [
    z.literal('always'),
    z.literal('once'),
    z.strictObject({ atMostEvery: duration(1, 365 * 86_400_000) }),
  ],
  { error: 'use "always", "once" or {"atMostEvery": "10m"} (units ms, s, m, h, d)' },
);

const rule = z.strictObject({
  field: z
    .string({
      error: 'write a field name such as "Event" or a dotted path such as "SendPicsInfo.Count"',
    })
    .min(1)
    .max(256),
  op: z.enum(RULE_OPS, { error: `unknown op; use one of: ${RULE_OPS.join(' ')}` }),
  value: z.unknown().optional(),
});

const ruleSet = {
  match: z.enum(['all', 'any'], { error: 'use "all" or "any"' }).default('all'),
  rules: z.array(rule).max(100).default([]),
};

const functionAction = z.strictObject({
  type: z.literal('function'),
  function: z.string().regex(FUNCTION_NAME, {
    error: 'write a function name: 1 to 64 letters, digits, "_" or "-", starting with a letter',
  }),
  frequency: frequency.default('always'),
});

const tableAction = z.strictObject({
  type: z.literal('table'),
  table: z.string().regex(TABLE_NAME, {
    error: 'write a table name (letters, digits and "_", not starting with a digit)',
  }),
  record: z.record(z.string(), z.unknown(), {
    error: 'write an object template such as {"openid": "{{FromUserName}}"}',
  }),
  frequency: frequency.default('always'),
});

const webhookAction = z.strictObject({
  type: z.literal('webhook'),
  url: z.string().min(1).max(2048),
  secret: z
    .string()
    .min(8, { error: 'use at least 8 characters, or leave it out to get a generated secret' })
    .max(256)
    .optional(),
  frequency: frequency.default('always'),
});

const action = z.discriminatedUnion('type', [functionAction, tableAction, webhookAction], {
  error: 'unknown action type; use one of: function, table, webhook',
});

const base = {
  name: z.string({ error: 'write a name of 1 to 64 letters, digits, "_" or "-"' }).regex(NAME, {
    error: 'write a name of 1 to 64 letters, digits, "_" or "-"',
  }),
  enabled: z.boolean().default(true),
  description: z.string().max(1000).optional(),
  actions: z.array(action).min(1, { error: 'add at least one action' }).max(20),
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(10).default(3),
      backoff: duration(MIN_BACKOFF_MS, MAX_BACKOFF_MS).default('1s'),
    })
    .default({ attempts: 3, backoff: '1s' }),
};

const wechatMessage = z.strictObject({
  ...base,
  type: z.literal('wechat_message'),
  condition: z.strictObject({
    appId: z
      .string({ error: 'write the appId of the WeChat account whose pushes fire this trigger' })
      .regex(APP_ID, {
        error: 'write an appId of 1 to 64 letters, digits, "_" or "-"',
      }),
    ...ruleSet,
  }),
  reply: z.boolean().optional(),
  replyBudgetMs: z.number().int().min(100).max(MAX_REPLY_BUDGET_MS).optional(),
});

const table = z.strictObject({
  ...base,
  type: z.literal('table'),
  condition: z.strictObject({
    table: z
      .string({ error: 'write the name of the table whose writes fire this trigger' })
      .regex(TABLE_NAME, {
        error: 'write a table name (letters, digits and "_", not starting with a digit)',
      }),
    on: z
      .array(z.enum(TABLE_EVENTS, { error: 'use "create", "update" or "delete"' }))
      .min(1, { error: 'list at least one of "create", "update", "delete"' }),
    ...ruleSet,
  }),
});

const timer = z.strictObject({
  ...base,
  type: z.literal('timer'),
  condition: z.strictObject({
    cron: z
      .string({ error: 'write a cron pattern such as "*/5 * * * *" or "0 */5 * * * *"' })
      .min(1)
      .max(200),
    timezone: z.string().min(1).max(64).optional(),
  }),
});

const webhook = z.strictObject({
  ...base,
  type: z.literal('webhook'),
  condition: z.strictObject(ruleSet).default({ match: 'all', rules: [] }),
});

export const triggerSchema = z.discriminatedUnion('type', [wechatMessage, table, timer, webhook], {
  error: 'unknown trigger type; use one of: wechat_message, table, timer, webhook',
});
