import type { PreparedAccount } from './account.ts';
import { WechatError } from './errors.ts';
import type { OpenedPush } from './open-push.ts';
import { replyToJson, replyToXml } from './reply-xml.ts';
import { validateReply, type ReplyNode } from './reply-shape.ts';
import { sealReply } from './seal.ts';

export interface BuildReplyInput {
  nowSeconds: number;
  /** 16 bytes for the encrypted envelope; random unless a test pins it. */
  random?: Buffer;
  /** The envelope's Nonce; by default the push's own nonce, as WeChat's docs suggest. */
  nonce?: string;
}

export const XML_CONTENT_TYPE = 'text/xml; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Builds the passive reply to an opened push from a function's `reply` object: To/From
 * swapped from the push, CreateTime in seconds, in the push's format, encrypted with the key
 * that opened it when the push was encrypted. Throws E_WECHAT_REPLY_INVALID.
 */
export function buildReply(
  account: PreparedAccount,
  opened: OpenedPush,
  reply: unknown,
  input: BuildReplyInput,
): { body: string; contentType: string } {
  const { msgType, body } = validateReply(reply);
  const seconds = Math.floor(input.nowSeconds);
  const node: ReplyNode = [
    ['ToUserName', party(opened, 'FromUserName')],
    ['FromUserName', party(opened, 'ToUserName')],
    ['CreateTime', seconds],
    ['MsgType', msgType],
    ...body,
  ];
  const message = opened.format === 'json' ? replyToJson(node) : replyToXml(node);
  const contentType = opened.format === 'json' ? JSON_CONTENT_TYPE : XML_CONTENT_TYPE;
  if (!opened.encrypted) return { body: message, contentType };
  const sealed = sealReply(account, opened.keyIndex, message, opened.format, {
    timestamp: String(seconds),
    nonce: input.nonce ?? opened.nonce,
    random: input.random,
  });
  return { body: sealed, contentType };
}

function party(opened: OpenedPush, field: 'FromUserName' | 'ToUserName'): string {
  const value = opened.data[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new WechatError('E_WECHAT_REPLY_INVALID', `Cannot reply: the push has no ${field}.`, {
      field,
    });
  }
  return value;
}
