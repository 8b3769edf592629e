import type { EventType } from '../../runtime/sandbox.ts';
import type { Action } from './types.ts';

/**
 * The concurrency lane of a firing, which the job runner caps: one per function, whichever
 * triggers call it (a function is the scarce thing); one per trigger action for table and
 * webhook actions. Decided once at dispatch and stored with the firing, never in SQL.
 */
export function laneOf(action: Action, trigger: string, actionIndex: number): string {
  return action.type === 'function'
    ? `function:${action.function}`
    : `action:${trigger}#${actionIndex}`;
}

/** The `event.eventType` a function sees for each trigger type (SPEC §5). */
export function eventTypeOf(triggerType: string): EventType {
  switch (triggerType) {
    case 'timer':
      return 'timer';
    case 'webhook':
      return 'webhook';
    case 'table':
      return 'table';
    default:
      return 'trigger';
  }
}
