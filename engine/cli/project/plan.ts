/**
 * The plan of `cloudfn deploy` for a project: what to create, update or leave, in the order
 * things depend on each other (accounts, tables, functions, triggers). Pure: it compares the
 * project (with its functions built) against the engine's state and changes nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseTriggerDefinition } from '../../triggers/index.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS } from '../../functions/function-service.ts';
import { envDigest } from '../../functions/env-digest.ts';
import { invalidProject, type Project } from './load.ts';
import type { EngineState } from './state.ts';

export type Kind = 'account' | 'table' | 'function' | 'trigger';
export type Action = 'create' | 'update' | 'unchanged';

export interface Step {
  kind: Kind;
  name: string;
  action: Action;
  /** What differs, for `~ update` (and what a create brings). */
  changes: string[];
  /** What the plan cannot do (a table field whose type differs). */
  warnings: string[];
  /** The API call that applies it, when it is not `unchanged`. */
  request?: { method: string; route: string; body: unknown };
}

/** A function of the project, built: what would be uploaded and what counts as the same. */
export interface BuiltFunction {
  name: string;
  code: string;
  filename: string;
  /**
   * sha256 values that mean "this code is deployed": the engine's bundle of this upload
   * (built here with the same bundler), and the upload itself (a pulled bundle).
   */
  sha256s: string[];
}

const enc = encodeURIComponent;

export function planProject(
  project: Project,
  built: Map<string, BuiltFunction>,
  state: EngineState,
): Step[] {
  const steps: Step[] = [];

  for (const a of project.accounts) {
    const remote = state.accounts.get(a.appId);
    const body = {
      token: a.token,
      ...(a.encodingAESKey === undefined ? {} : { encodingAESKey: a.encodingAESKey }),
      mode: a.mode,
    };
    const request = { method: 'PUT', route: `/wechat/accounts/${enc(a.appId)}`, body };
    if (!remote) {
      steps.push(step('account', a.appId, 'create', [`mode ${a.mode}`], request));
      continue;
    }
    const changes: string[] = [];
    if (remote.mode !== a.mode) changes.push(`mode ${remote.mode} → ${a.mode}`);
    if (!remote.secretsMatch) changes.push('token / EncodingAESKey');
    steps.push(step('account', a.appId, changes.length ? 'update' : 'unchanged', changes, request));
  }

  for (const t of project.tables) {
    const remote = state.tables.get(t.name);
    if (!remote) {
      steps.push(
        step('table', t.name, 'create', [`${t.fields.length} fields`], {
          method: 'POST',
          route: '/tables',
          body: { name: t.name, fields: t.fields },
        }),
      );
      continue;
    }
    const byName = new Map(remote.map((f) => [f.name, f]));
    const missing = t.fields.filter((f) => !byName.has(f.name));
    const warnings = t.fields
      .filter((f) => byName.has(f.name) && byName.get(f.name)!.type !== f.type)
      .map(
        (f) =>
          `field ${f.name} is ${byName.get(f.name)!.type} on the engine, ${f.type} here: not changed (a field keeps its type; add a new field instead)`,
      );
    const s = step(
      'table',
      t.name,
      missing.length ? 'update' : 'unchanged',
      missing.length ? [`add fields ${missing.map((f) => f.name).join(', ')}`] : [],
      { method: 'POST', route: `/tables/${enc(t.name)}/fields`, body: { fields: missing } },
    );
    s.warnings = warnings;
    steps.push(s);
  }

  for (const f of project.functions) {
    const b = built.get(f.name)!;
    const timeoutMs = f.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const memoryMb = f.memoryMb ?? DEFAULT_MEMORY_MB;
    const env = f.env ?? {};
    const request = {
      method: 'PUT',
      route: `/functions/${enc(f.name)}`,
      body: { code: b.code, filename: b.filename, timeoutMs, memoryMb, env },
    };
    const remote = state.functions.get(f.name);
    if (!remote) {
      steps.push(step('function', f.name, 'create', [`from ${f.relPath}`], request));
      continue;
    }
    const changes: string[] = [];
    if (!b.sha256s.includes(remote.sha256)) changes.push('code');
    if (remote.timeoutMs !== timeoutMs)
      changes.push(`timeout ${remote.timeoutMs} → ${timeoutMs} ms`);
    if (remote.memoryMb !== memoryMb) changes.push(`memory ${remote.memoryMb} → ${memoryMb} MB`);
    if (remote.env_sha256 !== envDigest(env)) {
      const names = Object.keys(env).sort();
      changes.push(
        isDeepStrictEqual([...remote.env].sort(), names)
          ? 'env values'
          : `env [${[...remote.env].sort().join(' ')}] → [${names.join(' ')}]`,
      );
    }
    steps.push(step('function', f.name, changes.length ? 'update' : 'unchanged', changes, request));
  }

  const problems: string[] = [];
  for (const t of project.triggers) {
    let local: Record<string, unknown>;
    try {
      // The engine's own parser: defaults applied, so an equal trigger compares equal.
      local = parseTriggerDefinition(structuredClone(t.definition), {
        generateSecret: () => '',
      }) as unknown as Record<string, unknown>;
    } catch (err) {
      const issues = (err as { issues?: Array<{ path: string; message: string }> }).issues;
      if (!issues) throw err;
      for (const i of issues)
        problems.push(
          `trigger ${t.name} (${t.source}): ${i.path ? `${i.path}: ` : ''}${i.message}`,
        );
      continue;
    }
    const remote = state.triggers.get(t.name);
    if (!remote) {
      steps.push(
        step('trigger', t.name, 'create', [String(local.type)], {
          method: 'POST',
          route: '/triggers',
          body: t.definition,
        }),
      );
      continue;
    }
    const changes = triggerChanges(local, remote);
    steps.push(
      step('trigger', t.name, changes.length ? 'update' : 'unchanged', changes, {
        method: 'PUT',
        route: `/triggers/${enc(t.name)}`,
        body: t.definition,
      }),
    );
  }
  if (problems.length > 0) throw invalidProject(project.file, problems);
  return steps;
}

