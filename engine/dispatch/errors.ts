import { ConflictError, EngineError, NotFoundError } from '../errors.ts';

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
      {
        status: 429,
        details: { trigger: name, retry_after: retryAfterSeconds },
      },
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
