import type { PreparedAccount } from './account.ts';
import { decryptForAccount } from './crypto.ts';
import { readEncryptText, sniffFormat } from './encrypt-envelope.ts';
import { dedupKeyOf, messageIdOf } from './dedup-key.ts';
import { WechatError, malformed } from './errors.ts';
import { normaliseMessage } from './normalise.ts';
import { parseWechatJson } from './parse-json.ts';
import { parseWechatXml } from './parse-xml.ts';
import {
  checkSignature,
  checkTimestamp,
  requireTimestampAndNonce,
  type WechatQuery,
} from './query-check.ts';

/** Pushes over this many bytes are refused (413) before anything else is looked at. */
export const MAX_PUSH_BYTES = 1024 * 1024;

export type PushFormat = 'xml' | 'json';

export interface OpenPushInput {
  query: WechatQuery;
  body: Buffer;
  contentType?: string;
  nowSeconds: number;
}

/** A verified, decrypted and normalised push. */
export interface OpenedPush {
  /** `event.data` as SPEC §3: flat elements, CreateTime a number, other leaves strings, `_AppId`. */
  data: Record<string, unknown>;
  /** The body's format; a reply is built in the same one. */
  format: PushFormat;
  /** True when the push came encrypted (encrypt_type=aes); its reply is then encrypted too. */
  encrypted: boolean;
  /** The AES key that opened it: 0 current, 1 previous. 0 for plaintext pushes. */
  keyIndex: 0 | 1;
  /** Per-account key shared by WeChat's retries of this push. */
  dedupKey: string;
  timestamp: string;
  nonce: string;
  msgId?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Verifies, decrypts and parses a WeChat POST. Order: size, signature (`signature` in
 * plaintext, `msg_signature` over the raw Encrypt text otherwise), timestamp window, mode,
 * decryption and AppID, parsing. Nothing is parsed, decoded or decrypted before the signature
 * holds: an encrypted push's Encrypt text is found by a bounded byte scan, so a forged body
 * costs a scan and one SHA-1, not a parse (docs/security.md). Throws WechatError with the
 * code of the first failure.
 */
export function openPush(account: PreparedAccount, input: OpenPushInput): OpenedPush {
  const { query, body } = input;
  if (body.length > MAX_PUSH_BYTES) {
    throw new WechatError(
      'E_WECHAT_TOO_LARGE',
      `The push is ${body.length} bytes; the limit is ${MAX_PUSH_BYTES}.`,
      {
        bytes: body.length,
        limit: MAX_PUSH_BYTES,
      },
    );
  }
  const encrypted = isEncrypted(query.encrypt_type);
  const signed = requireTimestampAndNonce(query);
  const { message, format, keyIndex } = encrypted
    ? openEncrypted(account, input, signed)
    : openPlaintext(account, input, signed);
  const data = normaliseMessage(message, account.appId);
  const msgId = messageIdOf(data);
  const opened: OpenedPush = {
    data,
    format,
    encrypted,
    keyIndex,
    dedupKey: dedupKeyOf(data),
    ...signed,
  };
  if (msgId !== undefined) opened.msgId = msgId;
  return opened;
}

/**
 * What can be checked before the body is read at all, from the query alone (the receiver
 * calls it first, so a forged request is refused without its body being read): the
 * encrypt_type, timestamp and nonce, and in plaintext the signature, which covers no body.
 * An encrypted push's msg_signature covers the Encrypt text, so it waits for the body.
 * openPush makes the same checks again (but for a plaintext signature this found right for
 * the very same query: see plaintextSigned); this only moves them earlier.
 */
export function checkQueryBeforeBody(account: PreparedAccount, query: WechatQuery): void {
  const encrypted = isEncrypted(query.encrypt_type);
  const { timestamp, nonce } = requireTimestampAndNonce(query);
  if (encrypted) {
    if (query.msg_signature === undefined) checkSignature(account, 'msg_signature', undefined, []);
    return;
  }
  checkSignature(account, 'signature', query.signature, [timestamp, nonce]);
  plaintextSigned.set(query, { account, signature: query.signature!, timestamp, nonce });
}

/**
 * Queries whose plaintext `signature` checkQueryBeforeBody found right, with what it covered:
 * openPush does not hash the same three values a second time for the same request. Only the
 * same query object, for the same prepared account, with the same signature, timestamp and
 * nonce as checked, counts; anything else is checked again.
 */
const plaintextSigned = new WeakMap<
  WechatQuery,
  { account: PreparedAccount; signature: string; timestamp: string; nonce: string }
>();

function checkedBeforeBody(account: PreparedAccount, query: WechatQuery, signed: Signed): boolean {
  const checked = plaintextSigned.get(query);
  return (
    checked !== undefined &&
    checked.account === account &&
    checked.signature === query.signature &&
    checked.timestamp === signed.timestamp &&
    checked.nonce === signed.nonce
  );
}

interface Signed {
  timestamp: string;
  nonce: string;
}

interface Opened {
  message: Record<string, unknown>;
  format: PushFormat;
  keyIndex: 0 | 1;
}

function openPlaintext(
  account: PreparedAccount,
  input: OpenPushInput,
  { timestamp, nonce }: Signed,
): Opened {
  // The plaintext signature covers no body, so the receiver checks it before reading the body
  // (checkQueryBeforeBody); checked here unless that was done for this very query.
  if (!checkedBeforeBody(account, input.query, { timestamp, nonce }))
    checkSignature(account, 'signature', input.query.signature, [timestamp, nonce]);
  checkTimestamp(timestamp, input.nowSeconds);
  if (account.mode === 'safe') {
    throw modeError(
      account,
      'a plaintext push reached a safe-mode account; set 安全模式 in the WeChat console',
    );
  }
  const text = decodeBody(input.body);
  const format = detectFormat(text, input.contentType);
  return { message: parse(format, text), format, keyIndex: 0 };
}

function openEncrypted(
  account: PreparedAccount,
  input: OpenPushInput,
  { timestamp, nonce }: Signed,
): Opened {
  // msg_signature covers the Encrypt text only, so only that is read before it is checked. In
  // compatible mode the envelope also carries the plaintext fields; only the decrypted copy
  // is trusted, so the rest of the envelope is never parsed.
  const format = sniffFormat(input.body, input.contentType);
  const encrypt = readEncryptText(input.body, format);
  checkSignature(account, 'msg_signature', input.query.msg_signature, [timestamp, nonce, encrypt]);
  checkTimestamp(timestamp, input.nowSeconds);
  if (account.keys.length === 0) {
    throw modeError(
      account,
      'an encrypted push reached an account without an EncodingAESKey; add the key',
    );
  }
  const { message, keyIndex } = decryptForAccount(account, encrypt);
  return { message: parse(detectFormat(message, undefined), message), format, keyIndex };
}

/** `encrypt_type` absent or `raw` is plaintext, `aes` is encrypted [FAQ]; anything else is refused. */
function isEncrypted(encryptType: string | undefined): boolean {
  if (encryptType === undefined || encryptType === '' || encryptType === 'raw') return false;
  if (encryptType === 'aes') return true;
  throw malformed(`unknown encrypt_type "${encryptType}"`);
}

function decodeBody(body: Buffer): string {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw malformed('the body is not UTF-8');
  }
  if (text.trim().length === 0) throw malformed('the body is empty');
  return text;
}

/** Sniffs the body: WeChat's Content-Type is not reliable, the first character is. */
function detectFormat(text: string, contentType: string | undefined): PushFormat {
  const first = /\S/.exec(text)?.[0];
  if (first === '<') return 'xml';
  if (first === '{') return 'json';
  return contentType?.includes('json') ? 'json' : 'xml';
}

function parse(format: PushFormat, text: string): Record<string, unknown> {
  return format === 'json' ? parseWechatJson(text) : parseWechatXml(text);
}

function modeError(account: PreparedAccount, reason: string): WechatError {
  return new WechatError(
    'E_WECHAT_MODE',
    `Wrong mode for account ${account.appId} (${account.mode}): ${reason}.`,
    {
      appId: account.appId,
      mode: account.mode,
    },
  );
}
