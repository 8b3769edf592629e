// AES-256-GCM sealing of secrets at rest: round trip, binding to the row and column, key ids
// for rotation, and refusal of altered values or unknown keys.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, isSealed } from '../../../engine/secrets/secret-box.ts';
import { decodeKey } from '../../../engine/secrets/secrets-key.ts';

describe('secret box', () => {
  const key = randomBytes(32);
  const box = createSecretBox(key);

  it('seals to v1.<keyId>.… and opens back; each seal is fresh (random IV)', () => {
    const sealed = box.seal('c1d9bbf0e7c64f7e', 'accounts.app_secret.wx1');
    expect(sealed).toMatch(new RegExp(`^v1\\.${box.keyId}\\.[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    expect(sealed).not.toContain('c1d9bbf0e7c64f7e');
    expect(isSealed(sealed) && box.isCurrent(sealed)).toBe(true);
    expect(box.open(sealed, 'accounts.app_secret.wx1')).toBe('c1d9bbf0e7c64f7e');
    expect(box.seal('c1d9bbf0e7c64f7e', 'accounts.app_secret.wx1')).not.toBe(sealed);
  });

  it('a value moved to another row or column, or altered, does not open (E_SECRET_CORRUPT)', () => {
    const sealed = box.seal('secret', 'accounts.app_secret.wx1');
    expect(() => box.open(sealed, 'accounts.app_secret.wx2')).toThrow(
      expect.objectContaining({ code: 'E_SECRET_CORRUPT' }),
    );
    expect(() => box.open(sealed, 'accounts.token.wx1')).toThrow(
      expect.objectContaining({ code: 'E_SECRET_CORRUPT' }),
    );
    const parts = sealed.split('.');
    parts[4] = Buffer.from('xxxxxx').toString('base64url');
    expect(() => box.open(parts.join('.'), 'accounts.app_secret.wx1')).toThrow(
      expect.objectContaining({ code: 'E_SECRET_CORRUPT' }),
    );
  });

  it('opens values of an old key given for rotation; refuses unknown keys (E_SECRETS_KEY_MISMATCH)', () => {
    const newKey = randomBytes(32);
    const old = box.seal('secret', 'c');
    expect(createSecretBox(newKey, [key]).open(old, 'c')).toBe('secret');
    expect(createSecretBox(newKey, [key]).isCurrent(old)).toBe(false);
    expect(() => createSecretBox(newKey).open(old, 'c')).toThrow(
      expect.objectContaining({ code: 'E_SECRETS_KEY_MISMATCH' }),
    );
  });

  it('keys are 32 bytes of base64; anything else is E_CONFIG_INVALID naming the setting', () => {
    expect(decodeKey('CLOUDFN_SECRETS_KEY', key.toString('base64'))).toEqual(key);
    for (const bad of ['short', randomBytes(16).toString('base64'), 'not base64 at all!!']) {
      expect(() => decodeKey('CLOUDFN_SECRETS_KEY', bad)).toThrow(
        expect.objectContaining({ code: 'E_CONFIG_INVALID' }),
      );
    }
  });
});
