import type { TableStore } from '../../tables/table-store.ts';
import { renderRecordTemplate, triggerSubject } from '../../triggers/index.ts';
import { EngineError } from '../../errors.ts';
import { actionErrorOf, type ActionExecutor } from './action-error.ts';

/**
 * Creates a record from the action's template, filled from what the trigger's rules read:
 * the push, the webhook body, or for a table trigger the row with `$event`, `$before`,
 * `$after` and `$table` beside its fields.
 */
export function tableAction(tables: TableStore): ActionExecutor {
  return async ({ trigger, action, event }) => {
    const subject = triggerSubject(trigger, event);
    const record = renderRecordTemplate(action.record as Record<string, unknown>, subject);
    try {
      await tables.createRecord(String(action.table), record);
    } catch (err) {
      if (err instanceof EngineError) throw actionErrorOf(err);
      throw err;
    }
    return {};
  };
}
