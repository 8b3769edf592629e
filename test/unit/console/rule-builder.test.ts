import { describe, expect, it } from 'vitest';
import {
  buildRules,
  RuleInputError,
  rowsOf,
  ruleValue,
} from '../../../console/src/lib/rule-builder.ts';

// The trigger page's rule builder → the trigger's `rules` (docs/triggers.md).
describe('rule builder', () => {
  it('keeps plain words as strings and reads JSON values as JSON', () => {
    expect(ruleValue({ field: 'Event', op: '=', value: 'user_consume_card' })).toBe(
      'user_consume_card',
    );
    expect(ruleValue({ field: 'Fee', op: '=', value: '42' })).toBe(42);
    expect(ruleValue({ field: 'Code', op: '=', value: '"0042"' })).toBe('0042');
    expect(ruleValue({ field: 'X', op: '=', value: 'null' })).toBeNull();
    expect(ruleValue({ field: 'Fee', op: '>', value: '9999' })).toBe(9999);
    expect(ruleValue({ field: 'At', op: '>', value: '2024-06-30' })).toBe('2024-06-30');
    expect(ruleValue({ field: 'MsgType', op: 'in', value: 'text, image' })).toEqual([
      'text',
      'image',
    ]);
    expect(ruleValue({ field: 'N', op: 'in', value: '[1,2]' })).toEqual([1, 2]);
    expect(ruleValue({ field: 'Content', op: 'regex', value: '/^hi/i' })).toBe('/^hi/i');
    expect(ruleValue({ field: 'CardId', op: 'exists', value: '' })).toBeUndefined();
    expect(ruleValue({ field: 'CardId', op: 'isempty', value: 'false' })).toBe(false);
  });

  it('builds rules, without a value where the operator takes none', () => {
    expect(
      buildRules([
        { field: ' Event ', op: '=', value: 'user_consume_card' },
        { field: 'CardId', op: 'exists', value: '' },
      ]),
    ).toEqual([
      { field: 'Event', op: '=', value: 'user_consume_card' },
      { field: 'CardId', op: 'exists' },
    ]);
  });

  it('names the row that cannot become a rule', () => {
    const attempt = () =>
      buildRules([
        { field: 'Event', op: '=', value: 'x' },
        { field: 'MsgType', op: 'in', value: '[' },
      ]);
    expect(attempt).toThrow(RuleInputError);
    try {
      attempt();
    } catch (err) {
      expect((err as RuleInputError).index).toBe(1);
    }
    expect(() => buildRules([{ field: '', op: '=', value: 'x' }])).toThrow(RuleInputError);
    expect(() => buildRules([{ field: 'A', op: 'exists', value: 'maybe' }])).toThrow(
      RuleInputError,
    );
  });

  it('turns saved rules back into the same rows', () => {
    const rules = buildRules([
      { field: 'Event', op: '=', value: 'user_consume_card' },
      { field: 'Fee', op: '>', value: '100' },
      { field: 'Code', op: '=', value: '"0042"' },
      { field: 'MsgType', op: 'in', value: '["text","image"]' },
      { field: 'CardId', op: 'exists', value: '' },
    ]);
    expect(buildRules(rowsOf(rules))).toEqual(rules);
  });

  it('makes rules the engine accepts and matches as intended', async () => {
    const { startTestEngine } = await import('../../helpers/engine.ts');
    const t = await startTestEngine();
    try {
      const rules = buildRules([
        { field: 'Event', op: '=', value: 'user_consume_card' },
        { field: 'UserCardCode', op: 'regex', value: '^4529' },
        { field: 'MsgType', op: 'in', value: 'event, text' },
      ]);
      // A trigger may only name an account and a function that exist.
      await t.api('PUT', '/wechat/accounts/wx2c2769f8efd9abc2', { token: 'spamtest' });
      await t.api('PUT', '/functions/noop', { code: 'exports.main = async () => 1;' });
      const made = await t.api('POST', '/triggers', {
        name: 'built',
        type: 'wechat_message',
        condition: { appId: 'wx2c2769f8efd9abc2', match: 'all', rules },
        actions: [{ type: 'function', function: 'noop', frequency: { atMostEvery: '10m' } }],
      });
      expect(made.status).toBe(201);
      const data = { Event: 'user_consume_card', UserCardCode: '452998530302', MsgType: 'event' };
      expect((await t.api('POST', '/triggers/built/test', { data })).body.matched).toBe(true);
      const other = { ...data, UserCardCode: '1' };
      expect((await t.api('POST', '/triggers/built/test', { data: other })).body.matched).toBe(
        false,
      );
    } finally {
      await t.close();
    }
  });
});
