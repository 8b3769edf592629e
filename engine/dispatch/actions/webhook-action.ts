import { checkWebhookTarget, signWebhookBody } from '../../triggers/index.ts';
import { EngineError } from '../../errors.ts';
import { ActionError, type ActionExecutor } from './action-error.ts';

const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * POSTs the event as JSON, signed with the action's secret. The target is checked against
 * the SSRF policy before every attempt (DNS may have changed since the trigger was saved).
 */
export function webhookAction(options: { allowPrivate: boolean }): ActionExecutor {
  return async ({ trigger, action, event, deliveryId }) => {
    const url = String(action.url);
    try {
      await checkWebhookTarget(url, { allowPrivate: options.allowPrivate });
    } catch (err) {
      if (err instanceof EngineError) throw new ActionError(err.code, err.message);
      throw err;
    }
    const body = JSON.stringify({ trigger: trigger.name, data: event });
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'cloudfn-webhook',
          'x-cloudfn-signature': signWebhookBody(String(action.secret), body),
          'x-cloudfn-delivery': deliveryId,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
    } catch (err) {
      throw new ActionError('E_WEBHOOK_UNREACHABLE', `POST ${url} failed: ${(err as Error).message}`);
    }
    if (response.status < 200 || response.status >= 300) {
      throw new ActionError('E_WEBHOOK_STATUS', `POST ${url} answered HTTP ${response.status}.`);
    }
    return {};
  };
}
