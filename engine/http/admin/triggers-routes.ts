import type Router from '@koa/router';
import { z } from 'zod';
import type { EngineStore, StoredTrigger, TriggerLogRecord } from '../../store/index.ts';
import type { Clock } from '../../clock.ts';
import type { TriggerAdmin } from '../../dispatch/trigger-admin.ts';
import { dryRun } from '../../dispatch/dry-run.ts';
import { TriggerLogNotFoundError, TriggerLogNotReplayableError } from '../../dispatch/errors.ts';
import type { TriggerDefinition } from '../../triggers/index.ts';
import { readJsonBody } from '../body.ts';
import { iso, pageParams, parseInput } from '../validate.ts';

const testBody = z.strictObject({ data: z.record(z.string(), z.unknown()) });
const patchBody = z.strictObject({ enabled: z.boolean() });
const replayAllBody = z.strictObject({ status: z.enum(['dead_letter', 'succeeded']) });
/** `?dryRun=true` on POST/PUT: validate (references and webhook targets too), save nothing. */
const saveQuery = z.strictObject({ dryRun: z.enum(['true', 'false']).optional() });

/** A time in a query: ISO-8601 (`2024-06-30T12:00:00Z`, `2024-06-30`) or unix milliseconds. */
const queryTime = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not an ISO-8601 time or unix milliseconds`,
    });
    return z.NEVER;
  }
  return ms;
});
const eventField = z.string().min(1).max(256);

/** Filters of the log routes; unknown parameters are refused so a typo does not widen a search. */
const logQuery = z.strictObject({
  limit: z.string().optional(),
  offset: z.string().optional(),
  status: z.enum(['pending', 'succeeded', 'failed', 'dead_letter']).optional(),
  since: queryTime.optional(),
  until: queryTime.optional(),
  msgId: eventField.optional(),
  fromUserName: eventField.optional(),
  event: eventField.optional(),
});

/** How a secret is shown after the answer that set it: its last 4 characters. */
const hint = (secret: string) => `…${secret.slice(-4)}`;

/** The secrets of a definition's webhook actions. */
const secretsOf = (definition: TriggerDefinition): Set<string> =>
  new Set(
    definition.actions.flatMap((a) =>
      a.type === 'webhook' && a.secret !== undefined ? [a.secret] : [],
    ),
  );

/** An action as shown: a webhook action's secret only as a hint, unless `reveal` holds it. */
const renderAction = (action: unknown, reveal: ReadonlySet<string> = new Set()): unknown => {
  if (action === null || typeof action !== 'object') return action;
  const { secret, ...rest } = action as Record<string, unknown>;
  if (typeof secret !== 'string') return action;
  return { ...rest, ...(reveal.has(secret) ? { secret } : {}), secret_hint: hint(secret) };
};

/** A definition checked but not saved (dry run): its secrets, kept ones too, only as hints. */
const withSecretHints = (definition: TriggerDefinition) => ({
  ...definition,
  actions: definition.actions.map((a) => renderAction(a)),
});

/**
 * A trigger as stored. Secrets are shown once, in the answer that set them (issue 12, item 9):
 * the incoming-webhook key (`key`, `hook_path`) when created or rotated, a webhook action's
 * secret when created or changed (`reveal`). Otherwise only hints: `key_hint`, `secret_hint`.
 */
const renderTrigger = (t: StoredTrigger, reveal: ReadonlySet<string> = new Set()) => ({
  ...t.definition,
  actions: t.definition.actions.map((a) => renderAction(a, reveal)),
  ...(t.webhookKeyHint !== null ? { key_hint: `…${t.webhookKeyHint}` } : {}),
  ...(t.webhookKey ? { key: t.webhookKey, hook_path: `/hooks/${t.webhookKey}` } : {}),
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
});

/** One firing of one action; `event_id` is the accepted event (inbox id, the /hooks answer's id). */
const renderLog = (l: TriggerLogRecord) => ({
  id: l.id,
  trigger: l.trigger,
  triggered_at: iso(l.triggeredAt),
  updated_at: iso(l.updatedAt),
  event_id: l.inboxId,
  event: l.event,
  action: { index: l.actionIndex, ...(renderAction(l.action) as Record<string, unknown>) },
  status: l.status,
  attempts: l.attempts,
  error_type: l.errorType,
  error: l.error,
  job_id: l.jobId,
  duration_ms: l.durationMs,
});

/** Trigger CRUD, enable/disable, logs, replay, dry-run and key rotation (SPEC §2, §4). */
export function registerTriggerRoutes(
  router: Router,
  deps: { store: EngineStore; triggers: TriggerAdmin; clock: Clock; onReplay: () => void },
): void {
  const { store, triggers, clock } = deps;

  const listLogs = async (query: Record<string, unknown>, trigger?: string) => {
    const { limit, offset } = pageParams(query);
    const { limit: _l, offset: _o, ...filter } = parseInput(logQuery, query, 'E_INVALID_QUERY');
    const { total, objects } = await store.delivery.listLogs({
      ...filter,
      ...(trigger ? { trigger } : {}),
      limit,
      offset,
    });
    return { meta: { limit, offset, total_count: total }, objects: objects.map(renderLog) };
  };

  const logOf = async (name: string, id: string): Promise<TriggerLogRecord> => {
    const log = await store.delivery.getLog(id);
    if (!log || log.trigger !== name) throw new TriggerLogNotFoundError(name, id);
    return log;
  };

  const dryRunOf = (query: Record<string, unknown>) =>
    parseInput(saveQuery, query, 'E_INVALID_QUERY').dryRun === 'true';

  router.post('/triggers', async (ctx) => {
    if (dryRunOf(ctx.query)) {
      const definition = await triggers.validate(await readJsonBody(ctx));
      ctx.body = { dry_run: true, trigger: withSecretHints(definition) };
      return;
    }
    const saved = await triggers.create(await readJsonBody(ctx));
    ctx.status = 201;
    ctx.body = renderTrigger(saved, secretsOf(saved.definition));
  });

  router.get('/triggers', async (ctx) => {
    const { limit, offset } = pageParams(ctx.query);
    const all = await store.triggers.list();
    ctx.body = {
      meta: { limit, offset, total_count: all.length },
      objects: all.slice(offset, offset + limit).map((t) => renderTrigger(t)),
    };
  });

  router.get('/triggers/:name', async (ctx) => {
    ctx.body = renderTrigger(await triggers.get(ctx.params.name!));
  });

  router.put('/triggers/:name', async (ctx) => {
    if (dryRunOf(ctx.query)) {
      const body = await readJsonBody(ctx);
      const definition = await triggers.validate(body, ctx.params.name!);
      ctx.body = { dry_run: true, trigger: withSecretHints(definition) };
      return;
    }
    const before = secretsOf((await triggers.get(ctx.params.name!)).definition);
    const saved = await triggers.replace(ctx.params.name!, await readJsonBody(ctx));
    // Secrets this PUT set (given, or generated for a new or moved action) are shown once.
    const fresh = [...secretsOf(saved.definition)].filter((s) => !before.has(s));
    ctx.body = renderTrigger(saved, new Set(fresh));
  });

  router.patch('/triggers/:name', async (ctx) => {
    const { enabled } = parseInput(patchBody, await readJsonBody(ctx));
    ctx.body = renderTrigger(await triggers.setEnabled(ctx.params.name!, enabled));
  });

  router.delete('/triggers/:name', async (ctx) => {
    await triggers.delete(ctx.params.name!);
    ctx.status = 204;
  });

  router.post('/triggers/:name/rotate-key', async (ctx) => {
    ctx.body = renderTrigger(await triggers.rotateKey(ctx.params.name!));
  });

  router.post('/triggers/:name/test', async (ctx) => {
    const { data } = parseInput(testBody, await readJsonBody(ctx));
    const { definition } = await triggers.get(ctx.params.name!);
    // A function or table deleted with force since the trigger was saved: it would fire, and
    // the firing would dead-letter, so the dry run says so.
    const missing = await triggers.missing(definition.name);
    ctx.body = {
      trigger: definition.name,
      enabled: definition.enabled,
      ...dryRun(definition, data),
      missing_references: missing,
    };
  });

  router.get('/triggers/:name/logs', async (ctx) => {
    await triggers.get(ctx.params.name!);
    ctx.body = await listLogs(ctx.query, ctx.params.name!);
  });

  router.get('/triggers/:name/logs/:id', async (ctx) => {
    ctx.body = renderLog(await logOf(ctx.params.name!, ctx.params.id!));
  });

  // Across triggers: "what happened to this user's push?" (?fromUserName=…, ?msgId=…).
  router.get('/trigger-logs', async (ctx) => {
    ctx.body = await listLogs(ctx.query);
  });

  // Every dead letter of a trigger back in the queue at once (`cloudfn triggers replay --all-dead`).
  router.post('/triggers/:name/logs/replay', async (ctx) => {
    await triggers.get(ctx.params.name!);
    const { status } = parseInput(replayAllBody, await readJsonBody(ctx));
    const now = clock.now();
    let replayed = 0;
    let skipped = 0;
    // Each replayed row leaves `status`, so the first page is read again until none is left.
    for (;;) {
      const { objects } = await store.delivery.listLogs({
        trigger: ctx.params.name!,
        status,
        limit: 500,
        offset: skipped,
      });
      if (objects.length === 0) break;
      for (const log of objects) {
        if (await store.delivery.replay(log.id, now)) replayed++;
        else skipped++;
      }
    }
    if (replayed > 0) deps.onReplay();
    ctx.status = 202;
    ctx.body = { trigger: ctx.params.name!, status, replayed };
  });

  router.post('/triggers/:name/logs/:id/replay', async (ctx) => {
    const log = await logOf(ctx.params.name!, ctx.params.id!);
    if (!(await store.delivery.replay(log.id, clock.now())))
      throw new TriggerLogNotReplayableError(log.id);
    deps.onReplay();
    ctx.status = 202;
    ctx.body = renderLog((await store.delivery.getLog(log.id))!);
  });
}
