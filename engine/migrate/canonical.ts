/**
 * How a value crosses from SQLite to PostgreSQL, and how both sides' values are rendered the
 * same way for a checksum (pure). Each column has a kind; the checksum is SHA-256 over the
 * rows in key order, each rendered as a JSON array of its normalised values, so a row that
 * changed on the way (a lost NUL escape, a reordered object, a boolean as 0/1) changes it.
 */
import { createHash, type Hash } from 'node:crypto';
import { escapeJson, escapeText, unescapeText } from '../tables/postgres/nul-escape.ts';
import { parseJsonb } from '../tables/postgres/codec.ts';

/**
 * - `text`: the engine's own text columns, copied as they are (JSON kept as text included);
 * - `userText`: a data table's string, date, pointer or id: NUL-escaped on PostgreSQL;
 * - `int`, `real`: numbers (bigint arrives as a number: the pool's parser);
 * - `bool`: SQLite's 0/1, PostgreSQL's boolean;
 * - `json`: JSON text on SQLite, jsonb on PostgreSQL (NUL-escaped, keys reordered by it).
 */
export type Kind = 'text' | 'userText' | 'int' | 'real' | 'bool' | 'json';

export type PgParam = string | number | boolean | null;

/** The parameter written to PostgreSQL for a value read from SQLite. */
export function toTargetParam(kind: Kind, value: unknown): PgParam {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bool':
      return value !== 0 && value !== 0n;
    case 'int':
    case 'real':
      return typeof value === 'bigint' ? Number(value) : (value as number);
    case 'userText':
      return escapeText(String(value));
    case 'json':
      return escapeJson(String(value));
    default:
      return String(value);
  }
}

/** A source (SQLite) value, normalised for the checksum. */
export function fromSource(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bool':
      return value !== 0 && value !== 0n;
    case 'int':
    case 'real':
      return Number(value);
    case 'json':
      return canonicalJson(JSON.parse(String(value)));
    default:
      return String(value);
  }
}

/** A target (PostgreSQL) value, normalised for the checksum. */
export function fromTarget(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bool':
      return value === true;
    case 'int':
    case 'real':
      return Number(value);
    case 'userText':
      return unescapeText(String(value));
    case 'json':
      return canonicalJson(parseJsonb(String(value)));
    default:
      return String(value);
  }
}

/**
 * A JSON value with its objects' keys sorted, as text: jsonb keeps keys in its own order (and
 * one of duplicates, the last, as JSON.parse does), so only a canonical order compares.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** Rows counted and hashed in the order they are given. */
export class RowChecksum {
  private readonly hash: Hash = createHash('sha256');
  rows = 0;

  add(normalised: unknown[]): void {
    this.hash.update(JSON.stringify(normalised));
    this.hash.update('\n');
    this.rows++;
  }

  /** Hex SHA-256 (of nothing, for an empty table). */
  digest(): string {
    return this.hash.digest('hex');
  }
}
