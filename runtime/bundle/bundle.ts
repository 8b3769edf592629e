/**
 * Bundling at upload: esbuild turns a source text, a file or a folder with an index file
 * (JavaScript or TypeScript) into ONE CommonJS script with an inline source map, which the
 * executor loads as `module.exports` / `exports.main`. Node built-ins are refused here, at
 * build time, with the line that asked for them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { FunctionBuildError } from '../errors.ts';
import { codeFrame } from './code-frame.ts';
import {
  type ConstAssignment,
  constAssignmentOf,
  guardConstAssignments,
} from './const-assignments.ts';

export type BundleInput = { source: string; filename?: string } | { entry: string };

export interface BundleOutput {
  code: string;
  sha256: string;
}

const BUILTINS = new Set(builtinModules);
const INDEX_FILES = ['index.ts', 'index.js', 'index.mjs', 'index.cjs', 'index.mts', 'index.cts'];

const refuseNodeBuiltins: esbuild.Plugin = {
  name: 'cloudfn-no-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
      if (
        !args.path.startsWith('node:') &&
        !BUILTINS.has(name) &&
        !BUILTINS.has(name.split('/')[0] ?? '')
      )
        return undefined;
      return {
        errors: [
          {
            text: `Node built-in module "${args.path}" is not available in cloudfn functions (no file system, network or processes); use BaaS for tables and BaaS.invoke for other functions`,
          },
        ],
      };
    });
  },
};

function loaderFor(filename: string): esbuild.Loader {
  const ext = extname(filename).toLowerCase();
  return ext === '.ts' || ext === '.mts' || ext === '.cts' ? 'ts' : 'js';
}

function resolveEntry(entry: string): string {
  const path = resolve(entry);
  if (!existsSync(path))
    throw new FunctionBuildError(`Function entry ${entry} does not exist`, { file: entry });
  if (!statSync(path).isDirectory()) return path;
  for (const name of INDEX_FILES) if (existsSync(join(path, name))) return join(path, name);
  throw new FunctionBuildError(`Function folder ${entry} has no index.js or index.ts`, {
    file: entry,
  });
}

/** Where the build's sources live: the uploaded text (named `name`), else files under `dir`. */
interface BuildSources {
  name?: string;
  text?: string;
  dir: string;
}

function toBuildError(failure: unknown, sources: BuildSources): FunctionBuildError {
  const errors = (failure as { errors?: esbuild.Message[] }).errors;
  const first = errors?.[0];
  if (first === undefined)
    return new FunctionBuildError(
      `Build failed: ${String((failure as Error).message ?? failure)}`,
      {},
    );
  const loc = first.location;
  if (loc === null) return new FunctionBuildError(first.text, {});
  const line = loc.line;
  const column = loc.column + 1;
  let text = sources.name === loc.file ? sources.text : undefined;
  if (text === undefined) {
    const onDisk = isAbsolute(loc.file) ? loc.file : join(sources.dir, loc.file);
    text = existsSync(onDisk) ? readFileSync(onDisk, 'utf8') : loc.lineText;
  }
  const frame =
    text === loc.lineText ? codeFrame(loc.lineText, 1, column) : codeFrame(text, line, column);
  const more =
    errors && errors.length > 1
      ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})`
      : '';
  return new FunctionBuildError(`${loc.file}:${line}:${column}: ${first.text}${more}`, {
    file: loc.file,
    line,
    column,
    frame,
  });
}

/** Bundles a function's source (text, file or folder) into one script with an inline source map. */
export async function bundleFunction(input: BundleInput): Promise<BundleOutput> {
  const common: esbuild.BuildOptions = {
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'neutral',
    target: 'es2022',
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'silent',
    mainFields: ['module', 'main'],
    plugins: [refuseNodeBuiltins],
  };
  let options: esbuild.BuildOptions;
  let sources: BuildSources;
  if ('source' in input) {
    const filename = input.filename ?? 'index.js';
    const dir = process.cwd();
    options = {
      ...common,
      stdin: { contents: input.source, sourcefile: filename, loader: loaderFor(filename) },
    };
    sources = { name: filename, text: input.source, dir };
  } else {
    const entry = resolveEntry(input.entry);
    const dir = dirname(entry);
    options = { ...common, entryPoints: [entry], absWorkingDir: dir, outdir: dir };
    sources = { dir };
  }
  let result: esbuild.BuildResult;
  try {
    result = await esbuild.build(options);
  } catch (failure) {
    const guarded = withConstAssignmentsGuarded(failure, options, sources);
    if (guarded === undefined) throw toBuildError(failure, sources);
    try {
      result = await esbuild.build(guarded);
    } catch {
      throw toBuildError(failure, sources);
    }
  }
  const file = result.outputFiles?.find((f) => f.path.endsWith('.js')) ?? result.outputFiles?.[0];
  if (file === undefined) throw new FunctionBuildError('Build produced no output', {});
  const code = file.text;
  return { code, sha256: createHash('sha256').update(code).digest('hex') };
}

/**
 * When every error of a failed build is an assignment to a `const` (which Node only refuses
 * when it runs: const-assignments.ts), the same build with those assignments made to throw
 * at run time; otherwise undefined.
 */
function withConstAssignmentsGuarded(
  failure: unknown,
  options: esbuild.BuildOptions,
  sources: BuildSources,
): esbuild.BuildOptions | undefined {
  const errors = (failure as { errors?: esbuild.Message[] }).errors ?? [];
  if (errors.length === 0) return undefined;
  const byFile = new Map<string, ConstAssignment[]>();
  for (const error of errors) {
    const site = constAssignmentOf(error);
    if (site === undefined || error.location === null) return undefined;
    const list = byFile.get(error.location.file) ?? [];
    list.push(site);
    byFile.set(error.location.file, list);
  }
  let stdin = options.stdin;
  const files = new Map<string, string>();
  for (const [file, sites] of byFile) {
    if (stdin !== undefined && file === sources.name) {
      const contents = guardConstAssignments(String(stdin.contents), sites);
      if (contents === undefined) return undefined;
      stdin = { ...stdin, contents };
      continue;
    }
    const onDisk = isAbsolute(file) ? file : join(sources.dir, file);
    if (!existsSync(onDisk)) return undefined;
    const contents = guardConstAssignments(readFileSync(onDisk, 'utf8'), sites);
    if (contents === undefined) return undefined;
    files.set(resolve(onDisk), contents);
  }
  const rewrite: esbuild.Plugin = {
    name: 'cloudfn-const-assignments',
    setup(build) {
      build.onLoad({ filter: /.*/ }, (args) => {
        const contents = files.get(resolve(args.path));
        return contents === undefined ? undefined : { contents, loader: loaderFor(args.path) };
      });
    },
  };
  return {
    ...options,
    ...(stdin !== undefined ? { stdin } : {}),
    plugins: [...(options.plugins ?? []), rewrite],
  };
}
