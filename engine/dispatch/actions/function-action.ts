import type { FunctionService } from '../../functions/function-service.ts';
import { EngineError } from '../../errors.ts';
import { functionEventOf } from '../../triggers/index.ts';
import type { FunctionAction } from '../../triggers/index.ts';
import { ActionError, actionErrorOf, type ActionExecutor } from './action-error.ts';

/**
 * Runs the action's function on the event's data (for a table trigger: the record, with the
 * write in `event.change`); anything but `fulfilled` is a failure.
 */
export function functionAction(functions: FunctionService): ActionExecutor<FunctionAction> {
  return async ({ trigger, action, event, eventType, triggerLogId, inboxId }) => {
    const { data, change } = functionEventOf(trigger, event);
    let ran;
    try {
      ran = await functions.run(action.function, data, {
        source: `trigger:${trigger.name}`,
        eventType,
        trigger,
        triggerLogId,
        // The job names the inbox entry instead of copying the event, when it runs on it as
        // is (a table trigger's function runs on the record, kept with the job).
        inboxId: data === event ? inboxId : null,
        ...(change ? { change } : {}),
      });
    } catch (err) {
      // E_FUNCTION_NOT_FOUND: deleted with force after the trigger was saved, or raced.
      if (err instanceof EngineError) throw actionErrorOf(err);
      throw err;
    }
    const { job, outcome } = ran;
    if (outcome.status !== 'fulfilled') {
      throw new ActionError(outcome.status, outcome.error?.message ?? outcome.status, job.id);
    }
    return { jobId: job.id };
  };
}
