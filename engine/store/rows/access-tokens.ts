import type { StoredAccessToken } from '../ports.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';

/** A `wechat_tokens` row, as both backends read it (the token sealed). */
export interface TokenRow {
  app_id: string;
  token: string;
  expires_at: number;
  fetched_at: number;
}

// The same context on every backend: a row copied from one to the other still opens.
export const tokenContext = (appId: string) => `wechat_tokens.token.${appId}`;

/** The stored token of a row, opened. */
export const toStoredToken = (box: SecretBox, row: TokenRow): StoredAccessToken => ({
  accessToken: box.open(row.token, tokenContext(row.app_id)),
  expiresAt: row.expires_at,
  fetchedAt: row.fetched_at,
});
