import type { TriggerSource } from './types.ts';

/** A table write as a function sees it in `event.change` (SPEC §4). */
export interface TableChangeView {
  event: 'create' | 'update' | 'delete';
  table: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * What a function action of a trigger gets: MinCloud passes a table trigger's function the
 * record itself in `event.data` (after a create or update, the deleted row for a delete), so
 * functions written for it read `event.data.id` directly; the write itself moves to
 * `event.change`. Other sources pass their event through unchanged.
 */
export function functionEventOf(
  source: Pick<TriggerSource, 'type'>,
  data: unknown,
): { data: unknown; change?: TableChangeView } {
  if (source.type !== 'table' || data === null || typeof data !== 'object') return { data };
  const d = data as Record<string, unknown>;
  if (!Object.hasOwn(d, 'after') && !Object.hasOwn(d, 'before')) return { data };
  const before = (d['before'] ?? null) as TableChangeView['before'];
  const after = (d['after'] ?? null) as TableChangeView['after'];
  const event = d['event'] as TableChangeView['event'];
  const record = event === 'delete' ? before : (after ?? before);
  return { data: record, change: { event, table: String(d['table']), before, after } };
}
