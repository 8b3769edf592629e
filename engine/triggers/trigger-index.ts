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
 * hold and include `Event = "subscribe"` (a text value, or `in` a list of texts) is filed under
 * that field and value: a push then meets only the triggers filed under its own value of the
 * field, plus the unfiled ones. Every candidate is still evaluated in full, so the filing is
 * only a pre-filter and cannot change a result.
 */

interface IndexedTrigger {
  definition: TriggerDefinition;
  order: number;
  rules: CompiledRuleSet;
}

interface Bucket {
  unkeyed: IndexedTrigger[];
  keyed: Map<string, { path: FieldPath; byValue: Map<string, IndexedTrigger[]> }>;
}

export interface TriggerIndex {
  readonly size: number;
  readonly wechat: Map<string, Bucket>;
  readonly reply: Map<string, Bucket>;
  readonly table: Map<string, Map<TableEvent, Bucket>>;
  readonly byName: Map<string, IndexedTrigger>;
}

/** Builds the match index of the enabled triggers (disabled ones are left out). */
export function buildTriggerIndex(triggers: readonly TriggerDefinition[]): TriggerIndex {
  const index: TriggerIndex = {
    size: 0,
    wechat: new Map(),
    reply: new Map(),
    table: new Map(),
    byName: new Map(),
  };
  let order = 0;
  for (const definition of triggers) {
    if (!definition.enabled) continue;
    const rules = compileRuleSet('rules' in definition.condition ? definition.condition : {});
    const entry: IndexedTrigger = { definition, order: order++, rules };
    switch (definition.type) {
      case 'wechat_message': {
        const target = definition.reply === true ? index.reply : index.wechat;
        file(bucketOf(target, definition.condition.appId), entry);
        break;
      }
      case 'table': {
        let events = index.table.get(definition.condition.table);
        if (!events) index.table.set(definition.condition.table, (events = new Map()));
        for (const event of new Set(definition.condition.on)) file(bucketOf(events, event), entry);
        break;
      }
      case 'timer':
      case 'webhook':
        index.byName.set(definition.name, entry);
        break;
    }
  }
  return { ...index, size: order };
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
  if (!bucket) map.set(key, (bucket = { unkeyed: [], keyed: new Map() }));
  return bucket;
}

function file(bucket: Bucket, entry: IndexedTrigger): void {
  const key = filingKey(entry.rules);
  if (key === undefined) {
    bucket.unkeyed.push(entry);
    return;
  }
  let byField = bucket.keyed.get(key.field);
  if (!byField)
    bucket.keyed.set(
      key.field,
      (byField = { path: compileFieldPath(key.field), byValue: new Map() }),
    );
  for (const value of key.values) {
    const list = byValue(byField.byValue, value);
    list.push(entry);
  }
}

function byValue(map: Map<string, IndexedTrigger[]>, value: string): IndexedTrigger[] {
  let list = map.get(value);
  if (!list) map.set(value, (list = []));
  return list;
}

/**
 * A rule that every match must satisfy and that only a string field equal to one of known
 * texts can satisfy: `=` or `in` with text values that are neither numeric nor "true"/"false"
 * (those also equal numbers and booleans, see compare.ts).
 */
function filingKey(set: CompiledRuleSet): { field: string; values: Set<string> } | undefined {
  if (set.match === 'any' && set.rules.length !== 1) return undefined;
  for (const { rule } of set.rules) {
    const values = exactTexts(rule);
    if (values) return { field: rule.field, values };
  }
  return undefined;
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
