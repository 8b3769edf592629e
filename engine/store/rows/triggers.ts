import type { StoredTrigger } from '../ports.ts';
import type { TriggerDefinition } from '../../triggers/types.ts';

/** A `triggers` row; `Enabled` is the backend's own column type (SQLite 0/1, PostgreSQL boolean). */
export interface TriggerRowOf<Enabled> {
  name: string;
  type: StoredTrigger['type'];
  enabled: Enabled;
  definition: string;
  webhook_key_hash: string | null;
  webhook_key_hint: string | null;
  created_at: number;
  updated_at: number;
}

/** The record of a row whose `enabled` column the backend has read as a boolean. */
export const toStoredTrigger = <Enabled>(
  row: TriggerRowOf<Enabled>,
  enabled: boolean,
): StoredTrigger => ({
  name: row.name,
  type: row.type,
  enabled,
  definition: JSON.parse(row.definition) as TriggerDefinition,
  webhookKeyHash: row.webhook_key_hash,
  webhookKeyHint: row.webhook_key_hint,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
