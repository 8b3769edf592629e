import { asNumber } from './compare.ts';
import type { FieldPath, Lookup } from './field-path.ts';
import { compileFieldPath, lookupPath } from './field-path.ts';
import { compileRuleSet, evaluateRuleSet } from './match-rules.ts';
import type { CompiledRuleSet, FieldReader } from './match-rules.ts';
import { triggerSubject } from './trigger-subject.ts';
import type { MatchedAction, Rule, TableEvent, TriggerDefinition, TriggerSource } from './types.ts';

/**
 * The match index. Triggers are grouped by source (appId, table and event, or name), so a
 * push only meets the triggers of its account. Inside a group, a trigger whose rules must all
 * hold and include `EventKey = "key1"` (a text value, or `in` a list of texts) is filed under
 * that field and value: a push then meets only the triggers filed under its own value of the
 * field, plus the unfiled ones. When several such rules qualify, the trigger is filed under
 * the most selective one (the field/value pair shared by the fewest triggers of the group).
 * Every candidate is still evaluated in full, so filing is only a pre-filter and cannot
 * change a result.
 */

interface IndexedTrigger {
  definition: TriggerDefinition;
  order: number;
  rules: CompiledRuleSet;
}

interface Bucket {
  /** Filled while building, then filed into unkeyed/keyed. */
  members: IndexedTrigger[];
  unkeyed: IndexedTrigger[];
  keyed: Map<string, { path: FieldPath; byValue: Map<string, IndexedTrigger[]> }>;
}

export interface TriggerIndex {
  readonly size: number;
  readonly wechat: Map<string, Bucket>;
  readonly reply: Map<string, Bucket>;
  readonly table: Map<string, Map<TableEvent, Bucket>>;
  readonly byName: Map<string, IndexedTrigger>;
  /**
   * Enabled triggers left out because their stored rules no longer compile (saved by an
   * older version whose checks were looser, e.g. a regex the linear-time matcher refuses):
   * they cannot match; the rest of the index works. Saving them again reports the fault.
   */
  readonly skipped: { name: string; reason: string }[];
}

/** Builds the match index of the enabled triggers (disabled ones are left out). */
export function buildTriggerIndex(triggers: readonly TriggerDefinition[]): TriggerIndex {
  const wechat = new Map<string, Bucket>();
  const reply = new Map<string, Bucket>();
  const table = new Map<string, Map<TableEvent, Bucket>>();
  const byName = new Map<string, IndexedTrigger>();
  const skipped: { name: string; reason: string }[] = [];
  let order = 0;
  for (const definition of triggers) {
    if (!definition.enabled) continue;
    let rules: CompiledRuleSet;
    try {
      rules = compileRuleSet('rules' in definition.condition ? definition.condition : {});
    } catch (err) {
      skipped.push({ name: definition.name, reason: (err as Error).message });
      continue;
    }
    const entry: IndexedTrigger = { definition, order: order++, rules };
    switch (definition.type) {
      case 'wechat_message':
        bucketOf(
          definition.reply === true ? reply : wechat,
          definition.condition.appId,
        ).members.push(entry);
        break;
      case 'table': {
        let events = table.get(definition.condition.table);
        if (!events) table.set(definition.condition.table, (events = new Map()));
        for (const event of new Set(definition.condition.on))
          bucketOf(events, event).members.push(entry);
        break;
      }
      case 'timer':
      case 'webhook':
        byName.set(definition.name, entry);
        break;
    }
  }
  for (const bucket of [...wechat.values(), ...reply.values()]) fileMembers(bucket);
  for (const events of table.values()) for (const bucket of events.values()) fileMembers(bucket);
  return { size: order, wechat, reply, table, byName, skipped };
}

/** The actions to run for an event from a source, in trigger order then action order. */
export function matchTriggers(
  index: TriggerIndex,
  source: TriggerSource,
  data: unknown,
): MatchedAction[] {
  const subject = triggerSubject(source, data);
  const matched: MatchedAction[] = [];
  for (const entry of candidates(index, source, subject)) {
    for (const [actionIndex, action] of entry.definition.actions.entries()) {
      matched.push({ trigger: entry.definition, actionIndex, action });
    }
  }
  return matched;
}

/** The first enabled passive-reply trigger of the account that matches the push, if any. */
export function matchReplyTrigger(
  index: TriggerIndex,
  appId: string,
  data: unknown,
): TriggerDefinition | undefined {
  const bucket = index.reply.get(appId);
  return bucket ? matchBucket(bucket, data)[0]?.definition : undefined;
}

