import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's signature: sha1 of the parts sorted in string (not numeric) order and joined with
 * nothing, as lowercase hex. `signature` uses (token, timestamp, nonce); `msg_signature` and
 * a reply's MsgSignature add the raw Encrypt text. [MP-PUSH] notes §1, §2.2.
 */
export function computeSignature(...parts: string[]): string {
  // Default sort compares UTF-16 code units, the dictionary order WeChat uses ("1714…" < "4864…").
  return createHash('sha1').update(parts.slice().sort().join('')).digest('hex');
}

/** Constant-time comparison of an expected hex signature with the one received. */
export function signatureMatches(expected: string, received: string | undefined): boolean {
  if (received === undefined) return false;
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(received.toLowerCase(), 'latin1');
  // Lengths are public (always 40 for sha1); only the content comparison must not leak.
  return a.length === b.length && timingSafeEqual(a, b);
}
