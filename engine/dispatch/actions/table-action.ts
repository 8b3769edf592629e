import type { TableStore } from '../../tables/table-store.ts';
import { renderRecordTemplate } from '../../triggers/index.ts';
import { EngineError } from '../../errors.ts';
import { ActionError, type ActionExecutor } from './action-error.ts';

/** Creates a record from the action's template, filled from the event. */
export function tableAction(tables: TableStore): ActionExecutor {
  return async ({ action, event }) => {
    const record = renderRecordTemplate(action.record as Record<string, unknown>, event);
    try {
      tables.createRecord(String(action.table), record);
    } catch (err) {
      if (err instanceof EngineError) throw new ActionError(err.code, err.message);
      throw err;
    }
    return {};
  };
}
