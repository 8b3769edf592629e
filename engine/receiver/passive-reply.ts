import type { EngineStore } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import type { FunctionService } from '../functions/function-service.ts';
import { eventTypeOf, laneOf } from '../triggers/index.ts';
import type { FunctionAction, TriggerDefinition } from '../triggers/index.ts';

export const DEFAULT_REPLY_BUDGET_MS = 4000;

export type ReplyAttempt<A> =
  | { ok: true; answer: A; jobId: string }
  | { ok: false; errorType: string; error: string; jobId?: string };

/**
 * Runs a passive-reply trigger's function before WeChat is answered, within its budget, and
 * turns its `reply` into the answer with `toAnswer` (which throws on an invalid reply).
 * A late function keeps running (its job is recorded) but WeChat gets `success` in time.
 * Either way one trigger log row records what happened, including why no reply was sent.
 */
export async function runPassiveReply<A>(
  deps: { store: EngineStore; functions: FunctionService; clock: Clock; ids: Ids },
  trigger: TriggerDefinition,
  data: unknown,
  /** The push's inbox entry: the log row and the job name it instead of copying the event. */
  inboxId: string,
  toAnswer: (reply: unknown) => A,
): Promise<ReplyAttempt<A>> {
  const action = trigger.actions[0];
  const budget =
    ('replyBudgetMs' in trigger ? trigger.replyBudgetMs : undefined) ?? DEFAULT_REPLY_BUDGET_MS;
  const logId = deps.ids.id();
  const started = deps.clock.now();
  if (!action || action.type !== 'function') {
    return {
      ok: false,
      errorType: 'E_TRIGGER_INVALID',
      error: 'A reply trigger needs one function action.',
    };
  }
  const run = deps.functions.run(action.function, data, {
    source: `trigger:${trigger.name}`,
    eventType: 'trigger',
    trigger: { name: trigger.name, type: trigger.type },
    triggerLogId: logId,
    inboxId,
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>(
    (resolve) => (timer = setTimeout(() => resolve('late'), budget)),
  );
  let attempt: ReplyAttempt<A>;
  try {
    const winner = await Promise.race([run, late]);
    if (winner === 'late') {
      attempt = {
        ok: false,
        errorType: 'E_REPLY_BUDGET_EXCEEDED',
        error: `The function did not return within the reply budget of ${budget} ms; WeChat was answered "success".`,
      };
      run.catch(() => undefined);
    } else if (winner.outcome.status !== 'fulfilled') {
      attempt = {
        ok: false,
        errorType: winner.outcome.status,
        error: winner.outcome.error?.message ?? winner.outcome.status,
        jobId: winner.job.id,
      };
    } else {
      const result = winner.outcome.result as { reply?: unknown } | null | undefined;
      attempt =
        result && typeof result === 'object' && result.reply !== undefined
          ? answerOf(toAnswer, result.reply, winner.job.id)
          : {
              ok: false,
              errorType: 'E_REPLY_MISSING',
              error: 'The function returned no `reply`; WeChat was answered "success".',
              jobId: winner.job.id,
            };
    }
  } catch (err) {
    attempt = {
      ok: false,
      errorType: (err as { code?: string }).code ?? 'E_INTERNAL',
      error: (err as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
  await recordAttempt(deps, trigger, action, inboxId, logId, started, attempt);
  return attempt;
}

/** Builds the answer from the function's reply; an invalid reply becomes a failed attempt. */
function answerOf<A>(
  toAnswer: (reply: unknown) => A,
  reply: unknown,
  jobId: string,
): ReplyAttempt<A> {
  try {
    return { ok: true, answer: toAnswer(reply), jobId };
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'E_WECHAT_REPLY_INVALID';
    return {
      ok: false,
      errorType: code,
      error: `${(err as Error).message} WeChat was answered "success".`,
      jobId,
    };
  }
}

/** Writes the trigger log row of a reply attempt. */
function recordAttempt<A>(
  deps: { store: EngineStore; clock: Clock },
  trigger: TriggerDefinition,
  action: FunctionAction,
  inboxId: string,
  logId: string,
  started: number,
  attempt: ReplyAttempt<A>,
): Promise<void> {
  const now = deps.clock.now();
  return deps.store.delivery.recordFinished(
    {
      id: logId,
      trigger: trigger.name,
      triggeredAt: started,
      inboxId,
      actionIndex: 0,
      action,
      // A replay queues it as a firing like any other.
      eventType: eventTypeOf(trigger.type),
      lane: laneOf(action, trigger.name, 0),
      status: attempt.ok ? 'succeeded' : 'dead_letter',
      attempts: 1,
      errorType: attempt.ok ? null : attempt.errorType,
      error: attempt.ok ? null : attempt.error,
      jobId: attempt.jobId ?? null,
      durationMs: now - started,
    },
    now,
  );
}
