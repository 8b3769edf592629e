/**
 * The prelude script's text. `npm install` builds it into dist/ (scripts/build.js); when that
 * file is missing or older than the guest sources (a developer edited them), it is rebuilt in
 * memory, so a checkout never runs a stale guest SDK.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { newestGuestSource, PRELUDE_OUT, preludeBuildOptions } from '../guest-build.js';

/** Returns the prelude script, from dist/ when it is up to date. */
export async function loadPreludeCode(): Promise<string> {
  if (existsSync(PRELUDE_OUT) && statSync(PRELUDE_OUT).mtimeMs >= newestGuestSource()) {
    return readFileSync(PRELUDE_OUT, 'utf8');
  }
  const esbuild = await import('esbuild');
  const result = await esbuild.build(preludeBuildOptions(false));
  const file = result.outputFiles?.[0];
  if (file === undefined) throw new Error('building the guest prelude produced no output');
  return file.text;
}
