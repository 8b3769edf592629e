import type { FunctionRecord, FunctionVersionRecord } from '../ports.ts';

/** A `functions` row, as both backends read it. */
export interface FunctionRow {
  name: string;
  active_version: number;
  created_at: number;
  updated_at: number;
}

/** A `function_versions` row, as both backends read it (env kept as JSON text). */
export interface VersionRow {
  name: string;
  version: number;
  code: string;
  sha256: string;
  timeout_ms: number;
  memory_mb: number;
  env: string;
  created_at: number;
}

export const toFunction = (row: FunctionRow): FunctionRecord => ({
  name: row.name,
  activeVersion: row.active_version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toVersion = (row: VersionRow): FunctionVersionRecord => ({
  name: row.name,
  version: row.version,
  code: row.code,
  sha256: row.sha256,
  timeoutMs: row.timeout_ms,
  memoryMb: row.memory_mb,
  env: JSON.parse(row.env) as Record<string, string>,
  createdAt: row.created_at,
});
