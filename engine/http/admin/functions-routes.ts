/**
 * Function routes (SPEC §2). Longer than most files because each of its 10 routes carries
 * its OpenAPI declaration (summary, query, body and answer schemas) where it is registered.
 */
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
import { iso, pageOf, pageParams, parseInput } from '../validate.ts';
import { route } from '../api-route.ts';
import { forceQuery, IN_USE, named, NO_CONTENT, pageQuery } from '../api-schemas.ts';
import {
  functionAnswer,
  functionListAnswer,
  invokeAnswer,
  jobAnswer,
  jobListAnswer,
  versionListAnswer,
  type FunctionAnswer,
  type InvokeAnswer,
  type JobAnswer,
  type VersionAnswer,
} from './functions-answers.ts';

const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    'env names are letters, digits and _, not starting with a digit',
  );

// Limits and env left out keep the active version's; a first deploy gets 5000 ms and 128 MB.
const deployBody = named(
  'DeployInput',
  z.strictObject({
    code: z
      .string()
      .min(1, 'code must be the function source, not empty')
      .describe('The function source (JavaScript or TypeScript), bundled by the engine.'),
    filename: z
      .string()
      .max(200)
      .optional()
      .describe('Names the source in stack traces; its extension picks the loader (.ts).'),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .max(900_000)
      .optional()
      .describe("Left out: the active version's, or 5000 for a first deploy."),
    memoryMb: z
      .number()
      .int()
      .min(8)
      .max(2048)
      .optional()
      .describe("Left out: the active version's, or 128 for a first deploy."),
    env: z
      .record(envName, z.string())
      .optional()
      .describe("Left out: the active version's env is kept."),
  }),
);

const envBody = z
  .strictObject({
    set: z.record(envName, z.string()).optional(),
    unset: z.array(envName).optional(),
  })
  .refine((b) => b.set !== undefined || b.unset !== undefined, 'give "set" and/or "unset"');

// user_id: run the function for that user (event.request.user; MinCloud's current user).
const invokeBody = z.strictObject({
  data: z.unknown().optional(),
  user_id: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'Run it for this user (event.request.user; its table calls obey record ACLs); 404 when there is none.',
    ),
});
const jobsQuery = pageQuery.extend({
  status: z.string().optional().describe('Only this job status.'),
  source: z.string().optional().describe('Only this source (invoke, trigger:<name>, …).'),
});
const NO_FUNCTION = { 404: 'No such function (E_FUNCTION_NOT_FOUND).' };
const rollbackBody = z.strictObject({ version: z.number().int().min(1) });

/** Env values are secrets: only their names leave the engine. */
const renderVersion = (v: FunctionVersionRecord): VersionAnswer => ({
  name: v.name,
  version: v.version,
  sha256: v.sha256,
  timeoutMs: v.timeoutMs,
  memoryMb: v.memoryMb,
  env: Object.keys(v.env),
  created_at: iso(v.createdAt),
});

