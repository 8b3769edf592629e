import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * The admin token: the configured one, else the one kept in the data dir, else a new one
 * written there (mode 0600). `generated` tells the caller to print it, once.
 */
export function resolveAdminToken(
  dataDir: string,
  configured: string | undefined,
): { token: string; generated: boolean } {
  if (configured) return { token: configured, generated: false };
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const kept = fs.readFileSync(file, 'utf8').trim();
    if (kept) return { token: kept, generated: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, generated: true };
}
