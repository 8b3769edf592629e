/**
 * Pure parsers for the CLI's own argument syntax (KEY=value pairs, Name:type fields, JSON or
 * @file data, event times). Each throws a usage error (exit 2) that says what was expected.
 */
import { FIELD_TYPES } from '../tables/field-types.ts';
import { isValidFieldName } from '../tables/names.ts';
import type { FieldType } from '../tables/table-store.ts';
import { usageError } from './errors.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface FieldSpec {
  name: string;
  type: FieldType;
  required?: boolean;
}

/** `KEY=value` pairs (the value may itself hold "=") into an object; later keys win. */
export function parseEnvPairs(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    if (at < 0 || !ENV_NAME.test(key)) {
      throw usageError(
        `"${pair}" is not KEY=value.`,
        'Environment names are letters, digits and _, e.g. API_KEY=abc123.',
      );
    }
    env[key] = pair.slice(at + 1);
  }
  return env;
}

/** `Name:type`, with a trailing `!` for a required field (`Amount:integer!`). */
export function parseFieldSpec(spec: string): FieldSpec {
  const match = /^([^:]+):([a-z]+)(!?)$/.exec(spec.trim());
  const type = match?.[2] as FieldType | undefined;
  if (!match || !isValidFieldName(match[1]) || !type || !FIELD_TYPES.includes(type)) {
    throw usageError(
      `"${spec}" is not a field: expected Name:type.`,
      `Types: ${FIELD_TYPES.join(', ')}; names match [A-Za-z_][A-Za-z0-9_]{0,31}; add ! for required, e.g. --field Amount:integer!.`,
    );
  }
  return { name: match[1]!, type, ...(match[3] ? { required: true } : {}) };
}

/**
 * The data argument of `invoke`: JSON text, or `@path` to read JSON from a file (`@-` for
 * stdin). Absent means null.
 */
export function parseDataArgument(
  argument: string | undefined,
  readFile: (path: string) => string,
): unknown {
  if (argument === undefined) return null;
  const fromFile = argument.startsWith('@');
  const text = fromFile ? readFile(argument.slice(1)) : argument;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usageError(
      `${fromFile ? `${argument.slice(1)} does not hold` : `"${truncate(argument)}" is not`} JSON (${(err as Error).message}).`,
      `Quote JSON for the shell, e.g. cloudfn invoke hello '{"name":"Ada"}', or read it from a file with @data.json.`,
    );
  }
}

/** `--event-time`: `now`, unix seconds, or an ISO-8601 time, as unix seconds. */
export function parseEventTime(value: string, nowMs: number): number {
  if (value === 'now') return Math.floor(nowMs / 1000);
  if (/^\d{1,12}$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw usageError(
      `--event-time "${value}" is not a time.`,
      'Use now, unix seconds (1713424427) or ISO-8601 (2025-04-18T07:13:47Z).',
    );
  }
  return Math.floor(parsed / 1000);
}

/** A positive integer option (`--timeout 5000`). */
export function parsePositiveInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0)
      throw usageError(`${name} must be a positive integer, not "${value}".`);
    return n;
  };
}

/** Collects a repeatable option into a list (`--field a:string --field b:integer`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
