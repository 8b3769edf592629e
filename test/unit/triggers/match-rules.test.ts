import { describe, expect, test } from 'vitest';
import { explainMatch, matchRules, TriggerInvalidError } from '../../../engine/triggers/index.ts';
import type { Rule } from '../../../engine/triggers/index.ts';
import { catchError } from './catch-error.ts';
import { CONSUME_CARD, MP_TEXT, PIC_WEIXIN } from './push-samples.ts';

const one = (rule: Rule, data: unknown): boolean =>
  matchRules({ match: 'all', rules: [rule] }, data);

// Every op against values of every JSON type: [description, rule, data, expected]
const OP_TABLE: Array<[string, Rule, unknown, boolean]> = [
  // = : strings exact
  ['= string equal', { field: 'Event', op: '=', value: 'subscribe' }, { Event: 'subscribe' }, true],
  [
    '= string differs by case',
    { field: 'Event', op: '=', value: 'Subscribe' },
    { Event: 'subscribe' },
    false,
  ],
  ['= string vs leading zeros', { field: 'Code', op: '=', value: '001' }, { Code: '1' }, false],
  [
    '= numeric rule vs numeric-string field',
    { field: 'Count', op: '=', value: 2 },
    { Count: '2' },
    true,
  ],
  ['= numeric rule vs "2.0"', { field: 'Count', op: '=', value: 2 }, { Count: '2.0' }, true],
  [
    '= numeric rule vs non-numeric text',
    { field: 'Count', op: '=', value: 2 },
    { Count: 'two' },
    false,
  ],
  [
    '= numeric rule vs number',
    { field: 'CreateTime', op: '=', value: 1472549042 },
    CONSUME_CARD,
    true,
  ],
  [
    '= numeric-string rule vs number field',
    { field: 'CreateTime', op: '=', value: '1472549042' },
    CONSUME_CARD,
    true,
  ],
  ['= text rule vs number field', { field: 'n', op: '=', value: 'x1' }, { n: 1 }, false],
  ['= number vs boolean', { field: 'b', op: '=', value: 1 }, { b: true }, false],
  ['= boolean vs boolean', { field: 'b', op: '=', value: true }, { b: true }, true],
  ['= boolean vs "true"', { field: 'b', op: '=', value: true }, { b: 'true' }, true],
  ['= "false" vs boolean', { field: 'b', op: '=', value: 'false' }, { b: false }, true],
  ['= boolean vs "yes"', { field: 'b', op: '=', value: true }, { b: 'yes' }, false],
  ['= null vs null', { field: 'x', op: '=', value: null }, { x: null }, true],
  ['= null vs missing', { field: 'x', op: '=', value: null }, {}, true],
  ['= null vs ""', { field: 'x', op: '=', value: null }, { x: '' }, false],
  ['= string vs missing', { field: 'x', op: '=', value: 'a' }, {}, false],
  ['= string vs null', { field: 'x', op: '=', value: 'a' }, { x: null }, false],
  [
    '= object deep equal',
    { field: 'o', op: '=', value: { a: [1, 2] } },
    { o: { a: [1, 2] } },
    true,
  ],
  [
    '= object deep differs',
    { field: 'o', op: '=', value: { a: [1, 2] } },
    { o: { a: [1, '2'] } },
    false,
  ],
  [
    '= object key count differs',
    { field: 'o', op: '=', value: { a: 1 } },
    { o: { a: 1, b: 2 } },
    false,
  ],
  ['= array vs object', { field: 'o', op: '=', value: [] }, { o: {} }, false],
  [
    '= 64-bit MsgId as text',
    { field: 'MsgId', op: '=', value: '6054768590064713728' },
    MP_TEXT,
    true,
  ],
  [
    '= 64-bit MsgId off by one',
    { field: 'MsgId', op: '=', value: '6054768590064713729' },
    MP_TEXT,
    false,
  ],
  // !=
  ['!= different', { field: 'Event', op: '!=', value: 'SCAN' }, { Event: 'subscribe' }, true],
  ['!= same', { field: 'Event', op: '!=', value: 'SCAN' }, { Event: 'SCAN' }, false],
  ['!= numeric same', { field: 'Count', op: '!=', value: 2 }, { Count: '2' }, false],
  ['!= missing vs text', { field: 'x', op: '!=', value: 'a' }, {}, true],
  ['!= missing vs null', { field: 'x', op: '!=', value: null }, {}, false],
  ['!= present vs null', { field: 'x', op: '!=', value: null }, { x: 0 }, true],
  // > >= < <=
  ['> numeric on numeric string', { field: 'Fee', op: '>', value: 9999 }, { Fee: '10000' }, true],
  ['> numeric is not text order', { field: 'Fee', op: '>', value: 9 }, { Fee: '10' }, true],
  ['> equal is false', { field: 'Fee', op: '>', value: 10 }, { Fee: 10 }, false],
  ['>= equal', { field: 'Fee', op: '>=', value: 10 }, { Fee: 10 }, true],
  ['>= below', { field: 'Fee', op: '>=', value: 10 }, { Fee: '9.5' }, false],
  ['< negative', { field: 't', op: '<', value: 0 }, { t: '-1.5' }, true],
  ['< exponent', { field: 't', op: '<', value: 1000 }, { t: '1e2' }, true],
  ['<= equal', { field: 't', op: '<=', value: 3 }, { t: 3 }, true],
  ['<= above', { field: 't', op: '<=', value: 3 }, { t: 4 }, false],
  ['> numeric rule on text field', { field: 't', op: '>', value: 1 }, { t: 'abc' }, false],
  ['< numeric rule on text field', { field: 't', op: '<', value: 1 }, { t: 'abc' }, false],
  ['> numeric rule on hex text', { field: 't', op: '>', value: 1 }, { t: '0x10' }, false],
  ['> numeric rule on empty text', { field: 't', op: '>', value: -1 }, { t: '' }, false],
  ['> numeric rule on boolean', { field: 't', op: '>', value: 0 }, { t: true }, false],
  ['> numeric rule on null', { field: 't', op: '>', value: -1 }, { t: null }, false],
  ['> numeric rule on missing', { field: 't', op: '>', value: -1 }, {}, false],
  ['< numeric rule on missing', { field: 't', op: '<', value: 1 }, {}, false],
  [
    '> text order on texts',
    { field: 'd', op: '>', value: '2024-01-01' },
    { d: '2024-06-30' },
    true,
  ],
  ['< text order is by text ("10" < "9")', { field: 'd', op: '<', value: '9' }, { d: '10' }, true],
  ['>= text equal', { field: 'd', op: '>=', value: 'b' }, { d: 'b' }, true],
  ['<= text', { field: 'd', op: '<=', value: 'a' }, { d: 'b' }, false],
  ['> text rule on number field numeric', { field: 'n', op: '>', value: '5' }, { n: 10 }, true],
  [
    '> text rule on number field non-numeric',
    { field: 'n', op: '>', value: 'five' },
    { n: 10 },
    false,
  ],
  ['> text rule on object', { field: 'n', op: '>', value: 'a' }, { n: { a: 1 } }, false],
  // in
  [
    'in text list',
    { field: 'Event', op: 'in', value: ['subscribe', 'SCAN'] },
    { Event: 'SCAN' },
    true,
  ],
  [
    'in text list miss',
    { field: 'Event', op: 'in', value: ['subscribe', 'SCAN'] },
    { Event: 'CLICK' },
    false,
  ],
  [
    'in numbers vs numeric string',
    { field: 'Count', op: 'in', value: [1, 2] },
    { Count: '2' },
    true,
  ],
  ['in with null and missing field', { field: 'x', op: 'in', value: ['a', null] }, {}, true],
  ['in without null and missing field', { field: 'x', op: 'in', value: ['a'] }, {}, false],
  [
    'in compares an array field as a whole',
    { field: 'x', op: 'in', value: ['a'] },
    { x: ['a'] },
    false,
  ],
  // contains
  ['contains substring', { field: 'Content', op: 'contains', value: 'is a' }, MP_TEXT, true],
  [
    'contains is case-sensitive',
    { field: 'Content', op: 'contains', value: 'THIS' },
    MP_TEXT,
    false,
  ],
  ['contains empty substring', { field: 'Content', op: 'contains', value: '' }, MP_TEXT, true],
  ['contains number in text', { field: 'c', op: 'contains', value: 42 }, { c: 'answer 42' }, true],
  [
    'contains text in number field',
    { field: 'CreateTime', op: 'contains', value: '2549' },
    CONSUME_CARD,
    true,
  ],
  [
    'contains array element',
    { field: 'tags', op: 'contains', value: 'vip' },
    { tags: ['new', 'vip'] },
    true,
  ],
  [
    'contains array element missing',
    { field: 'tags', op: 'contains', value: 'vi' },
    { tags: ['new', 'vip'] },
    false,
  ],
  [
    'contains array typed element',
    { field: 'ids', op: 'contains', value: 2 },
    { ids: ['1', '2'] },
    true,
  ],
  [
    'contains array object element',
    { field: 'a', op: 'contains', value: { k: 1 } },
    { a: [{ k: 1 }] },
    true,
  ],
  [
    'contains on object is false',
    { field: 'o', op: 'contains', value: 'a' },
    { o: { a: 1 } },
    false,
  ],
  [
    'contains on boolean is false',
    { field: 'o', op: 'contains', value: 'true' },
    { o: true },
    false,
  ],
  ['contains on missing', { field: 'x', op: 'contains', value: 'a' }, {}, false],
  ['contains on null', { field: 'x', op: 'contains', value: 'a' }, { x: null }, false],
  // regex
  ['regex plain', { field: 'Content', op: 'regex', value: '^this' }, MP_TEXT, true],
  ['regex plain no match', { field: 'Content', op: 'regex', value: '^test' }, MP_TEXT, false],
  [
    'regex literal with i flag',
    { field: 'Content', op: 'regex', value: '/^THIS/i' },
    MP_TEXT,
    true,
  ],
  [
    'regex literal without flag is case-sensitive',
    { field: 'Content', op: 'regex', value: '/^THIS/' },
    MP_TEXT,
    false,
  ],
  [
    'regex on number field text',
    { field: 'CreateTime', op: 'regex', value: '^147' },
    CONSUME_CARD,
    true,
  ],
  ['regex on missing', { field: 'x', op: 'regex', value: '.*' }, {}, false],
  ['regex on null', { field: 'x', op: 'regex', value: '.*' }, { x: null }, false],
  ['regex on array', { field: 'x', op: 'regex', value: '.*' }, { x: ['a'] }, false],
  [
    'regex with unicode class',
    { field: 'x', op: 'regex', value: '/^\\p{Script=Han}+$/u' },
    { x: '你好' },
    true,
  ],
  ['regex s flag', { field: 'x', op: 'regex', value: '/a.b/s' }, { x: 'a\nb' }, true],
  ['regex without s flag', { field: 'x', op: 'regex', value: 'a.b' }, { x: 'a\nb' }, false],
  // exists
  ['exists present', { field: 'LocationName', op: 'exists' }, CONSUME_CARD, true],
  ['exists null counts as present', { field: 'x', op: 'exists' }, { x: null }, true],
  ['exists missing', { field: 'x', op: 'exists' }, {}, false],
  ['exists true explicit', { field: 'x', op: 'exists', value: true }, { x: 1 }, true],
  ['exists false on missing', { field: 'x', op: 'exists', value: false }, {}, true],
  ['exists false on present', { field: 'x', op: 'exists', value: false }, { x: 1 }, false],
  // isempty
  ['isempty ""', { field: 'VerifyCode', op: 'isempty' }, CONSUME_CARD, true],
  ['isempty null', { field: 'x', op: 'isempty' }, { x: null }, true],
  ['isempty []', { field: 'x', op: 'isempty' }, { x: [] }, true],
  ['isempty {}', { field: 'x', op: 'isempty' }, { x: {} }, true],
  ['isempty missing', { field: 'x', op: 'isempty' }, {}, true],
  ['isempty text', { field: 'x', op: 'isempty' }, { x: ' ' }, false],
  ['isempty 0', { field: 'x', op: 'isempty' }, { x: 0 }, false],
  ['isempty false', { field: 'x', op: 'isempty' }, { x: false }, false],
  ['isempty [null]', { field: 'x', op: 'isempty' }, { x: [null] }, false],
  ['isempty {a:null}', { field: 'x', op: 'isempty' }, { x: { a: null } }, false],
  ['isempty false on text', { field: 'x', op: 'isempty', value: false }, { x: 'a' }, true],
  ['isempty false on missing', { field: 'x', op: 'isempty', value: false }, {}, false],
];

