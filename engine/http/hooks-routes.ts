import type Router from '@koa/router';
import type { EngineStore } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import { NotFoundError } from '../errors.ts';
import { readJsonBody } from './body.ts';
import { HttpError } from './errors.ts';

/** Incoming webhook bodies are events, not uploads. */
export const HOOK_BODY_LIMIT = 256 * 1024;

/**
 * Incoming webhooks, `POST /hooks/:key` (SPEC §4): the key is the trigger's secret, so a
 * wrong key is a plain 404 that tells nothing about which triggers exist.
 */
export function registerHookRoutes(router: Router, deps: { store: EngineStore; clock: Clock; ids: Ids; onAccepted: () => void }): void {
  router.post('/hooks/:key', async (ctx) => {
    const trigger = deps.store.triggers.getByWebhookKey(ctx.params.key!);
    if (!trigger || trigger.type !== 'webhook') throw new NotFoundError('E_HOOK_NOT_FOUND', 'No webhook trigger has this key.');
    if (!trigger.enabled) throw new HttpError('E_HOOK_DISABLED', `Webhook trigger "${trigger.name}" is disabled.`, 409);
    const data = await readJsonBody(ctx, HOOK_BODY_LIMIT);
    const id = deps.ids.id();
    deps.store.inbox.accept({ id, source: 'webhook', key: trigger.name, dedupKey: null, data, receivedAt: deps.clock.now() });
    deps.onAccepted();
    ctx.status = 202;
    ctx.body = { accepted: true, id };
  });
}
