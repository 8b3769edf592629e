import { malformed } from './errors.ts';

export type EnvelopeFormat = 'xml' | 'json';

// Searched without their leading "<" (checked after a hit): "<" is everywhere in XML, and
// Buffer#indexOf slows down on a pattern whose first byte is frequent (measured: 20×).
const ENCRYPT_OPEN = { tail: Buffer.from('Encrypt>'), head: '<' };
const ENCRYPT_CLOSE = Buffer.from('</Encrypt>');
const CDATA = { tail: Buffer.from('[CDATA['), head: '<!' };
const CDATA_END = Buffer.from(']]>');
/**
 * A WeChat envelope has a few dozen elements at most. Past this many steps (CDATA sections
 * stepped over, near-misses of `<Encrypt>`), a body is refused rather than scanned on: the
 * scan's cost is bounded by the size cap and this count, whatever the body holds.
 */
const MAX_STEPS = 1000;
const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The format of a body from its first non-blank byte (WeChat's Content-Type is not reliable),
 * read from the bytes: nothing of the body is decoded.
 */
export function sniffFormat(body: Buffer, contentType: string | undefined): EnvelopeFormat {
  let i = 0;
  while (i < body.length && SPACE.has(body[i]!)) i++;
  if (i === body.length) throw malformed('the body is empty');
  if (body[i] === 0x3c) return 'xml'; // <
  if (body[i] === 0x7b) return 'json'; // {
  return contentType?.includes('json') ? 'json' : 'xml';
}

/**
 * The raw Encrypt text of a safe- or compatible-mode envelope, read without parsing the
 * envelope: msg_signature covers this text, so it is all that must be read before the
 * signature says whether the push is WeChat's at all (issue 12, item 6). Both formats are
 * scanned with native `indexOf`s whose positions only move forward, and at most MAX_STEPS
 * near-misses: the cost is linear in the body, whatever it holds, and far below a parse.
 * Exactly one Encrypt is accepted; nothing else in the envelope is trusted (only the
 * decrypted copy is).
 */
export function readEncryptText(body: Buffer, format: EnvelopeFormat): string {
  const text = format === 'xml' ? xmlEncrypt(body) : jsonEncrypt(body);
  if (text.length === 0) throw noEncrypt();
  return text;
}

function xmlEncrypt(body: Buffer): string {
  let steps = 0;
  const step = () => {
    if (++steps > MAX_STEPS)
      throw malformed(`the envelope has over ${MAX_STEPS} sections before its Encrypt element`);
  };
  // The next `<tag` at or after `pos`, or -1; a cached hit is reused while `pos` has not
  // passed it, so each pattern is searched over the body once in all.
  const cache = new Map<Buffer, number>();
  const find = (tag: { tail: Buffer; head: string }, pos: number): number => {
    const known = cache.get(tag.tail);
    if (known !== undefined && (known === -1 || known >= pos)) return known;
    let from = Math.max(pos + tag.head.length, 0);
    for (;;) {
      const hit = body.indexOf(tag.tail, from);
      const at = hit - tag.head.length;
      if (hit === -1 || (at >= pos && body.toString('latin1', at, hit) === tag.head)) {
        const found = hit === -1 ? -1 : at;
        cache.set(tag.tail, found);
        return found;
      }
      step();
      from = hit + 1;
    }
  };
  let pos = 0;
  let encrypt: string | undefined;
  for (;;) {
    const element = find(ENCRYPT_OPEN, pos);
    if (element === -1) break;
    // WeChat wraps every text value in CDATA: an `<Encrypt>` inside one is a user's words.
    const cdata = find(CDATA, pos);
    if (cdata !== -1 && cdata < element) {
      step();
      const end = body.indexOf(CDATA_END, cdata + 9);
      if (end === -1) throw malformed('a CDATA section is not closed');
      pos = end + CDATA_END.length;
      continue;
    }
    if (encrypt !== undefined) throw malformed('the body has more than one Encrypt element');
    const start = element + 9;
    const contentEnd = encryptContentEnd(body, start);
    // Base64 is ASCII: latin1 maps bytes to characters one to one; anything else fails the
    // signature (or, signed, the base64 check of the decryption).
    let inner = body.toString('latin1', start, contentEnd).trim();
    if (inner.startsWith(CDATA_OPEN) && inner.endsWith(CDATA_CLOSE))
      inner = inner.slice(CDATA_OPEN.length, -CDATA_CLOSE.length).trim();
    encrypt = inner;
    pos = contentEnd + ENCRYPT_CLOSE.length;
  }
  if (encrypt === undefined) throw noEncrypt();
  return encrypt;
}

/** Where the Encrypt element's content ends (its `</Encrypt>`), stepping over a CDATA wrapper. */
function encryptContentEnd(body: Buffer, start: number): number {
  let i = start;
  while (i < body.length && SPACE.has(body[i]!)) i++;
  let from = start;
  if (body.toString('latin1', i, i + CDATA_OPEN.length) === CDATA_OPEN) {
    const end = body.indexOf(CDATA_CLOSE, i + CDATA_OPEN.length, 'latin1');
    if (end === -1) throw malformed('the Encrypt CDATA section is not closed');
    from = end + CDATA_CLOSE.length;
  }
  const close = body.indexOf(ENCRYPT_CLOSE, from);
  if (close === -1) throw malformed('the Encrypt element is not closed');
  return close;
}

const JSON_KEY = Buffer.from('Encrypt"');

/**
 * The "Encrypt" member of a JSON envelope, by the same kind of bounded scan: a `"Encrypt"`
 * whose opening quote is not escaped and that a `:` follows is a key (inside a string every
 * quote is escaped); exactly one is accepted.
 */
function jsonEncrypt(body: Buffer): string {
  let steps = 0;
  const step = () => {
    if (++steps > MAX_STEPS) throw malformed(`the envelope has over ${MAX_STEPS} near-misses`);
  };
  let valueStart = -1;
  for (let from = 1; ;) {
    const hit = body.indexOf(JSON_KEY, from);
    if (hit === -1) break;
    from = hit + 1;
    if (body[hit - 1] !== 0x22 || escapedAt(body, hit - 1)) {
      step();
      continue;
    }
    let i = skipSpace(body, hit + JSON_KEY.length);
    if (body[i] !== 0x3a) {
      step(); // a value "Encrypt", not the key
      continue;
    }
    if (valueStart !== -1) throw malformed('the body has more than one Encrypt key');
    i = skipSpace(body, i + 1);
    if (body[i] !== 0x22) throw malformed('Encrypt is not a string');
    valueStart = i + 1;
  }
  if (valueStart === -1) throw noEncrypt();
  let end = valueStart - 1;
  do {
    end = body.indexOf(0x22, end + 1);
    if (end === -1) throw malformed('the Encrypt string is not closed');
    if (escapedAt(body, end)) step();
  } while (escapedAt(body, end));
  const raw = body.toString('latin1', valueStart, end);
  if (!raw.includes('\\')) return raw;
  try {
    // Only this one string literal is parsed (`\/` is how some encoders write "/").
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    throw malformed('the Encrypt string has a bad escape');
  }
}

/** Whether the byte at `at` is escaped: an odd number of backslashes stands before it. */
function escapedAt(body: Buffer, at: number): boolean {
  let n = 0;
  while (at - n - 1 >= 0 && body[at - n - 1] === 0x5c) n++;
  return n % 2 === 1;
}

function skipSpace(body: Buffer, i: number): number {
  while (i < body.length && SPACE.has(body[i]!)) i++;
  return i;
}

function noEncrypt() {
  return malformed('encrypt_type=aes but the body has no Encrypt element');
}
