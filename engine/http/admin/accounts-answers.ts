/** What the WeChat account routes answer (accounts-routes.ts, reply-opening-routes.ts). */
import { z } from 'zod';
import { isoTime, listOf, named, timestamps } from '../api-schemas.ts';

const MODES = ['plain', 'compatible', 'safe'] as const;

/** An account as shown: keys and secrets only as has… flags (SPEC §2). */
export const accountAnswer = named(
  'Account',
  z.strictObject({
    appId: z.string(),
    mode: z.enum(MODES),
    hasEncodingAESKey: z.boolean(),
    hasPreviousEncodingAESKey: z.boolean(),
    hasAppSecret: z.boolean(),
    ...timestamps,
  }),
);
export type AccountAnswer = z.infer<typeof accountAnswer>;

export const accountListAnswer = listOf(accountAnswer);

export const signedPushAnswer = named(
  'SignedPush',
  z.strictObject({
    query: z
      .record(z.string(), z.string())
      .describe(
        'signature, timestamp, nonce, openid, and encrypt_type + msg_signature when encrypted.',
      ),
    body: z.string().describe('The body to POST to /wechat/{appId}.'),
    contentType: z.string(),
  }),
);

/** The access-token manager's figures (engine/wechat-api/token-manager.ts `stats`). */
export const tokenStatsAnswer = z.strictObject({
  appId: z.string(),
  day: z.string().describe('The quota day (Beijing time), YYYY-MM-DD.'),
  fetchesToday: z.number().int(),
  failedFetchesToday: z.number().int(),
  dailyQuota: z.number().int(),
  hasToken: z.boolean(),
  fetchedAt: isoTime,
  expiresAt: isoTime,
  refreshAt: isoTime,
  consecutiveFailures: z.number().int(),
  nextAttemptAt: isoTime,
  lastError: z.string().nullable(),
});
export type TokenStatsAnswer = z.infer<typeof tokenStatsAnswer>;

export const openedReplyAnswer = z.strictObject({
  encrypted: z.boolean().describe('Whether the answer was sealed with the account key.'),
  message: z.string().describe('The reply, opened when it was sealed.'),
});
