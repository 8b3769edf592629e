import type { ReplyNode, ReplyValue } from './reply-shape.ts';

// Characters XML 1.0 forbids even inside CDATA (C0 controls but tab/LF/CR, lone surrogates,
// U+FFFE/U+FFFF). WeChat rejects the whole reply for one of them, so they are dropped.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Wraps text in CDATA; a `]]>` inside is split across two sections so it cannot close it. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(NOT_XML_CHAR, '').replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** Serialises a reply tree as `<xml>…</xml>`: strings in CDATA, numbers bare, lists as `<item>`. */
export function replyToXml(node: ReplyNode): string {
  return `<xml>${nodeToXml(node)}</xml>`;
}

/** Serialises a reply tree as a JSON object (lists as arrays), for JSON mini-program pushes. */
export function replyToJson(node: ReplyNode): string {
  return JSON.stringify(nodeToObject(node));
}

function nodeToXml(node: ReplyNode): string {
  return node.map(([name, value]) => `<${name}>${valueToXml(value)}</${name}>`).join('');
}

function valueToXml(value: ReplyValue): string {
  if (typeof value === 'string') return cdata(value);
  if (typeof value === 'number') return String(value);
  if (isNodeList(value)) return value.map((item) => `<item>${nodeToXml(item)}</item>`).join('');
  return nodeToXml(value);
}

function nodeToObject(node: ReplyNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of node) {
    if (typeof value === 'string' || typeof value === 'number') out[name] = value;
    else out[name] = isNodeList(value) ? value.map(nodeToObject) : nodeToObject(value);
  }
  return out;
}

// A node is a list of [name, value] pairs; a node list is a list of such lists.
function isNodeList(value: ReplyNode | ReplyNode[]): value is ReplyNode[] {
  const first = value[0];
  return first !== undefined && Array.isArray(first[0]);
}
