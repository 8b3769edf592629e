import type { PreparedAccount } from './account.ts';
import { WechatError } from './errors.ts';
import { computeSignature, signatureMatches } from './signature.ts';

/** The query string of a WeChat request, as the HTTP layer hands it over. */
export type WechatQuery = Record<string, string | undefined>;

/** WeChat's window for the query `timestamp` (seconds either way); CreateTime is never checked. */
export const TIMESTAMP_WINDOW_SECONDS = 300;

const DIGITS = /^\d{1,15}$/;

/** The `timestamp` and `nonce` every signed request carries; missing ones fail as a bad signature. */
export function requireTimestampAndNonce(query: WechatQuery): { timestamp: string; nonce: string } {
  const { timestamp, nonce } = query;
  if (timestamp === undefined || nonce === undefined) {
    throw badSignature(`the query lacks ${timestamp === undefined ? 'timestamp' : 'nonce'}`);
  }
  return { timestamp, nonce };
}

/**
 * Checks `received` against sha1(sort(token, …parts)) in constant time. `param` names the
 * query parameter for the error message. Throws E_WECHAT_BAD_SIGNATURE.
 */
export function checkSignature(
  account: PreparedAccount,
  param: 'signature' | 'msg_signature',
  received: string | undefined,
  parts: string[],
): void {
  if (received === undefined) throw badSignature(`the query lacks ${param}`);
  if (!signatureMatches(computeSignature(account.token, ...parts), received)) {
    throw badSignature(`${param} does not match; check the account's token`);
  }
}

/** Refuses a query `timestamp` more than 5 minutes from now. Throws E_WECHAT_STALE_TIMESTAMP. */
export function checkTimestamp(timestamp: string, nowSeconds: number): void {
  const skew = DIGITS.test(timestamp) ? Number(timestamp) - nowSeconds : Number.NaN;
  if (!(Math.abs(skew) <= TIMESTAMP_WINDOW_SECONDS)) {
    throw new WechatError(
      'E_WECHAT_STALE_TIMESTAMP',
      `The query timestamp is more than ${TIMESTAMP_WINDOW_SECONDS} s from the engine's clock; check the server's time (NTP).`,
      { timestamp, now: nowSeconds, skewSeconds: Number.isNaN(skew) ? null : skew },
    );
  }
}

function badSignature(reason: string): WechatError {
  return new WechatError('E_WECHAT_BAD_SIGNATURE', `Signature check failed: ${reason}.`, {
    reason,
  });
}
