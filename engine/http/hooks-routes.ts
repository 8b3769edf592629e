import type Router from '@koa/router';
import type { EngineStore } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Intake } from '../inbox/index.ts';
import { HookDisabledError, HookNotFoundError, HookRateLimitedError } from '../dispatch/errors.ts';
import { TokenBuckets, type BucketRate } from '../dispatch/token-bucket.ts';
import { readJsonBody } from './body.ts';

/** Incoming webhook bodies are events, not uploads. */
export const HOOK_BODY_LIMIT = 256 * 1024;
/** Per trigger: 100 requests at once, then 20 a second (sustained ≈ 1.7 million a day). */
export const HOOK_RATE: BucketRate = { burst: 100, perSecond: 20 };

/**
 * Incoming webhooks, `POST /hooks/:key` (SPEC §4): the key is the trigger's secret, so a
 * wrong key is a plain 404 that tells nothing about which triggers exist. Each trigger has
 * its own token bucket, so one noisy sender cannot flood the queue (429 with Retry-After).
 * The body is stored in the inbox before the answer (202), and fires the trigger after.
 */
export function registerHookRoutes(
  router: Router,
  deps: {
    store: EngineStore;
    intake: Intake;
    clock: Clock;
    rate?: BucketRate;
  },
): void {
  const buckets = new TokenBuckets(deps.rate ?? HOOK_RATE);
  router.post('/hooks/:key', async (ctx) => {
    const trigger = await deps.store.triggers.getByWebhookKey(ctx.params.key!);
    if (!trigger || trigger.type !== 'webhook') throw new HookNotFoundError();
    if (!trigger.enabled) throw new HookDisabledError(trigger.name);
    const waitMs = buckets.take(trigger.name, deps.clock.now());
    if (waitMs > 0) {
      const retryAfter = Math.ceil(waitMs / 1000);
      ctx.set('Retry-After', String(retryAfter));
      throw new HookRateLimitedError(trigger.name, retryAfter);
    }
    const data = await readJsonBody(ctx, HOOK_BODY_LIMIT);
    const { id } = await deps.intake.accept({
      source: 'webhook',
      key: trigger.name,
      dedupKey: null,
      data,
    });
    ctx.status = 202;
    ctx.body = { accepted: true, id };
  });
}
