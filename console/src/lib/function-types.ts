/** Shapes of the functions API (docs/functions.md). */
export interface FunctionInfo {
  name: string;
  version: number;
  sha256?: string;
  timeoutMs?: number;
  memoryMb?: number;
  env: string[];
  created_at: string;
  updated_at: string;
}

export interface VersionInfo {
  name: string;
  version: number;
  sha256: string;
  timeoutMs: number;
  memoryMb: number;
  env: string[];
  created_at: string;
  code?: string;
}

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
