/**
 * Secrets at rest (AppSecrets, push tokens, EncodingAESKeys, access tokens): AES-256-GCM with
 * a key kept outside the database (secrets-key.ts). A sealed value is
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url): the key id says which key sealed it, so a
 * rotation can tell old rows from new ones; the row and column it belongs to are the
 * additional authenticated data, so a value copied into another row does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SecretCorruptError, SecretsKeyMismatchError } from './errors.ts';

const PREFIX = 'v1.';

export interface SecretBox {
  /** Encrypts `plain` under the current key, bound to `context` (e.g. `accounts.app_secret.wx…`). */
  seal(plain: string, context: string): string;
  /** Decrypts a sealed value (current or old key); throws E_SECRETS_KEY_MISMATCH / E_SECRET_CORRUPT. */
  open(sealed: string, context: string): string;
  /** True when `value` is sealed under the current key (nothing to re-encrypt). */
  isCurrent(value: string): boolean;
  /** The current key's id (shown in logs; not secret). */
  readonly keyId: string;
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function createSecretBox(key: Buffer, oldKeys: readonly Buffer[] = []): SecretBox {
  if (key.length !== 32) throw new Error('A secrets key is 32 bytes');
  const keyId = keyIdOf(key);
  const keys = new Map<string, Buffer>([[keyId, key]]);
  for (const old of oldKeys) if (!keys.has(keyIdOf(old))) keys.set(keyIdOf(old), old);

  return {
    keyId,
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
      return `${PREFIX}${keyId}.${parts.join('.')}`;
    },
    open(sealed, context) {
      const [version, id, iv, tag, ciphertext] = sealed.split('.');
      if (`${version}.` !== PREFIX || !id || iv === undefined || tag === undefined)
        throw new SecretCorruptError(context);
      const usable = keys.get(id);
      if (usable === undefined) throw new SecretsKeyMismatchError(id);
      try {
        const decipher = createDecipheriv('aes-256-gcm', usable, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([
          decipher.update(Buffer.from(ciphertext ?? '', 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new SecretCorruptError(context);
      }
    },
    isCurrent(value) {
      return value.startsWith(`${PREFIX}${keyId}.`);
    },
  };
}
