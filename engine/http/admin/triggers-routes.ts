import type Router from '@koa/router';
import { z } from 'zod';
import type { EngineStore, StoredTrigger, TriggerLogRecord } from '../../store/index.ts';
import type { Clock } from '../../clock.ts';
import type { TriggerAdmin } from '../../dispatch/trigger-admin.ts';
import { explainMatch, type TriggerDefinition } from '../../triggers/index.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { readJsonBody } from '../body.ts';
import { iso, pageParams, parseInput } from '../validate.ts';

const testBody = z.strictObject({ data: z.record(z.string(), z.unknown()) });

/** A trigger as stored, plus its incoming-webhook key (the secret part of /hooks/:key). */
const renderTrigger = (t: StoredTrigger) => ({
  ...t.definition,
  ...(t.webhookKey ? { key: t.webhookKey, hook_path: `/hooks/${t.webhookKey}` } : {}),
  created_at: iso(t.createdAt),
  updated_at: iso(t.updatedAt),
});

const renderLog = (l: TriggerLogRecord) => ({
  id: l.id,
  trigger: l.trigger,
  triggered_at: iso(l.triggeredAt),
  updated_at: iso(l.updatedAt),
  event: l.event,
  action: { index: l.actionIndex, ...l.action },
  status: l.status,
  attempts: l.attempts,
  error_type: l.errorType,
  error: l.error,
  job_id: l.jobId,
  duration_ms: l.durationMs,
});

/** Trigger CRUD, logs, replay, dry-run and key rotation (SPEC §2, §4). */
export function registerTriggerRoutes(router: Router, deps: { store: EngineStore; triggers: TriggerAdmin; clock: Clock; onReplay: () => void }): void {
  const { store, triggers, clock } = deps;

  router.post('/triggers', async (ctx) => {
    ctx.status = 201;
    ctx.body = renderTrigger(triggers.create(await readJsonBody(ctx)));
  });

  router.get('/triggers', (ctx) => {
    const { limit, offset } = pageParams(ctx.query);
    const all = store.triggers.list();
    ctx.body = { meta: { limit, offset, total_count: all.length }, objects: all.slice(offset, offset + limit).map(renderTrigger) };
  });

  router.get('/triggers/:name', (ctx) => {
    ctx.body = renderTrigger(triggers.get(ctx.params.name!));
  });

  router.put('/triggers/:name', async (ctx) => {
    ctx.body = renderTrigger(triggers.replace(ctx.params.name!, await readJsonBody(ctx)));
  });

  router.delete('/triggers/:name', (ctx) => {
    triggers.delete(ctx.params.name!);
    ctx.status = 204;
  });

  router.post('/triggers/:name/rotate-key', (ctx) => {
    ctx.body = renderTrigger(triggers.rotateKey(ctx.params.name!));
  });

  router.post('/triggers/:name/test', async (ctx) => {
    const { data } = parseInput(testBody, await readJsonBody(ctx));
    const definition = triggers.get(ctx.params.name!).definition as unknown as TriggerDefinition;
    const explained = explainMatch(definition.condition as Parameters<typeof explainMatch>[0], data);
    ctx.body = { trigger: definition.name, enabled: definition.enabled, ...explained };
  });

  router.get('/triggers/:name/logs', (ctx) => {
    triggers.get(ctx.params.name!);
    const { limit, offset } = pageParams(ctx.query);
    const status = typeof ctx.query.status === 'string' ? ctx.query.status : undefined;
    const { total, objects } = store.triggerLogs.list({ trigger: ctx.params.name!, status, limit, offset });
    ctx.body = { meta: { limit, offset, total_count: total }, objects: objects.map(renderLog) };
  });

  router.post('/triggers/:name/logs/:id/replay', (ctx) => {
    const log = store.triggerLogs.get(ctx.params.id!);
    if (!log || log.trigger !== ctx.params.name) {
      throw new NotFoundError('E_TRIGGER_LOG_NOT_FOUND', `Trigger "${ctx.params.name}" has no log "${ctx.params.id}".`, { log: ctx.params.id });
    }
    if (!store.queue.replay(log.id, clock.now())) {
      throw new ConflictError('E_TRIGGER_LOG_NOT_REPLAYABLE', `Log "${log.id}" is still queued; wait for it to finish before replaying.`, { log: log.id });
    }
    deps.onReplay();
    ctx.status = 202;
    ctx.body = renderLog(store.triggerLogs.get(log.id)!);
  });
}
