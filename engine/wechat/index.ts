/**
 * The WeChat push protocol, pure: signatures, WXBizMsgCrypt, parsing and normalising pushes,
 * dedup keys, passive replies, and signing pushes the way WeChat does. No HTTP, no storage:
 * the receiver (engine/http) caches PreparedAccounts and calls these per request.
 */
export type { WechatAccount, PreparedAccount, AesKey } from './account.ts';
export { prepareAccount } from './account.ts';
export { WechatError, type WechatErrorCode } from './errors.ts';
export { computeSignature, signatureMatches } from './signature.ts';
export {
  encryptMessage,
  decryptMessage,
  decryptForAccount,
  type DecryptedMessage,
} from './crypto.ts';
export { parseWechatXml } from './parse-xml.ts';
export { parseWechatJson } from './parse-json.ts';
export { normaliseMessage } from './normalise.ts';
export { dedupKeyOf, messageIdOf } from './dedup-key.ts';
export { TIMESTAMP_WINDOW_SECONDS, type WechatQuery } from './query-check.ts';
export { verifyEcho } from './verify-echo.ts';
export {
  openPush,
  checkQueryBeforeBody,
  MAX_PUSH_BYTES,
  type OpenPushInput,
  type OpenedPush,
  type PushFormat,
} from './open-push.ts';
export {
  buildReply,
  XML_CONTENT_TYPE,
  JSON_CONTENT_TYPE,
  type BuildReplyInput,
} from './build-reply.ts';
export { validateReply, type ReplyNode, type ReplyValue } from './reply-shape.ts';
export { cdata, replyToXml, replyToJson } from './reply-xml.ts';
export { sealReply, type SealOptions } from './seal.ts';
export { signPush, type SignPushInput, type SignedPush } from './sign-push.ts';
