import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookAction } from '../../../engine/dispatch/actions/webhook-action.ts';
import { ActionError, type ActionRequest } from '../../../engine/dispatch/actions/action-error.ts';
import type { WebhookAction } from '../../../engine/triggers/index.ts';
import { startHookReceiver, type HookReceiver } from './helpers/hook-receiver.ts';

// The sender connects to the addresses the SSRF check approved, never to a second DNS
// answer (DNS rebinding). Names under .invalid never resolve through the system resolver,
// so a delivery to one can only arrive if the checked address was used.
let receiver: HookReceiver;
beforeAll(async () => {
  receiver = await startHookReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const request = (url: string): ActionRequest<WebhookAction> => ({
  trigger: { name: 'pinned', type: 'webhook' },
  action: { type: 'webhook', url, secret: 'pinning-secret' },
  event: { n: 1 },
  eventType: 'webhook',
  triggerLogId: 'log-1',
  deliveryId: 'log-1',
  inboxId: null,
});

async function refusal(run: Promise<unknown>): Promise<ActionError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

describe('webhook delivery pinned to the checked addresses', () => {
  it('reaches the checked address, with the name in the Host header', async () => {
    const lookups: string[] = [];
    const send = webhookAction({
      allowPrivate: true,
      lookup: async (host) => {
        lookups.push(host);
        return ['127.0.0.1'];
      },
    });
    await send(request(`http://hooks.example.invalid:${receiver.port}/in`));
    expect(lookups).toEqual(['hooks.example.invalid']);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers.host).toBe(`hooks.example.invalid:${receiver.port}`);
  });

  it('tries the next checked address when the first refuses the connection', async () => {
    const send = webhookAction({ allowPrivate: true, lookup: async () => ['::1', '127.0.0.1'] });
    await send(request(`http://dual.example.invalid:${receiver.port}/in`));
    expect(receiver.received).toHaveLength(2);
  });

  it('refuses a name whose answer turned private since the trigger was saved', async () => {
    const send = webhookAction({
      allowPrivate: false,
      lookup: async () => ['93.184.215.14', '127.0.0.1'],
    });
    const err = await refusal(send(request(`http://rebound.example.invalid:${receiver.port}/in`)));
    expect(err.type).toBe('E_WEBHOOK_TARGET_FORBIDDEN');
    expect(receiver.received).toHaveLength(2);
  });

  it('fails an attempt on a name that does not resolve, without connecting', async () => {
    const send = webhookAction({
      allowPrivate: true,
      lookup: async () => {
        throw new Error('NXDOMAIN');
      },
    });
    const err = await refusal(send(request('http://gone.example.invalid/in')));
    expect(err.type).toBe('E_WEBHOOK_TARGET_UNRESOLVED');
  });

  it('fails an attempt on a refused connection as E_WEBHOOK_UNREACHABLE', async () => {
    const closed = await startHookReceiver();
    await closed.close();
    const send = webhookAction({ allowPrivate: true });
    const err = await refusal(send(request(`http://127.0.0.1:${closed.port}/in`)));
    expect(err.type).toBe('E_WEBHOOK_UNREACHABLE');
  });
});
