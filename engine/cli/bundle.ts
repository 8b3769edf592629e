/**
 * `cloudfn deploy`'s local build: catch a build error on the developer's machine, with a code
 * frame, before anything is uploaded. A single JavaScript file is checked with the engine's
 * own bundler and uploaded as written (the engine stores and bundles the source, so stack
 * traces point into it); a folder or a TypeScript entry is bundled here into one CommonJS
 * script with an inline source map, which is what gets uploaded (the engine re-bundles it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError, EXIT, usageError } from './errors.ts';
import { codeFrame } from './format/code-frame.ts';

export interface Upload {
  /** The function's name: --name, else the file's or folder's base name. */
  name: string;
  code: string;
  filename: string;
  /** True when `code` is the local bundle rather than the file as written. */
  bundled: boolean;
  entry: string;
}

const ENTRY_NAMES = ['index.ts', 'index.js', 'main.ts', 'main.js', 'index.mjs', 'index.cjs'];
const TYPESCRIPT = /\.(?:ts|mts|cts)$/;

/** Finds the entry of a file or folder target and the function name it implies. */
export function resolveEntry(target: string): {
  entry: string;
  defaultName: string;
  isDir: boolean;
} {
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
  if (!stat.isDirectory()) {
    return {
      entry: target,
      defaultName: path.basename(target).replace(/\.[^.]+$/, ''),
      isDir: false,
    };
  }
  const fromPackage = readPackageMain(target);
  const entry =
    fromPackage ?? ENTRY_NAMES.map((n) => path.join(target, n)).find((p) => fs.existsSync(p));
  if (!entry) {
    throw usageError(
      `${target} has no entry file.`,
      `Add one of ${ENTRY_NAMES.join(', ')} (or "main" in its package.json).`,
      'E_CLI_FILE',
    );
  }
  return { entry, defaultName: path.basename(path.resolve(target)), isDir: true };
}

function readPackageMain(dir: string): string | undefined {
  try {
    const main = (
      JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { main?: unknown }
    ).main;
    return typeof main === 'string' ? path.join(dir, main) : undefined;
  } catch {
    return undefined;
  }
}

/** Builds what `deploy` uploads for `target`; a build error becomes E_FUNCTION_BUILD with a frame. */
export async function prepareUpload(target: string, name: string | undefined): Promise<Upload> {
  const { entry, defaultName, isDir } = resolveEntry(target);
  const functionName = name ?? defaultName;
  if (isDir || TYPESCRIPT.test(entry)) {
    return {
      name: functionName,
      code: await bundleLocally(entry),
      filename: `${functionName}.js`,
      bundled: true,
      entry,
    };
  }
  const source = fs.readFileSync(entry, 'utf8');
  await checkWithEngineBundler(source, entry);
  return {
    name: functionName,
    code: source,
    filename: path.basename(entry),
    bundled: false,
    entry,
  };
}

async function bundleLocally(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      // The sandbox has no Node: a `require('fs')` must fail here, not at run time.
      platform: 'neutral',
      mainFields: ['module', 'main'],
      format: 'cjs',
      target: 'es2024',
      sourcemap: 'inline',
      sourcesContent: true,
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  } catch (err) {
    throw buildError(err, entry);
  }
}

/** The engine's own bundler, when this checkout has it: the exact check the upload will get. */
async function checkWithEngineBundler(source: string, entry: string): Promise<void> {
  let bundleFunction:
    ((input: { source: string; filename: string }) => Promise<unknown>) | undefined;
  try {
    ({ bundleFunction } = (await import('../../runtime/index.ts')) as {
      bundleFunction?: typeof bundleFunction;
    });
  } catch {
    bundleFunction = undefined;
  }
  try {
    if (bundleFunction) await bundleFunction({ source, filename: path.basename(entry) });
    else
      await (
        await import('esbuild')
      ).transform(source, { loader: 'js', format: 'cjs', logLevel: 'silent', sourcefile: entry });
  } catch (err) {
    throw buildError(err, entry);
  }
}

interface Located {
  file: string;
  line: number;
  column: number;
  text: string;
}

/** Where a build failed, from an esbuild failure or an engine E_FUNCTION_BUILD error. */
export function locateBuildError(err: unknown, entry: string): Located | undefined {
  const e = err as {
    errors?: Array<{
      text?: string;
      location?: { file?: string; line?: number; column?: number } | null;
    }>;
  };
  const first = e.errors?.[0];
  if (first?.location && typeof first.location.line === 'number') {
    const file =
      first.location.file && first.location.file !== '<stdin>' ? first.location.file : entry;
    return {
      file,
      line: first.location.line,
      column: first.location.column ?? 0,
      text: first.text ?? 'build failed',
    };
  }
  const d = err as {
    line?: unknown;
    column?: unknown;
    details?: { line?: unknown; column?: unknown };
    message?: string;
  };
  const line = d.details?.line ?? d.line;
  const column = d.details?.column ?? d.column;
  if (typeof line === 'number') {
    return {
      file: entry,
      line,
      column: typeof column === 'number' ? column : 0,
      text: d.message ?? 'build failed',
    };
  }
  return undefined;
}

/** The CLI error for a failed build: file:line:column, the message, and a code frame. */
export function buildError(err: unknown, entry: string): CliError {
  const at = locateBuildError(err, entry);
  if (!at) {
    return new CliError('E_FUNCTION_BUILD', `${entry}: ${(err as Error).message ?? String(err)}`, {
      exitCode: EXIT.refused,
    });
  }
  let frame = '';
  try {
    frame = codeFrame(fs.readFileSync(path.resolve(at.file), 'utf8'), at.line, at.column);
  } catch {
    // The file is gone or virtual: the location alone still helps.
  }
  return new CliError('E_FUNCTION_BUILD', `${at.file}:${at.line}:${at.column + 1}: ${at.text}`, {
    exitCode: EXIT.refused,
    hint: 'Fix the code, then deploy again. Functions run without Node built-ins (no fs, net, child_process).',
    ...(frame ? { detail: frame } : {}),
  });
}
