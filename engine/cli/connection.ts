import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_TOKEN_FILE } from '../admin-token.ts';
import { findDevEngine } from './dev/dev-file.ts';
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
 * CLOUDFN_ADMIN_TOKEN, then the token the engine generated and keeps in its data dir:
 * <CLOUDFN_DATA_DIR>/admin-token, else data/admin-token in this folder or the nearest parent
 * that has one (the checkout, when working in a functions folder inside it). So a local
 * engine needs no setup. In a project where `cloudfn dev` runs, its engine (URL and token,
 * from .cloudfn/dev.json) comes before the default address.
 */
export function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Connection {
  const dev = flags.url || env.CLOUDFN_URL ? undefined : findDevEngine(cwd);
  const rawUrl = flags.url || env.CLOUDFN_URL || dev?.url || DEFAULT_URL;
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
  if (dev) return { url, token: dev.adminToken, tokenSource: 'cloudfn dev (.cloudfn/dev.json)' };
  for (const file of tokenFiles(env.CLOUDFN_DATA_DIR, cwd)) {
    try {
      const kept = fs.readFileSync(file, 'utf8').trim();
      if (kept) return { url, token: kept, tokenSource: file };
    } catch {
      // Not here: try the next folder up; in the end the engine's 401 explains what to do.
    }
  }
  return { url, token: undefined, tokenSource: 'none' };
}

/** Where a kept token may be: the data dir given, else ./data here and in every parent. */
function tokenFiles(dataDir: string | undefined, cwd: string): string[] {
  if (dataDir) return [path.resolve(cwd, dataDir, ADMIN_TOKEN_FILE)];
  const files: string[] = [];
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    files.push(path.join(dir, 'data', ADMIN_TOKEN_FILE));
    if (path.dirname(dir) === dir) return files;
  }
}
