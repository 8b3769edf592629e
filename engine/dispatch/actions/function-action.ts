import type { FunctionService } from '../../functions/function-service.ts';
import type { EventType } from '../../../runtime/sandbox.ts';
import { EngineError } from '../../errors.ts';
import { ActionError, actionErrorOf, type ActionExecutor } from './action-error.ts';

/** Runs the action's function on the event's data; anything but `fulfilled` is a failure. */
export function functionAction(functions: FunctionService): ActionExecutor {
  return async ({ trigger, action, event, eventType, triggerLogId }) => {
    let ran;
    try {
      ran = await functions.run(String(action.function), event, {
        source: `trigger:${trigger.name}`,
        eventType: eventType as EventType,
        trigger,
        triggerLogId,
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
