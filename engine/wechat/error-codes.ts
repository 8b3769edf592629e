/**
 * Every refusal of the WeChat receiver, with the HTTP status the edge answers.
 * 401 when the request is not proven to come from WeChat, 400 when it is malformed or does
 * not fit the account's mode, 413 when it is too large. Each code has a row in docs/errors.md.
 */
export const WECHAT_ERRORS = {
  E_WECHAT_BAD_SIGNATURE: 401,
  E_WECHAT_STALE_TIMESTAMP: 401,
  E_WECHAT_APPID_MISMATCH: 401,
  E_WECHAT_DECRYPT: 400,
  E_WECHAT_MALFORMED: 400,
  E_WECHAT_TOO_LARGE: 413,
  E_WECHAT_MODE: 400,
  E_WECHAT_BAD_KEY: 400,
  E_WECHAT_REPLY_INVALID: 400,
  E_WECHAT_UNKNOWN_ACCOUNT: 404,
} as const;
