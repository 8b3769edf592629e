import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLinearRegex } from '../../engine/limits/linear-regex.ts';
import { compileRuleRegex } from '../../engine/triggers/rule-regex.ts';
import { checkRegex, createRegexpFunction } from '../../engine/tables/regex.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';

// Attack class: regular-expression denial of service. A backtracking engine takes
// exponential time on patterns like (a+)+$ against a near-miss input, with no timeout, on
// the engine's main thread (trigger rules) or in a query (the tables' $regex / matches).
// Every user-supplied pattern now runs on the linear-time matcher, or is refused when saved.
// These tests pass no timing judgement: on a backtracking matcher they would not finish
// (2^40 and more steps), and the generous timeout reports that.
const HANG_TIMEOUT = 120_000;

/** Known catastrophic patterns, each with inputs that make a backtracking engine explode. */
const CORPUS: Array<[pattern: string, flags: string, inputs: string[]]> = [
  ['^(\\w+\\s?)+$', '', ['a'.repeat(40) + '!', 'hello world '.repeat(8) + '!']],
  ['(a+)+$', '', ['a'.repeat(50) + '!']],
  ['(a+)+b', 'i', ['A'.repeat(50)]],
  ['(\\w|\\d)+$', '', ['1'.repeat(60) + '!']],
  ['(x*){10}y', '', ['x'.repeat(60)]],
  ['(x+x+)+y', '', ['x'.repeat(50)]],
  ['(.*a){20}', 's', ['a'.repeat(30) + 'b'.repeat(30)]],
  ['^(a|aa)+$', '', ['a'.repeat(80) + '!']],
  ['(a|a?)+$', '', ['a'.repeat(50) + '!']],
  ['^(a|ab|b)*c$', '', ['ab'.repeat(40)]],
  ['(\\d+\\.?)+$', '', ['1'.repeat(50) + 'x']],
  [
    '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
    '',
    ['a'.repeat(50) + '!'],
  ],
  ['^(\\s*\\S+\\s*)+;$', 'm', ['x '.repeat(40)]],
];

/** Patterns the linear-time matcher cannot run: refused, saying why. */
const REFUSED: Array<[pattern: string, reason: RegExp]> = [
  ['(a+)\\1', /back-references/],
  ['(?<w>\\w+)\\k<w>', /back-references/],
  ['(?=(a+))+b', /lookahead and lookbehind/],
  ['(?!a)(a|b)+$', /lookahead and lookbehind/],
  ['(?<=a+)b', /lookahead and lookbehind/],
  ['\\w{1000}!', /too large|counted repeats/],
  ['(((a{100}){100}){100})', /counted repeats|too large/],
  // Refused from the pattern alone: compiling these would cost RE2 hundreds of ms each.
  ['(((\\w{5}){5}){5}){5}'.repeat(12), /too large/],
  ['\\w{999}'.repeat(30), /too large/],
];

describe('the linear-time matcher against a catastrophic corpus', () => {
  it(
    'finishes every known catastrophic pattern on adversarial input, with JavaScript results',
    () => {
      for (const [pattern, flags, inputs] of CORPUS) {
        const compiled = compileLinearRegex(pattern, flags);
        expect(compiled.ok, pattern).toBe(true);
        if (!compiled.ok) continue;
        for (const input of inputs) {
          expect(typeof compiled.regex.test(input), pattern).toBe('boolean');
          // Large inputs too: the cost grows with the text, not exponentially.
          compiled.regex.test(input.repeat(1000));
        }
        // Same answers as JavaScript where JavaScript answers quickly (short or matching text).
        for (const easy of ['', 'a', 'aab', 'hello world;', 'xxy', '11.2', 'a@b.com']) {
          expect(compiled.regex.test(easy), `${pattern} on ${easy}`).toBe(
            new RegExp(pattern, flags).test(easy),
          );
        }
      }
    },
    HANG_TIMEOUT,
  );

  it('refuses what needs backtracking or a huge automaton, saying why', () => {
    for (const [pattern, reason] of REFUSED) {
      const compiled = compileLinearRegex(pattern, '');
      expect(compiled.ok, pattern).toBe(false);
      if (!compiled.ok) expect(compiled.reason, pattern).toMatch(reason);
    }
  });

  it('keeps the JavaScript flags i, m, s and u', () => {
    const t = (p: string, f: string, s: string) => {
      const c = compileLinearRegex(p, f);
      if (!c.ok) throw new Error(c.reason);
      return c.regex.test(s);
    };
    expect(t('^hello', 'i', 'HELLO world')).toBe(true);
    expect(t('^hello', '', 'HELLO world')).toBe(false);
    expect(t('^b$', '', 'a\nb')).toBe(false);
    expect(t('^b$', 'm', 'a\nb')).toBe(true);
    expect(t('a.b', '', 'a\nb')).toBe(false);
    expect(t('a.b', 's', 'a\nb')).toBe(true);
    expect(t('a.b', '', 'a\rb')).toBe(false);
    expect(t('a.b', 's', 'a\u2028b')).toBe(true);
    expect(t('^\\p{Script=Han}+$', 'u', '你好')).toBe(true);
    expect(t('^[\\u4e00-\\u9fa5]{2}$', '', '你好')).toBe(true);
    expect(t('[\\b]', '', 'a\bb')).toBe(true);
    // \s as in JavaScript: the ideographic space of Chinese text, \v, no-break space.
    for (const space of ['\u3000', '\v', '\u00a0', ' '])
      expect(t('^你好\\s世界$', '', `你好${space}世界`)).toBe(true);
    expect(t('^\\S+$', '', 'ab\u3000')).toBe(false);
    expect(t('^[\\s,]+$', '', ' ,\u3000')).toBe(true);
    expect(compileLinearRegex('a', 'g').ok).toBe(false);
    expect(compileLinearRegex('(', '').ok).toBe(false);
  });

  it(
    'is what trigger rules and the tables use (rules, $regex, the SQLite function)',
    () => {
      const cf = createRegexpFunction();
      for (const [pattern, flags, inputs] of CORPUS) {
        const rule = compileRuleRegex(flags ? `/${pattern}/${flags}` : pattern);
        expect(rule.ok, pattern).toBe(true);
        if (pattern.length <= 256) expect(checkRegex(pattern, flags)).toEqual({ pattern, flags });
        for (const input of inputs) {
          if (rule.ok) rule.regex.test(input);
          expect([0, 1]).toContain(cf(pattern, flags, input));
        }
      }
      for (const [pattern, reason] of REFUSED) {
        const rule = compileRuleRegex(pattern);
        expect(rule.ok).toBe(false);
        if (!rule.ok) expect(rule.reason).toMatch(reason);
        expect(() => checkRegex(pattern, '')).toThrow(
          expect.objectContaining({ code: 'E_TABLE_BAD_REGEX', status: 400 }),
        );
      }
    },
    HANG_TIMEOUT,
  );
});

