import type { PreparedAccount } from './account.ts';
import { malformed } from './errors.ts';
import {
  checkSignature,
  checkTimestamp,
  requireTimestampAndNonce,
  type WechatQuery,
} from './query-check.ts';

/**
 * The URL check WeChat makes when the admin saves 服务器配置: returns `echostr` (to be sent
 * back raw, as text/plain) once `signature` = sha1(sort(token, timestamp, nonce)) matches.
 * Unlike EasyWeChat 6, the signature is always checked (notes §1).
 */
export function verifyEcho(
  account: PreparedAccount,
  query: WechatQuery,
  nowSeconds: number,
): string {
  const { timestamp, nonce } = requireTimestampAndNonce(query);
  checkSignature(account, 'signature', query.signature, [timestamp, nonce]);
  checkTimestamp(timestamp, nowSeconds);
  const { echostr } = query;
  if (echostr === undefined || echostr.length === 0) throw malformed('the URL check lacks echostr');
  return echostr;
}
