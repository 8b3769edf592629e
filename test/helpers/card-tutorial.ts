import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, wechatVectors } from './fixtures.ts';

/**
 * MinCloud's card tutorial as the tests set it up (one engine, two processes, a migrated
 * data dir): the account (the official sample, set B), the table, the function and the
 * trigger, as the bodies the admin API takes.
 */
const B = wechatVectors().B_wxbizmsgcrypt_sample;

/** A safe-mode account: the official sample's appId, token and EncodingAESKey. */
export const cardAccount = { appId: B.appid, token: B.token, encodingAESKey: B.encodingAESKey };

/** `POST /tables`: one string column per element of the push, CreateTime an integer. */
export const cardTable = {
  name: 'user_consume_card',
  fields: [
    ...[
      'ToUserName',
      'FromUserName',
      'MsgType',
      'Event',
      'CardId',
      'UserCardCode',
      'ConsumeSource',
      'LocationName',
      'StaffOpenId',
      'VerifyCode',
      'RemarkAmount',
      'OuterStr',
      '_AppId',
    ].map((name) => ({ name, type: 'string' })),
    { name: 'CreateTime', type: 'integer' },
  ],
};

/** The tutorial's function, as the repository ships it. */
export function cardFunctionCode(): string {
  return fs.readFileSync(path.join(repoRoot, 'functions/user_consume_card.js'), 'utf8');
}

/** `POST /triggers`: the account's `user_consume_card` events run the function. */
export function cardTrigger(appId: string) {
  return {
    name: 'user_consume_card',
    type: 'wechat_message',
    condition: {
      appId,
      match: 'all',
      rules: [{ field: 'event', op: '=', value: 'user_consume_card' }],
    },
    actions: [{ type: 'function', function: 'user_consume_card' }],
  };
}
