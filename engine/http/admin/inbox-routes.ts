import type Router from '@koa/router';
import { z } from 'zod';
import type { EngineStore, InboxSummary } from '../../store/index.ts';
import { InboxEntryNotFoundError, InboxEntryNotReplayableError } from '../../dispatch/errors.ts';
import { iso, pageParams, parseInput } from '../validate.ts';

/** Filters of the list; unknown parameters are refused so a typo does not widen it. */
const listQuery = z.strictObject({
  limit: z.string().optional(),
  offset: z.string().optional(),
  status: z.enum(['pending', 'dispatched', 'dispatch_failed']).optional(),
});

function render(entry: InboxSummary): Record<string, unknown> {
  return {
    id: entry.id,
    source: entry.source,
    key: entry.key,
    received_at: iso(entry.receivedAt),
    status: entry.status,
    error: entry.error,
    failed_at: iso(entry.failedAt),
  };
}

/**
 * The inbox (accepted events) for operators: `GET /inbox?status=dispatch_failed` lists the
 * entries a failed dispatch set aside, with their error; `POST /inbox/:id/replay` puts one
 * back in line once its cause is fixed (a trigger, the stored data).
 */
export function registerInboxRoutes(
  router: Router,
  deps: {
    store: EngineStore;
    /** Puts a set-aside entry back in line and wakes the dispatcher (the intake's replay). */
    replay: (id: string) => Promise<boolean>;
  },
): void {
  const { delivery } = deps.store;

  router.get('/inbox', async (ctx) => {
    const { status } = parseInput(listQuery, ctx.query, 'E_INVALID_QUERY');
    const { limit, offset } = pageParams(ctx.query);
    const { total, objects } = await delivery.listEntries({ status, limit, offset });
    ctx.body = { meta: { limit, offset, total_count: total }, objects: objects.map(render) };
  });

  router.get('/inbox/:id', async (ctx) => {
    const entry = await delivery.getEntry(ctx.params.id!);
    if (!entry) throw new InboxEntryNotFoundError(ctx.params.id!);
    ctx.body = render(entry);
  });

  router.post('/inbox/:id/replay', async (ctx) => {
    const entry = await delivery.getEntry(ctx.params.id!);
    if (!entry) throw new InboxEntryNotFoundError(ctx.params.id!);
    if (!(await deps.replay(entry.id)))
      throw new InboxEntryNotReplayableError(entry.id, entry.status);
    ctx.status = 202;
    ctx.body = render((await delivery.getEntry(entry.id))!);
  });
}
