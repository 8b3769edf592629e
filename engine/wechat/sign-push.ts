import { randomInt } from 'node:crypto';
import type { PreparedAccount } from './account.ts';
import { JSON_CONTENT_TYPE, XML_CONTENT_TYPE } from './build-reply.ts';
import { encryptMessage } from './crypto.ts';
import { WechatError } from './errors.ts';
import { parseWechatJson } from './parse-json.ts';
import { parseWechatXml } from './parse-xml.ts';
import { cdata } from './reply-xml.ts';
import { computeSignature } from './signature.ts';

export interface SignPushInput {
  /** The plaintext message, XML (`<xml>…</xml>`) or JSON, as WeChat would push it. */
  body: string;
  /** Encrypt as WXBizMsgCrypt; by default when the account is not in plain mode. */
  encrypt?: boolean;
  timestamp: number | string;
  /** A random 9-digit nonce by default. */
  nonce?: string;
  /** 16 bytes; random unless a test pins it. */
  random?: Buffer;
}

export interface SignedPush {
  query: Record<string, string>;
  body: string;
  contentType: string;
}

/**
 * Builds a push exactly as WeChat sends it to this account: the query (`signature`,
 * `timestamp`, `nonce`, `openid`, and `encrypt_type=aes` + `msg_signature` when encrypted) and
 * the body (plaintext; in safe mode `{ToUserName, Encrypt}` only; in compatible mode the
 * plaintext fields plus Encrypt). For the CLI's `push` and the admin "sign a push" route.
 * Throws E_WECHAT_MALFORMED when `body` is not a WeChat message.
 */
export function signPush(account: PreparedAccount, input: SignPushInput): SignedPush {
  const text = input.body.trim();
  const format = text.startsWith('{') ? 'json' : 'xml';
  const message = format === 'json' ? parseWechatJson(text) : parseWechatXml(text);
  const timestamp = String(input.timestamp);
  const nonce = input.nonce ?? String(randomInt(100_000_000, 1_000_000_000));
  const query: Record<string, string> = {
    signature: computeSignature(account.token, timestamp, nonce),
    timestamp,
    nonce,
  };
  if (typeof message.FromUserName === 'string') query.openid = message.FromUserName;
  const contentType = format === 'json' ? JSON_CONTENT_TYPE : XML_CONTENT_TYPE;
  if (!(input.encrypt ?? account.mode !== 'plain')) return { query, body: text, contentType };

  const key = account.keys[0];
  if (key === undefined) {
    throw new WechatError(
      'E_WECHAT_MODE',
      `Account ${account.appId} has no EncodingAESKey to encrypt with.`,
      {
        appId: account.appId,
      },
    );
  }
  const encrypt = encryptMessage(key, text, account.appId, input.random);
  query.encrypt_type = 'aes';
  query.msg_signature = computeSignature(account.token, timestamp, nonce, encrypt);
  const toUser = typeof message.ToUserName === 'string' ? message.ToUserName : '';
  const compatible = account.mode === 'compatible';
  return { query, body: envelope(format, text, toUser, encrypt, compatible), contentType };
}

function envelope(
  format: 'xml' | 'json',
  text: string,
  toUser: string,
  encrypt: string,
  compatible: boolean,
): string {
  if (format === 'json') {
    if (!compatible) return JSON.stringify({ ToUserName: toUser, Encrypt: encrypt });
    // String surgery rather than parse + stringify: re-serialising would round 64-bit MsgIds.
    const open = text.slice(0, text.lastIndexOf('}')).trimEnd();
    const separator = open.endsWith('{') ? '' : ',';
    return `${open}${separator}"Encrypt":${JSON.stringify(encrypt)}}`;
  }
  if (!compatible)
    return `<xml><ToUserName>${cdata(toUser)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
  const close = text.lastIndexOf('</xml>');
  return `${text.slice(0, close)}<Encrypt>${cdata(encrypt)}</Encrypt>${text.slice(close)}`;
}
