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
 * The delivery log on PostgreSQL, from its parts: the inbox (accept, pending, set aside,
 * retention), dispatch (with the frequency guards), claims and their outcomes, and the
 * trigger-log reads. Every step is one transaction; wake-ups ride on its commit (NOTIFY).
 */
export function postgresDeliveryLog(db: PgPools, channels: DeliveryChannels): DeliveryLog {
  return {
    ...postgresInbox(db, channels.inbox),
    ...postgresDispatch(db, channels.queue),
    ...postgresClaims(db, channels.queue),
    ...postgresTriggerLogs(db),
  };
}
