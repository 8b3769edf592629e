/**
 * `cloudfn deploy`'s local build: the engine's own bundler (runtime's bundleFunction) runs
 * here first, so a build error shows with a code frame before anything is uploaded. A single
 * self-contained file (JavaScript or TypeScript) is then uploaded as written: the engine
 * bundles it again and keeps the source map, so stack traces point into the user's file. A
 * folder, or a file importing other local files, is uploaded as the local bundle (the
 * engine cannot see the other files).
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleFunction } from '../../runtime/index.ts';
import { CliError, EXIT, usageError } from './errors.ts';

export interface Upload {
  /** The function's name: --name, else the file's or folder's base name. */
  name: string;
  code: string;
  filename: string;
  /** True when `code` is the local bundle rather than the file as written. */
  bundled: boolean;
  entry: string;
}

// `import … from './x'`, `import('./x')`, `require('../x')`, `export … from './x'`.
const LOCAL_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]\.{1,2}\//;

/** The function name a target implies: the file name without extension, or the folder name. */
export function defaultName(target: string): string {
  return path.basename(path.resolve(target)).replace(/\.[^.]+$/, '');
}

/** True when a source imports other local files (so it cannot be uploaded on its own). */
export function importsLocalFiles(source: string): boolean {
  return LOCAL_IMPORT.test(source);
}

/** Builds what `deploy` uploads for `target`; a build error becomes E_FUNCTION_BUILD with a frame. */
export async function prepareUpload(target: string, name: string | undefined): Promise<Upload> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw usageError(
      `${target} does not exist.`,
      'Give a function file (hello.js, hello.ts) or a folder with an index.js / index.ts.',
      'E_CLI_FILE',
    );
  }
  const functionName = name ?? defaultName(target);
  let bundle: { code: string };
  try {
    bundle = await bundleFunction({ entry: target });
  } catch (err) {
    throw buildError(err);
  }
  const source = stat.isDirectory() ? undefined : fs.readFileSync(target, 'utf8');
  if (source !== undefined && !importsLocalFiles(source)) {
    return {
      name: functionName,
      code: source,
      filename: path.basename(target),
      bundled: false,
      entry: target,
    };
  }
  return {
    name: functionName,
    code: bundle.code,
    filename: `${functionName}.js`,
    bundled: true,
    entry: target,
  };
}

/**
 * The CLI error for a failed build (thrown locally by bundleFunction, or answered by the
 * engine as E_FUNCTION_BUILD): file:line:column and the message, the code frame under it.
 */
export function buildError(err: unknown): CliError {
  const e = err as {
    code?: unknown;
    message?: unknown;
    details?: { frame?: unknown };
    frame?: unknown;
  };
  if (e.code !== 'E_FUNCTION_BUILD') throw err;
  const frame = e.details?.frame ?? e.frame;
  return new CliError('E_FUNCTION_BUILD', String(e.message), {
    exitCode: EXIT.refused,
    hint: 'Fix the code, then deploy again. Functions have no Node built-ins: use BaaS for tables and BaaS.invoke for other functions.',
    ...(typeof frame === 'string' && frame ? { detail: frame } : {}),
  });
}
