import type Router from '@koa/router';
import { z } from 'zod';
import type { AccountRegistry } from '../../receiver/index.ts';
import { decryptForAccount } from '../../wechat/index.ts';
import { readJsonBody } from '../body.ts';
import { parseInput } from '../validate.ts';

const openBody = z.strictObject({
  body: z.string().min(1, 'body is the answer the receiver gave'),
});

/** The `<Encrypt>` of an XML answer or the `Encrypt` of a JSON one; undefined for a plain answer. */
function encryptedPart(answer: string): string | undefined {
  const xml = /<Encrypt>\s*(?:<!\[CDATA\[)?([A-Za-z0-9+/=]+)(?:\]\]>)?\s*<\/Encrypt>/.exec(answer);
  if (xml) return xml[1];
  try {
    const json = JSON.parse(answer) as { Encrypt?: unknown };
    return typeof json.Encrypt === 'string' ? json.Encrypt : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The push simulator's other half (docs/console.md): the receiver's answer to a safe-mode
 * push is sealed with the account's key, so the engine opens it for the admin to read.
 */
export function registerReplyOpeningRoutes(
  router: Router,
  deps: { accounts: AccountRegistry },
): void {
  router.post('/wechat/accounts/:appId/open-reply', async (ctx) => {
    const { body } = parseInput(openBody, await readJsonBody(ctx));
    const account = await deps.accounts.prepared(ctx.params.appId!);
    const sealed = encryptedPart(body);
    ctx.body =
      sealed === undefined
        ? { encrypted: false, message: body }
        : { encrypted: true, message: decryptForAccount(account, sealed).message };
  });
}
