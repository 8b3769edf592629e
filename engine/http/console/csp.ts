import { randomBytes } from 'node:crypto';

/** A fresh nonce for one response. */
export const newNonce = () => randomBytes(18).toString('base64');

/**
 * The console's Content-Security-Policy: scripts and styles only with this response's nonce
 * (modules they import inherit it; 'strict-dynamic' lets the entry load its chunks), no
 * inline code, calls only to this origin, never framed.
 */
export function consoleCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
