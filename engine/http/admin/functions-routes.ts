import type Router from '@koa/router';
import { z } from 'zod';
import type {
  EngineStore,
  FunctionRecord,
  FunctionVersionRecord,
  JobRecord,
} from '../../store/index.ts';
import type { FunctionService } from '../../functions/function-service.ts';
import { FunctionNotFoundError } from '../../functions/errors.ts';
import { NotFoundError } from '../../errors.ts';
import { readJsonBody } from '../body.ts';
import { forceParam, type InUseCheck } from './delete-guard.ts';
import { iso, pageParams, parseInput } from '../validate.ts';

const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    'env names are letters, digits and _, not starting with a digit',
  );

// Limits and env left out keep the active version's; a first deploy gets 5000 ms and 128 MB.
const deployBody = z.strictObject({
  code: z.string().min(1, 'code must be the function source, not empty'),
  filename: z.string().max(200).optional(),
  timeoutMs: z.number().int().min(100).max(900_000).optional(),
  memoryMb: z.number().int().min(8).max(2048).optional(),
  env: z.record(envName, z.string()).optional(),
});

const envBody = z
  .strictObject({
    set: z.record(envName, z.string()).optional(),
    unset: z.array(envName).optional(),
  })
  .refine((b) => b.set !== undefined || b.unset !== undefined, 'give "set" and/or "unset"');

// user_id: run the function for that user (event.request.user; MinCloud's current user).
const invokeBody = z.strictObject({
  data: z.unknown().optional(),
  user_id: z.number().int().positive().optional(),
});
const rollbackBody = z.strictObject({ version: z.number().int().min(1) });

/** Env values are secrets: only their names leave the engine. */
const renderVersion = (v: FunctionVersionRecord) => ({
  name: v.name,
  version: v.version,
  sha256: v.sha256,
  timeoutMs: v.timeoutMs,
  memoryMb: v.memoryMb,
  env: Object.keys(v.env),
  created_at: iso(v.createdAt),
});

const renderFunction = (fn: FunctionRecord, active: FunctionVersionRecord | undefined) => ({
  name: fn.name,
  version: fn.activeVersion,
  sha256: active?.sha256,
  timeoutMs: active?.timeoutMs,
  memoryMb: active?.memoryMb,
  env: active ? Object.keys(active.env) : [],
  created_at: iso(fn.createdAt),
  updated_at: iso(fn.updatedAt),
});

/** A job as SPEC §2 shows it. */
export const renderJob = (job: JobRecord) => ({
  id: job.id,
  function: job.function,
  version: job.version,
  source: job.source,
  status: job.status,
  created_at: iso(job.createdAt),
  finished_at: iso(job.finishedAt),
  duration_ms: job.durationMs,
  cpu_ms: job.cpuMs,
  memory_bytes: job.memoryBytes,
  trigger: job.triggerName,
  trigger_log_id: job.triggerLogId,
  data: job.data,
  result: job.result,
  error: job.error,
  log: job.log,
});

/** Function deploy, versions, rollback, invoke and jobs (SPEC §2). */
export function registerFunctionRoutes(
  router: Router,
  deps: {
    store: EngineStore;
    functions: FunctionService;
    assertUnused: InUseCheck;
    /** The user with this id (404 when none): what `user_id` of an invoke names. */
    userOf?: (id: number) => Promise<Record<string, unknown>>;
  },
): void {
  const { store, functions } = deps;
  const mustExist = async (name: string): Promise<FunctionRecord> => {
    const fn = await store.functions.get(name);
    if (!fn) throw new FunctionNotFoundError(name);
    return fn;
  };

  router.put('/functions/:name', async (ctx) => {
    const body = parseInput(deployBody, await readJsonBody(ctx));
    const { fn, version, created } = await functions.deploy(ctx.params.name!, body);
    ctx.status = created ? 201 : 200;
    ctx.body = renderFunction(fn, version);
  });

  router.get('/functions', async (ctx) => {
    const { limit, offset } = pageParams(ctx.query);
    const all = await store.functions.list();
    ctx.body = {
      meta: { limit, offset, total_count: all.length },
      objects: await Promise.all(
        all
          .slice(offset, offset + limit)
          .map(async (fn) => renderFunction(fn, await store.functions.getActive(fn.name))),
      ),
    };
  });

  router.get('/functions/:name', async (ctx) => {
    const fn = await mustExist(ctx.params.name!);
    ctx.body = renderFunction(fn, await store.functions.getActive(fn.name));
  });

  // The code that runs (the active version's bundle) with digests to compare against: what
  // `cloudfn pull` writes and `cloudfn deploy` plans with. Env values stay secret; only
  // their digest leaves the engine.
  router.delete('/functions/:name', async (ctx) => {
    const force = forceParam(ctx.query);
    await mustExist(ctx.params.name!);
    deps.assertUnused('function', ctx.params.name!, force);
    await functions.delete(ctx.params.name!);
    ctx.status = 204;
  });

  router.get('/functions/:name/versions', async (ctx) => {
    await mustExist(ctx.params.name!);
    const versions = await store.functions.listVersions(ctx.params.name!);
    ctx.body = {
      meta: { limit: versions.length, offset: 0, total_count: versions.length },
      objects: versions.map(renderVersion),
    };
  });

  router.patch('/functions/:name/env', async (ctx) => {
    const change = parseInput(envBody, await readJsonBody(ctx));
    const { fn, version } = await functions.changeEnv(ctx.params.name!, change);
    ctx.body = renderFunction(fn, version);
  });

  router.post('/functions/:name/rollback', async (ctx) => {
    const { version } = parseInput(rollbackBody, await readJsonBody(ctx));
    const fn = await functions.rollback(ctx.params.name!, version);
    ctx.body = renderFunction(fn, await store.functions.getActive(fn.name));
  });

  router.post('/functions/:name/invoke', async (ctx) => {
    const { data, user_id: userId } = parseInput(invokeBody, await readJsonBody(ctx));
    const user = userId === undefined || !deps.userOf ? undefined : await deps.userOf(userId);
    const { job, outcome } = await functions.run(ctx.params.name!, data ?? null, {
      source: 'invoke',
      eventType: 'invoke',
      ...(user ? { user } : {}),
    });
    const ok = outcome.status === 'fulfilled';
    ctx.body = {
      code: ok ? 0 : 1,
      data: ok ? (outcome.result ?? null) : null,
      error: ok ? {} : { ...outcome.error, status: outcome.status },
      job_id: job.id,
      status: outcome.status,
      duration_ms: outcome.durationMs,
      memory_bytes: outcome.memoryBytes,
      log: outcome.log,
    };
  });

  router.get('/functions/:name/jobs', async (ctx) => {
    await mustExist(ctx.params.name!);
    const { limit, offset } = pageParams(ctx.query);
    const status = typeof ctx.query.status === 'string' ? ctx.query.status : undefined;
    const source = typeof ctx.query.source === 'string' ? ctx.query.source : undefined;
    const { total, objects } = await store.jobs.list({
      function: ctx.params.name!,
      status,
      source,
      limit,
      offset,
    });
    ctx.body = { meta: { limit, offset, total_count: total }, objects: objects.map(renderJob) };
  });

  router.get('/jobs/:id', async (ctx) => {
    const job = await store.jobs.get(ctx.params.id!);
    if (!job)
      throw new NotFoundError('E_JOB_NOT_FOUND', `No job with id "${ctx.params.id}".`, {
        job: ctx.params.id,
      });
    ctx.body = renderJob(job);
  });
}
