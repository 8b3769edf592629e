import type { Database } from 'better-sqlite3';
import type { TokenStore } from '../ports.ts';
import { isSealed, type SecretBox } from '../../secrets/secret-box.ts';
import { tokenContext, toStoredToken, type TokenRow } from '../rows/access-tokens.ts';

/**
 * The SQLite TokenStore: one row per account, the token sealed like the other secrets. A
 * PostgreSQL store implementing the same port lets several engine processes share one token.
 */
export function sqliteTokenStore(db: Database, box: SecretBox): TokenStore {
  // Tokens sealed under a rotated-away key: re-seal (they live 2 hours, but cost quota to refetch).
  for (const row of db.prepare<[], TokenRow>('SELECT * FROM wechat_tokens').all()) {
    if (box.isCurrent(row.token)) continue;
    const plain = isSealed(row.token) ? box.open(row.token, tokenContext(row.app_id)) : row.token;
    db.prepare('UPDATE wechat_tokens SET token = ? WHERE app_id = ?').run(
      box.seal(plain, tokenContext(row.app_id)),
      row.app_id,
    );
  }
  const byId = db.prepare<[string], TokenRow>('SELECT * FROM wechat_tokens WHERE app_id = ?');
  const upsert = db.prepare(`
    INSERT INTO wechat_tokens (app_id, token, expires_at, fetched_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (app_id) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at,
      fetched_at = excluded.fetched_at`);
  const remove = db.prepare('DELETE FROM wechat_tokens WHERE app_id = ?');
  const count = db.prepare(`
    INSERT INTO wechat_token_fetches (app_id, day, fetches, failures) VALUES (@appId, @day, 1, @failed)
    ON CONFLICT (app_id, day) DO UPDATE SET fetches = fetches + 1, failures = failures + @failed`);
  const counts = db.prepare<[string, string], { fetches: number; failures: number }>(
    'SELECT fetches, failures FROM wechat_token_fetches WHERE app_id = ? AND day = ?',
  );
  return {
    async get(appId) {
      const row = byId.get(appId);
      if (row === undefined) return undefined;
      return toStoredToken(box, row);
    },
    async put(appId, token) {
      upsert.run(
        appId,
        box.seal(token.accessToken, tokenContext(appId)),
        token.expiresAt,
        token.fetchedAt,
      );
    },
    async delete(appId) {
      remove.run(appId);
    },
    async countFetch(appId, day, ok) {
      count.run({ appId, day, failed: ok ? 0 : 1 });
    },
    async fetchCounts(appId, day) {
      return counts.get(appId, day) ?? { fetches: 0, failures: 0 };
    },
  };
}
