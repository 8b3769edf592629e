import type { SettingsStore } from '../ports.ts';
import { query, type PgPools } from './pool.ts';

/** The engine's own key/value settings on PostgreSQL. */
export function postgresSettingsStore(db: PgPools): SettingsStore {
  const { durable, where } = db;
  return {
    async get(key) {
      const { rows } = await query<{ value: string }>(
        durable,
        where,
        'SELECT value FROM settings WHERE key = $1',
        [key],
      );
      return rows[0]?.value;
    },
    async set(key, value) {
      await query(
        durable,
        where,
        'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
    },
  };
}
