/**
 * The shape of records and answers, the same on every backend (pure): ids (MinCloud's
 * 24-hex ObjectId-like ids, integer ids in the built-in tables), a record's keys in order,
 * `select('pointer.attr')`, and MinCloud's bulk answer.
 */
import { randomBytes } from 'node:crypto';
import type { FieldIssue } from './errors.ts';
import type { TableInfo } from './table-info.ts';
import type { BulkResult, RecordData, StoredRecord } from './table-store.ts';
import { isPlainObject } from './values.ts';

/** A record's field values by name. */
export type RecordCols = Map<string, unknown>;

// Random bytes are drawn 4 KiB at a time: one randomBytes call per id was ~6% of an insert.
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** Time-prefixed like a MongoDB ObjectId (MinCloud's ids): 8 hex of seconds + 16 random hex. */
export function defaultNewId(): string {
  if (randomOffset + 8 > randomPool.length) {
    randomPool = randomBytes(4096);
    randomOffset = 0;
  }
  const random = randomPool.toString('hex', randomOffset, randomOffset + 8);
  randomOffset += 8;
  const seconds = Math.floor(Date.now() / 1000) >>> 0;
  return seconds.toString(16).padStart(8, '0') + random;
}

const RECORD_ID = /^[0-9a-f]{24}$/;
const INTEGER_ID = /^[1-9][0-9]{0,15}$/;

/** The record id as the table stores it, or undefined when it cannot be one. */
export function storedId(info: TableInfo, id: unknown): string | number | undefined {
  if (!info.integerIds) return typeof id === 'string' && RECORD_ID.test(id) ? id : undefined;
  const n =
    typeof id === 'number' ? id : typeof id === 'string' && INTEGER_ID.test(id) ? Number(id) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * The `id` a record to import brings (WriteOptions.keepIds), checked; the rest of its data
 * goes through the ordinary checks. No `id` (or null) means the engine draws one.
 */
export function givenId(
  info: TableInfo,
  data: RecordData,
): { id?: string | number; issue?: FieldIssue; rest: RecordData } | undefined {
  if (!isPlainObject(data) || !Object.hasOwn(data, 'id')) return undefined;
  const { id: raw, ...rest } = data;
  if (raw === null || raw === undefined) return { rest };
  const id = storedId(info, raw);
  if (id !== undefined) return { id, rest };
  const shape = info.integerIds ? 'a positive integer' : '24 lowercase hex characters';
  return {
    rest,
    issue: {
      field: 'id',
      kind: 'type',
      message: `'id' must be ${shape} (MinCloud's record id), not ${JSON.stringify(raw).slice(0, 40)}`,
    },
  };
}

/**
 * `select('pointer.attr')`: an expanded pointer keeps only the named sub-fields (and `id`,
 * `_table`); a pointer that was not expanded is left as it is, as MinCloud ignores the
 * selection then.
 */
export function pickSubKeys(records: StoredRecord[], sub: Map<string, string[]>): StoredRecord[] {
  if (sub.size === 0) return records;
  for (const record of records) {
    for (const [field, names] of sub) {
      const value = record[field];
      if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
      const full = value as Record<string, unknown>;
      const kept: Record<string, unknown> = {};
      for (const name of ['id', '_table', ...names])
        if (Object.hasOwn(full, name)) kept[name] = full[name];
      (record as Record<string, unknown>)[field] = kept;
    }
  }
  return records;
}

/** Whether `expand` can turn a field into a record: a pointer, or created_by. */
export function expandable(info: TableInfo, field: string): boolean {
  return field === 'created_by' || info.fields.get(field)?.type === 'pointer';
}

/** A whole record in MinCloud's key order: id, fields, times, created_by, then ACL once set. */
export function assemble(
  info: TableInfo,
  id: string | number,
  createdAt: number,
  updatedAt: number,
  createdBy: number | null,
  values: RecordCols,
  acl: { read_perm: string[] | null; write_perm: string[] | null },
): StoredRecord {
  const record: Record<string, unknown> = { id };
  for (const f of info.fields.values()) record[f.name] = values.get(f.name) ?? null;
  record.created_at = createdAt;
  record.updated_at = updatedAt;
  record.created_by = createdBy;
  // Shown once set (as MinCloud's records show them); a record without them is open to all.
  if (acl.read_perm !== null) record.read_perm = acl.read_perm;
  if (acl.write_perm !== null) record.write_perm = acl.write_perm;
  return record as StoredRecord;
}

/** MinCloud's answer to a bulk update or delete, with the link to the next page. */
export function bulkResult(
  results: BulkResult['operation_result'],
  total: number,
  limit: number,
  offset: number,
): BulkResult {
  const more = offset + results.length < total && results.length === limit && limit > 0;
  return {
    succeed: results.length,
    total_count: total,
    offset,
    limit,
    next: more ? `?limit=${limit}&offset=${offset + limit}` : null,
    operation_result: results,
  };
}

/** Only the kept keys of a record (resolveKeys' answer), in that order. */
export function pickKeys(record: StoredRecord, keys: readonly string[] | undefined): StoredRecord {
  if (!keys) return record;
  const picked: Record<string, unknown> = {};
  for (const k of keys) picked[k] = record[k];
  return picked as StoredRecord;
}
