/** What the function routes answer (functions-routes.ts, function-draft-routes.ts). */
import { z } from 'zod';
import { isoTime, listOf, named, timestamps } from '../api-schemas.ts';

const JOB_STATUSES = [
  'waiting',
  'executing',
  'fulfilled',
  'execution_failed',
  'deadline_exceeded',
  'execution_rejected',
] as const;

/** A run's error as it crossed the isolate (runtime/sandbox.ts SerializedError). */
const runError = z.strictObject({
  name: z.string(),
  message: z.string(),
  stack: z.string().optional(),
  code: z.string().optional(),
});

const logLine = named(
  'LogLine',
  z.strictObject({
    level: z.enum(['log', 'info', 'warn', 'error']),
    message: z.string(),
    at: z.number().int().describe('Unix ms.'),
  }),
);

const envNames = z.array(z.string()).describe('Names only: values are never echoed.');

export const functionAnswer = named(
  'Function',
  z.strictObject({
    name: z.string(),
    version: z.number().int().describe('The active version.'),
    sha256: z.string().optional(),
    timeoutMs: z.number().int().optional(),
    memoryMb: z.number().int().optional(),
    env: envNames,
    ...timestamps,
  }),
);
export type FunctionAnswer = z.infer<typeof functionAnswer>;
export const functionListAnswer = listOf(functionAnswer);

export const versionAnswer = named(
  'FunctionVersion',
  z.strictObject({
    name: z.string(),
    version: z.number().int(),
    sha256: z.string(),
    timeoutMs: z.number().int(),
    memoryMb: z.number().int(),
    env: envNames,
    created_at: isoTime,
  }),
);
export type VersionAnswer = z.infer<typeof versionAnswer>;
export const versionListAnswer = listOf(versionAnswer);

export const versionCodeAnswer = versionAnswer.extend({
  env_sha256: z.string().describe('A digest of the env values, which are never shown.'),
  code: z.string(),
});
export type VersionCodeAnswer = z.infer<typeof versionCodeAnswer>;

export const jobAnswer = named(
  'Job',
  z.strictObject({
    id: z.string(),
    function: z.string(),
    version: z.number().int(),
    source: z.string(),
    status: z.enum(JOB_STATUSES),
    created_at: isoTime,
    finished_at: isoTime,
    duration_ms: z.number().nullable(),
    cpu_ms: z.number().nullable(),
    memory_bytes: z.number().nullable(),
    trigger: z.string().nullable(),
    trigger_log_id: z.string().nullable(),
    data: z.unknown().optional(),
    result: z.unknown().optional(),
    error: runError.nullable(),
    log: z.array(logLine),
  }),
);
export type JobAnswer = z.infer<typeof jobAnswer>;
export const jobListAnswer = listOf(jobAnswer);

export const invokeAnswer = named(
  'InvokeResult',
  z.strictObject({
    code: z.union([z.literal(0), z.literal(1)]).describe('1 when the run failed.'),
    data: z.unknown().optional(),
    error: runError
      .partial()
      .extend({ status: z.enum(JOB_STATUSES).optional() })
      .describe('{} when the run succeeded; else its error and status.'),
    job_id: z.string(),
    status: z.enum(JOB_STATUSES),
    duration_ms: z.number(),
    memory_bytes: z.number(),
    log: z.array(logLine),
  }),
);
export type InvokeAnswer = z.infer<typeof invokeAnswer>;

export const draftRunAnswer = z.strictObject({
  status: z.enum(JOB_STATUSES),
  result: z.unknown().optional(),
  error: runError.optional(),
  log: z.array(logLine),
  duration_ms: z.number(),
  cpu_ms: z.number(),
  memory_bytes: z.number(),
});
export type DraftRunAnswer = z.infer<typeof draftRunAnswer>;
