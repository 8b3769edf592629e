// The flat reader is a fast path of parseWechatXml: for every input it either returns exactly
// what the full fast-xml-parser path returns or declines (undefined), so parseWechatXml as a
// whole answers every input as the full path does, same object or same error. Checked on
// generated documents (valid ones, and ones with whitespace, comments, entities, CDATA edge
// cases, attributes, repeated elements, odd names, truncations), and on every fixture.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  WechatError,
  normaliseMessage,
  openPush,
  prepareAccount,
  signPush,
} from '../../../engine/wechat/index.ts';
import { parseWechatXml, parseWechatXmlFully } from '../../../engine/wechat/parse-xml.ts';
import { readFlatXml } from '../../../engine/wechat/read-flat-xml.ts';
import { fixture, fixtureNames, vectors } from './fixtures.ts';

const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const runs = (numRuns: number) => ({ numRuns, ...(seed === undefined ? {} : { seed }) });

type Outcome = { value: Record<string, unknown> } | { error: string };

/** A parse's result or its error, comparable with toStrictEqual (key order checked apart). */
function outcome(parse: (text: string) => Record<string, unknown>, text: string): Outcome {
  try {
    return { value: parse(text) };
  } catch (err) {
    if (!(err instanceof WechatError)) throw err; // a crash, never an answer
    return { error: `${err.code}: ${err.message}` };
  }
}

/** Same outcome, and for objects the same key order and the same prototype. */
function expectSameOutcome(actual: Outcome, expected: Outcome, text: string): void {
  const label = JSON.stringify(text);
  expect(actual, label).toStrictEqual(expected);
  if ('value' in actual && 'value' in expected) {
    expect(JSON.stringify(actual.value), label).toBe(JSON.stringify(expected.value));
    expect(Object.getPrototypeOf(actual.value), label).toBe(Object.getPrototypeOf(expected.value));
  }
}

/** The fast path's answer checked against the full path's: equal, or declined. */
function checkEquivalence(text: string): 'fast' | 'declined' {
  const full = outcome(parseWechatXmlFully, text);
  expectSameOutcome(outcome(parseWechatXml, text), full, text);
  const fast = readFlatXml(text);
  if (fast === undefined) return 'declined';
  expectSameOutcome({ value: fast }, full, text);
  return 'fast';
}

// --- Generators -------------------------------------------------------------------------

const CLEAN_NAMES = ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Content', 'MsgId'];
const ODD_NAMES = [
  'item',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'xml',
  '_x1',
  'a-b',
  'a.b',
  '1a',
  'ns:A',
  'Ä',
  'Encrypt',
];
const anyName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...CLEAN_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_NAMES) },
);

// Characters that matter to XML and to trimming, plus ordinary ones.
const TRICKY = [...' \t\n\r<>&];#x1a中', '\u00a0', '\ufeff', '\u0000', '\u2028', ']]>', '<!'];
const trickyText = fc.string({ maxLength: 12, unit: fc.constantFrom(...TRICKY) });
const cleanText = fc.string({ maxLength: 12, unit: fc.constantFrom(...' \tab1中-'.split('')) });

const anyValue = fc.oneof(
  trickyText,
  { weight: 3, arbitrary: cleanText },
  trickyText.map((s) => `<![CDATA[${s}]]>`),
  { weight: 3, arbitrary: cleanText.map((s) => `<![CDATA[${s}]]>`) },
  trickyText.map((s) => `<![CDATA[${s}`), // unclosed
  fc.tuple(cleanText, cleanText).map(([a, b]) => `<![CDATA[${a}]]><![CDATA[${b}]]>`),
  cleanText.map((s) => ` <![CDATA[${s}]]>\n`),
  cleanText.map((s) => `<![CDATA[${s}]]>x`),
  fc.constantFrom('a&amp;b', '&lt;', '&#x41;', '&#65;', '&nbsp;', '&unknown;', '&', '&#0;'),
  fc.constantFrom('<!-- c -->1', '1<!-- c -->', '<B>x</B>', '<B/>', '<?pi x?>', '<!DOCTYPE x>'),
);

const anyElement = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(anyName, anyValue).map(([n, v]) => `<${n}>${v}</${n}>`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(anyName, anyValue, fc.constantFrom('/', ' a="1"', ' ', '\n', ' a', '/ '))
      .map(([n, v, extra]) =>
        extra.startsWith('/') ? `<${n}${extra}>` : `<${n}${extra}>${v}</${n}>`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(anyName, anyName, anyValue).map(([n, m, v]) => `<${n}>${v}</${m} >`),
  },
  { weight: 1, arbitrary: fc.tuple(anyName, anyValue).map(([n, v]) => `<${n}>${v}`) },
);

