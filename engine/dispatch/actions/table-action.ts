import type { TableStore } from '../../tables/table-store.ts';
import { renderRecordTemplate, triggerSubject } from '../../triggers/index.ts';
import { EngineError } from '../../errors.ts';
import type { TableAction } from '../../triggers/index.ts';
import { actionErrorOf, type ActionExecutor } from './action-error.ts';

/**
 * Creates a record from the action's template, filled from what the trigger's rules read:
 * the push, the webhook body, or for a table trigger the row with `$event`, `$before`,
 * `$after` and `$table` beside its fields.
 */
export function tableAction(tables: TableStore): ActionExecutor<TableAction> {
  return async ({ trigger, action, event }) => {
    const subject = triggerSubject(trigger, event);
    const record = renderRecordTemplate(action.record, subject);
    try {
      await tables.createRecord(action.table, record);
    } catch (err) {
      if (err instanceof EngineError) throw actionErrorOf(err);
      throw err;
    }
    return {};
  };
}