describe('regex attacks on a real engine', () => {
  let t: TestEngine;
  let key: string;

  beforeAll(async () => {
    t = await startTestEngine();
    expect(
      (await t.api('PUT', '/functions/on_text', { code: 'exports.main = async (e) => e.data' }))
        .status,
    ).toBe(201);
    const trigger = await t.api('POST', '/triggers', {
      name: 'chat',
      type: 'webhook',
      condition: { match: 'all', rules: [{ field: 'text', op: 'regex', value: '^(\\w+\\s?)+$' }] },
      actions: [{ type: 'function', function: 'on_text' }],
    });
    expect(trigger.status).toBe(201);
    key = trigger.body.key;
    expect(
      (
        await t.api('POST', '/tables', {
          name: 'messages',
          fields: [{ name: 'text', type: 'string' }],
        })
      ).status,
    ).toBe(201);
    for (const text of ['a'.repeat(40) + '!', 'hello world', '1'.repeat(60) + '!'])
      expect((await t.api('POST', '/tables/messages/records', { text })).status).toBe(201);
  });

  afterAll(async () => {
    await t?.close();
  });

  const hook = async (text: string) => {
    const response = await fetch(`${t.engine.url}/hooks/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    expect(response.status).toBe(202);
    await response.arrayBuffer();
  };

  it(
    'matches a catastrophic trigger rule against adversarial pushes without stalling the engine',
    async () => {
      await hook('a'.repeat(60) + '!'); // the near miss that backtracks exponentially
      await hook('hello world from cloudfn'); // a match
      await t.engine.settled();
      expect((await fetch(`${t.engine.url}/healthz`)).status).toBe(200);
      const logs = await t.api('GET', '/triggers/chat/logs');
      expect(logs.body.objects).toHaveLength(1);
      expect(logs.body.objects[0].event).toEqual({ text: 'hello world from cloudfn' });
    },
    HANG_TIMEOUT,
  );

  it(
    'runs catastrophic $regex queries and matches() in a function to completion',
    async () => {
      const where = (regex: string) =>
        encodeURIComponent(JSON.stringify({ text: { $regex: regex } }));
      const found = await t.api('GET', `/tables/messages/records?where=${where('(\\w|\\d)+$')}`);
      expect(found.status).toBe(200);
      expect(found.body.objects.map((r: { text: string }) => r.text)).toEqual(['hello world']);
      expect((await t.api('GET', `/tables/messages/records?where=${where('(a+)+$')}`)).status).toBe(
        200,
      );
      const refused = await t.api('GET', `/tables/messages/records?where=${where('(a+)\\1')}`);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('E_TABLE_BAD_REGEX');
      expect(refused.body.error.message).toMatch(/back-references/);

      // In a function, through the executor's own connection to the tables.
      const code = `exports.main = async () => {
        const t = new BaaS.TableObject('messages');
        const q = new BaaS.Query(); q.matches('text', /^(\\w+\\s?)+$/);
        const hits = await t.setQuery(q).find();
        let refused = null;
        try { await t.setQuery(new BaaS.Query().matches('text', /(?=a)a/)).find(); }
        catch (e) { refused = e.reason; }
        return { hits: hits.data.objects.map((r) => r.text), refused };
      };`;
      expect((await t.api('PUT', '/functions/search', { code })).status).toBe(201);
      const run = await t.api('POST', '/functions/search/invoke', {});
      expect(run.body).toMatchObject({
        code: 0,
        data: { hits: ['hello world'], refused: 'E_TABLE_BAD_REGEX' },
      });
    },
    HANG_TIMEOUT,
  );

  it('refuses a trigger rule the matcher cannot run when it is saved, saying why', async () => {
    const saved = await t.api('POST', '/triggers', {
      name: 'backref',
      type: 'webhook',
      condition: { match: 'all', rules: [{ field: 'text', op: 'regex', value: '/(\\w+) \\1/i' }] },
      actions: [{ type: 'function', function: 'on_text' }],
    });
    expect(saved.status).toBe(400);
    expect(saved.body.error).toMatchObject({
      code: 'E_TRIGGER_BAD_REGEX',
      path: 'condition.rules[0].value',
    });
    expect(saved.body.error.message).toMatch(/back-references/);
  });
});
