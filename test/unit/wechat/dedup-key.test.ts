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

  it('keeps the sorted order for keys an object would reorder or not hold (indexes, __proto__)', () => {
    const data = JSON.parse('{"b":"1","10":"x","2":"y","a":"z","__proto__":"p"}') as Record<
      string,
      unknown
    >;
    expect(dedupKeyOf(data)).toBe(sha('{"10":"x","2":"y","__proto__":"p","a":"z","b":"1"}'));
    expect(dedupKeyOf({ b: '1', '7a': 'x', a: 'z' })).toBe(sha('{"7a":"x","a":"z","b":"1"}'));
  });

  it('uses the MsgId when there is one', () => {
    expect(dedupKeyOf({ MsgId: '123', Content: 'x' })).toBe('msgid:123');
  });
});
