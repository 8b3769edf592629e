import type { PreparedAccount } from './account.ts';
import { encryptMessage } from './crypto.ts';
import { cdata } from './reply-xml.ts';
import { computeSignature } from './signature.ts';

export interface SealOptions {
  timestamp: string;
  nonce: string;
  /** 16 bytes; random unless a test pins it. */
  random?: Buffer;
}

/**
 * Encrypts a reply message with the account's key `keyIndex` and wraps it in WeChat's reply
 * envelope (Encrypt, MsgSignature = sha1(sort(token, TimeStamp, Nonce, Encrypt)), TimeStamp,
 * Nonce), as XML or, for JSON pushes, as JSON with a numeric TimeStamp [MP-PUSH].
 */
export function sealReply(
  account: PreparedAccount,
  keyIndex: 0 | 1,
  message: string,
  format: 'xml' | 'json',
  options: SealOptions,
): string {
  const key = account.keys[keyIndex];
  if (key === undefined)
    throw new RangeError(`Account ${account.appId} has no AES key ${keyIndex}.`);
  const { timestamp, nonce } = options;
  const encrypt = encryptMessage(key, message, account.appId, options.random);
  const signature = computeSignature(account.token, timestamp, nonce, encrypt);
  if (format === 'json') {
    return JSON.stringify({
      Encrypt: encrypt,
      MsgSignature: signature,
      TimeStamp: Number(timestamp),
      Nonce: nonce,
    });
  }
  return (
    `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
    `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
  );
}
