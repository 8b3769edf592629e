/**
 * Loads a project: finds cloudfn.json (here or in a parent folder, as git finds .git),
 * validates it, reads the trigger files it names and the secrets it names from the
 * environment (the process's, then the project's `.env`, which `cloudfn init` lists in
 * .gitignore). Every problem is reported at once, with its place in the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { z } from 'zod';
import { CliError, EXIT, usageError } from '../errors.ts';
import { PROJECT_FILE, projectSchema, type FromEnv } from './schema.ts';

export interface DesiredAccount {
  appId: string;
  token: string;
  encodingAESKey?: string;
  mode: 'plain' | 'compatible' | 'safe';
}

export interface DesiredTable {
  name: string;
  fields: Array<{ name: string; type: string } & Record<string, unknown>>;
}

export interface DesiredFunction {
  name: string;
  /** Absolute path of the file or folder. */
  path: string;
  /** As written in cloudfn.json, for messages. */
  relPath: string;
  timeoutMs?: number;
  memoryMb?: number;
  env?: Record<string, string>;
}

export interface DesiredTrigger {
  name: string;
  definition: Record<string, unknown>;
  /** The file it came from, or "cloudfn.json". */
  source: string;
}

export interface Project {
  root: string;
  file: string;
  accounts: DesiredAccount[];
  tables: DesiredTable[];
  functions: DesiredFunction[];
  triggers: DesiredTrigger[];
}

/** The folder holding cloudfn.json: `start` or its nearest parent that has one. */
export function findProjectRoot(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, PROJECT_FILE))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Like findProjectRoot, but a missing project is a usage error saying how to make one. */
export function requireProjectRoot(start: string): string {
  const root = findProjectRoot(start);
  if (root === undefined) {
    throw usageError(
      `No ${PROJECT_FILE} in ${start} or any folder above it.`,
      'Create a project with "cloudfn init <dir>", or "cloudfn pull <dir>" from a running engine; "cloudfn deploy <file>" deploys a single function without one.',
      'E_CLI_NO_PROJECT',
    );
  }
  return root;
}

/** The project's `.env` (KEY=value lines), if any; the process environment wins over it. */
export function projectEnv(root: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = path.join(root, '.env');
  if (!fs.existsSync(file)) return env;
  return { ...parseEnv(fs.readFileSync(file, 'utf8')), ...env };
}

export function invalidProject(file: string, problems: string[]): CliError {
  return new CliError(
    'E_CLI_PROJECT_INVALID',
    `${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}.`,
    {
      exitCode: EXIT.usage,
      detail: problems.map((p) => `  - ${p}`).join('\n'),
      hint: 'Fix them in the file; docs/cli.md ("The project file") describes every key.',
    },
  );
}

const where = (issuePath: readonly PropertyKey[]): string =>
  issuePath.length === 0
    ? '(top level)'
    : issuePath
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join('');

function zodProblems(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    // A union (file path or object) fails as a whole; its branches say what was wrong.
    if (issue.code === 'invalid_union' && 'errors' in issue && issue.errors.length > 0) {
      const branch = issue.errors.at(-1) ?? [];
      return branch.map((i) => `${where([...issue.path, ...i.path])}: ${i.message}`);
    }
    return [`${where(issue.path)}: ${issue.message}`];
  });
}

/** Reads and checks the project at `root`; secrets come from `env` (and `.env`). */
export function loadProject(root: string, processEnv: NodeJS.ProcessEnv): Project {
  const file = path.join(root, PROJECT_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw invalidProject(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  const parsed = projectSchema.safeParse(raw);
  if (!parsed.success) throw invalidProject(file, zodProblems(parsed.error));
  const spec = parsed.data;
  const env = projectEnv(root, processEnv);
  const problems: string[] = [];
  const missing = new Set<string>();
  const secret = (ref: FromEnv): string => {
    const value = env[ref.env];
    if (value === undefined || value === '') missing.add(ref.env);
    return value ?? '';
  };

  const accounts = Object.entries(spec.accounts ?? {}).map(([appId, a]): DesiredAccount => {
    const token = secret(a.token);
    const key = a.encodingAESKey ? secret(a.encodingAESKey) : undefined;
    return {
      appId,
      token,
      ...(key === undefined ? {} : { encodingAESKey: key }),
      mode: a.mode ?? (key === undefined ? 'plain' : 'safe'),
    };
  });

  const tables = Object.entries(spec.tables ?? {}).map(([name, t]): DesiredTable => ({
    name,
    fields: t.fields,
  }));

  const functions = Object.entries(spec.functions ?? {}).map(([name, entry]): DesiredFunction => {
    const e = typeof entry === 'string' ? { path: entry } : entry;
    const abs = path.resolve(root, e.path);
    if (!fs.existsSync(abs))
      problems.push(`functions.${name}: ${e.path} does not exist (relative to ${PROJECT_FILE})`);
    const fnEnv =
      'env' in e && e.env
        ? Object.fromEntries(
            Object.entries(e.env).map(([k, v]) => [k, typeof v === 'string' ? v : secret(v)]),
          )
        : undefined;
    return {
      name,
      path: abs,
      relPath: e.path,
      ...('timeoutMs' in e && e.timeoutMs !== undefined ? { timeoutMs: e.timeoutMs } : {}),
      ...('memoryMb' in e && e.memoryMb !== undefined ? { memoryMb: e.memoryMb } : {}),
      ...(fnEnv ? { env: fnEnv } : {}),
    };
  });

  const triggers: DesiredTrigger[] = [];
  (spec.triggers ?? []).forEach((entry, i) => {
    if (typeof entry !== 'string') {
      triggers.push({ name: entry.name, definition: entry, source: PROJECT_FILE });
      return;
    }
    let definition: unknown;
    try {
      definition = JSON.parse(fs.readFileSync(path.resolve(root, entry), 'utf8'));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      problems.push(
        `triggers[${i}]: ${entry} ${e.code === 'ENOENT' ? 'does not exist' : `is not valid JSON (${e.message})`}`,
      );
      return;
    }
    const name = (definition as { name?: unknown } | null)?.name;
    if (definition === null || typeof definition !== 'object' || typeof name !== 'string') {
      problems.push(`triggers[${i}]: ${entry} is not a trigger definition with a "name"`);
      return;
    }
    triggers.push({ name, definition: definition as Record<string, unknown>, source: entry });
  });
  const seen = new Set<string>();
  for (const t of triggers) {
    if (seen.has(t.name)) problems.push(`triggers: "${t.name}" is declared twice`);
    seen.add(t.name);
  }

  if (problems.length > 0) throw invalidProject(file, problems);
  if (missing.size > 0) {
    const names = [...missing].sort();
    throw usageError(
      `${PROJECT_FILE} reads ${names.join(', ')} from the environment, but ${names.length === 1 ? 'it is' : 'they are'} not set.`,
      `Set ${names.map((n) => `${n}=…`).join(' ')} in the environment or in ${path.join(root, '.env')} (keep .env out of git).`,
      'E_CLI_PROJECT_ENV',
    );
  }
  return { root, file, accounts, tables, functions, triggers };
}
