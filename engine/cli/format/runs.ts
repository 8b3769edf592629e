import { paint, statusColour } from './colour.ts';
import { renderLogLines, type LogLine } from './job.ts';
import { formatBytes, formatDuration, formatTime, inline } from './values.ts';

/** A job as GET /functions/:name/jobs returns it. */
export interface JobRow {
  id: string;
  function: string;
  version?: number;
  source: string;
  status: string;
  created_at: string;
  duration_ms: number | null;
  memory_bytes: number | null;
  trigger?: string | null;
  result?: unknown;
  error?: { message?: string; stack?: string } | null;
  log?: LogLine[];
}

/** A trigger log row as GET /triggers/:name/logs returns it. */
export interface TriggerLogRow {
  id: string;
  trigger: string;
  triggered_at: string;
  status: string;
  attempts: number;
  action: Record<string, unknown>;
  error_type?: string | null;
  error?: string | null;
  job_id?: string | null;
  duration_ms?: number | null;
}

// Wide enough for "deadline_exceeded", so rows of any status line up.
const STATUS_WIDTH = 18;

function status(value: string, colour: boolean): string {
  return paint(value.padEnd(STATUS_WIDTH), statusColour(value), colour);
}

/** One run: time, status, duration, memory, what started it, then its log and error indented. */
export function renderJob(job: JobRow, colour: boolean): string {
  const by = job.trigger ? `trigger ${job.trigger}` : job.source;
  const head = `${formatTime(job.created_at)}  ${status(job.status, colour)}  ${formatDuration(job.duration_ms).padStart(8)}  ${formatBytes(job.memory_bytes).padStart(8)}  v${job.version ?? '?'}  ${by}  ${paint(job.id, 'grey', colour)}`;
  const lines = [head];
  const log = renderLogLines(job.log ?? [], colour, '    ');
  if (log) lines.push(log);
  if (job.error?.message) lines.push(`    ${paint('error:', 'red', colour)} ${job.error.message}`);
  return lines.join('\n');
}

/** One firing of one action: time, status, attempts, the action, its job, and why it failed. */
export function renderTriggerLog(log: TriggerLogRow, colour: boolean): string {
  const action = `${inline(log.action.type)}:${inline(log.action.function ?? log.action.table ?? log.action.url)}`;
  const attempts = `${log.attempts} attempt${log.attempts === 1 ? '' : 's'}`;
  const parts = [
    formatTime(log.triggered_at),
    status(log.status, colour),
    attempts.padEnd(10),
    action,
  ];
  if (log.job_id) parts.push(paint(`job ${log.job_id}`, 'grey', colour));
  const lines = [parts.join('  ')];
  if (log.error)
    lines.push(`    ${paint(`${log.error_type ?? 'error'}:`, 'red', colour)} ${log.error}`);
  return lines.join('\n');
}
