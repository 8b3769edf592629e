/**
 * WeChat's global return codes that a function may want to tell apart, each with a stable
 * reason. Source: 全局返回码说明,
 * https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
 * (and the error tables of each message API, cited in wechat-calls.ts).
 */
const REASONS: Record<number, string> = {
  [-1]: 'E_WECHAT_API_BUSY', // 系统繁忙
  40001: 'E_WECHAT_API_INVALID_TOKEN', // access_token invalid or not the latest
  40003: 'E_WECHAT_API_INVALID_OPENID',
  40013: 'E_WECHAT_API_INVALID_APPID',
  40014: 'E_WECHAT_API_INVALID_TOKEN', // 不合法的 access_token
  40037: 'E_WECHAT_API_INVALID_TEMPLATE', // invalid template_id
  40125: 'E_WECHAT_API_INVALID_SECRET', // invalid appsecret
  40164: 'E_WECHAT_API_IP_NOT_ALLOWED', // caller IP not on the whitelist
  42001: 'E_WECHAT_API_TOKEN_EXPIRED',
  43101: 'E_WECHAT_API_USER_REFUSED', // the user did not accept this subscribe message
  45009: 'E_WECHAT_API_QUOTA', // daily API quota reached
  45015: 'E_WECHAT_API_REPLY_WINDOW', // customer-service message past the 48 h window
  45047: 'E_WECHAT_API_REPLY_WINDOW', // more than 20 customer-service messages in a row
  47003: 'E_WECHAT_API_BAD_ARGS', // template data does not fit the template
};

/** The stable reason of an errcode; E_WECHAT_API_ERROR for the others. */
export function reasonOf(errcode: number): string {
  return REASONS[errcode] ?? 'E_WECHAT_API_ERROR';
}

/** Errcodes after which the token is dropped, fetched once again and the call retried once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);
