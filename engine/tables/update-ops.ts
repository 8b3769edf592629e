/**
 * Applying a MinCloud update document to a record's values (pure). The wire format is
 * MinCloud's: `{field: value}` sets; `{field: {$incr_by | $append | $append_unique |
 * $remove | $pop | $update | $unset: arg}}` are the atomic operations; `{$set: {...},
 * $unset: {...}}` (the SDK's own shape) is accepted too. A dotted key (`stats.visits`)
 * reaches into an `object` field. All problems are collected so that one refusal names
 * every bad field.
 */
import { TableError, type FieldIssue } from './errors.ts';
import { isSystemField, isUsablePathSegment } from './names.ts';
import type { FieldDef } from './table-store.ts';
import { checkValue, isPlainObject } from './values.ts';
import { checkJson as measureJson, MAX_INPUT_DEPTH } from '../../runtime/json-limits.ts';

const OPERATORS = new Set([
  '$unset',
  '$incr_by',
  '$append',
  '$append_unique',
  '$remove',
  '$pop',
  '$update',
]);
const MAX_ENTRIES = 1000;

type Step = { ok: true; value: unknown } | { ok: false; kind: FieldIssue['kind']; message: string };

export interface AppliedUpdate {
  /** Changed fields and their checked new values (null for cleared). */
  values: Map<string, unknown>;
  issues: FieldIssue[];
  /** A new `created_by` (a user id, or null), when the document sets it. */
  createdBy?: number | null;
  /** New ACL lists (`read_perm`, `write_perm`; null clears), when the document sets them. */
  acl?: { read_perm?: string[] | null; write_perm?: string[] | null };
}

// MinCloud's ACL entries (schema/table.md): everyone, signed-in users, one user, one group.
const ACL_ENTRY = /^(user:(anonymous|\*|[1-9][0-9]{0,15})|gid:[1-9][0-9]{0,15})$/;

function aclOf(field: string, raw: unknown): Step {
  if (raw === null) return { ok: true, value: null };
  if (
    !Array.isArray(raw) ||
    raw.length > 100 ||
    !raw.every((e) => typeof e === 'string' && ACL_ENTRY.test(e))
  )
    return bad(
      'type',
      `'${field}' takes a list of "user:anonymous", "user:*", "user:<user id>" or "gid:<group id>"`,
    );
  return { ok: true, value: [...new Set(raw as string[])] };
}

const USER_ID = /^[1-9][0-9]{0,15}$/;

/**
 * `created_by` is the one system field a write may set (MinCloud's docs tell cloud functions
 * to, since their writes have no user): a user id as an integer, its decimal string (what a
 * `new BaaS.User().getWithoutData(id)` becomes on the wire), a `{id}` pointer, or null.
 */
function createdByOf(raw: unknown): Step {
  if (raw === null) return { ok: true, value: null };
  const id = isPlainObject(raw) ? raw.id : raw;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return { ok: true, value: id };
  if (typeof id === 'string' && USER_ID.test(id) && Number.isSafeInteger(Number(id)))
    return { ok: true, value: Number(id) };
  return bad('type', "'created_by' takes a user id (a positive integer) or null");
}

function flatten(doc: unknown): Array<[string, unknown]> {
  if (!isPlainObject(doc))
    throw new TableError(
      'E_TABLE_BAD_UPDATE',
      'The record data must be a JSON object of field values.',
    );
  const entries: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(doc)) {
    if (value === undefined) continue;
    if (key === '$set' || key === '$unset') {
      if (!isPlainObject(value))
        throw new TableError('E_TABLE_BAD_UPDATE', `${key} must be an object of fields.`);
      for (const [k, v] of Object.entries(value))
        entries.push([k, key === '$set' ? v : { $unset: '' }]);
    } else {
      entries.push([key, value]);
    }
  }
  if (entries.length > MAX_ENTRIES)
    throw new TableError('E_TABLE_BAD_UPDATE', `An update has at most ${MAX_ENTRIES} entries.`);
  return entries;
}

