/** What the inbox routes answer (inbox-routes.ts). */
import { z } from 'zod';
import { isoTime, listOf, named } from '../api-schemas.ts';

export const inboxEntryAnswer = named(
  'InboxEntry',
  z.strictObject({
    id: z
      .string()
      .describe('The event id (event_id of its trigger logs; the id POST /hooks/:key answers).'),
    source: z.enum(['wechat_message', 'webhook', 'timer', 'table']),
    key: z
      .string()
      .describe('appId for pushes, trigger name for webhooks and timers, table for changes.'),
    received_at: isoTime,
    status: z.enum(['pending', 'dispatched', 'dispatch_failed']),
    error: z.string().nullable().describe('Why its dispatch failed.'),
    failed_at: isoTime,
  }),
);
export type InboxEntryAnswer = z.infer<typeof inboxEntryAnswer>;
export const inboxListAnswer = listOf(inboxEntryAnswer);
