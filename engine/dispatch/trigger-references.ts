import { distance } from 'fastest-levenshtein';
import type { EngineStore, StoredTrigger } from '../store/index.ts';
import type { TableStore } from '../tables/table-store.ts';
import type { TriggerDefinition } from '../triggers/index.ts';

/** What a trigger can name that lives elsewhere: a function, a data table, a WeChat account. */
export type ReferenceKind = 'function' | 'table' | 'account';

export interface TriggerReference {
  kind: ReferenceKind;
  name: string;
  /** Where in the definition: `actions[0].function`, `condition.table`, `condition.appId`. */
  path: string;
}

/** A reference to something that does not exist, with the closest existing name. */
export interface MissingReference extends TriggerReference {
  suggestion: string | null;
}

/**
 * Which names exist now, per kind; `exists` answers as the owner would (tables ignore case).
 * Asynchronous: the data tables answer through their port (possibly a network database).
 */
export interface ReferenceCatalogue {
  names(kind: ReferenceKind): Promise<string[]>;
  exists(kind: ReferenceKind, name: string): Promise<boolean>;
}

/** Every function, table and account a trigger names, in the order of its definition. */
export function referencesOf(definition: TriggerDefinition): TriggerReference[] {
  const out: TriggerReference[] = [];
  if (definition.type === 'wechat_message')
    out.push({ kind: 'account', name: definition.condition.appId, path: 'condition.appId' });
  if (definition.type === 'table')
    out.push({ kind: 'table', name: definition.condition.table, path: 'condition.table' });
  definition.actions.forEach((action, i) => {
    if (action.type === 'function')
      out.push({ kind: 'function', name: action.function, path: `actions[${i}].function` });
    if (action.type === 'table')
      out.push({ kind: 'table', name: action.table, path: `actions[${i}].table` });
  });
  return out;
}

/** The references of `definition` that name nothing, each with a "did you mean". */
export async function missingReferences(
  definition: TriggerDefinition,
  catalogue: ReferenceCatalogue,
): Promise<MissingReference[]> {
  const missing: MissingReference[] = [];
  for (const ref of referencesOf(definition)) {
    if (await catalogue.exists(ref.kind, ref.name)) continue;
    missing.push({ ...ref, suggestion: closestName(ref.name, await catalogue.names(ref.kind)) });
  }
  return missing;
}

/** Names of the triggers (enabled or not) that name this function, table or account. */
export function triggersUsing(
  triggers: StoredTrigger[],
  kind: ReferenceKind,
  name: string,
): string[] {
  // Table names are case-insensitive (docs/tables.md): `Orders` and `orders` are one table.
  const same =
    kind === 'table'
      ? (a: string) => a.toLowerCase() === name.toLowerCase()
      : (a: string) => a === name;
  return triggers
    .filter((t) => referencesOf(t.definition).some((ref) => ref.kind === kind && same(ref.name)))
    .map((t) => t.name);
}

/**
 * The existing name closest to `name` by edit distance (ignoring case), or null when none is
 * close enough to be a plausible typo: at most a third of the name's length, and at least 2
 * edits allowed, so `helo` finds `hello` but `orders` does not suggest `users`.
 */
export function closestName(name: string, candidates: string[]): string | null {
  const wanted = name.toLowerCase();
  let best: { name: string; cost: number } | null = null;
  for (const candidate of candidates) {
    const cost = distance(wanted, candidate.toLowerCase());
    if (best === null || cost < best.cost) best = { name: candidate, cost };
  }
  if (best === null) return null;
  const allowed = Math.max(2, Math.floor(name.length / 3));
  return best.cost <= allowed ? best.name : null;
}

/** The catalogue of a running engine: functions and accounts from its store, its data tables. */
export function engineCatalogue(deps: {
  store: Pick<EngineStore, 'functions' | 'accounts'>;
  tables: Pick<TableStore, 'listTables'>;
}): ReferenceCatalogue {
  const { store, tables } = deps;
  return {
    async names(kind) {
      if (kind === 'function') return (await store.functions.list()).map((f) => f.name);
      if (kind === 'account') return (await store.accounts.list()).map((a) => a.appId);
      return (await tables.listTables()).map((t) => t.name);
    },
    async exists(kind, name) {
      if (kind === 'function') return (await store.functions.get(name)) !== undefined;
      if (kind === 'account') return (await store.accounts.get(name)) !== undefined;
      // By name only: a trigger names its table, and a number-like name is not an id here.
      return (await tables.listTables()).some((t) => t.name.toLowerCase() === name.toLowerCase());
    },
  };
}
