import { WechatError } from './errors.ts';

/**
 * A reply as an ordered tree, ready to serialise to XML or JSON: strings become CDATA,
 * numbers stay bare, a list of nodes becomes `<item>` elements (a JSON array).
 */
export type ReplyValue = string | number | ReplyNode | ReplyNode[];
export type ReplyNode = Array<[string, ReplyValue]>;

interface FieldSpec {
  name: string;
  required: boolean;
}

// [REPLY]: the fields of each passive reply type, in the order WeChat documents them.
const MEDIA: Record<string, { wrapper: string; fields: FieldSpec[] }> = {
  image: { wrapper: 'Image', fields: [req('MediaId')] },
  voice: { wrapper: 'Voice', fields: [req('MediaId')] },
  video: { wrapper: 'Video', fields: [req('MediaId'), opt('Title'), opt('Description')] },
  music: {
    wrapper: 'Music',
    fields: [
      opt('Title'),
      opt('Description'),
      opt('MusicUrl'),
      opt('HQMusicUrl'),
      req('ThumbMediaId'),
    ],
  },
};
const ARTICLE_FIELDS = [opt('Title'), opt('Description'), opt('PicUrl'), opt('Url')];
// WeChat accepts up to 8 articles (only 1 in answer to a user's message; it shows the first).
const MAX_ARTICLES = 8;
const TYPES = ['text', 'image', 'voice', 'video', 'music', 'news', 'transfer_customer_service'];

/**
 * Validates a function's `reply` and returns its type-specific part (everything after
 * MsgType). Media fields may sit at the top level (`{MsgType:"image", MediaId}`) or under
 * their wrapper as in the XML (`{MsgType:"image", Image:{MediaId}}`).
 * Throws E_WECHAT_REPLY_INVALID naming what is wrong.
 */
export function validateReply(reply: unknown): { msgType: string; body: ReplyNode } {
  const record = asRecord(reply, 'the reply');
  const msgType = record.MsgType;
  if (typeof msgType !== 'string' || !TYPES.includes(msgType)) {
    throw invalid(
      `MsgType must be one of ${TYPES.join(', ')}; got ${JSON.stringify(msgType) ?? 'nothing'}`,
    );
  }
  const rest = { ...record };
  delete rest.MsgType;
  if (msgType === 'text')
    return { msgType, body: takeFields(rest, [req('Content')], 'a text reply') };
  if (msgType === 'news') return { msgType, body: newsBody(rest) };
  if (msgType === 'transfer_customer_service') return { msgType, body: transferBody(rest) };
  const media = MEDIA[msgType]!;
  return {
    msgType,
    body: [
      [media.wrapper, takeFields(unwrap(rest, media.wrapper), media.fields, `a ${msgType} reply`)],
    ],
  };
}

function newsBody(rest: Record<string, unknown>): ReplyNode {
  const { Articles: articles, ArticleCount: count, ...unknown } = rest;
  rejectUnknown(unknown, 'a news reply', ['Articles', 'ArticleCount']);
  if (!Array.isArray(articles) || articles.length === 0 || articles.length > MAX_ARTICLES) {
    throw invalid(`a news reply needs Articles: an array of 1 to ${MAX_ARTICLES} articles`);
  }
  if (count !== undefined && count !== articles.length) {
    throw invalid(
      `ArticleCount is ${JSON.stringify(count)} but there are ${articles.length} articles`,
    );
  }
  const items = articles.map((article, i) =>
    takeFields(asRecord(article, `article ${i}`), ARTICLE_FIELDS, `article ${i}`),
  );
  return [
    ['ArticleCount', articles.length],
    ['Articles', items],
  ];
}

function transferBody(rest: Record<string, unknown>): ReplyNode {
  const transfer = takeFields(
    unwrap(rest, 'TransInfo'),
    [opt('KfAccount')],
    'a transfer_customer_service reply',
  );
  return transfer.length === 0 ? [] : [['TransInfo', transfer]];
}

/** The wrapper's object when given (and nothing else is), else the top-level fields. */
function unwrap(rest: Record<string, unknown>, wrapper: string): Record<string, unknown> {
  if (!(wrapper in rest)) return rest;
  const { [wrapper]: inner, ...others } = rest;
  if (Object.keys(others).length > 0) {
    throw invalid(
      `give ${Object.keys(others).join(', ')} inside ${wrapper} or at the top level, not both`,
    );
  }
  return asRecord(inner, wrapper);
}

function takeFields(record: Record<string, unknown>, specs: FieldSpec[], what: string): ReplyNode {
  rejectUnknown(
    record,
    what,
    specs.map((spec) => spec.name),
  );
  const node: ReplyNode = [];
  for (const { name, required } of specs) {
    const value = record[name];
    if (value === undefined && !required) continue;
    if (typeof value !== 'string' || (required && value.length === 0)) {
      throw invalid(`${what} needs ${name} as a ${required ? 'non-empty ' : ''}string`);
    }
    node.push([name, value]);
  }
  return node;
}

function rejectUnknown(record: Record<string, unknown>, what: string, allowed: string[]): void {
  const unknown = Object.keys(record).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    const list = allowed.length > 0 ? allowed.join(', ') : 'none';
    throw invalid(`${what} has unknown field(s) ${unknown.join(', ')} (allowed: MsgType, ${list})`);
  }
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function req(name: string): FieldSpec {
  return { name, required: true };
}

function opt(name: string): FieldSpec {
  return { name, required: false };
}

function invalid(reason: string): WechatError {
  return new WechatError('E_WECHAT_REPLY_INVALID', `Invalid passive reply: ${reason}.`, { reason });
}
