import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, wechatFixture, wechatVectors } from './fixtures.ts';
import { parsePushSample, schemaFromPush } from '../../engine/cli/push-sample.ts';

/**
 * MinCloud's card tutorial as the tests set it up (one engine, two processes, a migrated
 * data dir): the account (the official sample, set B), the table, the function and the
 * trigger, as the bodies the admin API takes.
 */
const B = wechatVectors().B_wxbizmsgcrypt_sample;

/** A safe-mode account: the official sample's appId, token and EncodingAESKey. */
export const cardAccount = { appId: B.appid, token: B.token, encodingAESKey: B.encodingAESKey };

/**
 * `POST /tables`: the table `cloudfn tables create --from-push` makes of the sample push (a
 * string column per element, CreateTime an integer, plus `_AppId`).
 */
export const cardTable = {
  name: 'user_consume_card',
  fields: schemaFromPush(
    parsePushSample(wechatFixture('user_consume_card.xml'), 'user_consume_card.xml'),
  ),
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

/** The fields of the row the function saves for the sample push (`UserCardCode` is the push's). */
export function cardRowOf(userCardCode: string, appId: string) {
  return {
    UserCardCode: userCardCode,
    CreateTime: 1472549042,
    Event: 'user_consume_card',
    CardId: 'pZI8Fj8y-E8hpvho2d1ZvpGwQBvA',
    LocationName: '',
    _AppId: appId,
  };
}
