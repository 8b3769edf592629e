import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Incoming-webhook keys are stored as their SHA-256: a copy of engine.db (a backup, a leaked
 * file) does not give anyone the right to fire a trigger. The keys are 256-bit random
 * secrets, so a plain hash is enough; no salt or slow KDF is needed.
 */
export function hookKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The hint shown in place of a key: its last 4 characters. */
export function hookKeyHint(key: string): string {
  return key.slice(-4);
}

/** Compares two hex hashes in constant time (lengths are public: always 64). */
export function hookKeyHashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}
