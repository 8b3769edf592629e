import { createHash } from 'node:crypto';

/**
 * A digest of a function's env values, so a client can tell whether the env it holds is the
 * one deployed without the values ever leaving the engine (`cloudfn deploy`'s plan). The
 * keys are sorted: the same env always gives the same digest.
 */
export function envDigest(env: Record<string, string>): string {
  const sorted = Object.keys(env)
    .sort()
    .map((key) => [key, env[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}
