/** What the trigger routes answer (triggers-routes.ts). */
import { z } from 'zod';
import { RULE_OPS } from '../../triggers/index.ts';
import { isoTime, listOf, named, timestamps } from '../api-schemas.ts';

const TRIGGER_TYPES = ['wechat_message', 'table', 'timer', 'webhook'] as const;
const LOG_STATUSES = ['pending', 'succeeded', 'failed', 'dead_letter'] as const;

const frequency = z.union([
  z.literal('always'),
  z.literal('once'),
  z.strictObject({ atMostEvery: z.string() }),
]);

/** Actions as shown: a webhook action's secret only as a hint, but in the answer that set it. */
const actionFields = {
  function: { type: z.literal('function'), function: z.string(), frequency },
  table: {
    type: z.literal('table'),
    table: z.string(),
    record: z.record(z.string(), z.unknown()),
    frequency,
  },
  webhook: {
    type: z.literal('webhook'),
    url: z.string(),
    frequency,
    secret: z.string().optional().describe('Only in the answer that set it.'),
    secret_hint: z.string().optional().describe('The secret\'s last 4 characters, "…abcd".'),
  },
};
const shownAction = z.discriminatedUnion('type', [
  z.strictObject(actionFields.function),
  z.strictObject(actionFields.table),
  z.strictObject(actionFields.webhook),
]);
const index = { index: z.number().int().describe("The action's place in the trigger.") };
const loggedAction = z.discriminatedUnion('type', [
  z.strictObject({ ...index, ...actionFields.function }),
  z.strictObject({ ...index, ...actionFields.table }),
  z.strictObject({ ...index, ...actionFields.webhook }),
]);

/** A definition as saved (defaults filled in), its secrets shown as above. */
const definitionFields = {
  name: z.string(),
  type: z.enum(TRIGGER_TYPES),
  enabled: z.boolean(),
  description: z.string().optional(),
  condition: z
    .record(z.string(), z.unknown())
    .describe(
      'wechat_message: {appId, match, rules}; table: {table, on, match, rules}; timer: {cron, timezone}; webhook: {match, rules}.',
    ),
  actions: z.array(shownAction),
  retry: z.strictObject({ attempts: z.number().int(), backoff: z.string() }),
  reply: z.boolean().optional().describe('A passive-reply wechat_message trigger.'),
  replyBudgetMs: z.number().int().optional(),
};

export const triggerAnswer = named(
  'Trigger',
  z.strictObject({
    ...definitionFields,
    key: z
      .string()
      .optional()
      .describe(
        'The incoming-webhook key (webhook triggers): POST /hooks/{key}. Only in the answers of create and rotate-key.',
      ),
    hook_path: z.string().optional().describe('Only with key.'),
    key_hint: z
      .string()
      .optional()
      .describe('The key\'s last 4 characters, "…abcd" (webhook triggers).'),
    ...timestamps,
  }),
);
export const triggerListAnswer = listOf(triggerAnswer);

/** `?dryRun=true`: the definition as it would be saved; nothing is. */
export const dryRunAnswer = z.strictObject({
  dry_run: z.literal(true),
  trigger: z.strictObject(definitionFields),
});

export const triggerTestAnswer = named(
  'TriggerTest',
  z.strictObject({
    trigger: z.string(),
    enabled: z.boolean(),
    matched: z.boolean(),
    reasons: z.array(z.string()).describe('Why not, in words.'),
    rules: z.array(
      z.strictObject({
        index: z.number().int(),
        field: z.string(),
        op: z.enum(RULE_OPS),
        value: z.unknown().optional(),
        actual: z.unknown().optional(),
        matched: z.boolean(),
        reason: z.string().optional(),
      }),
    ),
    actions: z
      .array(loggedAction)
      .describe('What each action would do (a table action: its filled-in record).'),
    missing_references: z
      .array(
        z.strictObject({
          kind: z.enum(['function', 'table', 'account']),
          name: z.string(),
          path: z.string(),
          suggestion: z.string().nullable(),
        }),
      )
      .describe('Functions, tables or accounts it names that no longer exist.'),
  }),
);

export const triggerLogAnswer = named(
  'TriggerLog',
  z.strictObject({
    id: z.string(),
    trigger: z.string(),
    triggered_at: isoTime,
    updated_at: isoTime,
    event_id: z.string().nullable().describe('The accepted event (inbox id).'),
    event: z.unknown().optional(),
    action: loggedAction,
    status: z.enum(LOG_STATUSES),
    attempts: z.number().int(),
    error_type: z.string().nullable(),
    error: z.string().nullable(),
    job_id: z.string().nullable(),
    duration_ms: z.number().nullable(),
  }),
);
export const triggerLogListAnswer = listOf(triggerLogAnswer);

export const replayAllAnswer = z.strictObject({
  trigger: z.string(),
  status: z.enum(['dead_letter', 'succeeded']),
  replayed: z.number().int().describe('How many firings were queued again.'),
});
