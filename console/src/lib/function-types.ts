/** Shapes of the functions API (docs/functions.md). */
// The functions API's own shapes, from the engine (types only).
export type { FunctionInfo, VersionInfo } from '../../../engine/functions/api-shapes.ts';

export interface LogLine {
  level: string;
  message: string;
  at: number;
}

export interface Job {
  id: string;
  function: string;
  version: number;
  source: string;
  status: string;
  created_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  trigger: string | null;
  trigger_log_id: string | null;
  data: unknown;
  result: unknown;
  error: { name?: string; message?: string; stack?: string; code?: string } | null;
  log: LogLine[];
}

export interface TestRun {
  status: string;
  result?: unknown;
  error?: { name?: string; message?: string; stack?: string; code?: string };
  log: LogLine[];
  duration_ms: number;
  memory_bytes: number;
}
