import type { Database } from 'better-sqlite3';
import type { StoredTrigger, TriggerStore } from '../ports.ts';
import { toStoredTrigger, type TriggerRowOf } from '../rows/triggers.ts';
import { hookKeyHash, hookKeyHashesEqual, hookKeyHint } from './hook-key-hash.ts';

type TriggerRow = TriggerRowOf<number>;

const toRecord = (row: TriggerRow): StoredTrigger => toStoredTrigger(row, row.enabled === 1);

export function sqliteTriggerStore(db: Database): TriggerStore {
  const insert = db.prepare(`
    INSERT INTO triggers (name, type, enabled, definition, webhook_key_hash, webhook_key_hint, created_at, updated_at)
    VALUES (@name, @type, @enabled, @definition, @webhookKeyHash, @webhookKeyHint, @now, @now)`);
  const update = db.prepare(`
    UPDATE triggers SET type = @type, enabled = @enabled, definition = @definition,
      webhook_key_hash = @webhookKeyHash, webhook_key_hint = @webhookKeyHint, updated_at = @now
    WHERE name = @name`);
  const byName = db.prepare<[string], TriggerRow>('SELECT * FROM triggers WHERE name = ?');
  const byKeyHash = db.prepare<[string], TriggerRow>(
    'SELECT * FROM triggers WHERE webhook_key_hash = ?',
  );
  const all = db.prepare<[], TriggerRow>('SELECT * FROM triggers ORDER BY name');
  const remove = db.prepare('DELETE FROM triggers WHERE name = ?');
  const params = (t: Omit<StoredTrigger, 'createdAt' | 'updatedAt'>, now: number) => ({
    name: t.name,
    type: t.type,
    enabled: t.enabled ? 1 : 0,
    definition: JSON.stringify(t.definition),
    // A key given in clear is stored as its hash and hint only; otherwise the ones given stay.
    webhookKeyHash: t.webhookKey === undefined ? t.webhookKeyHash : hookKeyHash(t.webhookKey),
    webhookKeyHint: t.webhookKey === undefined ? t.webhookKeyHint : hookKeyHint(t.webhookKey),
    now,
  });
  /** The stored record, with the clear key of this write (if any) for its one answer. */
  const written = (t: Omit<StoredTrigger, 'createdAt' | 'updatedAt'>): StoredTrigger => {
    const record = toRecord(byName.get(t.name)!);
    return t.webhookKey === undefined ? record : { ...record, webhookKey: t.webhookKey };
  };
  return {
    async create(trigger, now) {
      insert.run(params(trigger, now));
      return written(trigger);
    },
    async replace(trigger, now) {
      update.run(params(trigger, now));
      return written(trigger);
    },
    async get(name) {
      const row = byName.get(name);
      return row && toRecord(row);
    },
    async getByWebhookKey(key) {
      // Looked up by the hash (an index), then compared in constant time: neither the SQL
      // comparison nor the key's content can tell a caller how close a guess was.
      const hash = hookKeyHash(key);
      const row = byKeyHash.get(hash);
      return row?.webhook_key_hash && hookKeyHashesEqual(row.webhook_key_hash, hash)
        ? toRecord(row)
        : undefined;
    },
    list: async () => all.all().map(toRecord),
    delete: async (name) => remove.run(name).changes > 0,
  };
}
