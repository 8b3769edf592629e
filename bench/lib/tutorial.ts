/**
 * The README tutorial as data, shared by the end-to-end bench and its reference server:
 * the accounts (WeChat's sample safe-mode account, plus a plaintext one), the table's
 * fields, the function's file and the trigger.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePushSample, schemaFromPush } from '../../engine/cli/push-sample.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BenchAccount {
  appId: string;
  token: string;
  encodingAESKey?: string;
}

/** Safe mode (encrypted pushes): the README's account, WeChat's own sample values. */
export const SAFE_ACCOUNT: BenchAccount = {
  appId: 'wx2c2769f8efd9abc2',
  token: 'spamtest',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

/** Plaintext mode: an account without an EncodingAESKey. */
export const PLAIN_ACCOUNT: BenchAccount = { appId: 'wxbenchplaintext01', token: 'benchtoken' };

export const TABLE_NAME = 'user_consume_card';

/**
 * The tutorial's table as `cloudfn tables create --from-push` makes it from the sample push:
 * one column per element, CreateTime an integer, plus `_AppId` (all flat: string or integer).
 */
export const TABLE_FIELDS = schemaFromPush(
  parsePushSample(
    fs.readFileSync(path.join(REPO_ROOT, 'fixtures/wechat/user_consume_card.xml'), 'utf8'),
    'user_consume_card.xml',
  ),
) as { name: string; type: 'string' | 'integer' }[];

export const FUNCTION_FILE = path.join(REPO_ROOT, 'functions/user_consume_card.js');

/** The tutorial's trigger, for one account. */
export function tutorialTrigger(
  appId: string,
  name = `user_consume_card_${appId}`,
): Record<string, unknown> {
  return {
    name,
    type: 'wechat_message',
    condition: {
      appId,
      match: 'all',
      rules: [{ field: 'event', op: '=', value: 'user_consume_card' }],
    },
    actions: [{ type: 'function', function: 'user_consume_card' }],
  };
}
