import {
  checkWebhookTarget,
  signWebhookBody,
  type HostLookup,
  type WebhookAction,
} from '../../triggers/index.ts';
import { EngineError } from '../../errors.ts';
import { ActionError, type ActionExecutor } from './action-error.ts';
import { pinnedPost } from './pinned-post.ts';

const DELIVERY_TIMEOUT_MS = 10_000;

export interface WebhookActionOptions {
  allowPrivate: boolean;
  /** DNS resolution (tests point names at a local server); the system resolver by default. */
  lookup?: HostLookup;
  timeoutMs?: number;
}

/**
 * POSTs `{trigger, data}` as JSON, signed with the action's secret. The target is checked
 * against the SSRF policy before every attempt (DNS may have changed since the trigger was
 * saved), and the request connects to the addresses that check approved, not to a second
 * resolution of the name (DNS rebinding).
 */
export function webhookAction(options: WebhookActionOptions): ActionExecutor<WebhookAction> {
  return async ({ trigger, action, event, deliveryId }) => {
    const target = action.url;
    let checked;
    try {
      checked = await checkWebhookTarget(target, {
        allowPrivate: options.allowPrivate,
        ...(options.lookup ? { lookup: options.lookup } : {}),
      });
    } catch (err) {
      if (err instanceof EngineError) throw new ActionError(err.code, err.message);
      throw err;
    }
    const body = JSON.stringify({ trigger: trigger.name, data: event });
    let status: number;
    try {
      status = await pinnedPost({
        url: checked.url,
        addresses: checked.addresses,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'cloudfn-webhook',
          'x-cloudfn-signature': signWebhookBody(String(action.secret), body),
          'x-cloudfn-delivery': deliveryId,
        },
        body,
        timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
      });
    } catch (err) {
      throw new ActionError(
        'E_WEBHOOK_UNREACHABLE',
        `POST ${target} failed: ${(err as Error).message}`,
      );
    }
    if (status < 200 || status >= 300) {
      throw new ActionError('E_WEBHOOK_STATUS', `POST ${target} answered HTTP ${status}.`);
    }
    return {};
  };
}
