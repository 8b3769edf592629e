import type { StoredTrigger, TriggerStore } from '../ports.ts';
import { toStoredTrigger, type TriggerRowOf } from '../rows/triggers.ts';
import { hookKeyHash, hookKeyHashesEqual, hookKeyHint } from '../sqlite/hook-key-hash.ts';
import { query, type PgPools } from './pool.ts';

type TriggerRow = TriggerRowOf<boolean>;

const toRecord = (row: TriggerRow): StoredTrigger => toStoredTrigger(row, row.enabled);

/** The columns of a write: a key given in clear is stored as its hash and hint only. */
const values = (t: Omit<StoredTrigger, 'createdAt' | 'updatedAt'>, now: number) => [
  t.name,
  t.type,
  t.enabled,
  JSON.stringify(t.definition),
  t.webhookKey === undefined ? t.webhookKeyHash : hookKeyHash(t.webhookKey),
  t.webhookKey === undefined ? t.webhookKeyHint : hookKeyHint(t.webhookKey),
  now,
];

/**
 * Triggers on PostgreSQL; incoming-webhook keys kept as their SHA-256, as on SQLite. Every
 * write notifies `channel` with the trigger's name in its own statement (so at its commit):
 * every process refreshes its trigger index, whichever code path saved.
 */
export function postgresTriggerStore(db: PgPools, channel: string): TriggerStore {
  const { durable, where } = db;
  /** The stored record, with the clear key of this write (if any) for its one answer. */
  const written = (t: Omit<StoredTrigger, 'createdAt' | 'updatedAt'>, row: TriggerRow) => {
    const record = toRecord(row);
    return t.webhookKey === undefined ? record : { ...record, webhookKey: t.webhookKey };
  };
  return {
    async create(trigger, now) {
      const { rows } = await query<TriggerRow>(
        durable,
        where,
        `INSERT INTO triggers (name, type, enabled, definition, webhook_key_hash, webhook_key_hint, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *, pg_notify($8, name)`,
        [...values(trigger, now), channel],
      );
      return written(trigger, rows[0]!);
    },
    async replace(trigger, now) {
      const { rows } = await query<TriggerRow>(
        durable,
        where,
        `UPDATE triggers SET type = $2, enabled = $3, definition = $4, webhook_key_hash = $5,
           webhook_key_hint = $6, updated_at = $7
         WHERE name = $1 RETURNING *, pg_notify($8, name)`,
        [...values(trigger, now), channel],
      );
      if (rows[0] === undefined) throw new Error(`trigger "${trigger.name}" does not exist`);
      return written(trigger, rows[0]);
    },
    async get(name) {
      const { rows } = await query<TriggerRow>(
        durable,
        where,
        'SELECT * FROM triggers WHERE name = $1',
        [name],
      );
      return rows[0] && toRecord(rows[0]);
    },
    async getByWebhookKey(key) {
      // Looked up by the hash (an index), then compared in constant time, as on SQLite.
      const hash = hookKeyHash(key);
      const { rows } = await query<TriggerRow>(
        durable,
        where,
        'SELECT * FROM triggers WHERE webhook_key_hash = $1',
        [hash],
      );
      const row = rows[0];
      return row?.webhook_key_hash && hookKeyHashesEqual(row.webhook_key_hash, hash)
        ? toRecord(row)
        : undefined;
    },
    async list() {
      const { rows } = await query<TriggerRow>(
        durable,
        where,
        'SELECT * FROM triggers ORDER BY name COLLATE "C"',
      );
      return rows.map(toRecord);
    },
    async delete(name) {
      const { rowCount } = await query(
        durable,
        where,
        'DELETE FROM triggers WHERE name = $1 RETURNING pg_notify($2, name)',
        [name, channel],
      );
      return (rowCount ?? 0) > 0;
    },
  };
}
