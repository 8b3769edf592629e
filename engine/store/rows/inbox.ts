import type { InboxSource, InboxStatus, InboxSummary, PendingInboxEntry } from '../ports.ts';

/** The status column (`dispatched` on SQLite, `status` on PostgreSQL): 0 pending, 1 dispatched, 2 set aside. */
export const STATUS_OF: Record<number, InboxStatus> = {
  0: 'pending',
  1: 'dispatched',
  2: 'dispatch_failed',
};
export const CODE_OF: Record<InboxStatus, number> = {
  pending: 0,
  dispatched: 1,
  dispatch_failed: 2,
};

/** A summary's columns but the status one, whose name each backend chooses. */
export interface SummaryColumns {
  id: string;
  source: InboxSource;
  key: string;
  received_at: number;
  dispatch_error: string | null;
  failed_at: number | null;
}

export const toInboxSummary = (row: SummaryColumns, statusCode: number): InboxSummary => ({
  id: row.id,
  source: row.source,
  key: row.key,
  receivedAt: row.received_at,
  status: STATUS_OF[statusCode] ?? 'pending',
  error: row.dispatch_error,
  failedAt: row.failed_at,
});

/** A pending `inbox` row, as both backends read it. */
export interface PendingRow {
  id: string;
  source: InboxSource;
  key: string;
  dedup_key: string | null;
  data: string;
  received_at: number;
}

/** One pending row; data that does not parse is reported, not thrown (one bad row must not stop the rest). */
export function toPending(row: PendingRow): PendingInboxEntry {
  const entry: PendingInboxEntry = {
    id: row.id,
    source: row.source,
    key: row.key,
    dedupKey: row.dedup_key,
    data: null,
    receivedAt: row.received_at,
  };
  try {
    entry.data = JSON.parse(row.data) as unknown;
  } catch (err) {
    entry.unreadable = `its stored data is not readable JSON (${(err as Error).message})`;
  }
  return entry;
}