const renderFunction = (
  fn: FunctionRecord,
  active: FunctionVersionRecord | undefined,
): FunctionAnswer => ({
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
export const renderJob = (job: JobRecord): JobAnswer => ({
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

  route(
    router,
    {
      method: 'put',
      path: '/functions/:name',
      tag: 'functions',
      summary: 'Deploy: bundle the code into a new numbered version and make it active.',
      description:
        'If-Match: "N" deploys only over active version N, If-None-Match: * only a first version (function-draft-routes.ts).',
      body: deployBody,
      answers: {
        200: { description: 'A new version of an existing function.', schema: functionAnswer },
        201: { description: 'The first version.', schema: functionAnswer },
      },
      refusals: {
        400: 'E_FUNCTION_BUILD (with file, line, column, frame) or invalid input.',
        409: 'E_FUNCTION_VERSION_CONFLICT: If-Match "N" is not the active version, or If-None-Match * and the function exists.',
      },
    },
    async (ctx) => {
      const body = parseInput(deployBody, await readJsonBody(ctx));
      const { fn, version, created } = await functions.deploy(ctx.params.name!, body);
      ctx.status = created ? 201 : 200;
      ctx.body = renderFunction(fn, version);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/functions',
      tag: 'functions',
      summary: 'Deployed functions.',
      query: pageQuery,
      answers: { 200: { description: 'Functions.', schema: functionListAnswer } },
    },
    async (ctx) => {
      const page = pageOf(await store.functions.list(), (fn) => fn, pageParams(ctx.query));
      ctx.body = {
        ...page,
        objects: await Promise.all(
          page.objects.map(async (fn) =>
            renderFunction(fn, await store.functions.getActive(fn.name)),
          ),
        ),
      };
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/functions/:name',
      tag: 'functions',
      summary: 'One function.',
      answers: { 200: { description: 'The function.', schema: functionAnswer } },
      refusals: NO_FUNCTION,
    },
    async (ctx) => {
      const fn = await mustExist(ctx.params.name!);
      ctx.body = renderFunction(fn, await store.functions.getActive(fn.name));
    },
  );

  // The code that runs (the active version's bundle) with digests to compare against: what
  // `cloudfn pull` writes and `cloudfn deploy` plans with. Env values stay secret; only
  // their digest leaves the engine.
  route(
    router,
    {
      method: 'delete',
      path: '/functions/:name',
      tag: 'functions',
      summary: 'Delete a function and its versions.',
      query: forceQuery,
      answers: NO_CONTENT,
      refusals: {
        ...NO_FUNCTION,
        ...IN_USE,
      },
    },
    async (ctx) => {
      const force = forceParam(ctx.query);
      await mustExist(ctx.params.name!);
      deps.assertUnused('function', ctx.params.name!, force);
      await functions.delete(ctx.params.name!);
      ctx.status = 204;
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/functions/:name/versions',
      tag: 'functions',
      summary: 'Every version of a function.',
      answers: { 200: { description: 'Versions.', schema: versionListAnswer } },
      refusals: NO_FUNCTION,
    },
    async (ctx) => {
      await mustExist(ctx.params.name!);
      ctx.body = pageOf(await store.functions.listVersions(ctx.params.name!), renderVersion);
    },
  );

  route(
    router,
    {
      method: 'patch',
      path: '/functions/:name/env',
      tag: 'functions',
      summary: 'Set or unset env values: a new version with the same code and limits.',
      body: envBody,
      answers: { 200: { description: 'The function.', schema: functionAnswer } },
      refusals: NO_FUNCTION,
    },
    async (ctx) => {
      const change = parseInput(envBody, await readJsonBody(ctx));
      const { fn, version } = await functions.changeEnv(ctx.params.name!, change);
      ctx.body = renderFunction(fn, version);
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/functions/:name/rollback',
      tag: 'functions',
      summary: 'Make an earlier version active.',
      body: rollbackBody,
      answers: { 200: { description: 'The function.', schema: functionAnswer } },
      refusals: {
        404: 'No such function or version (E_FUNCTION_NOT_FOUND, E_FUNCTION_VERSION_NOT_FOUND).',
      },
    },
    async (ctx) => {
      const { version } = parseInput(rollbackBody, await readJsonBody(ctx));
      const fn = await functions.rollback(ctx.params.name!, version);
      ctx.body = renderFunction(fn, await store.functions.getActive(fn.name));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/functions/:name/invoke',
      tag: 'functions',
      summary: 'Run the active version now on {data}; recorded as a job.',
      body: invokeBody,
      answers: {
        200: { description: 'The outcome (code 1 when the run failed).', schema: invokeAnswer },
      },
      refusals: {
        404: 'No such function, or no user user_id (E_FUNCTION_NOT_FOUND, E_TABLE_RECORD_NOT_FOUND).',
      },
    },
    async (ctx) => {
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
      } satisfies InvokeAnswer;
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/functions/:name/jobs',
      tag: 'functions',
      summary: "A function's runs, newest first.",
      query: jobsQuery,
      answers: { 200: { description: 'Jobs.', schema: jobListAnswer } },
      refusals: NO_FUNCTION,
    },
    async (ctx) => {
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
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/jobs/:id',
      tag: 'functions',
      summary: 'One job.',
      params: { id: 'The job id.' },
      answers: { 200: { description: 'The job.', schema: jobAnswer } },
      refusals: { 404: 'No such job (E_JOB_NOT_FOUND).' },
    },
    async (ctx) => {
      const job = await store.jobs.get(ctx.params.id!);
      if (!job)
        throw new NotFoundError('E_JOB_NOT_FOUND', `No job with id "${ctx.params.id}".`, {
          job: ctx.params.id,
        });
      ctx.body = renderJob(job);
    },
  );
}
