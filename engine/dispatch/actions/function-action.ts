import type { FunctionService } from '../../functions/function-service.ts';
import type { EventType } from '../../../runtime/sandbox.ts';
import { functionEventOf } from '../../triggers/index.ts';
import { ActionError, type ActionExecutor } from './action-error.ts';

/**
 * Runs the action's function on the event's data (for a table trigger: the record, with the
 * write in `event.change`); anything but `fulfilled` is a failure.
 */
export function functionAction(functions: FunctionService): ActionExecutor {
  return async ({ trigger, action, event, eventType, triggerLogId }) => {
    const { data, change } = functionEventOf(trigger, event);
    const { job, outcome } = await functions.run(String(action.function), data, {
      source: `trigger:${trigger.name}`,
      eventType: eventType as EventType,
      trigger,
      triggerLogId,
      ...(change ? { change } : {}),
    });
    if (outcome.status !== 'fulfilled') {
      throw new ActionError(outcome.status, outcome.error?.message ?? outcome.status, job.id);
    }
    return { jobId: job.id };
  };
}
