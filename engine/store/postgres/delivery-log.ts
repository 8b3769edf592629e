import type { DeliveryLog } from '../ports.ts';
import type { PgPools } from './pool.ts';
import { postgresInbox } from './inbox.ts';
import { postgresDispatch } from './dispatch.ts';
import { postgresClaims } from './claims.ts';
import { postgresTriggerLogs } from './trigger-logs.ts';

/** NOTIFY channels the delivery log wakes other processes on. */
export interface DeliveryChannels {
  /** New or replayed inbox entries: dispatchers wake. */
  inbox: string;
  /** Queue items due now: job runners wake. */
  queue: string;
}

/**
 * The payload of the wake-ups of new entries and newly queued firings: the id of the store
 * instance that wrote them, so that its own process, which was told in memory (its intake
 * hands the dispatcher what it accepted, its dispatcher wakes its runner), can let them pass.
 */
export type WakeSender = string;

/**
 * The delivery log on PostgreSQL, from its parts: the inbox (accept, pending, set aside,
 * retention), dispatch (with the frequency guards), claims and their outcomes, and the
 * trigger-log reads. Every step is one transaction; wake-ups ride on its commit (NOTIFY).
 */
export function postgresDeliveryLog(
  db: PgPools,
  channels: DeliveryChannels,
  sender: WakeSender,
): DeliveryLog {
  return {
    ...postgresInbox(db, channels, sender),
    ...postgresDispatch(db, channels.queue, sender),
    ...postgresClaims(db, channels.queue),
    ...postgresTriggerLogs(db),
  };
}