/** The operator of a value, when it is an operator object like `{$incr_by: 1}`. */
function operatorOf(value: unknown): [string, unknown] | null {
  if (!isPlainObject(value)) return null;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !OPERATORS.has(keys[0]!)) return null;
  return [keys[0]!, value[keys[0]!]];
}

function stableKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableKey).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableKey(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function bad(kind: FieldIssue['kind'], message: string): Step {
  return { ok: false, kind, message };
}

function applyOperator(label: string, op: string, arg: unknown, current: unknown): Step {
  const cur = current === undefined ? null : current;
  switch (op) {
    case '$unset':
      return { ok: true, value: undefined };
    case '$incr_by': {
      if (typeof arg !== 'number' || !Number.isFinite(arg))
        return bad('bad_update', `incrementBy on '${label}' needs a finite number`);
      if (cur !== null && typeof cur !== 'number')
        return bad('type', `incrementBy on '${label}' needs a number there, found ${typeof cur}`);
      return { ok: true, value: (cur ?? 0) + arg };
    }
    case '$append':
    case '$append_unique':
    case '$remove': {
      const items = Array.isArray(arg) ? arg : [arg];
      // stableKey and the stored JSON recurse per level: bound the items before either.
      const shape = measureJson(items, { maxDepth: MAX_INPUT_DEPTH + 1 });
      if (!shape.ok)
        return bad('too_deep', `${op.slice(1)} on '${label}': the items are ${shape.message}`);
      if (cur !== null && !Array.isArray(cur))
        return bad('type', `${op.slice(1)} on '${label}' needs an array there`);
      const list = (cur ?? []) as unknown[];
      if (op === '$append') return { ok: true, value: [...list, ...items] };
      const keys = new Set(list.map(stableKey));
      if (op === '$remove') {
        const drop = new Set(items.map(stableKey));
        return { ok: true, value: list.filter((x) => !drop.has(stableKey(x))) };
      }
      const out = [...list];
      for (const item of items) {
        const key = stableKey(item);
        if (!keys.has(key)) {
          keys.add(key);
          out.push(item);
        }
      }
      return { ok: true, value: out };
    }
    case '$pop': {
      if (arg !== 1 && arg !== -1)
        return bad('bad_update', `$pop on '${label}' takes 1 (pop, last) or -1 (shift, first)`);
      if (cur !== null && !Array.isArray(cur))
        return bad('type', `${arg === 1 ? 'pop' : 'shift'} on '${label}' needs an array there`);
      const list = (cur ?? []) as unknown[];
      return { ok: true, value: arg === 1 ? list.slice(0, -1) : list.slice(1) };
    }
    case '$update': {
      if (!isPlainObject(arg))
        return bad('bad_update', `patchObject on '${label}' needs an object`);
      if (cur !== null && !isPlainObject(cur))
        return bad('type', `patchObject on '${label}' needs an object there`);
      return { ok: true, value: { ...((cur ?? {}) as object), ...arg } };
    }
    default:
      return bad('bad_update', `unknown operator ${op} on '${label}'`);
  }
}

/** Applies `fn` at `path` inside `base` (objects are copied, never mutated). */
function applyAt(
  base: unknown,
  path: string[],
  label: string,
  fn: (current: unknown) => Step,
): Step {
  if (path.length === 0) return fn(base);
  if (base !== null && base !== undefined && !isPlainObject(base))
    return bad('type', `'${label}' goes through a value that is not an object`);
  const [seg, ...rest] = path as [string, ...string[]];
  const copy: Record<string, unknown> = { ...((base ?? {}) as Record<string, unknown>) };
  const inner = applyAt(Object.hasOwn(copy, seg) ? copy[seg] : undefined, rest, label, fn);
  if (!inner.ok) return inner;
  if (inner.value === undefined) delete copy[seg];
  else copy[seg] = inner.value;
  return { ok: true, value: copy };
}

function checkPath(key: string, def: FieldDef): string[] | Step {
  const segments = key.split('.').slice(1);
  // applyAt recurses once per segment, and the value it builds may nest no deeper anyway.
  if (segments.length >= MAX_INPUT_DEPTH)
    return bad('too_deep', `'${key.slice(0, 64)}…' is a path over ${MAX_INPUT_DEPTH} levels deep`);
  if (def.type !== 'object')
    return bad(
      'type',
      `'${key}': a dotted path only reaches into object fields, '${def.name}' is ${def.type}`,
    );
  for (const seg of segments) {
    if (!isUsablePathSegment(seg)) return bad('bad_update', `'${key}' is not a usable path`);
  }
  return segments;
}

/**
 * Applies an update document to `current` (null when creating). Returns the changed
 * fields with checked values, plus every issue found; on create, absent fields get their
 * default and required fields are enforced.
 */
export function applyUpdate(
  fields: ReadonlyMap<string, FieldDef>,
  current: Readonly<Record<string, unknown>> | null,
  doc: unknown,
): AppliedUpdate {
  const working = new Map<string, unknown>();
  const issues: FieldIssue[] = [];
  let createdBy: number | null | undefined;
  let acl: AppliedUpdate['acl'];
  for (const [key, raw] of flatten(doc)) {
    const head = key.split('.', 1)[0]!;
    if ((key === 'read_perm' || key === 'write_perm') && operatorOf(raw) === null) {
      const step = aclOf(key, raw);
      if (step.ok) acl = { ...acl, [key]: step.value as string[] | null };
      else issues.push({ field: head, kind: step.kind, message: step.message });
      continue;
    }
    if (key === 'created_by' && operatorOf(raw) === null) {
      const step = createdByOf(raw);
      if (step.ok) createdBy = step.value as number | null;
      else issues.push({ field: head, kind: step.kind, message: step.message });
      continue;
    }
    if (isSystemField(head)) {
      issues.push({
        field: head,
        kind: 'system',
        message: `'${head}' is a system field set by the engine`,
      });
      continue;
    }
    const def = fields.get(head);
    if (!def) {
      issues.push({
        field: head,
        kind: 'unknown',
        message: `field '${head}' does not exist in the table`,
      });
      continue;
    }
    let path: string[] = [];
    if (key.includes('.')) {
      const checked = checkPath(key, def);
      if (!Array.isArray(checked)) {
        if (!checked.ok) issues.push({ field: head, kind: checked.kind, message: checked.message });
        continue;
      }
      path = checked;
    }
    const op = operatorOf(raw);
    const fn = (cur: unknown): Step =>
      op ? applyOperator(key, op[0], op[1], cur) : { ok: true, value: raw };
    const base = working.has(head)
      ? working.get(head)
      : current && Object.hasOwn(current, head)
        ? current[head]
        : null;
    const step = applyAt(base, path, key, fn);
    if (!step.ok) issues.push({ field: head, kind: step.kind, message: step.message });
    else working.set(head, step.value === undefined ? null : step.value);
  }
  if (current === null) {
    for (const def of fields.values()) {
      if (!working.has(def.name)) working.set(def.name, def.default ?? null);
    }
  }
  const values = new Map<string, unknown>();
  for (const [name, value] of working) {
    const def = fields.get(name)!;
    if (value === null) {
      if (def.required)
        issues.push({ field: name, kind: 'required', message: `field '${name}' is required` });
      else values.set(name, null);
      continue;
    }
    const checked = checkValue(def, value);
    if (checked.ok) values.set(name, checked.value);
    else issues.push({ field: name, kind: checked.kind, message: checked.message });
  }
  const applied: AppliedUpdate = { values, issues };
  if (createdBy !== undefined) applied.createdBy = createdBy;
  if (acl !== undefined) applied.acl = acl;
  return applied;
}
