import { createCipheriv, randomBytes } from 'node:crypto';
import type { AesKey, PreparedAccount } from './account.ts';
import { decryptBlocks } from './cbc-decipher.ts';
import { WechatError } from './errors.ts';

// WXBizMsgCrypt pads to multiples of 32 bytes (PKCS#7 with a 32-byte "block"), not AES's 16.
const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
const HEADER_BYTES = RANDOM_BYTES + 4;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The parts of WXBizMsgCrypt's FullStr = random(16) ‖ msg_len(4, BE) ‖ msg ‖ appid. */
export interface DecryptedMessage {
  random: Buffer;
  message: string;
  appId: string;
}

/**
 * Encrypts as WXBizMsgCrypt does: AES-256-CBC over random ‖ len ‖ msg ‖ appid, PKCS#7 to
 * 32 bytes, base64. `random` (16 bytes) is fixed only by tests and golden vectors.
 */
export function encryptMessage(
  key: AesKey,
  message: string | Buffer,
  appId: string,
  random?: Buffer,
): string {
  const msg = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  const rnd = random ?? randomBytes(RANDOM_BYTES);
  if (rnd.length !== RANDOM_BYTES)
    throw new RangeError(`random must be ${RANDOM_BYTES} bytes, got ${rnd.length}.`);
  const id = Buffer.from(appId, 'utf8');
  const bodyLength = HEADER_BYTES + msg.length + id.length;
  const pad = PAD_BLOCK - (bodyLength % PAD_BLOCK);
  const plain = Buffer.alloc(bodyLength + pad, pad);
  rnd.copy(plain, 0);
  plain.writeUInt32BE(msg.length, RANDOM_BYTES); // counts UTF-8 bytes, not characters (vector C)
  msg.copy(plain, HEADER_BYTES);
  id.copy(plain, HEADER_BYTES + msg.length);
  const cipher = createCipheriv('aes-256-cbc', key.key, key.iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/**
 * Decrypts an Encrypt text and splits FullStr, checking base64, block length, PKCS#7 padding
 * (1..32, all bytes equal) and the length prefix strictly. Throws E_WECHAT_DECRYPT.
 * It does not check the AppID: see decryptForAccount.
 */
export function decryptMessage(key: AesKey, encrypt: string): DecryptedMessage {
  if (encrypt.length === 0 || encrypt.length % 4 !== 0 || !BASE64.test(encrypt)) {
    throw decryptError('the Encrypt text is not base64');
  }
  const cipherText = Buffer.from(encrypt, 'base64');
  if (cipherText.length < PAD_BLOCK || cipherText.length % 16 !== 0) {
    throw decryptError(
      `ciphertext length ${cipherText.length} is not a whole number of AES blocks of at least 32 bytes`,
    );
  }
  const plain = decryptBlocks(key, cipherText);
  const end = plain.length - checkPadding(plain);
  if (end < HEADER_BYTES) throw decryptError('plaintext shorter than its 20-byte header');
  const msgLength = plain.readUInt32BE(RANDOM_BYTES);
  if (msgLength > end - HEADER_BYTES) throw decryptError('length prefix runs past the plaintext');
  let message: string;
  let appId: string;
  try {
    message = utf8.decode(plain.subarray(HEADER_BYTES, HEADER_BYTES + msgLength));
    appId = utf8.decode(plain.subarray(HEADER_BYTES + msgLength, end));
  } catch {
    throw decryptError('plaintext is not UTF-8');
  }
  return { random: Buffer.from(plain.subarray(0, RANDOM_BYTES)), message, appId };
}

/**
 * Decrypts with the account's current key, then its previous one (key rotation), and checks
 * the AppID inside the plaintext, which peers skip. Throws E_WECHAT_DECRYPT or
 * E_WECHAT_APPID_MISMATCH (a key that decrypts cleanly but names another AppID).
 */
export function decryptForAccount(
  account: PreparedAccount,
  encrypt: string,
): { message: string; keyIndex: 0 | 1 } {
  let failure: WechatError | undefined;
  for (let index = 0; index < account.keys.length; index++) {
    let decrypted: DecryptedMessage;
    try {
      decrypted = decryptMessage(account.keys[index]!, encrypt);
    } catch (err) {
      if (!(err instanceof WechatError)) throw err;
      failure ??= err;
      continue;
    }
    if (decrypted.appId === account.appId)
      return { message: decrypted.message, keyIndex: index === 0 ? 0 : 1 };
    // A clean decrypt is proof the key is right, so a foreign AppID outranks a padding failure.
    failure = new WechatError(
      'E_WECHAT_APPID_MISMATCH',
      `The encrypted message is for AppID "${decrypted.appId}", not "${account.appId}".`,
      { appId: account.appId, messageAppId: decrypted.appId },
    );
  }
  throw (
    failure ??
    new WechatError(
      'E_WECHAT_MODE',
      `Account ${account.appId} has no EncodingAESKey to decrypt with.`,
    )
  );
}

function checkPadding(plain: Buffer): number {
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > PAD_BLOCK || pad > plain.length)
    throw decryptError(`bad PKCS#7 padding byte ${pad}`);
  for (let i = plain.length - pad; i < plain.length - 1; i++) {
    if (plain[i] !== pad) throw decryptError('PKCS#7 padding bytes differ');
  }
  return pad;
}

function decryptError(reason: string): WechatError {
  return new WechatError(
    'E_WECHAT_DECRYPT',
    `Cannot decrypt the push: ${reason}. Check that the account's EncodingAESKey matches the WeChat console.`,
    { reason },
  );
}
