import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  eventDataOf,
  parsePushSample,
  schemaFromPush,
  withCreateTime,
  withFreshMsgId,
} from '../../../engine/cli/push-sample.ts';
import { isEventOf } from '../../../engine/cli/event-match.ts';
import { wechatFixture, wechatFixturesDir } from '../../helpers/fixtures.ts';

describe('schemaFromPush', () => {
  it('makes a string column per element, CreateTime an integer, plus _AppId (the card tutorial)', () => {
    const fields = schemaFromPush(parsePushSample(wechatFixture('user_consume_card.xml'), 'f'));
    expect(fields).toEqual([
      ...['ToUserName', 'FromUserName'].map((name) => ({ name, type: 'string' })),
      { name: 'CreateTime', type: 'integer' },
      ...[
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
    ]);
  });

  it('keeps nested elements as objects and leaves the Encrypt envelope out', () => {
    const fields = schemaFromPush(
      parsePushSample(wechatFixture('pic_weixin_duplicate_piclist.xml'), 'f'),
    );
    expect(fields.find((f) => f.name === 'SendPicsInfo')).toEqual({
      name: 'SendPicsInfo',
      type: 'object',
    });
    const compat = schemaFromPush(parsePushSample(wechatFixture('encrypted_compat_mode.xml'), 'f'));
    expect(compat.map((f) => f.name)).not.toContain('Encrypt');
  });

  it('gives every fixture push a valid table schema', () => {
    for (const file of fs
      .readdirSync(wechatFixturesDir)
      .filter((f) => /\.xml$/.test(f) && !f.startsWith('attack'))) {
      const fields = schemaFromPush(
        parsePushSample(fs.readFileSync(path.join(wechatFixturesDir, file), 'utf8'), file),
      );
      for (const field of fields) expect(field.name, file).toMatch(/^[A-Za-z_][A-Za-z0-9_]{0,31}$/);
      expect(fields.at(-1), file).toEqual({ name: '_AppId', type: 'string' });
    }
  });

  it('refuses what is not a push, as a usage error naming the file', () => {
    expect(() => parsePushSample('<html></html>', 'page.html')).toThrow(
      /page.html is not a WeChat push/,
    );
    expect(() => parsePushSample(wechatFixture('attack_xxe.xml'), 'x.xml')).toThrow(/DOCTYPE/);
  });
});

describe('withCreateTime', () => {
  it('rewrites the XML element and nothing else, byte for byte', () => {
    const xml = wechatFixture('text.xml');
    const out = withCreateTime(xml, 1700000000);
    expect(out).toContain('<CreateTime>1700000000</CreateTime>');
    expect(out.replace(/<CreateTime>\d+<\/CreateTime>/, '')).toBe(
      xml.trim().replace(/<CreateTime>[\s\S]*?<\/CreateTime>/, ''),
    );
    expect(eventDataOf(out, 'f', 'wx1').CreateTime).toBe(1700000000);
  });
  it('adds CreateTime when missing, and rewrites JSON pushes keeping 64-bit ids', () => {
    expect(withCreateTime('<xml><MsgType>text</MsgType></xml>', 5)).toBe(
      '<xml><MsgType>text</MsgType><CreateTime>5</CreateTime></xml>',
    );
    const json = '{"ToUserName":"gh","CreateTime":1,"MsgId":6054768590064713728}';
    expect(withCreateTime(json, 9)).toBe(
      '{"ToUserName":"gh","CreateTime":9,"MsgId":6054768590064713728}',
    );
    expect(withCreateTime('{"a":"b"}', 9)).toBe('{"CreateTime":9,"a":"b"}');
  });
});

describe('withFreshMsgId', () => {
  it('replaces MsgId / MsgID with a new 19-digit id', () => {
    const random = () => 0.5;
    expect(withFreshMsgId('<xml><MsgId>1234567890123456</MsgId></xml>', random)).toBe(
      '<xml><MsgId>5555555555555555555</MsgId></xml>',
    );
    expect(withFreshMsgId('<xml><MsgID>1</MsgID></xml>', random)).toBe(
      '<xml><MsgID>5555555555555555555</MsgID></xml>',
    );
    expect(withFreshMsgId('{"MsgId":6054768590064713728}', random)).toBe(
      '{"MsgId":"5555555555555555555"}',
    );
    expect(withFreshMsgId('<xml><Event>subscribe</Event></xml>')).toBe(
      '<xml><Event>subscribe</Event></xml>',
    );
  });
});

describe('isEventOf', () => {
  it('is true when every field of the push is in the logged event, equal', () => {
    const data = eventDataOf(wechatFixture('user_consume_card.xml'), 'f', 'wx1');
    expect(isEventOf({ ...data }, data)).toBe(true);
    expect(isEventOf({ ...data, CreateTime: 1 }, data)).toBe(false);
    expect(isEventOf({ ...data, _AppId: 'wx2' }, data)).toBe(false);
    expect(isEventOf(null, data)).toBe(false);
  });
});
