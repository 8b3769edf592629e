import type Router from '@koa/router';
import { z } from 'zod';
import type { EngineStore } from '../../store/index.ts';
import type { Sandbox } from '../../../runtime/sandbox.ts';
import { bundleFunction } from '../../../runtime/index.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS } from '../../functions/function-service.ts';
import {
  FUNCTION_NAME,
  FunctionNotFoundError,
  InvalidFunctionNameError,
} from '../../functions/errors.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { envDigest } from '../../functions/env-digest.ts';
import type { Ids } from '../../ids.ts';
import { readJsonBody } from '../body.ts';
import { iso, parseInput } from '../validate.ts';

const testBody = z.strictObject({
  code: z.string().min(1, 'code must be the function source, not empty'),
  filename: z.string().max(200).optional(),
  data: z.unknown().optional(),
});

/** "3", "\"3\"", "W/\"3\"" → 3; "*" → '*'; anything else → undefined. */
function versionTag(header: string): number | '*' | undefined {
  const text = header.trim();
  if (text === '*') return '*';
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The bundle without its inline source map: what a person reads or diffs. */
const readable = (code: string) => code.replace(/\n?\/\/# sourceMappingURL=data:[^\n]*\n?$/, '\n');

/**
 * What the web console needs around deploys (docs/console.md): a test run of a draft that
 * saves nothing, one version's code, and the deploy precondition (If-Match: the version the
 * draft started from; If-None-Match: * for a first deploy) so a deploy by someone else
 * meanwhile is a 409 rather than a silent overwrite. Registered before the function routes.
 */
export function registerFunctionDraftRoutes(
  router: Router,
  deps: { store: EngineStore; sandbox: Sandbox; ids: Ids },
): void {
  const { store, sandbox, ids } = deps;

  router.put('/functions/:name', async (ctx, next) => {
    const name = ctx.params.name!;
    const ifMatch = ctx.get('if-match');
    const ifNoneMatch = ctx.get('if-none-match');
    if (ifMatch || ifNoneMatch) {
      const actual = (await store.functions.get(name))?.activeVersion ?? null;
      const expected = ifMatch ? versionTag(ifMatch) : undefined;
      const conflict = ifMatch
        ? expected === undefined || actual === null || (expected !== '*' && expected !== actual)
        : ifNoneMatch.trim() === '*' && actual !== null;
      if (conflict)
        throw new ConflictError(
          'E_FUNCTION_VERSION_CONFLICT',
          actual === null
            ? `Function "${name}" is not deployed, but the deploy expected version ${ifMatch}.`
            : `Function "${name}" is at version ${actual} now; the deploy expected ${ifMatch || 'none'}. Compare, then deploy again.`,
          { function: name, expected: ifMatch || ifNoneMatch, actual },
        );
    }
    await next();
  });

  // One version's code, for both callers: the console (readable code: the inline source map
  // removed) and `cloudfn plan`/`pull` (`?raw=true`: the code exactly as stored, so a pulled
  // file deploys to the same sha256). `active` names the version that runs, read in the same
  // request, so a deploy in between cannot pair one version's code with another's number.
  router.get('/functions/:name/versions/:version', async (ctx) => {
    const name = ctx.params.name!;
    if (!(await store.functions.get(name))) throw new FunctionNotFoundError(name);
    const raw = ctx.query.raw;
    if (raw !== undefined && raw !== 'true' && raw !== 'false')
      throw new ValidationError('E_INVALID_QUERY', 'Query parameter "raw" must be true or false.', {
        path: 'raw',
      });
    const asked = ctx.params.version!;
    const version = Number(asked);
    const found =
      asked === 'active'
        ? await store.functions.getActive(name)
        : /^\d{1,9}$/.test(asked)
          ? await store.functions.getVersion(name, version)
          : undefined;
    if (!found)
      throw new NotFoundError(
        'E_FUNCTION_VERSION_NOT_FOUND',
        `Function "${name}" has no version ${asked}.`,
        { function: name, version: asked },
      );
    ctx.body = {
      name,
      version: found.version,
      sha256: found.sha256,
      timeoutMs: found.timeoutMs,
      memoryMb: found.memoryMb,
      env: Object.keys(found.env),
      // A digest of the env values (never shown): what `cloudfn plan` compares.
      env_sha256: envDigest(found.env),
      created_at: iso(found.createdAt),
      code: raw === 'true' ? found.code : readable(found.code),
    };
  });

  // 测试: the draft runs in the sandbox like the deployed version would (its env and limits),
  // under a name of its own, so the deployed version's isolates and standing are untouched;
  // no version and no job are recorded.
  let runs = 0;
  router.post('/functions/:name/test', async (ctx) => {
    const name = ctx.params.name!;
    if (!FUNCTION_NAME.test(name)) throw new InvalidFunctionNameError(name);
    const body = parseInput(testBody, await readJsonBody(ctx));
    const bundle = await bundleFunction({
      source: body.code,
      filename: body.filename ?? `${name}.js`,
    });
    const active = await store.functions.getActive(name);
    const draftName = `${name}#draft`;
    try {
      const outcome = await sandbox.invoke({
        fn: {
          name: draftName,
          version: ++runs,
          code: bundle.code,
          timeoutMs: active?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          memoryMb: active?.memoryMb ?? DEFAULT_MEMORY_MB,
          env: active?.env ?? {},
        },
        event: { data: body.data ?? null, eventType: 'invoke', jobId: `test-${ids.id()}` },
      });
      ctx.body = {
        status: outcome.status,
        result: outcome.result ?? null,
        ...(outcome.error ? { error: outcome.error } : {}),
        log: outcome.log,
        duration_ms: outcome.durationMs,
        cpu_ms: outcome.cpuMs,
        memory_bytes: outcome.memoryBytes,
      };
    } finally {
      sandbox.forget(draftName);
    }
  });
}
