/**
 * The functions admin API's answers as they travel (docs/functions.md): what
 * engine/http/admin/functions-routes.ts renders, and what the CLI and the console read.
 * Types only, so the console takes them with `import type` and no engine code enters its bundle.
 */

/** `GET /functions`, `GET /functions/:name`: the function and its active version's limits. */
export interface FunctionInfo {
  name: string;
  version: number;
  sha256?: string;
  timeoutMs?: number;
  memoryMb?: number;
  /** Env names only: values are secrets that never leave the engine. */
  env: string[];
  created_at: string;
  updated_at: string;
}

/** `GET /functions/:name/versions`: one version; `/versions/:version` adds its `code`. */
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

/** `GET /functions/:name/code`: the active version with the bundle and an env digest. */
export interface FunctionCode extends VersionInfo {
  env_sha256: string;
  code: string;
}
