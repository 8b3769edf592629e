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
  error?: RunError | null;
  log?: LogLine[];
}

/** A failed run's error as the API returns it (SerializedError). */
export interface RunError {
  name?: string;
  message?: string;
  stack?: string;
  code?: string;
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
  /** The error of the function run behind a failed firing (the CLI adds it from /jobs/:id). */
  job_error?: RunError | null;
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
  if (job.error) lines.push(...renderRunError(job.error, job.status, colour));
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
  if (log.job_error) lines.push(...renderRunError(log.job_error, log.error_type ?? '', colour));
  else if (log.error)
    lines.push(`    ${paint(`${log.error_type ?? 'error'}:`, 'red', colour)} ${log.error}`);
  return lines.join('\n');
}

/**
 * A failed run's code (the error's own `code`, else its name, else the run status) and
 * message, then the stack frames, indented under the row.
 */
export function renderRunError(error: RunError, status: string, colour: boolean): string[] {
  // The error's own code (E_…) when it has one, else its class (TypeError, …).
  const code = error.code ?? error.name ?? 'error';
  const lines = [
    `    ${paint(`${code}:`, 'red', colour)} ${error.message ?? `(no message; ${status})`}`,
  ];
  for (const frame of stackFrames(error.stack)) lines.push(`      ${paint(frame, 'grey', colour)}`);
  return lines;
}

/** The `at …` lines of a stack (its first lines repeat the message shown above them). */
export function stackFrames(stack: string | undefined): string[] {
  if (!stack) return [];
  return stack
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('at '));
}
