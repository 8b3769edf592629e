// @ts-check
/**
 * How the guest SDK (runtime/guest/**) becomes the one prelude script every isolate runs.
 * Plain JavaScript on purpose: `npm install` runs it under whatever Node npm uses (scripts/build.js),
 * and the executor reuses it to rebuild in memory when the sources are newer than dist/.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const GUEST_DIR = join(here, 'guest');
export const PRELUDE_ENTRY = join(GUEST_DIR, 'prelude.ts');
export const PRELUDE_OUT = join(here, '..', 'dist', 'guest', 'prelude.js');

/** esbuild options for the prelude; `write` decides between dist/ and memory. */
export function preludeBuildOptions(write) {
  /** @type {import('esbuild').BuildOptions} */
  const options = {
    entryPoints: [PRELUDE_ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    footer: { js: 'void 0;' },
    logLevel: 'silent',
    write,
  };
  if (write) options.outfile = PRELUDE_OUT;
  else options.outdir = join(here, '..', 'dist', 'guest');
  return options;
}

/** Newest modification time of the guest sources, to tell whether dist/ is stale. */
export function newestGuestSource(dir = GUEST_DIR) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestGuestSource(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}
