import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_TOKEN_FILE } from '../admin-token.ts';
import { usageError } from './errors.ts';

export interface Connection {
  /** The engine's base URL, without a trailing slash. */
  url: string;
  token: string | undefined;
  /** Where the token came from, to name it when the engine refuses it. */
  tokenSource: string;
}

export interface ConnectionFlags {
  url?: string | undefined;
  adminToken?: string | undefined;
}

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/**
 * Where to find the engine and which token to show it: flags, then CLOUDFN_URL /
 * CLOUDFN_ADMIN_TOKEN, then the token the engine generated and keeps in its data dir
 * (<CLOUDFN_DATA_DIR or ./data>/admin-token), so a local engine needs no setup.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Connection {
  const rawUrl = flags.url || env.CLOUDFN_URL || DEFAULT_URL;
  let parsed: URL;
  try {
    parsed = new URL(rawUrl);
  } catch {
    throw usageError(
      `"${rawUrl}" is not a URL.`,
      "Give the engine's address, e.g. --url http://127.0.0.1:3000.",
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError(
      `"${rawUrl}" is not an http(s) URL.`,
      "Give the engine's address, e.g. --url http://127.0.0.1:3000.",
    );
  }
  const url = parsed.href.replace(/\/+$/, '');
  if (flags.adminToken) return { url, token: flags.adminToken, tokenSource: '--admin-token' };
  if (env.CLOUDFN_ADMIN_TOKEN)
    return { url, token: env.CLOUDFN_ADMIN_TOKEN, tokenSource: 'CLOUDFN_ADMIN_TOKEN' };
  const file = path.resolve(cwd, env.CLOUDFN_DATA_DIR || './data', ADMIN_TOKEN_FILE);
  try {
    const kept = fs.readFileSync(file, 'utf8').trim();
    if (kept) return { url, token: kept, tokenSource: file };
  } catch {
    // No kept token: requests go without one and the engine's 401 explains what to do.
  }
  return { url, token: undefined, tokenSource: 'none' };
}