describe('rule ops', () => {
  test.each(OP_TABLE)('%s', (_name, rule, data, expected) => {
    expect(one(rule, data)).toBe(expected);
    // explainMatch must agree with matchRules, rule by rule.
    const explained = explainMatch({ match: 'all', rules: [rule] }, data);
    expect(explained.matched).toBe(expected);
    expect(explained.rules[0]!.matched).toBe(expected);
    expect(explained.rules[0]!.reason === undefined).toBe(expected);
  });
});

describe('field lookup', () => {
  test('exact name first, then case-insensitive', () => {
    expect(one({ field: 'event', op: '=', value: 'user_consume_card' }, CONSUME_CARD)).toBe(true);
    expect(one({ field: 'EVENT', op: '=', value: 'user_consume_card' }, CONSUME_CARD)).toBe(true);
    expect(one({ field: 'msgid', op: '=', value: '6054768590064713728' }, MP_TEXT)).toBe(true);
  });

  test('an exact match wins over a case-insensitive one', () => {
    const data = { Event: 'a', event: 'b' };
    expect(one({ field: 'event', op: '=', value: 'b' }, data)).toBe(true);
    expect(one({ field: 'Event', op: '=', value: 'a' }, data)).toBe(true);
  });

  test('among case-insensitive candidates, the first key in order wins', () => {
    expect(one({ field: 'EVENT', op: '=', value: 'a' }, { Event: 'a', event: 'b' })).toBe(true);
    expect(one({ field: 'EVENT', op: '=', value: 'b' }, { event: 'b', Event: 'a' })).toBe(true);
  });

  test('dotted paths reach into objects and arrays', () => {
    expect(one({ field: 'SendPicsInfo.Count', op: '=', value: 2 }, PIC_WEIXIN)).toBe(true);
    expect(one({ field: 'sendpicsinfo.count', op: '=', value: 2 }, PIC_WEIXIN)).toBe(true);
    const md5 = 'c4564632a4fab91378c39bea6aad6f9e';
    expect(
      one({ field: 'SendPicsInfo.PicList.1.item.0.PicMd5Sum', op: '=', value: md5 }, PIC_WEIXIN),
    ).toBe(true);
    expect(
      one({ field: 'SendPicsInfo.PicList[1].item[0].PicMd5Sum', op: '=', value: md5 }, PIC_WEIXIN),
    ).toBe(true);
    expect(one({ field: 'SendPicsInfo.PicList.2', op: 'exists' }, PIC_WEIXIN)).toBe(false);
    expect(
      one(
        { field: 'SendPicsInfo.PicList', op: 'contains', value: { item: [{ PicMd5Sum: md5 }] } },
        PIC_WEIXIN,
      ),
    ).toBe(true);
  });

  test('a key containing dots is found whole before the path is walked', () => {
    expect(one({ field: 'a.b', op: '=', value: 1 }, { 'a.b': 1, a: { b: 2 } })).toBe(true);
    expect(one({ field: 'a.b', op: '=', value: 2 }, { a: { b: 2 } })).toBe(true);
  });

  test('paths stop at values that are not containers', () => {
    expect(one({ field: 'Content.length', op: 'exists' }, MP_TEXT)).toBe(false);
    expect(one({ field: 'a.b', op: 'exists' }, { a: null })).toBe(false);
    expect(one({ field: 'a.length', op: 'exists' }, { a: [1] })).toBe(false);
    expect(one({ field: 'a.-1', op: 'exists' }, { a: [1] })).toBe(false);
    expect(one({ field: 'a.01', op: 'exists' }, { a: [1, 2] })).toBe(false);
  });

  test('own properties only: the prototype is never reached', () => {
    expect(one({ field: 'constructor', op: 'exists' }, {})).toBe(false);
    expect(one({ field: 'toString', op: 'exists' }, { a: 1 })).toBe(false);
    expect(one({ field: '__proto__', op: 'exists' }, {})).toBe(false);
    expect(one({ field: 'a.hasOwnProperty', op: 'exists' }, { a: {} })).toBe(false);
    const parsed = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    expect(one({ field: '__proto__.x', op: '=', value: 1 }, parsed)).toBe(true);
  });

  test('data that is not an object has no fields', () => {
    for (const data of [null, undefined, 'text', 3, [1, 2]]) {
      expect(one({ field: 'x', op: 'exists' }, data)).toBe(false);
    }
    expect(one({ field: '0', op: '=', value: 1 }, [1, 2])).toBe(true);
  });
});

