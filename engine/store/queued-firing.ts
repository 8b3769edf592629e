import type { Delivery, NewFiring } from './ports.ts';

/** A firing as the queue holds it, claimed or not: a Delivery without its claim. */
export type QueuedFiring = Omit<Delivery, 'owner' | 'leaseUntil'>;

/**
 * The queued firing a dispatch makes of a `NewFiring`, as a claim would read it back: the
 * dispatcher hands one claimed at dispatch to its runner from memory, and the SQLite queue
 * keeps one for its next claim.
 */
export function queuedFiringOf(
  firing: NewFiring,
  inboxId: string,
  event: unknown,
  runAt: number,
  attempts: number,
): QueuedFiring {
  return {
    id: firing.logId,
    trigger: firing.trigger,
    actionIndex: firing.actionIndex,
    action: firing.action,
    eventType: firing.eventType,
    lane: firing.lane,
    inboxId,
    event,
    attempts,
    runAt,
  };
}
