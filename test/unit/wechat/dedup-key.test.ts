/** The dedup key of a push without a MsgId: sha256 of its canonical text (keys sorted, _AppId out). */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dedupKeyOf } from '../../../engine/wechat/dedup-key.ts';

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('dedupKeyOf', () => {
  it('hashes a flat push as its sorted keys and values, without _AppId', () => {
    const data = { ToUserName: 'gh_1', Event: 'user_consume_card', CreateTime: '1442926343' };
    expect(dedupKeyOf({ ...data, _AppId: 'wx1' })).toBe(
      sha('{"CreateTime":"1442926343","Event":"user_consume_card","ToUserName":"gh_1"}'),
    );
    expect(dedupKeyOf({ b: 1, a: true, c: null, d: 'q"uote' })).toBe(
      sha('{"a":true,"b":1,"c":null,"d":"q\\"uote"}'),
    );
  });

  it('sorts the keys of nested records and keeps arrays in order (only the root drops _AppId)', () => {
    expect(dedupKeyOf({ z: { y: '1', x: '2', _AppId: 'kept' }, a: ['b', { d: 1, c: 2 }] })).toBe(
      sha('{"a":["b",{"c":2,"d":1}],"z":{"_AppId":"kept","x":"2","y":"1"}}'),
    );
  });

  it('uses the MsgId when there is one', () => {
    expect(dedupKeyOf({ MsgId: '123', Content: 'x' })).toBe('msgid:123');
  });
});
