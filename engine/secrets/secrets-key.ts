/**
 * Where the key of the secrets at rest comes from: `CLOUDFN_SECRETS_KEY` (base64 of 32 bytes),
 * else `<dataDir>/secrets.key`, generated on first start with mode 0600. Either way it is not
 * in the database, so a copy of engine.db (a backup) does not carry the AppSecrets with it —
 * provided the operator keeps the key file out of that backup (docs/deployment.md).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../errors.ts';

export const SECRETS_KEY_FILE = 'secrets.key';

export interface SecretsKeys {
  key: Buffer;
  /** CLOUDFN_SECRETS_KEY_OLD: rows sealed under it are re-encrypted with `key` at start. */
  oldKeys: Buffer[];
  /** Where the key came from. */
  source: 'env' | 'file' | 'generated';
}

export function decodeKey(setting: string, raw: string): Buffer {
  const key = Buffer.from(raw.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== raw.trim()) {
    throw new ValidationError(
      'E_CONFIG_INVALID',
      `${setting} must be 32 random bytes in base64 (e.g. \`openssl rand -base64 32\`).`,
      { setting },
    );
  }
  return key;
}

export function resolveSecretsKeys(
  dataDir: string,
  settings: { key?: string | undefined; oldKey?: string | undefined } = {},
): SecretsKeys {
  const oldKeys =
    settings.oldKey === undefined ? [] : [decodeKey('CLOUDFN_SECRETS_KEY_OLD', settings.oldKey)];
  if (settings.key !== undefined)
    return { key: decodeKey('CLOUDFN_SECRETS_KEY', settings.key), oldKeys, source: 'env' };
  const file = path.join(dataDir, SECRETS_KEY_FILE);
  try {
    return {
      key: decodeKey(file, fs.readFileSync(file, 'utf8')),
      oldKeys,
      source: 'file',
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    // 'wx': two engines starting on one data dir must not overwrite each other's key.
    fs.writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return resolveSecretsKeys(dataDir, settings);
    throw err;
  }
  return { key, oldKeys, source: 'generated' };
}
