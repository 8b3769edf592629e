import { createSecretKey, type KeyObject } from 'node:crypto';
import { WechatError } from './errors.ts';

/** An official account or mini-program as configured by the admin. */
export interface WechatAccount {
  appId: string;
  token: string;
  encodingAESKey?: string;
  /** Kept after a key rotation: pushes that fail with the current key are tried with it. */
  previousEncodingAESKey?: string;
  mode: 'plain' | 'compatible' | 'safe';
}

/** An AES-256-CBC key of an account; WeChat's IV is the key's first 16 bytes. */
export interface AesKey {
  readonly key: KeyObject;
  readonly iv: Buffer;
}

/**
 * What the receiver caches per account, so that opening a push derives nothing.
 * `keys[0]` is the current EncodingAESKey, `keys[1]` the previous one (when set).
 */
export interface PreparedAccount {
  readonly appId: string;
  readonly token: string;
  readonly mode: WechatAccount['mode'];
  readonly keys: readonly AesKey[];
  /** Never the token or keys: a prepared account may end up in a log line. */
  toJSON(): { appId: string; mode: WechatAccount['mode']; keyCount: number };
}

const MODES = new Set(['plain', 'compatible', 'safe']);
// WeChat generates 43 characters of [A-Za-z0-9]; any base64 alphabet character decodes the same way.
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;

/** Validates an account and derives its AES keys once. Throws E_WECHAT_BAD_KEY. */
export function prepareAccount(account: WechatAccount): PreparedAccount {
  const { appId, token, mode } = account;
  if (typeof appId !== 'string' || appId.length === 0)
    throw badKey('appId must be a non-empty string.');
  if (typeof token !== 'string' || token.length === 0)
    throw badKey('token must be a non-empty string.');
  if (!MODES.has(mode))
    throw badKey(`mode must be "plain", "compatible" or "safe", not "${String(mode)}".`);
  const keys: AesKey[] = [];
  if (account.encodingAESKey !== undefined)
    keys.push(deriveKey(account.encodingAESKey, 'encodingAESKey'));
  if (account.previousEncodingAESKey !== undefined) {
    if (keys.length === 0) throw badKey('previousEncodingAESKey is set but encodingAESKey is not.');
    keys.push(deriveKey(account.previousEncodingAESKey, 'previousEncodingAESKey'));
  }
  if (mode !== 'plain' && keys.length === 0) {
    throw badKey(`mode "${mode}" needs an encodingAESKey (公众号 → 服务器配置 → 消息加解密密钥).`);
  }
  const summary = { appId, mode, keyCount: keys.length };
  return Object.freeze({ appId, token, mode, keys: Object.freeze(keys), toJSON: () => summary });
}

/** AESKey = base64decode(EncodingAESKey + "="): 43 characters → 32 bytes. [MP-PUSH] */
function deriveKey(encodingAESKey: string, field: string): AesKey {
  if (typeof encodingAESKey !== 'string' || !ENCODING_AES_KEY.test(encodingAESKey)) {
    const length = typeof encodingAESKey === 'string' ? encodingAESKey.length : 0;
    throw badKey(
      `${field} must be exactly 43 letters and digits as shown in the WeChat console (got ${length} characters).`,
      { field },
    );
  }
  const raw = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (raw.length !== 32) throw badKey(`${field} does not decode to 32 bytes.`, { field });
  return Object.freeze({ key: createSecretKey(raw), iv: Buffer.from(raw.subarray(0, 16)) });
}

function badKey(message: string, details?: Record<string, unknown>): WechatError {
  return new WechatError('E_WECHAT_BAD_KEY', message, details);
}
