/**
 * The access-token manager: one token per account for every function of the engine.
 *
 * - fetched on first need (`GET /cgi-bin/token?grant_type=client_credential&appid&secret`),
 *   kept in memory and in the TokenStore (so a restart, or another process once the store is
 *   PostgreSQL, uses it instead of spending quota);
 * - refreshed once 80 % of its `expires_in` has passed (the call that notices waits for the
 *   new one; if that fetch fails it still gets the old, valid token);
 * - single-flight: however many calls need a token at once, one fetch is made;
 * - dropped when a call answers 40001/40014/42001 (only if it is still the token that call
 *   used), then fetched once and the call retried once (wechat-client.ts);
 * - failed fetches back off exponentially (1 s, 2 s, 4 s … capped at 5 min), are logged and
 *   counted per account and Beijing day next to the successful ones: WeChat allows 2,000
 *   fetches a day per account.
 *
 * Source: 获取 Access token,
 * https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { StoredAccessToken, TokenStore } from '../store/index.ts';
import { WechatAccountError, WechatApiError, WechatTokenBackoffError } from './errors.ts';
import type { WechatHttp } from './wechat-http.ts';

/** WeChat's documented daily limit of token fetches per account. */
export const DAILY_TOKEN_QUOTA = 2000;

export interface TokenManagerOptions {
  /** Share of the lifetime after which the token is refreshed (0.8). */
  refreshRatio?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

interface AccountState {
  token?: StoredAccessToken;
  inflight?: Promise<StoredAccessToken>;
  failures: number;
  retryAt: number;
  lastError?: string;
}

export interface AccessToken {
  accessToken: string;
  expiresAt: number;
}

/** The day WeChat's quota counts in: its reset is at midnight Beijing time (UTC+8). */
export function quotaDay(now: number): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

export class TokenManager {
  readonly #http: WechatHttp;
  readonly #store: TokenStore;
  readonly #secretOf: (appId: string) => Promise<string | undefined>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #refreshRatio: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #accounts = new Map<string, AccountState>();

  constructor(deps: {
    http: WechatHttp;
    store: TokenStore;
    secretOf: (appId: string) => Promise<string | undefined>;
    clock: Clock;
    log: Logger;
    options?: TokenManagerOptions;
  }) {
    this.#http = deps.http;
    this.#store = deps.store;
    this.#secretOf = deps.secretOf;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#refreshRatio = deps.options?.refreshRatio ?? 0.8;
    this.#backoffBaseMs = deps.options?.backoffBaseMs ?? 1000;
    this.#backoffMaxMs = deps.options?.backoffMaxMs ?? 300_000;
  }

  async #state(appId: string): Promise<AccountState> {
    let state = this.#accounts.get(appId);
    if (state === undefined) {
      const stored = await this.#store.get(appId);
      // Another call may have filled it while the store answered: keep that one.
      state = this.#accounts.get(appId);
      if (state !== undefined) return state;
      state = { failures: 0, retryAt: 0 };
      if (stored !== undefined) state.token = stored;
      this.#accounts.set(appId, state);
    }
    return state;
  }

