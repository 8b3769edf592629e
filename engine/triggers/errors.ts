import { EngineError, ValidationError, type ErrorCode } from '../errors.ts';

/** One fault in a trigger definition: where it is (`condition.rules[2].value`) and what to do. */
export interface TriggerIssue {
  path: string;
  message: string;
  code: Extract<ErrorCode, 'E_TRIGGER_INVALID' | 'E_TRIGGER_BAD_REGEX'>;
}

/**
 * A trigger definition that cannot be saved. Carries every fault found, the first one in the
 * message; the code is the first fault's (`E_TRIGGER_INVALID` or `E_TRIGGER_BAD_REGEX`).
 */
export class TriggerInvalidError extends ValidationError {
  readonly issues: TriggerIssue[];

  constructor(issues: TriggerIssue[]) {
    const first = issues[0] ?? { path: '', message: 'invalid trigger', code: 'E_TRIGGER_INVALID' };
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more problem(s), see "issues")` : '';
    const where = first.path === '' ? '' : `${first.path}: `;
    super(first.code, `${where}${first.message}${more}`, {
      path: first.path,
      issues: issues.map(({ path, message, code }) => ({ path, message, code })),
    });
    this.name = 'TriggerInvalidError';
    this.issues = issues;
  }
}

/** A duration string such as "10m" that does not parse; thrown by parseDuration. */
export class DurationInvalidError extends ValidationError {
  constructor(value: unknown, reason: string) {
    super(
      'E_TRIGGER_INVALID',
      `${JSON.stringify(value) ?? String(value)} is not a duration: ${reason}`,
      {
        value: typeof value === 'string' ? value : String(value),
      },
    );
    this.name = 'DurationInvalidError';
  }
}

/** An outgoing webhook URL the engine refuses to call (scheme, credentials, private network). */
export class WebhookTargetForbiddenError extends ValidationError {
  constructor(url: string, reason: string, details: Record<string, unknown> = {}) {
    super('E_WEBHOOK_TARGET_FORBIDDEN', `Webhook target ${url} refused: ${reason}`, {
      url,
      reason,
      ...details,
    });
    this.name = 'WebhookTargetForbiddenError';
  }
}

/** A webhook host name that does not resolve now (DNS failure: worth retrying later). */
export class WebhookTargetUnresolvedError extends EngineError {
  constructor(url: string, host: string, reason: string) {
    super(
      'E_WEBHOOK_TARGET_UNRESOLVED',
      `Webhook target ${url}: ${host} does not resolve (${reason}).`,
      { details: { url, host } },
    );
    this.name = 'WebhookTargetUnresolvedError';
  }
}