describe('match modes', () => {
  const yes: Rule = { field: 'MsgType', op: '=', value: 'event' };
  const no: Rule = { field: 'MsgType', op: '=', value: 'text' };

  test.each([
    ['all', [yes, yes], true],
    ['all', [yes, no], false],
    ['all', [no, no], false],
    ['any', [yes, no], true],
    ['any', [no, yes], true],
    ['any', [no, no], false],
    ['all', [], true],
    ['any', [], true],
  ] as const)('match %s of %j', (match, rules, expected) => {
    expect(matchRules({ match, rules: [...rules] }, CONSUME_CARD)).toBe(expected);
    expect(explainMatch({ match, rules: [...rules] }, CONSUME_CARD).matched).toBe(expected);
  });

  test('match defaults to all and rules default to none', () => {
    expect(matchRules({ rules: [yes, no] }, CONSUME_CARD)).toBe(false);
    expect(matchRules({}, CONSUME_CARD)).toBe(true);
  });

  test('the SPEC example matches its push', () => {
    const condition = {
      appId: 'wx2c2769f8efd9abc2',
      match: 'all' as const,
      rules: [{ field: 'Event', op: '=' as const, value: 'user_consume_card' }],
    };
    expect(matchRules(condition, CONSUME_CARD)).toBe(true);
  });
});