const separator = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('', ' ', '\n', '\t', '\n  ') },
  fc.constantFrom('\r\n', '<!-- c -->', 'junk', '\u00a0', '\ufeff'),
);

const anyDocument = fc
  .record({
    prefix: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('', ' \n') },
      fc.constantFrom('\ufeff', '<?xml version="1.0"?>', '<root/>', 'x'),
    ),
    open: fc.oneof(
      { weight: 6, arbitrary: fc.constant('<xml>') },
      fc.constantFrom('<xml >', '<XML>', '<xml a="1">', '<xmlx>'),
    ),
    elements: fc.array(fc.tuple(separator, anyElement), { maxLength: 7 }),
    before: separator,
    close: fc.oneof(
      { weight: 6, arbitrary: fc.constant('</xml>') },
      fc.constantFrom('</xml >', '</XML>', ''),
    ),
    suffix: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('', '\n') },
      fc.constantFrom(' junk', '<b/>', '</xml>', '\n\n'),
    ),
  })
  .map(
    (d) =>
      `${d.prefix}${d.open}${d.elements.map(([s, e]) => s + e).join('')}${d.before}${d.close}${d.suffix}`,
  );

/** A document, cut short at some point (a push truncated in transit or by a sender's bug). */
const truncated = fc
  .tuple(anyDocument, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([doc, at]) => doc.slice(0, Math.floor(doc.length * at)));

/** A document with one of its elements repeated (WeChat repeats PicList items). */
const withRepeat = fc
  .tuple(fc.uniqueArray(fc.constantFrom(...CLEAN_NAMES), { minLength: 1 }), cleanText, fc.nat())
  .map(([names, value, which]) => {
    const elements = names.map((n) => `<${n}><![CDATA[${value}]]></${n}>`);
    elements.splice(which % elements.length, 0, elements[which % elements.length]!);
    return `<xml>${elements.join('\n')}</xml>`;
  });

/** What WeChat sends: unique leaf elements, CDATA or plain text, newlines between. */
const wechatShaped = fc
  .tuple(
    fc.uniqueArray(fc.constantFrom(...CLEAN_NAMES, 'Event', 'EventKey', 'Ticket'), {
      minLength: 1,
    }),
    fc.array(
      fc.oneof(
        cleanText.map((s) => `<![CDATA[${s}]]>`),
        // Laid out as the card events' documentation shows them.
        fc
          .tuple(fc.constantFrom(' ', '\n\t', ''), cleanText, fc.constantFrom(' ', '\n', ''))
          .map(([before, s, after]) => `${before}<![CDATA[${s}]]>${after}`),
        fc
          .string({ maxLength: 12, unit: fc.constantFrom(...' \t\n&<>]\u00a0中'.split('')) })
          .filter((s) => !s.includes(']]>')) // a CDATA section cannot hold its own end
          .map((s) => `<![CDATA[${s}]]>`),
        cleanText,
      ),
      { minLength: 10, maxLength: 10 },
    ),
    fc.constantFrom('', '\n', ' ', '\n  '),
  )
  .map(([names, values, sep]) => {
    const elements = names.map((n, i) => `<${n}>${values[i % values.length]}</${n}>`);
    return `${sep}<xml>${sep}${elements.join(sep)}${sep}</xml>${sep}`;
  });

/** A WeChat-shaped document with one fragment slipped in somewhere: the near misses. */
const NEAR_MISS = [
  '&amp;',
  '&',
  '<',
  '>',
  ']]>',
  '<!-- c -->',
  '\r',
  ' ',
  '/',
  'a="1"',
  '<![CDATA[',
  '\u0000',
  '\ufeff',
  '</xml>',
  '<B>x</B>',
  '<!DOCTYPE x>',
];
const nearMiss = fc
  .tuple(wechatShaped, fc.constantFrom(...NEAR_MISS), fc.nat())
  .map(([doc, bit, at]) => {
    const i = at % (doc.length + 1);
    return doc.slice(0, i) + bit + doc.slice(i);
  });

// --- Tests --------------------------------------------------------------------------------