function candidates(
  index: TriggerIndex,
  source: TriggerSource,
  subject: unknown,
): IndexedTrigger[] {
  switch (source.type) {
    case 'wechat_message': {
      const bucket = index.wechat.get(source.appId);
      return bucket ? matchBucket(bucket, subject) : [];
    }
    case 'table': {
      const bucket = index.table.get(source.table)?.get(source.event);
      return bucket ? matchBucket(bucket, subject) : [];
    }
    case 'timer':
    case 'webhook': {
      const entry = index.byName.get(source.trigger);
      if (!entry || entry.definition.type !== source.type) return [];
      return evaluateRuleSet(entry.rules, memoReader(subject)) ? [entry] : [];
    }
  }
}

function matchBucket(bucket: Bucket, subject: unknown): IndexedTrigger[] {
  const read = memoReader(subject);
  let pool = bucket.unkeyed;
  if (bucket.keyed.size > 0) {
    pool = [...bucket.unkeyed];
    for (const { path, byValue } of bucket.keyed.values()) {
      const found = read(path);
      if (typeof found.value === 'string') pool.push(...(byValue.get(found.value) ?? []));
    }
    pool.sort((a, b) => a.order - b.order);
  }
  return pool.filter((entry) => evaluateRuleSet(entry.rules, read));
}

// One event is read by many triggers with the same fields: look each field up once.
function memoReader(subject: unknown): FieldReader {
  const seen = new Map<string, Lookup>();
  return (path) => {
    let found = seen.get(path.whole);
    if (found === undefined) seen.set(path.whole, (found = lookupPath(subject, path)));
    return found;
  };
}

function bucketOf<K>(map: Map<K, Bucket>, key: K): Bucket {
  let bucket = map.get(key);
  if (!bucket) map.set(key, (bucket = { members: [], unkeyed: [], keyed: new Map() }));
  return bucket;
}

function fileMembers(bucket: Bucket): void {
  const keysOf = new Map<IndexedTrigger, FilingKey[]>();
  const shared = new Map<string, number>();
  for (const entry of bucket.members) {
    const keys = filingKeys(entry.rules);
    keysOf.set(entry, keys);
    for (const key of keys) {
      for (const v of key.values)
        shared.set(pairId(key.field, v), (shared.get(pairId(key.field, v)) ?? 0) + 1);
    }
  }
  // A key's cost: how many triggers a push carrying one of its values would meet.
  const cost = (key: FilingKey): number =>
    [...key.values].reduce((n, v) => n + (shared.get(pairId(key.field, v)) ?? 0), 0);
  for (const entry of bucket.members) {
    let best: FilingKey | undefined;
    for (const key of keysOf.get(entry) ?? [])
      if (best === undefined || cost(key) < cost(best)) best = key;
    if (best === undefined) {
      bucket.unkeyed.push(entry);
      continue;
    }
    let byField = bucket.keyed.get(best.field);
    if (!byField) {
      byField = { path: compileFieldPath(best.field), byValue: new Map() };
      bucket.keyed.set(best.field, byField);
    }
    for (const value of best.values) listOf(byField.byValue, value).push(entry);
  }
  bucket.members = [];
}

function pairId(field: string, value: string): string {
  return `${field}\u0000${value}`;
}

function listOf(map: Map<string, IndexedTrigger[]>, value: string): IndexedTrigger[] {
  let list = map.get(value);
  if (!list) map.set(value, (list = []));
  return list;
}

interface FilingKey {
  field: string;
  values: Set<string>;
}

/**
 * Rules that every match must satisfy and that only a string field equal to one of known
 * texts can satisfy: `=` or `in` with text values that are neither numeric nor "true"/"false"
 * (those also equal numbers and booleans, see compare.ts).
 */
function filingKeys(set: CompiledRuleSet): FilingKey[] {
  if (set.match === 'any' && set.rules.length !== 1) return [];
  const keys: FilingKey[] = [];
  for (const { rule } of set.rules) {
    const values = exactTexts(rule);
    if (values) keys.push({ field: rule.field, values });
  }
  return keys;
}

function exactTexts(rule: Rule): Set<string> | undefined {
  const list =
    rule.op === '='
      ? [rule.value]
      : rule.op === 'in' && Array.isArray(rule.value)
        ? rule.value
        : undefined;
  if (!list || list.length === 0 || !list.every(isPlainText)) return undefined;
  return new Set(list as string[]);
}

function isPlainText(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    asNumber(value) === undefined &&
    value !== 'true' &&
    value !== 'false'
  );
}
