/**
 * `cloudfn deploy`'s local build: the engine's own bundler (runtime's bundleFunction) runs
 * here first, so a build error shows with a code frame before anything is uploaded. A single
 * self-contained file (JavaScript or TypeScript) is then uploaded as written: the engine
 * bundles it again and keeps the source map, so stack traces point into the user's file. A
 * folder, or a file importing other files or npm packages, is uploaded as the local bundle
 * (the engine sees neither the other files nor the project's node_modules).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
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
  /** What the bundle holds, largest first (the size report). */
  parts: BundlePart[];
}

/** The function name a target implies: the file name without extension, or the folder name. */
export function defaultName(target: string): string {
  return path.basename(path.resolve(target)).replace(/\.[^.]+$/, '');
}

/** One package (or the project's own files) in a bundle, and the bytes it adds to it. */
export interface BundlePart {
  /** The npm package name, or "(your code)" for the project's own files. */
  name: string;
  bytes: number;
}

export const OWN_CODE = '(your code)';

/**
 * Builds what `deploy` uploads for `target`; a build error becomes E_FUNCTION_BUILD with a
 * frame, and an import of a package that is not installed E_CLI_MISSING_PACKAGE. Packages
 * (`import dayjs from 'dayjs'`) are bundled from the project's node_modules, as the engine
 * sees only what is uploaded.
 */
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
    throw missingPackageError(err, target) ?? buildError(err);
  }
  const parts = await bundleParts(target);
  const source = stat.isDirectory() ? undefined : fs.readFileSync(target, 'utf8');
  // A file that imports nothing goes up as written: the engine bundles it itself and keeps
  // the source map, so stack traces point into the user's own file.
  const selfContained = parts.inputs === 1 && source !== undefined;
  return {
    name: functionName,
    code: selfContained ? source : bundle.code,
    filename: selfContained ? path.basename(target) : `${functionName}.js`,
    bundled: !selfContained,
    entry: target,
    parts: parts.parts,
  };
}

/** The package a bare import names: `dayjs/plugin/utc` → dayjs, `@scope/pkg/x` → @scope/pkg. */
export function packageOf(specifier: string): string {
  const segments = specifier.split('/');
  return specifier.startsWith('@') ? segments.slice(0, 2).join('/') : segments[0]!;
}

/** E_CLI_MISSING_PACKAGE when the build failed on a bare import that does not resolve. */
function missingPackageError(err: unknown, target: string): CliError | undefined {
  const e = err as { code?: unknown; message?: unknown; details?: { frame?: unknown } };
  if (e.code !== 'E_FUNCTION_BUILD' || typeof e.message !== 'string') return undefined;
  const match = /Could not resolve "([^"]+)"/.exec(e.message);
  const specifier = match?.[1];
  if (specifier === undefined || specifier.startsWith('.') || specifier.startsWith('/'))
    return undefined;
  const pkg = packageOf(specifier);
  const frame = e.details?.frame;
  return new CliError(
    'E_CLI_MISSING_PACKAGE',
    `${target} imports "${specifier}", but the package ${pkg} is not installed (no node_modules/${pkg} next to it or above it).`,
    {
      exitCode: EXIT.refused,
      hint: `Run: npm install ${pkg}   (in the project folder, then deploy again).`,
      ...(typeof frame === 'string' && frame ? { detail: frame } : {}),
    },
  );
}

/**
 * What the bundle holds, by package: esbuild's metafile of the same build. `inputs` counts
 * the files bundled (1 = the entry imports nothing).
 */
async function bundleParts(target: string): Promise<{ inputs: number; parts: BundlePart[] }> {
  const result = await esbuild.build({
    entryPoints: [path.resolve(target, fs.statSync(target).isDirectory() ? entryOf(target) : '')],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    // Keep node_modules/<pkg> in the paths of linked packages (file: deps), to name them.
    preserveSymlinks: true,
    metafile: true,
    outfile: 'out.js',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const sizes = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? OWN_CODE;
    sizes.set(pkg, (sizes.get(pkg) ?? 0) + bytesInOutput);
  }
  const parts = [...sizes].map(([name, bytes]) => ({ name, bytes }));
  parts.sort((a, b) => b.bytes - a.bytes);
  return { inputs: Object.keys(result.metafile.inputs).length, parts };
}

/** A folder's entry, as the runtime's bundler picks it. */
function entryOf(dir: string): string {
  for (const name of ['index.ts', 'index.js', 'index.mjs', 'index.cjs', 'index.mts', 'index.cts'])
    if (fs.existsSync(path.join(dir, name))) return name;
  return 'index.js';
}

/** The size report printed after a build: total, then each package's share. */
export function sizeReport(upload: Upload): string[] {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const total = Buffer.byteLength(upload.code);
  const lines = [`${upload.name}: ${kb(total)} (${upload.bundled ? 'bundled' : 'as written'})`];
  if (upload.parts.length > 1 || upload.parts[0]?.name !== OWN_CODE)
    for (const part of upload.parts) lines.push(`  ${part.name.padEnd(24)} ${kb(part.bytes)}`);
  return lines;
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
