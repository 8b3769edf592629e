import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { malformed } from './errors.ts';
import { readFlatXml } from './read-flat-xml.ts';

/**
 * Settings derived in notes §7.3 (verified on fast-xml-parser 5.12): no value coercion (ids
 * keep leading zeros and all 64 bits), trimmed text, entities decoded, DTDs never reached
 * (rejected below), nesting capped. `item` is always an array so list handlers need no
 * single-vs-many case (news Articles, SendPicsInfo.PicList).
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 20,
  isArray: (name: string) => name === 'item',
});

// WeChat never sends a DTD; refusing one up front removes XXE and entity expansion entirely.
const DTD = /<!(?:DOCTYPE|ENTITY)/i;

/**
 * Parses a WeChat XML body to the object under its `<xml>` root. Values are strings, empty
 * elements "", repeated elements arrays, nested ones objects. Throws E_WECHAT_MALFORMED.
 */
export function parseWechatXml(text: string): Record<string, unknown> {
  refuseDtd(text);
  // Most pushes are flat leaf elements: read those directly, the full parser decides the rest.
  return readFlatXml(text) ?? parseValidated(text);
}

/**
 * parseWechatXml without the flat fast path (the DTD check included): what the fast path
 * must match, for its tests and the receiver bench.
 */
export function parseWechatXmlFully(text: string): Record<string, unknown> {
  refuseDtd(text);
  return parseValidated(text);
}

function refuseDtd(text: string): void {
  if (DTD.test(text)) throw malformed('XML with a DOCTYPE or ENTITY declaration is refused');
}

function parseValidated(text: string): Record<string, unknown> {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw malformed(`invalid XML at line ${valid.err.line}: ${valid.err.msg}`);
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (err) {
    // e.g. "[SECURITY] Invalid name: __proto__", or maxNestedTags exceeded.
    throw malformed(`XML rejected by the parser: ${(err as Error).message}`);
  }
  // Other roots are ignored, not refused: old web clients added a marker root (notes §6).
  const root = (parsed as Record<string, unknown>).xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw malformed('the body needs exactly one <xml> root element with child elements');
  }
  return root as Record<string, unknown>;
}
