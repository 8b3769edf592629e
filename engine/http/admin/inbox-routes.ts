import type Router from '@koa/router';
import { z } from 'zod';
import type { EngineStore, InboxSummary } from '../../store/index.ts';
import { InboxEntryNotFoundError, InboxEntryNotReplayableError } from '../../dispatch/errors.ts';
import { iso, pageParams, parseInput } from '../validate.ts';
import { route } from '../api-route.ts';
import { pageQuery } from '../api-schemas.ts';
import { inboxEntryAnswer, inboxListAnswer, type InboxEntryAnswer } from './inbox-answers.ts';

/** Filters of the list; unknown parameters are refused so a typo does not widen it. */
const listQuery = z.strictObject({
  ...pageQuery.shape,
  status: z
    .enum(['pending', 'dispatched', 'dispatch_failed'])
    .optional()
    .describe('Only entries of this status.'),
});
const NO_ENTRY = { 404: 'No such entry (E_INBOX_ENTRY_NOT_FOUND).' };

function render(entry: InboxSummary): InboxEntryAnswer {
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

  route(
    router,
    {
      method: 'get',
      path: '/inbox',
      tag: 'inbox',
      summary: 'Accepted events, newest first; ?status=dispatch_failed lists those set aside.',
      query: listQuery,
      answers: { 200: { description: 'Entries.', schema: inboxListAnswer } },
    },
    async (ctx) => {
      const { status } = parseInput(listQuery, ctx.query, 'E_INVALID_QUERY');
      const { limit, offset } = pageParams(ctx.query);
      const { total, objects } = await delivery.listEntries({ status, limit, offset });
      ctx.body = { meta: { limit, offset, total_count: total }, objects: objects.map(render) };
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/inbox/:id',
      tag: 'inbox',
      summary: 'One accepted event (without its data).',
      params: { id: 'The event id.' },
      answers: { 200: { description: 'The entry.', schema: inboxEntryAnswer } },
      refusals: NO_ENTRY,
    },
    async (ctx) => {
      const entry = await delivery.getEntry(ctx.params.id!);
      if (!entry) throw new InboxEntryNotFoundError(ctx.params.id!);
      ctx.body = render(entry);
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/inbox/:id/replay',
      tag: 'inbox',
      summary: 'Dispatch an entry set aside (dispatch_failed) again.',
      params: { id: 'The event id.' },
      answers: { 202: { description: 'Pending again.', schema: inboxEntryAnswer } },
      refusals: { ...NO_ENTRY, 409: 'Not dispatch_failed (E_INBOX_ENTRY_NOT_REPLAYABLE).' },
    },
    async (ctx) => {
      const entry = await delivery.getEntry(ctx.params.id!);
      if (!entry) throw new InboxEntryNotFoundError(ctx.params.id!);
      if (!(await deps.replay(entry.id)))
        throw new InboxEntryNotReplayableError(entry.id, entry.status);
      ctx.status = 202;
      ctx.body = render((await delivery.getEntry(entry.id))!);
    },
  );
}
