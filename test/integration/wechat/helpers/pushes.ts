import { createCipheriv, randomBytes } from 'node:crypto';
import {
  computeSignature,
  decryptMessage,
  encryptMessage,
  parseWechatXml,
  prepareAccount,
  signPush,
  type SignedPush,
} from '../../../../engine/wechat/index.ts';

export interface TestAccount {
  appId: string;
  token: string;
  encodingAESKey?: string;
  mode: 'plain' | 'compatible' | 'safe';
}

export interface Push {
  query: Record<string, string>;
  body: string | Buffer;
  contentType?: string;
}

/** Now, in unix seconds, as a string (the query `timestamp`). */
export const nowSeconds = (clock: { now(): number } = Date): string =>
  String(Math.floor(clock.now() / 1000));

/**
 * A push signed (and, unless `encrypt: false`, encrypted for safe/compatible accounts)
 * exactly as WeChat sends it; signPush is pinned to the official vectors by unit tests.
 */
export function signed(
  account: TestAccount,
  body: string,
  options: { timestamp: string; encrypt?: boolean; nonce?: string },
): SignedPush {
  return signPush(prepareAccount(account), {
    body,
    timestamp: options.timestamp,
    ...(options.encrypt === undefined ? {} : { encrypt: options.encrypt }),
    ...(options.nonce ? { nonce: options.nonce } : {}),
  });
}

/** A plaintext push of any body (the plaintext signature covers only token, timestamp and nonce). */
export function plainPush(
  account: TestAccount,
  body: string | Buffer,
  timestamp: string,
  contentType?: string,
): Push {
  const nonce = String(100_000_000 + Math.floor(Math.random() * 900_000_000));
  return {
    query: { signature: computeSignature(account.token, timestamp, nonce), timestamp, nonce },
    body,
    ...(contentType ? { contentType } : {}),
  };
}

/** A safe-mode push around a given Encrypt text, with a valid msg_signature over it. */
export function safePushFromCiphertext(
  account: TestAccount,
  encrypt: string,
  timestamp: string,
  toUser = 'gh_test',
): Push {
  const nonce = String(100_000_000 + Math.floor(Math.random() * 900_000_000));
  return {
    query: {
      signature: computeSignature(account.token, timestamp, nonce),
      timestamp,
      nonce,
      encrypt_type: 'aes',
      msg_signature: computeSignature(account.token, timestamp, nonce, encrypt),
    },
    body: `<xml><ToUserName><![CDATA[${toUser}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  };
}

/** The message encrypted with the account's key but another AppID at its end. */
export function encryptedForAppId(account: TestAccount, xml: string, appId: string): string {
  const prepared = prepareAccount(account);
  return encryptMessage(prepared.keys[0]!, xml, appId);
}

/**
 * WXBizMsgCrypt's layout (random16 ‖ len ‖ msg ‖ appid) with a PKCS#7 pad whose bytes are
 * not all equal: a sender that pads wrongly, or a forged ciphertext.
 */
export function badlyPaddedCiphertext(account: TestAccount, xml: string): string {
  const key = Buffer.from(`${account.encodingAESKey!}=`, 'base64');
  const msg = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length);
  const plain = Buffer.concat([randomBytes(16), length, msg, Buffer.from(account.appId)]);
  const n = 32 - (plain.length % 32);
  const pad = Buffer.alloc(n, n);
  pad[0] = n === 1 ? 0 : n - 1; // a pad byte that differs from the last one
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, pad])), cipher.final()]).toString(
    'base64',
  );
}

/** POSTs a push to the receiver like WeChat would. */
export async function post(
  baseUrl: string,
  appId: string,
  push: Push,
): Promise<{ status: number; text: string; contentType: string | null }> {
  const response = await fetch(
    `${baseUrl}/wechat/${appId}?${new URLSearchParams(push.query).toString()}`,
    {
      method: 'POST',
      headers: { 'content-type': push.contentType ?? 'text/xml' },
      body: push.body,
    },
  );
  return {
    status: response.status,
    text: await response.text(),
    contentType: response.headers.get('content-type'),
  };
}

/** The error code of a refusal answer. */
export function codeOf(answer: { text: string }): string | undefined {
  try {
    return (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** The encrypted reply envelope, checked and opened with `encodingAESKey` (throws if that key does not open it). */
export function openSealedReply(
  account: TestAccount,
  encodingAESKey: string,
  body: string,
): { envelope: Record<string, unknown>; message: Record<string, unknown>; appId: string } {
  const envelope = body.trimStart().startsWith('{')
    ? (JSON.parse(body) as Record<string, unknown>)
    : parseWechatXml(body);
  const encrypt = String(envelope.Encrypt);
  const expected = computeSignature(
    account.token,
    String(envelope.TimeStamp),
    String(envelope.Nonce),
    encrypt,
  );
  if (envelope.MsgSignature !== expected)
    throw new Error(`MsgSignature ${String(envelope.MsgSignature)} is not ${expected}`);
  const key = prepareAccount({
    appId: account.appId,
    token: account.token,
    encodingAESKey,
    mode: 'safe',
  }).keys[0]!;
  const { message, appId } = decryptMessage(key, encrypt);
  return {
    envelope,
    message: message.startsWith('{')
      ? (JSON.parse(message) as Record<string, unknown>)
      : parseWechatXml(message),
    appId,
  };
}