describe('explainMatch', () => {
  test('reports each rule with the value found and why a rule failed', () => {
    const result = explainMatch(
      {
        match: 'all',
        rules: [
          { field: 'event', op: '=', value: 'user_consume_card' },
          { field: 'Fee', op: '>', value: 100 },
          { field: 'CardId', op: 'regex', value: '^x' },
          { field: 'ConsumeSource', op: '>', value: 3 },
        ],
      },
      CONSUME_CARD,
    );
    expect(result.matched).toBe(false);
    expect(result.rules.map((r) => r.matched)).toEqual([true, false, false, false]);
    expect(result.rules[0]).toEqual({
      index: 0,
      field: 'event',
      op: '=',
      value: 'user_consume_card',
      actual: 'user_consume_card',
      matched: true,
    });
    expect(result.rules[1]!.actual).toBeUndefined();
    expect(result.rules[1]!.reason).toMatch(/missing/);
    expect(result.rules[2]!.reason).toMatch(/does not match/);
    expect(result.rules[3]!.reason).toMatch(/not a number/);
  });

  test('any: matched when one rule holds, failing rules still explained', () => {
    const result = explainMatch(
      {
        match: 'any',
        rules: [
          { field: 'x', op: 'exists' },
          { field: 'MsgType', op: '=', value: 'text' },
        ],
      },
      MP_TEXT,
    );
    expect(result.matched).toBe(true);
    expect(result.rules[0]!.reason).toBe('field "x" is missing');
  });
});

describe('invalid conditions given straight to the matcher', () => {
  test('an unknown op is refused, listing the ops', () => {
    const rule = { field: 'x', op: 'like', value: 'a' } as unknown as Rule;
    const err = catchError(() => one(rule, { x: 'a' }));
    expect(err).toBeInstanceOf(TriggerInvalidError);
    expect((err as Error).message).toBe(
      'condition.rules[0].op: unknown op "like"; use one of: = != > >= < <= in contains regex exists isempty',
    );
  });

  test('a bad regex is refused, not silently false', () => {
    expect(() => one({ field: 'x', op: 'regex', value: '(' }, {})).toThrow(TriggerInvalidError);
    const err = catchError(() => one({ field: 'x', op: 'regex', value: '/a/g' }, {}));
    expect(err).toBeInstanceOf(TriggerInvalidError);
    expect((err as TriggerInvalidError).code).toBe('E_TRIGGER_BAD_REGEX');
    expect((err as TriggerInvalidError).details?.['path']).toBe('condition.rules[0].value');
  });
});
