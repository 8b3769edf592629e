import { ConflictError, EngineError, NotFoundError, ValidationError } from '../errors.ts';

/** Codes of trigger delivery and administration (docs/errors.md, "Triggers"). */

export class TriggerNotFoundError extends NotFoundError {
  constructor(name: string) {
    super('E_TRIGGER_NOT_FOUND', `No trigger named "${name}".`, { trigger: name });
  }
}

export class TriggerExistsError extends ConflictError {
  constructor(name: string) {
    super(
      'E_TRIGGER_EXISTS',
      `A trigger named "${name}" exists; use PUT /api/v1/triggers/${name} to change it.`,
      { trigger: name },
    );
  }
}

export class TriggerNotWebhookError extends ConflictError {
  constructor(name: string) {
    super('E_TRIGGER_NOT_WEBHOOK', `Trigger "${name}" is not a webhook trigger and has no key.`, {
      trigger: name,
    });
  }
}

export class TriggerLogNotFoundError extends NotFoundError {
  constructor(trigger: string, id: string) {
    super('E_TRIGGER_LOG_NOT_FOUND', `Trigger "${trigger}" has no log "${id}".`, {
      trigger,
      log: id,
    });
  }
}

export class TriggerLogNotReplayableError extends ConflictError {
  constructor(id: string) {
    super(
      'E_TRIGGER_LOG_NOT_REPLAYABLE',
      `Log "${id}" is still queued or running; wait for it to finish before replaying.`,
      { log: id },
    );
  }
}

/** A wrong key is a plain 404 that tells nothing about which triggers exist. */
export class HookNotFoundError extends NotFoundError {
  constructor() {
    super('E_HOOK_NOT_FOUND', 'No webhook trigger has this key.');
  }
}

export class HookDisabledError extends ConflictError {
  constructor(name: string) {
    super('E_HOOK_DISABLED', `Webhook trigger "${name}" is disabled.`, { trigger: name });
  }
}

export class HookRateLimitedError extends EngineError {
  readonly retryAfterSeconds: number;
  constructor(name: string, retryAfterSeconds: number) {
    super(
      'E_HOOK_RATE_LIMITED',
      `Webhook trigger "${name}" receives too many requests; retry in ${retryAfterSeconds} s.`,
      { details: { trigger: name, retry_after: retryAfterSeconds } },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class InboxEntryNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('E_INBOX_ENTRY_NOT_FOUND', `No inbox entry "${id}".`, { id });
  }
}

/** Only entries set aside by a failed dispatch are replayed: the others ran or will run. */
export class InboxEntryNotReplayableError extends ConflictError {
  constructor(id: string, status: string) {
    super(
      'E_INBOX_ENTRY_NOT_REPLAYABLE',
      `Inbox entry "${id}" is ${status}; only dispatch_failed entries can be replayed.`,
      { id, status },
    );
  }
}

const KIND_WORDS = { function: 'function', table: 'table', account: 'WeChat account' } as const;
const KIND_FIX = {
  function: 'deploy it first (cloudfn deploy, PUT /api/v1/functions/:name)',
  table: 'create it first (cloudfn tables create, POST /api/v1/tables)',
  account: 'register it first (cloudfn accounts set, PUT /api/v1/wechat/accounts/:appId)',
} as const;

interface MissingReferenceDetail {
  kind: 'function' | 'table' | 'account';
  name: string;
  path: string;
  suggestion: string | null;
}

/**
 * A trigger names a function, table or account that does not exist. The first one is in the
 * message and the top-level details (`kind`, `name`, `suggestion`, `path`); `issues` lists
 * every missing reference, as E_TRIGGER_INVALID does for faults of the definition.
 */
export class TriggerReferenceMissingError extends ValidationError {
  constructor(missing: MissingReferenceDetail[]) {
    const describe = (m: MissingReferenceDetail) =>
      `${m.path}: no ${KIND_WORDS[m.kind]} named "${m.name}"` +
      (m.suggestion ? `; did you mean "${m.suggestion}"?` : `; ${KIND_FIX[m.kind]}`);
    const first = missing[0]!;
    super('E_TRIGGER_REFERENCE_MISSING', describe(first), {
      kind: first.kind,
      name: first.name,
      suggestion: first.suggestion,
      path: first.path,
      issues: missing.map((m) => ({
        path: m.path,
        message: describe(m).slice(m.path.length + 2),
        code: 'E_TRIGGER_REFERENCE_MISSING',
        kind: m.kind,
        name: m.name,
        suggestion: m.suggestion,
        ...(m.suggestion ? { hint: `did you mean "${m.suggestion}"?` } : {}),
      })),
    });
    this.name = 'TriggerReferenceMissingError';
  }
}

/** Deleting a function, table or account that triggers still name (without ?force=true). */
export class InUseError extends ConflictError {
  constructor(kind: 'function' | 'table' | 'account', name: string, triggers: string[]) {
    super(
      'E_IN_USE',
      `The ${KIND_WORDS[kind]} "${name}" is used by trigger(s) ${triggers.map((t) => `"${t}"`).join(', ')}; ` +
        'change or delete them first, or delete with ?force=true (their firings will then dead-letter).',
      { kind, name, triggers },
    );
    this.name = 'InUseError';
  }
}