describe('the flat XML reader against the full parser', () => {
  it('reads what WeChat sends, exactly as the full parser does', () => {
    fc.assert(
      fc.property(wechatShaped, (text) => {
        // These are all inside the fast path's subset: a decline here would be a lost speed-up.
        expect(checkEquivalence(text), JSON.stringify(text)).toBe('fast');
      }),
      runs(500),
    );
  });

  it('returns the full parser’s object or declines, for generated documents', () => {
    let fast = 0;
    fc.assert(
      fc.property(fc.oneof(anyDocument, truncated, withRepeat, nearMiss), (text) => {
        if (checkEquivalence(text) === 'fast') fast++;
      }),
      runs(4000),
    );
    // The generators must reach the fast path often, or the property says little about it.
    expect(fast).toBeGreaterThan(40);
  });

  it('declines the cases the full parser treats its own way', () => {
    const declined = [
      '<xml><A>a\r\nb</A></xml>', // CR LF folded to LF by the full parser
      '<xml><A>1</A><A>2</A></xml>', // repeated: an array
      '<xml><item>1</item></xml>', // always an array
      '<xml><toString>1</toString></xml>', // renamed __toString
      '<xml><constructor>1</constructor></xml>', // refused
      '<xml><A>a&amp;b</A></xml>', // entity
      '<xml><A/></xml>', // empty-element tag
      '<xml><A><![CDATA[a]]><![CDATA[b]]></A></xml>', // two sections, joined
      '<xml><A>1</A></xml><b/>', // a second root, ignored by the full parser
      '<xml></xml>', // no children: refused by parseWechatXml with its own message
      '\ufeff<xml><A>1</A></xml>',
      '<xml><A a="1">1</A></xml>',
      '<xml><!-- c --><A>1</A></xml>',
    ];
    for (const text of declined) {
      expect(readFlatXml(text), text).toBeUndefined();
      checkEquivalence(text);
    }
  });

  it('keeps the DOCTYPE refusal even inside CDATA, as the full path does', () => {
    const text = '<xml><Content><![CDATA[<!DOCTYPE x>]]></Content></xml>';
    const full = outcome(parseWechatXmlFully, text);
    expect(full).toStrictEqual({ error: expect.stringMatching(/^E_WECHAT_MALFORMED: /) });
    expectSameOutcome(outcome(parseWechatXml, text), full, text);
  });
});

describe('every fixture parses and opens as it did through the full parser', () => {
  const xmlFixtures = fixtureNames().filter((name) => name.endsWith('.xml'));
  const messages: Record<string, string> = {
    ...Object.fromEntries(xmlFixtures.map((n) => [n, fixture(n).toString('utf8')])),
    'vectors B, decrypted': vectors.B_wxbizmsgcrypt_sample.decrypted_msg,
  };

  it('parses every XML fixture identically, most by the fast path', () => {
    const paths = Object.entries(messages).map(([name, text]) => [name, checkEquivalence(text)]);
    const fast = paths.filter(([, path]) => path === 'fast').map(([name]) => name);
    // text, events, cards, the safe envelope… are flat; PicList and the attacks are not.
    expect(fast).toContain('text.xml');
    expect(fast).toContain('user_consume_card.xml'); // blanks around its CDATA sections
    expect(fast).toContain('vectors B, decrypted');
    expect(paths.find(([name]) => name === 'pic_weixin_duplicate_piclist.xml')?.[1]).toBe(
      'declined',
    );
    expect(paths.find(([name]) => name === 'attack_xxe.xml')?.[1]).toBe('declined');
  });

  it('opens every parseable fixture, plain and safe, to the data the full parser gives', () => {
    const account = {
      plain: prepareAccount({ appId: 'wxfixture00000001', token: 'fixtureToken', mode: 'plain' }),
      safe: prepareAccount({
        appId: 'wxfixture00000001',
        token: 'fixtureToken',
        encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
        mode: 'safe',
      }),
    };
    const now = 1_714_000_000;
    let opened = 0;
    for (const [name, text] of Object.entries(messages)) {
      const full = outcome(parseWechatXmlFully, text);
      if ('error' in full) continue; // the attack fixtures: refusals, checked above
      const expected = normaliseMessage(full.value, 'wxfixture00000001');
      for (const mode of ['plain', 'safe'] as const) {
        const signed = signPush(account[mode], {
          body: text,
          timestamp: now,
          encrypt: mode === 'safe',
        });
        const push = openPush(account[mode], {
          query: signed.query,
          body: Buffer.from(signed.body),
          contentType: signed.contentType,
          nowSeconds: now,
        });
        expect(push.data, `${name} (${mode})`).toStrictEqual(expected);
        expect(JSON.stringify(push.data), `${name} (${mode})`).toBe(JSON.stringify(expected));
        opened++;
      }
    }
    expect(opened).toBeGreaterThanOrEqual(60);
  });
});