// What the engine adds to a stored trigger that a definition does not hold.
const STORED_ONLY = new Set(['key', 'hook_path', 'key_hint', 'created_at', 'updated_at']);

/** The top-level keys whose values differ; a webhook secret the file leaves out is the engine's. */
export function triggerChanges(
  local: Record<string, unknown>,
  remote: Record<string, unknown>,
): string[] {
  const keys = new Set([...Object.keys(local), ...Object.keys(remote)]);
  const changes: string[] = [];
  for (const key of keys) {
    if (STORED_ONLY.has(key)) continue;
    const mine = local[key];
    let theirs = remote[key];
    if (key === 'actions' && Array.isArray(mine) && Array.isArray(theirs)) {
      // The local parse gives a webhook action without a secret an empty one: the engine
      // generated its own, which is not a difference.
      // The engine shows a stored secret only as its hint (its last 4 characters), or in
      // clear in the answer that set it: the file's secret is taken as the stored one when it
      // is the one shown, or ends the same way as the hint. One the file leaves out ('') is
      // the engine's.
      theirs = theirs.map((a: unknown, i) => {
        if (a === null || typeof a !== 'object' || !('secret' in a || 'secret_hint' in a)) return a;
        const { secret: shown, secret_hint: hint, ...rest } = a as Record<string, unknown>;
        const l = (mine[i] as { secret?: unknown } | undefined)?.secret;
        const same =
          l === '' ||
          (typeof l === 'string' &&
            (shown !== undefined ? shown === l : hint === `…${l.slice(-4)}`));
        return { ...rest, secret: same ? l : (shown ?? hint) };
      });
    }
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(mine ?? null)), theirs ?? null))
      changes.push(key);
  }
  return changes;
}

function step(
  kind: Kind,
  name: string,
  action: Action,
  changes: string[],
  request: Step['request'],
): Step {
  return {
    kind,
    name,
    action,
    changes,
    warnings: [],
    ...(action === 'unchanged' ? {} : { request }),
  };
}

const SIGN: Record<Action, string> = { create: '+', update: '~', unchanged: '=' };

/** The plan as printed: one line per item, `+ create`, `~ update`, `= unchanged`. */
export function formatPlan(steps: Step[]): string[] {
  const lines: string[] = [];
  for (const s of steps) {
    const what = s.action === 'unchanged' ? 'unchanged' : s.action;
    const detail = s.changes.length ? `  (${s.changes.join('; ')})` : '';
    lines.push(`${SIGN[s.action]} ${what.padEnd(10)}${s.kind.padEnd(9)} ${s.name}${detail}`);
    for (const w of s.warnings) lines.push(`    ! ${w}`);
  }
  const count = (a: Action) => steps.filter((s) => s.action === a).length;
  lines.push(
    `Plan: ${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged.`,
  );
  return lines;
}
