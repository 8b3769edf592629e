/**
 * Errors of WeChat API calls. WeChat answers `{errcode, errmsg}`; a function sees them as
 * MinCloud's HError does: `code` the errcode (a number), `message` the errmsg, and `reason`
 * a stable `E_WECHAT_API_…` naming the common cases (errcodes.ts).
 */
import { EngineError } from '../errors.ts';
import { reasonOf } from './errcodes.ts';

export class WechatApiError extends Error {
  /** WeChat's errcode. */
  readonly code: number;
  readonly reason: string;
  readonly status = 502;

  constructor(errcode: number, errmsg: string) {
    super(errmsg || `WeChat answered errcode ${errcode}`);
    this.name = 'WechatApiError';
    this.code = errcode;
    this.reason = reasonOf(errcode);
  }
}

/** No account fits the call: none holds an AppSecret, several do, or the named one does not. */
export class WechatAccountError extends EngineError {
  constructor(code: 'E_WECHAT_API_NO_SECRET' | 'E_WECHAT_API_ACCOUNT_AMBIGUOUS', message: string) {
    super(code, message);
    this.name = 'WechatAccountError';
  }
}

/** A call's arguments do not fit what WeChat documents (checked before anything is sent). */
export class WechatArgumentError extends EngineError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('E_WECHAT_API_BAD_ARGS', message, { details });
    this.name = 'WechatArgumentError';
  }
}

/** WeChat's API could not be reached, or answered something that is not its JSON. */
export class WechatUnreachableError extends EngineError {
  constructor(message: string) {
    super('E_WECHAT_API_UNREACHABLE', message);
    this.name = 'WechatUnreachableError';
  }
}

/** The access token cannot be had now: the last fetch failed and the next waits (back-off). */
export class WechatTokenBackoffError extends EngineError {
  constructor(appId: string, retryAt: number, last: string) {
    super(
      'E_WECHAT_API_TOKEN_BACKOFF',
      `No access token for ${appId}: the last fetch failed (${last}); the next attempt waits until ${new Date(retryAt).toISOString()}.`,
      { details: { appId, retryAt } },
    );
    this.name = 'WechatTokenBackoffError';
  }
}
