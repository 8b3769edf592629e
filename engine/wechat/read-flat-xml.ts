/**
 * A reader for the one XML shape WeChat pushes almost always: a `<xml>` root whose children
 * are leaf elements, each holding one CDATA section (blanks around it allowed) or plain text, e.g.
 * `<xml><ToUserName><![CDATA[gh_…]]></ToUserName><CreateTime>1409735668</CreateTime>…</xml>`.
 *
 * It exists for speed only: fast-xml-parser validates, then parses, and builds an entity
 * decoder per document, which was most of the receiver's XML time (docs/performance.md,
 * "The receiver's parse"). It is a fast path, not a second parser: it accepts a strict subset
 * of XML and, for that subset, returns exactly what the full parser (parse-xml.ts) returns.
 * Anything outside the subset (attributes, comments, entities, nesting, repeated or empty-tag
 * elements, a declaration, CR characters, odd names…) makes it return undefined, and the
 * caller parses the text fully, so accept/refuse decisions and error codes on odd input are
 * the full parser's. test/unit/wechat/read-flat-xml.test.ts checks the equivalence on
 * generated documents and on every fixture.
 *
 * Linear: each position is looked at a bounded number of times (native indexOf/startsWith
 * moving forward, and a char loop over names); no regular expression.
 */

const OPEN_ROOT = '<xml>';
const CLOSE_ROOT = '</xml>';
const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';

/**
 * Names the full parser refuses (prototype pollution guard), renames (`toString` comes back
 * as `__toString`) or always turns into an array (`item`, parse-xml.ts's isArray): left to it.
 */
const LEFT_TO_FULL_PARSER = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
  'item',
]);

/** The children of the `<xml>` root as strings, or undefined when the full parser must decide. */
export function readFlatXml(text: string): Record<string, string> | undefined {
  // The full parser folds CR LF into LF in text; rather than copy its rules, decline.
  if (text.includes('\r')) return undefined;
  let pos = skipSpace(text, 0);
  if (!text.startsWith(OPEN_ROOT, pos)) return undefined;
  pos += OPEN_ROOT.length;
  const out: Record<string, string> = {};
  let children = 0;
  for (;;) {
    pos = skipSpace(text, pos);
    if (text.startsWith(CLOSE_ROOT, pos)) {
      pos = skipSpace(text, pos + CLOSE_ROOT.length);
      // An empty root is refused by parse-xml.ts with its own message: leave that to it.
      return pos === text.length && children > 0 ? out : undefined;
    }
    if (text.charCodeAt(pos) !== 0x3c) return undefined; // <
    const nameEnd = nameEndAt(text, pos + 1);
    if (nameEnd === -1 || text.charCodeAt(nameEnd) !== 0x3e) return undefined; // >
    const name = text.slice(pos + 1, nameEnd);
    if (LEFT_TO_FULL_PARSER.has(name) || Object.hasOwn(out, name)) return undefined;
    pos = nameEnd + 1;
    let value: string;
    // Blanks around the section are dropped by the full parser (card events come laid out so).
    const cdataAt = skipSpace(text, pos);
    if (text.startsWith(CDATA_OPEN, cdataAt)) {
      const end = text.indexOf(CDATA_CLOSE, cdataAt + CDATA_OPEN.length);
      if (end === -1) return undefined;
      // CDATA is kept as is: the full parser does not trim it.
      value = text.slice(cdataAt + CDATA_OPEN.length, end);
      // parse-xml.ts refuses `<!DOCTYPE`/`<!ENTITY` anywhere, CDATA included: leave `<!` to it.
      if (value.includes('<!')) return undefined;
      pos = skipSpace(text, end + CDATA_CLOSE.length);
    } else {
      const end = text.indexOf('<', pos);
      if (end === -1) return undefined;
      const raw = text.slice(pos, end);
      // Entities need decoding and `>`/`]]>` in text has rules of its own: the full parser's.
      if (raw.includes('&') || raw.includes('>')) return undefined;
      value = raw.trim();
      pos = end;
    }
    // The closing tag must follow at once: no second section, no space before `>`.
    if (
      text.charCodeAt(pos) !== 0x3c ||
      text.charCodeAt(pos + 1) !== 0x2f || // /
      !text.startsWith(name, pos + 2) ||
      text.charCodeAt(pos + 2 + name.length) !== 0x3e
    ) {
      return undefined;
    }
    pos += name.length + 3;
    out[name] = value;
    children++;
  }
}

/** End of an ASCII name `[A-Za-z_][A-Za-z0-9_]*` starting at `start`, or -1 if there is none. */
function nameEndAt(text: string, start: number): number {
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
    if (!letter && !(i > start && c >= 0x30 && c <= 0x39)) break;
  }
  return i === start ? -1 : i;
}

function skipSpace(text: string, start: number): number {
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09) break;
  }
  return i;
}
