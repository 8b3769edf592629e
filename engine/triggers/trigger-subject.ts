import type { TriggerSource } from './types.ts';

/**
 * What rules and record templates of a trigger read. For most sources that is event.data
 * itself. A table source's event.data is `{event, before, after, table}` (SPEC §4) while its
 * rules are "on the record": so they read the row (after the write; before it for a delete),
 * with `$event`, `$before`, `$after` and `$table` beside its fields. `$` cannot start a field
 * name (SPEC §5), so these never hide a column.
 */
export function triggerSubject(source: Pick<TriggerSource, 'type'>, data: unknown): unknown {
  if (source.type !== 'table' || data === null || typeof data !== 'object') return data;
  const d = data as Record<string, unknown>;
  if (!Object.hasOwn(d, 'after') && !Object.hasOwn(d, 'before')) return data;
  const before = d['before'] ?? null;
  const after = d['after'] ?? null;
  const row = d['event'] === 'delete' ? before : (after ?? before);
  const fields = row !== null && typeof row === 'object' && !Array.isArray(row) ? row : {};
  return { ...fields, $event: d['event'], $before: before, $after: after, $table: d['table'] };
}
