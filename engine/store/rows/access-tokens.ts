/** A `wechat_tokens` row, as both backends read it (the token sealed). */
export interface TokenRow {
  app_id: string;
  token: string;
  expires_at: number;
  fetched_at: number;
}

// The same context on every backend: a row copied from one to the other still opens.
export const tokenContext = (appId: string) => `wechat_tokens.token.${appId}`;
