import type { Database } from 'better-sqlite3';
import type { StoredTrigger, TriggerStore } from '../ports.ts';

interface TriggerRow {
  name: string;
  type: string;
  enabled: number;
  definition: string;
  webhook_key: string | null;
  created_at: number;
  updated_at: number;
}

const toRecord = (row: TriggerRow): StoredTrigger => ({
  name: row.name,
  type: row.type,
  enabled: row.enabled === 1,
  definition: JSON.parse(row.definition) as Record<string, unknown>,
  webhookKey: row.webhook_key,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function sqliteTriggerStore(db: Database): TriggerStore {
  const insert = db.prepare(`
    INSERT INTO triggers (name, type, enabled, definition, webhook_key, created_at, updated_at)
    VALUES (@name, @type, @enabled, @definition, @webhookKey, @now, @now)`);
  const update = db.prepare(`
    UPDATE triggers SET type = @type, enabled = @enabled, definition = @definition,
      webhook_key = @webhookKey, updated_at = @now WHERE name = @name`);
  const byName = db.prepare<[string], TriggerRow>('SELECT * FROM triggers WHERE name = ?');
  const byKey = db.prepare<[string], TriggerRow>('SELECT * FROM triggers WHERE webhook_key = ?');
  const all = db.prepare<[], TriggerRow>('SELECT * FROM triggers ORDER BY name');
  const remove = db.prepare('DELETE FROM triggers WHERE name = ?');
  const params = (t: Omit<StoredTrigger, 'createdAt' | 'updatedAt'>, now: number) => ({
    name: t.name,
    type: t.type,
    enabled: t.enabled ? 1 : 0,
    definition: JSON.stringify(t.definition),
    webhookKey: t.webhookKey,
    now,
  });
  return {
    create(trigger, now) {
      insert.run(params(trigger, now));
      return toRecord(byName.get(trigger.name)!);
    },
    replace(trigger, now) {
      update.run(params(trigger, now));
      return toRecord(byName.get(trigger.name)!);
    },
    get(name) {
      const row = byName.get(name);
      return row && toRecord(row);
    },
    getByWebhookKey(key) {
      const row = byKey.get(key);
      return row && toRecord(row);
    },
    list: () => all.all().map(toRecord),
    delete: (name) => remove.run(name).changes > 0,
  };
}
