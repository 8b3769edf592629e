/**
 * The request bodies WeChat documents for the calls of BaaS.wechat, checked before sending so
 * a mistake fails with a clear E_WECHAT_API_BAD_ARGS instead of WeChat's terse errcode:
 *
 * - customer-service messages (客服消息):
 *   https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
 * - template messages (模板消息, official accounts):
 *   https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
 * - subscribe messages (订阅消息, mini-programs):
 *   https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
 */
import { WechatArgumentError } from './errors.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

function need(ok: boolean, message: string, path: string): void {
  if (!ok) throw new WechatArgumentError(message, { path });
}

/** The object of each customer-service msgtype and the fields it must have. */
const CUSTOM_TYPES: Record<string, string[]> = {
  text: ['content'],
  image: ['media_id'],
  voice: ['media_id'],
  video: ['media_id'],
  music: ['musicurl', 'hqmusicurl', 'thumb_media_id'],
  news: ['articles'],
  mpnews: ['media_id'],
  mpnewsarticle: ['article_id'],
  msgmenu: ['list'],
  wxcard: ['card_id'],
  miniprogrampage: ['title', 'pagepath', 'thumb_media_id'],
};

export function customMessageBody(message: unknown): Json {
  need(isObject(message), 'A customer-service message is an object {touser, msgtype, …}', '');
  const m = message as Json;
  need(isText(m.touser), 'touser (the openid of the recipient) is required', 'touser');
  const type = m.msgtype;
  need(
    typeof type === 'string' && CUSTOM_TYPES[type] !== undefined,
    `msgtype must be one of ${Object.keys(CUSTOM_TYPES).join(', ')}`,
    'msgtype',
  );
  const content = m[type as string];
  need(
    isObject(content),
    `a "${String(type)}" message needs its "${String(type)}" object`,
    String(type),
  );
  for (const field of CUSTOM_TYPES[type as string]!) {
    const value = (content as Json)[field];
    if (field === 'articles') {
      need(
        Array.isArray(value) && value.length >= 1 && value.length <= 8,
        'news.articles is a list of 1 to 8 articles {title, description, url, picurl}',
        'news.articles',
      );
    } else if (field === 'list') {
      need(Array.isArray(value), 'msgmenu.list is a list of {id, content}', 'msgmenu.list');
    } else need(isText(value), `${String(type)}.${field} is required`, `${String(type)}.${field}`);
  }
  return m;
}

function checkData(data: unknown, path: string): void {
  need(isObject(data), `${path} is an object like {"keyword1": {"value": "…"}}`, path);
  for (const [key, entry] of Object.entries(data as Json))
    need(
      isObject(entry) && typeof (entry as Json).value === 'string',
      `${path}.${key} must be {"value": "<text>"}`,
      `${path}.${key}`,
    );
}

/** What template and subscribe messages share: a recipient, a template and its data. */
function checkTemplated(body: Json): void {
  need(isText(body.touser), 'touser (the openid of the recipient) is required', 'touser');
  need(isText(body.template_id), 'template_id is required', 'template_id');
  checkData(body.data, 'data');
}

export function templateMessageBody(body: Json): Json {
  checkTemplated(body);
  if (body.miniprogram !== undefined)
    need(
      isObject(body.miniprogram) && isText((body.miniprogram as Json).appid),
      'miniprogram is {appid, pagepath}',
      'miniprogram',
    );
  return body;
}

export function subscribeMessageBody(body: Json): Json {
  checkTemplated(body);
  if (body.miniprogram_state !== undefined)
    need(
      ['developer', 'trial', 'formal'].includes(String(body.miniprogram_state)),
      'miniprogram_state is developer, trial or formal',
      'miniprogram_state',
    );
  return body;
}

/**
 * A passive-reply-shaped message (`{MsgType: 'text', Content}`, as a function returns for a
 * passive reply) or a plain string, as the customer-service message to `toUser`; a message
 * already in the customer-service shape (`{msgtype, …}`) is used as it is.
 */
export function replyAsCustomMessage(toUser: string, message: unknown): Json {
  if (typeof message === 'string')
    return { touser: toUser, msgtype: 'text', text: { content: message } };
  need(isObject(message), 'The reply is a string or a message object', '');
  const m = message as Json;
  if (typeof m.msgtype === 'string') return customMessageBody({ ...m, touser: toUser });
  const type = String(m.MsgType ?? '');
  const inner = (key: string): Json => (isObject(m[key]) ? (m[key] as Json) : m);
  switch (type) {
    case 'text':
      return customMessageBody({ touser: toUser, msgtype: 'text', text: { content: m.Content } });
    case 'image':
    case 'voice':
      return customMessageBody({
        touser: toUser,
        msgtype: type,
        [type]: { media_id: inner(type === 'image' ? 'Image' : 'Voice').MediaId },
      });
    case 'news': {
      const articles = Array.isArray(m.Articles) ? (m.Articles as Json[]) : [];
      return customMessageBody({
        touser: toUser,
        msgtype: 'news',
        news: {
          articles: articles.map((a) => ({
            title: a.Title,
            description: a.Description,
            url: a.Url,
            picurl: a.PicUrl,
          })),
        },
      });
    }
    default:
      throw new WechatArgumentError(
        'BaaS.wechat.reply takes a string, {MsgType: "text"|"image"|"voice"|"news", …} as for a passive reply, or a customer-service message {msgtype, …}',
        { path: 'MsgType' },
      );
  }
}
