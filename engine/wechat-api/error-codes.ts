/**
 * Refusals of functions' WeChat API calls made by the engine itself, with the status the
 * guest's call rejects with (docs/errors.md). WeChat's own errcodes are not these: they
 * become WechatApiError, named by errcodes.ts.
 */
export const WECHAT_API_ERRORS = {
  E_WECHAT_API_NO_SECRET: 400,
  E_WECHAT_API_ACCOUNT_AMBIGUOUS: 400,
  E_WECHAT_API_BAD_ARGS: 400,
  E_WECHAT_API_UNREACHABLE: 502,
  E_WECHAT_API_TOKEN_BACKOFF: 503,
} as const;
