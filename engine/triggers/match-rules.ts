import { asText, compareValues, containsValue, isEmptyValue, valuesEqual } from './compare.ts';
import { TriggerInvalidError } from './errors.ts';
import { compileFieldPath, lookupPath } from './field-path.ts';
import type { FieldPath, Lookup } from './field-path.ts';
import { checkRule } from './rule-check.ts';
import type { LinearRegex } from '../limits/linear-regex.ts';
import { compileRuleRegex } from './rule-regex.ts';
import type { MatchMode, Rule, RuleCondition } from './types.ts';

/** A rule ready to evaluate: its path split and its regex compiled once. */
export interface CompiledRule {
  rule: Rule;
  path: FieldPath;
  regex: LinearRegex | undefined;
}

export interface CompiledRuleSet {
  match: MatchMode;
  rules: CompiledRule[];
}

/** Reads a field of the event; matchTriggers passes one that remembers lookups per event. */
export type FieldReader = (path: FieldPath) => Lookup;

export interface RuleExplanation {
  index: number;
  field: string;
  op: Rule['op'];
  value: unknown;
  /** The field's value in the event; undefined when the field is missing. */
  actual: unknown;
  matched: boolean;
  /** Why the rule did not match, in words. */
  reason?: string;
}

const compiledCache = new WeakMap<object, CompiledRuleSet>();

/**
 * Compiles a condition's rules, refusing invalid ones with E_TRIGGER_INVALID /
 * E_TRIGGER_BAD_REGEX. Cached per condition object: conditions are treated as immutable.
 */
export function compileRuleSet(condition: RuleCondition): CompiledRuleSet {
  const cached = compiledCache.get(condition);
  if (cached) return cached;
  const rules = condition.rules ?? [];
  const issues = rules.flatMap((rule, i) => checkRule(rule, `condition.rules[${i}]`));
  if (issues.length > 0) throw new TriggerInvalidError(issues);
  const compiled: CompiledRuleSet = {
    match: condition.match ?? 'all',
    rules: rules.map((rule) => {
      const re = rule.op === 'regex' ? compileRuleRegex(rule.value) : undefined;
      return { rule, path: compileFieldPath(rule.field), regex: re?.ok ? re.regex : undefined };
    }),
  };
  compiledCache.set(condition, compiled);
  return compiled;
}

/** Evaluates compiled rules against an event; an empty rule list matches everything. */
export function evaluateRuleSet(set: CompiledRuleSet, read: FieldReader): boolean {
  if (set.rules.length === 0) return true;
  if (set.match === 'all') {
    for (const r of set.rules) if (!evaluateRule(r, read(r.path))) return false;
    return true;
  }
  for (const r of set.rules) if (evaluateRule(r, read(r.path))) return true;
  return false;
}

/** True when one rule holds for the field's lookup result. */
export function evaluateRule(compiled: CompiledRule, lookup: Lookup): boolean {
  const { rule } = compiled;
  const { found, value: actual } = lookup;
  switch (rule.op) {
    case '=':
      return found ? valuesEqual(actual, rule.value) : rule.value === null;
    case '!=':
      return found ? !valuesEqual(actual, rule.value) : rule.value !== null;
    case '>':
      return ordered(lookup, rule.value, (c) => c > 0);
    case '>=':
      return ordered(lookup, rule.value, (c) => c >= 0);
    case '<':
      return ordered(lookup, rule.value, (c) => c < 0);
    case '<=':
      return ordered(lookup, rule.value, (c) => c <= 0);
    case 'in':
      return (
        Array.isArray(rule.value) &&
        rule.value.some((candidate) =>
          found ? valuesEqual(actual, candidate) : candidate === null,
        )
      );
    case 'contains':
      return found && containsValue(actual, rule.value);
    case 'regex': {
      const text = found ? asText(actual) : undefined;
      return text !== undefined && compiled.regex !== undefined && compiled.regex.test(text);
    }
    case 'exists':
      return found === (rule.value !== false);
    case 'isempty':
      return isEmptyValue(found ? actual : undefined) === (rule.value !== false);
  }
}

function ordered(lookup: Lookup, expected: unknown, test: (order: number) => boolean): boolean {
  if (!lookup.found) return false;
  const order = compareValues(lookup.value, expected);
  return order !== undefined && test(order);
}

/** Reads fields straight from the event. */
export function directReader(data: unknown): FieldReader {
  return (path) => lookupPath(data, path);
}

/** Whether an event satisfies a condition's rules (`match` all/any; no rules match all). */
export function matchRules(condition: RuleCondition, data: unknown): boolean {
  return evaluateRuleSet(compileRuleSet(condition), directReader(data));
}

/** matchRules, rule by rule, with the value found and why each failing rule failed. */
export function explainMatch(
  condition: RuleCondition,
  data: unknown,
): { matched: boolean; rules: RuleExplanation[] } {
  const set = compileRuleSet(condition);
  const rules = set.rules.map((compiled, index): RuleExplanation => {
    const lookup = lookupPath(data, compiled.path);
    const matched = evaluateRule(compiled, lookup);
    const { field, op, value } = compiled.rule;
    const row: RuleExplanation = { index, field, op, value, actual: lookup.value, matched };
    if (!matched) row.reason = whyNot(compiled, lookup);
    return row;
  });
  const matched =
    rules.length === 0 ||
    (set.match === 'all' ? rules.every((r) => r.matched) : rules.some((r) => r.matched));
  return { matched, rules };
}

function whyNot(compiled: CompiledRule, lookup: Lookup): string {
  const { field, op, value } = compiled.rule;
  const shown = JSON.stringify(value);
  if (!lookup.found) {
    if (op === 'exists') return `field "${field}" is missing`;
    return `field "${field}" is missing from the event (names are tried exactly, then ignoring case)`;
  }
  const actual = `${JSON.stringify(lookup.value)} (${describeType(lookup.value)})`;
  switch (op) {
    case '>':
    case '>=':
    case '<':
    case '<=':
      if (compareValues(lookup.value, value) === undefined) {
        return typeof value === 'number'
          ? `${actual} is not a number, so it cannot be compared with ${shown}`
          : `${actual} cannot be ordered against the text ${shown}; use a number value to compare numerically`;
      }
      return `${actual} ${op} ${shown} is false`;
    case 'regex':
      return asText(lookup.value) === undefined
        ? `${actual} is not text, so ${shown} cannot test it`
        : `${actual} does not match ${shown}`;
    case 'exists':
      return `field "${field}" exists`;
    case 'isempty':
      return value === false ? `${actual} is empty` : `${actual} is not empty`;
    case 'contains':
      return `${actual} does not contain ${shown}`;
    case 'in':
      return `${actual} is not one of ${shown}`;
    default:
      return `${actual} ${op} ${shown} is false`;
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
