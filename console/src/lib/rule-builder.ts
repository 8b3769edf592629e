/**
 * The trigger page's rule builder: rows of (field, op, value text) become the trigger's
 * `rules` (docs/triggers.md, "Rules"). Pure, so the unit tests run it under Node.
 */
import type { Rule, RuleOp } from '../../../engine/triggers/types.ts';

// The rule model is the engine's own (types only: nothing of the engine enters the bundle).
export type { Rule, RuleOp };

/** The operators the rule builder offers, in its order; the engine's type keeps them in step. */
export const RULE_OPS = [
  '=',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  'in',
  'contains',
  'regex',
  'exists',
  'isempty',
] as const satisfies readonly RuleOp[];
// Fails to compile when the engine gains an operator the builder does not offer.
const offersEveryOp: Exclude<RuleOp, (typeof RULE_OPS)[number]> extends never ? true : never = true;
void offersEveryOp;

export interface RuleRow {
  field: string;
  op: RuleOp;
  value: string;
}

/** A row whose value cannot be used; `index` is the row. */
export class RuleInputError extends Error {
  readonly index: number;
  constructor(index: number, message: string) {
    super(message);
    this.name = 'RuleInputError';
    this.index = index;
  }
}

/**
 * The value as JSON when it is JSON (`42`, `true`, `["a","b"]`, `"0042"`), else the text itself:
 * `user_consume_card` needs no quotes. `in` takes a JSON array or comma-separated values.
 */
export function ruleValue(row: RuleRow, index = 0): unknown {
  const text = row.value.trim();
  if (row.op === 'exists' || row.op === 'isempty') {
    if (text === '') return undefined;
    if (text === 'true' || text === 'false') return text === 'true';
    throw new RuleInputError(index, `${row.op} takes nothing, true or false`);
  }
  if (row.op === 'regex') return row.value;
  if (row.op === 'in') {
    if (text.startsWith('[')) {
      try {
        const list: unknown = JSON.parse(text);
        if (Array.isArray(list) && list.length > 0) return list;
      } catch {
        // fall through to the error below
      }
      throw new RuleInputError(index, 'in needs a non-empty JSON array or comma-separated values');
    }
    const parts = text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (parts.length === 0) throw new RuleInputError(index, 'in needs at least one value');
    return parts.map((p) => jsonOrText(p));
  }
  if (row.op === '>' || row.op === '>=' || row.op === '<' || row.op === '<=') {
    const n = Number(text);
    return text !== '' && Number.isFinite(n) ? n : row.value;
  }
  return jsonOrText(row.value);
}

function jsonOrText(text: string): unknown {
  const t = text.trim();
  if (/^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null|".*"|\[.*\]|\{.*\})$/s.test(t)) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export function buildRules(rows: RuleRow[]): Rule[] {
  return rows.map((row, i) => {
    if (row.field.trim() === '') throw new RuleInputError(i, 'choose a field');
    const value = ruleValue(row, i);
    return value === undefined
      ? { field: row.field.trim(), op: row.op }
      : { field: row.field.trim(), op: row.op, value };
  });
}

/** Rules as stored → rows for the builder (the inverse of buildRules, for editing). */
export function rowsOf(rules: Rule[]): RuleRow[] {
  return rules.map((r) => ({
    field: r.field,
    op: r.op,
    value:
      r.value === undefined
        ? ''
        : typeof r.value === 'string' && !/^(-?\d|true$|false$|null$|["[{])/.test(r.value)
          ? r.value
          : JSON.stringify(r.value),
  }));
}
