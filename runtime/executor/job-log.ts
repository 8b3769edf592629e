/** A job's console log: lines capped in length, the whole capped in bytes, then one notice. */
import type { SandboxLimits } from '../limits.ts';
import type { LogLine } from '../sandbox.ts';
import type { Job } from './job.ts';

const LEVELS = new Set(['log', 'info', 'warn', 'error']);

/** Appends one guest console line; answers false once the job's log is full (the guest stops). */
export function appendLog(
  job: Job,
  limits: Pick<SandboxLimits, 'maxLogBytesPerJob' | 'maxLogLineChars'>,
  level: unknown,
  message: unknown,
): boolean {
  if (job.ended || job.logFull) return false;
  if (typeof level !== 'string' || !LEVELS.has(level) || typeof message !== 'string') return true;
  const max = limits.maxLogBytesPerJob;
  const text =
    message.length > limits.maxLogLineChars
      ? `${message.slice(0, limits.maxLogLineChars)}… [line truncated]`
      : message;
  const bytes = Buffer.byteLength(text) + 1;
  if (job.logBytes + bytes > max) {
    job.logFull = true;
    job.log.push({
      level: 'warn',
      message: `[log truncated: this job's output passed ${max} bytes]`,
      at: Date.now(),
    });
    return false;
  }
  job.logBytes += bytes;
  job.log.push({ level: level as LogLine['level'], message: text, at: Date.now() });
  return true;
}
