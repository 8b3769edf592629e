/**
 * MinCloud's `sendTemplateMessage` / `wechat.sendSubscribeMessage` address users by their
 * MinCloud user id (`recipient_type: 'user_id' | 'user_list'`, hydrogen-sdk-doc
 * cloud-function/node-sdk/frag/_template-message.md). cloudfn has no user service, so the ids
 * are looked up in a table the app keeps: `userprofile`, with an integer or string `user_id`
 * and the user's `openid` for this account. `recipient_type: 'openid'` with `openid` or
 * `openid_list` skips the lookup. `user_group` and `schema_user` need MinCloud's user service
 * and are refused with E_WECHAT_API_BAD_ARGS.
 */
import type { TableStore } from '../tables/table-store.ts';
import { WechatArgumentError } from './errors.ts';

export const USER_TABLE = 'userprofile';
const MAX_RECIPIENTS = 1000;

export interface Recipient {
  userId?: unknown;
  openid: string;
}

type Json = Record<string, unknown>;

export function isMinCloudShape(data: unknown): data is Json {
  return data !== null && typeof data === 'object' && 'recipient_type' in data;
}

function list(value: unknown, name: string): unknown[] {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0 || items.length > MAX_RECIPIENTS || items.some((v) => v === undefined))
    throw new WechatArgumentError(`${name} must hold 1 to ${MAX_RECIPIENTS} recipients`, {
      path: name,
    });
  return items;
}

export function resolveRecipients(data: Json, tables: TableStore): Recipient[] {
  const type = data.recipient_type;
  if (type === 'openid') {
    const openids = list(data.openid_list ?? data.openid, 'openid_list');
    return openids.map((openid) => ({ openid: String(openid) }));
  }
  if (type !== 'user_id' && type !== 'user_list')
    throw new WechatArgumentError(
      `recipient_type "${String(type)}" is not supported: use user_id, user_list (looked up in the "${USER_TABLE}" table) or openid`,
      { path: 'recipient_type' },
    );
  const ids = list(type === 'user_id' ? data.user_id : data.user_list, String(type));
  let rows: Json[];
  try {
    rows = tables.find(USER_TABLE, {
      where: { user_id: { $in: ids } },
      limit: MAX_RECIPIENTS,
      keys: ['user_id', 'openid'],
      withCount: false,
    }).objects as Json[];
  } catch (err) {
    if ((err as { code?: string }).code === 'E_TABLE_NOT_FOUND')
      throw new WechatArgumentError(
        `recipient_type "${type}" looks users up in a table "${USER_TABLE}" (user_id, openid); create it, or send to openids with recipient_type "openid"`,
        { path: 'recipient_type' },
      );
    throw err;
  }
  const openidOf = new Map(rows.map((r) => [String(r.user_id), r.openid]));
  return ids.map((id) => {
    const openid = openidOf.get(String(id));
    if (typeof openid !== 'string' || openid === '')
      throw new WechatArgumentError(`No openid for user ${String(id)} in table "${USER_TABLE}"`, {
        path: 'user_list',
        userId: id,
      });
    return { userId: id, openid };
  });
}

/**
 * The WeChat body for one recipient of a MinCloud-shaped call: `keywords` become `data`;
 * `page` becomes the template's `url` when it is a web address, else its `miniprogram`
 * (`miniprogram_appid`, or the account's own AppID) — for subscribe messages it stays `page`.
 */
export function minCloudBody(
  data: Json,
  openid: string,
  kind: 'template' | 'subscribe',
  appId: string,
): Json {
  const body: Json = { touser: openid, template_id: data.template_id, data: data.keywords };
  const page = data.page;
  if (kind === 'subscribe') {
    if (page !== undefined) body.page = page;
    if (data.miniprogram_state !== undefined) body.miniprogram_state = data.miniprogram_state;
    if (data.lang !== undefined) body.lang = data.lang;
    return body;
  }
  if (typeof page === 'string' && /^https?:\/\//i.test(page)) body.url = page;
  else if (typeof page === 'string' && page !== '')
    body.miniprogram = { appid: data.miniprogram_appid ?? appId, pagepath: page };
  return body;
}