  #refreshAt(token: StoredAccessToken): number {
    return token.fetchedAt + (token.expiresAt - token.fetchedAt) * this.#refreshRatio;
  }

  /** A token valid now; fetched, refreshed or waited for as described above. */
  async get(appId: string): Promise<AccessToken> {
    const state = await this.#state(appId);
    const now = this.#clock.now();
    const token = state.token;
    if (token !== undefined && now < this.#refreshAt(token)) return token;
    if (token !== undefined && now < token.expiresAt) {
      // Past 80 %: refresh now, but a failed refresh still leaves a valid token to use.
      if (state.inflight === undefined && now < state.retryAt) return token;
      try {
        return await this.#refresh(appId, state);
      } catch {
        return token;
      }
    }
    if (state.inflight === undefined && now < state.retryAt)
      throw new WechatTokenBackoffError(appId, state.retryAt, state.lastError ?? 'unknown');
    return this.#refresh(appId, state);
  }

  /** Drops `used` if it is still the account's token (a call was told it is invalid). */
  async invalidate(appId: string, used: string): Promise<void> {
    const state = await this.#state(appId);
    if (state.token?.accessToken !== used) return;
    state.token = undefined;
    if ((await this.#store.get(appId))?.accessToken === used) await this.#store.delete(appId);
  }

  /** Forgets everything of an account (its AppSecret changed or it was removed). */
  async forget(appId: string): Promise<void> {
    this.#accounts.delete(appId);
    await this.#store.delete(appId);
  }

  /** Figures for the admin API: today's fetches against the quota, failures, back-off. */
  async stats(appId: string): Promise<Record<string, unknown>> {
    const now = this.#clock.now();
    const day = quotaDay(now);
    const counts = await this.#store.fetchCounts(appId, day);
    const state = this.#accounts.get(appId);
    const token = state?.token ?? (await this.#store.get(appId));
    return {
      appId,
      day,
      fetchesToday: counts.fetches,
      failedFetchesToday: counts.failures,
      dailyQuota: DAILY_TOKEN_QUOTA,
      hasToken: token !== undefined && now < token.expiresAt,
      fetchedAt: token === undefined ? null : new Date(token.fetchedAt).toISOString(),
      expiresAt: token === undefined ? null : new Date(token.expiresAt).toISOString(),
      refreshAt: token === undefined ? null : new Date(this.#refreshAt(token)).toISOString(),
      consecutiveFailures: state?.failures ?? 0,
      nextAttemptAt:
        state !== undefined && state.retryAt > now ? new Date(state.retryAt).toISOString() : null,
      lastError: state?.lastError ?? null,
    };
  }

  #refresh(appId: string, state: AccountState): Promise<StoredAccessToken> {
    state.inflight ??= this.#fetch(appId, state).finally(() => {
      state.inflight = undefined;
    });
    return state.inflight;
  }

  async #fetch(appId: string, state: AccountState): Promise<StoredAccessToken> {
    const started = this.#clock.now();
    // Another process sharing the store may have refreshed meanwhile: use its token.
    const shared = await this.#store.get(appId);
    if (
      shared !== undefined &&
      shared.fetchedAt > (state.token?.fetchedAt ?? -1) &&
      started < this.#refreshAt(shared)
    ) {
      state.token = shared;
      return shared;
    }
    const secret = await this.#secretOf(appId);
    if (secret === undefined)
      throw new WechatAccountError(
        'E_WECHAT_API_NO_SECRET',
        `Account ${appId} has no AppSecret: PUT /api/v1/wechat/accounts/${appId} with "appSecret".`,
      );
    let answer: Record<string, unknown>;
    try {
      answer = await this.#http({
        method: 'GET',
        path: '/cgi-bin/token',
        query: { grant_type: 'client_credential', appid: appId, secret },
      });
    } catch (err) {
      throw this.#failed(appId, state, err as Error);
    }
    const errcode = Number(answer.errcode ?? 0);
    const accessToken = answer.access_token;
    const expiresIn = Number(answer.expires_in);
    if (errcode !== 0 || typeof accessToken !== 'string' || !(expiresIn > 0))
      throw this.#failed(
        appId,
        state,
        new WechatApiError(errcode || -1, String(answer.errmsg ?? 'no access_token in the answer')),
      );
    const now = this.#clock.now();
    const token = { accessToken, expiresAt: now + expiresIn * 1000, fetchedAt: now };
    await this.#store.put(appId, token);
    await this.#store.countFetch(appId, quotaDay(now), true);
    state.token = token;
    state.failures = 0;
    state.retryAt = 0;
    delete state.lastError;
    this.#log.info({ appId, expiresIn }, 'WeChat access token fetched');
    return token;
  }

  #failed(appId: string, state: AccountState, err: Error): Error {
    const now = this.#clock.now();
    state.failures++;
    const delay = Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** (state.failures - 1));
    state.retryAt = now + delay;
    const code = (err as { code?: unknown }).code;
    state.lastError = `${code === undefined ? '' : `${String(code)} `}${err.message}`;
    // Counted on the side: the error is what the caller needs now.
    this.#store
      .countFetch(appId, quotaDay(now), false)
      .catch((countErr: unknown) =>
        this.#log.warn({ appId, err: countErr }, 'fetch count not stored'),
      );
    this.#log.warn(
      {
        appId,
        errcode: code,
        error: err.message,
        failures: state.failures,
        retryInMs: delay,
      },
      'WeChat access token fetch failed; backing off',
    );
    return err;
  }
}
